/**
 * Template expressions inside policy rules (`"[parameters('effect')]"`, `"[field('name')]"`):
 * parsed once at load time into a closure; evaluated with the policy function library.
 */
import { EvaluationFailure, Unknown, setOwn, type Value } from '../model/value.js';
import type { Expr } from '../expr/ast.js';
import { evaluate, ExpressionError, type FunctionLibrary } from '../expr/evaluate.js';
import { parseTemplateString } from '../expr/parse.js';
import { DefinitionError, UnsupportedError } from './errors.js';
import type { Runtime } from './runtime.js';
import { foldCase } from '../model/foldCase.js';

export interface CompiledValue {
  /** Set when the value holds no expression. */
  constant?: Value;
  get(rt: Runtime): Value;
  /** Names of parameters the value reads with a literal `parameters('x')`. */
  parameters: string[];
  /** True when the value depends on the parameters only (not on the resource), so it can be computed once per assignment. */
  parametersOnly: boolean;
}

/** Functions whose result depends on the resource or the moment, not only on the parameters. */
const resourceDependent = new Set([
  'field',
  'current',
  'requestcontext',
  'utcnow',
  'resourcegroup',
  'subscription',
  'policy',
  'newguid'
]);

/**
 * Template functions Azure Policy refuses in a policy rule, though a template may call them; a
 * definition that calls one cannot be created.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 */
const notInPolicyRules = new Set([
  'copyindex',
  'datetimeadd',
  'datetimefromepoch',
  'datetimetoepoch',
  'deployment',
  'environment',
  'extensionresourceid',
  'lambda',
  'managementgroup',
  'newguid',
  'pickzones',
  'providers',
  'reference',
  'resourceid',
  'subscriptionresourceid',
  'tenantresourceid',
  'tenant',
  'variables'
]);

/** Whether Azure Policy refuses this function in a policy rule (the list above, and every `list*`). */
export function refusedInPolicyRule(name: string): boolean {
  const lower = foldCase(name);
  return notInPolicyRules.has(lower) || lower.startsWith('list');
}

export interface ExpressionSite {
  file: string | null;
  path: string;
  functions: FunctionLibrary;
  /** Lower-cased names of declared parameters. */
  declared: Set<string>;
  /** Checks a field that a `field('…')` or `current('…/…')` call names literally (throws as the field condition would). */
  checkField?: (text: string, path: string) => void;
  /**
   * Whether the expression is in a condition inside a count's `where`: false refuses `current()`, which Azure does
   * not let a definition use elsewhere ("only available inside the count.where condition"); undefined checks nothing.
   */
  inCount?: boolean;
}

function collectCalls(expr: Expr, out: { name: string; args: Expr[] }[]): void {
  if (expr.kind === 'call') {
    out.push({ name: expr.name, args: expr.args });
    for (const a of expr.args) collectCalls(a, out);
  } else if (expr.kind === 'property') {
    collectCalls(expr.target, out);
  } else if (expr.kind === 'index') {
    collectCalls(expr.target, out);
    collectCalls(expr.index, out);
  }
}

/** Parses a string that may be an expression; checks its functions and parameter references. */
export function compileString(text: string, site: ExpressionSite): CompiledValue {
  let parsed: Expr | string;
  try {
    parsed = parseTemplateString(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DefinitionError(`the expression ${JSON.stringify(text)} does not parse: ${reason}`, site.file, site.path);
  }
  if (typeof parsed === 'string') return { constant: parsed, get: () => parsed, parameters: [], parametersOnly: true };
  const calls: { name: string; args: Expr[] }[] = [];
  collectCalls(parsed, calls);
  const parameters: string[] = [];
  for (const call of calls) {
    const lower = foldCase(call.name);
    if (refusedInPolicyRule(lower)) {
      throw new DefinitionError(
        `the expression ${JSON.stringify(text)} calls '${call.name}', which Azure Policy does not allow in a policy rule; compute the value another way (a parameter, field(), or a function Azure Policy allows).`,
        site.file,
        site.path
      );
    }
    if (lower === 'utcnow' && call.args.length > 0) {
      // A policy rule's utcNow() answers yyyy-MM-ddTHH:mm:ss.fffffffZ and nothing else; Azure's page lists
      // utcNow(format) among the functions a policy rule cannot use (its later versions describe utcNow() alone).
      throw new DefinitionError(
        `the expression ${JSON.stringify(text)} gives utcNow() a format, which Azure Policy does not allow in a policy rule: utcNow() answers yyyy-MM-ddTHH:mm:ss.fffffffZ; take a part of it with substring().`,
        site.file,
        site.path
      );
    }
    const fn = site.functions.get(lower);
    if (!fn) {
      throw new UnsupportedError(
        `the expression ${JSON.stringify(text)} calls '${call.name}', which Azure Policy rules cannot use or this engine does not know.`,
        site.file,
        site.path
      );
    }
    if (call.args.length < fn.minArgs || call.args.length > fn.maxArgs) {
      const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      throw new DefinitionError(
        `'${call.name}' takes ${want} argument(s) but ${JSON.stringify(text)} gives it ${call.args.length}.`,
        site.file,
        site.path
      );
    }
    if (lower === 'current' && site.inCount === false) {
      throw new DefinitionError(
        `the expression ${JSON.stringify(text)} calls current(), which Azure allows only inside a count's "where" (Azure refuses to create the definition otherwise); use field() here.`,
        site.file,
        site.path
      );
    }
    if (lower === 'parameters' && call.args[0]?.kind === 'literal') {
      const name = String(call.args[0].value);
      if (!site.declared.has(foldCase(name))) {
        throw new DefinitionError(
          `the expression ${JSON.stringify(text)} reads parameter '${name}', which the definition does not declare; declare it under "parameters" or fix the name.`,
          site.file,
          site.path
        );
      }
      parameters.push(name);
    }
    if (site.checkField && (lower === 'field' || lower === 'current') && call.args[0]?.kind === 'literal') {
      const name = call.args[0].value;
      // current('name') of a value count is a name, not a field.
      if (typeof name === 'string' && (lower === 'field' || name.includes('/'))) site.checkField(name, site.path);
    }
  }
  const expr = parsed;
  const parametersOnly = calls.every(call => !resourceDependent.has(foldCase(call.name)));
  return {
    parameters,
    parametersOnly,
    get(rt: Runtime): Value {
      const missing = rt.missingReads;
      try {
        return evaluate(expr, rt.expr);
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        // Failing after reading a field the resource does not hold, it may fail only for want of what Azure fills
        // into the request: unknown, not Azure's failure.
        if (rt.missingReads > missing)
          return new Unknown(
            `the expression ${text}, which fails on a field this resource does not hold (${error.message})`
          );
        return new EvaluationFailure(`the expression ${text} failed: ${error.message}`);
      }
    }
  };
}

/** Any JSON operand: strings may be expressions; arrays and objects are compiled member by member. */
export function compileValue(raw: unknown, site: ExpressionSite): CompiledValue {
  if (typeof raw === 'string') return compileString(raw, site);
  if (Array.isArray(raw)) {
    const parts = raw.map((item, i) => compileValue(item, { ...site, path: `${site.path}[${i}]` }));
    const parameters = parts.flatMap(p => p.parameters);
    const parametersOnly = parts.every(p => p.parametersOnly);
    if (parts.every(p => 'constant' in p)) {
      const constant = parts.map(p => p.constant as Value);
      return { constant, get: () => constant, parameters, parametersOnly };
    }
    return { get: rt => parts.map(p => p.get(rt)), parameters, parametersOnly };
  }
  if (raw !== null && typeof raw === 'object') {
    const entries = Object.entries(raw).map(
      ([k, v]) => [k, compileValue(v, { ...site, path: `${site.path}.${k}` })] as const
    );
    const parameters = entries.flatMap(([, p]) => p.parameters);
    const parametersOnly = entries.every(([, p]) => p.parametersOnly);
    if (entries.every(([, p]) => 'constant' in p)) {
      const constant: { [key: string]: Value } = {};
      for (const [k, p] of entries) setOwn(constant, k, p.constant as Value);
      return { constant, get: () => constant, parameters, parametersOnly };
    }
    return {
      parameters,
      parametersOnly,
      get(rt) {
        const out: { [key: string]: Value } = {};
        for (const [k, p] of entries) setOwn(out, k, p.get(rt));
        return out;
      }
    };
  }
  const constant = (raw ?? null) as Value;
  return { constant, get: () => constant, parameters: [], parametersOnly: true };
}

/**
 * A value that depends only on the parameters, computed once per set of parameter values (the
 * runtime's parameter map is the same object for every resource of one assignment).
 */
export function perAssignment<T>(value: CompiledValue, derive: (v: Value) => T): (rt: Runtime) => T {
  let lastParams: Map<string, Value> | undefined;
  let last: T;
  return rt => {
    if (rt.parameters !== lastParams) {
      last = derive(value.get(rt));
      lastParams = rt.parameters;
    }
    return last;
  };
}
