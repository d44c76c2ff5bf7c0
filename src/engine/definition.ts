/**
 * Loading a policy definition: accept Azure's shapes, validate the rule, resolve aliases and
 * compile conditions and expressions into closures, once. `evaluate` then only runs closures.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-basics
 */
import { EvaluationFailure, Unknown, isObject, setOwn, type Value } from '../model/value.js';
import { isSubscriptionType, type Resource } from '../model/resource.js';
import type { Verdict } from '../model/finding.js';
import { UserError } from '../model/errors.js';
import { library, type FunctionLibrary } from '../expr/evaluate.js';
import { standardFunctions } from '../expr/functions/index.js';
import { applicabilityCondition, compileApplicability, hasLocationCondition } from './applicability.js';
import { checkModifyOperations } from './modifiable.js';
import { compileAppend, compileModify, copyBody, type RequestChange } from './modify.js';
import { compileCondition, declareField, type Condition, type ConditionCompiler } from './conditions.js';
import { checkEffectDetails } from './details.js';
import { typesOfRule } from './resourceTypes.js';
import { canonicalEffect, isExistenceEffect } from './effects.js';
import { DefinitionError, UnsupportedError } from './errors.js';
import { compileValue, perAssignment, type CompiledValue } from './expressions.js';
import { NOT_APPLICABLE, generateRule, type GeneratedRule, type RuntimeMaker } from './generate.js';
import { RuleExplainer, type Explanation } from './explain.js';
import type { AliasOverride, FieldRef } from './fields.js';
import { fullNameOf } from './fields.js';
import { PLACEHOLDER_GROUP_KEY, policyFunctions } from './functions.js';
import type { Truth } from './logic.js';
import { isExemptType, isIndexedType, resolveMode, typeEntry, type Mode } from './modes.js';
import { nameMatcher, relatedOfType, scopeMatcher } from './related.js';
import { Runtime } from './runtime.js';
import type { CountBudget } from './count.js';
import { checkAssignmentValue, readParameter, type ParameterDefinition } from './parameters.js';
import { foldCase } from '../model/foldCase.js';

export type { ParameterDefinition };

export interface PolicyDefinitionSource {
  file: string | null;
  json: unknown;
}

export interface LoadOptions {
  /** The name to use when the JSON has none (defaults to the file name without `.json`). */
  name?: string;
  /** Extra template functions (tests, or a caller's own). */
  functions?: FunctionLibrary;
  /**
   * Aliases the shipped catalog lacks (a provider newer than its sources, or a test's own provider):
   * alias name → default path, or a function answering the same (undefined: ask the catalog).
   */
  aliases?: Record<string, string> | AliasOverride;
  /**
   * Evaluate with the compiled closures alone, without the generated condition (generate.ts): the
   * reference the generated code is tested against.
   */
  interpret?: boolean;
}

export interface EvaluateOptions {
  parameters?: Record<string, Value>;
  /** Other resources deployed alongside (the same template): candidates for `auditIfNotExists`/`deployIfNotExists`. */
  related?: Resource[];
  scope?: { subscriptionId?: string; resourceGroup?: string };
  /** The evaluation's bound on the work of counts (see withCountCheckpoint). */
  counts?: CountBudget;
}

export interface Evaluation {
  applicable: boolean;
  verdict: Verdict;
  effect: string;
  reason: string | null;
  message: string;
  pointers: string[];
}

export interface CompiledDefinition {
  name: string;
  displayName: string;
  description?: string;
  mode: string;
  file: string | null;
  /**
   * On a pull request, that the file this comes from is one the change adds (the base does not have it): its
   * findings are reported, but until the change is merged its Append and Modify do not change the request the
   * base's definitions see, and an initiative it makes does not take over how they are evaluated.
   */
  addedByChange?: boolean;
  metadata: Record<string, unknown>;
  parameters: Record<string, ParameterDefinition>;
  /** Remarks from loading: aliases resolved by convention because the catalog lacks them. */
  notes: string[];
  appliesToType(type: string): boolean;
  /**
   * False when `evaluate` answers not applicable for every resource of this type, whatever its body and the
   * assignment: the mode does not evaluate the type, or the rule's `if` requires a type (an `equals` or `in` of
   * literal types, reached through `allOf`) that this one is not, and Azure Policy does not look further (the
   * `then`, its effect included, is read only where the `if` holds). The cheap test a run makes before `evaluate`.
   */
  mayApply(type: string): boolean;
  /**
   * The resource types (lowercased) the rule can apply to, with those its existence effect looks
   * for; null when any type may match. Live evaluation reads only these from Azure.
   */
  resourceTypes: ReadonlySet<string> | null;
  /**
   * Whether an existence effect (auditIfNotExists, deployIfNotExists) may look among the other
   * resources (`related`): only then must every input be read before any is evaluated.
   */
  readsRelated: boolean;
  /**
   * The types (lower-case) its existence condition looks for among the other resources: none without one,
   * null when the type is known only as it is evaluated (an expression).
   */
  relatedTypes: string[] | null;
  evaluate(resource: Resource, options?: EvaluateOptions): Evaluation;
  /** The effect this definition has for a resource under the assignment's parameters: canonical, or 'Unknown'. */
  effectFor(resource: Resource, options?: EvaluateOptions): string;
  /**
   * Append and Modify: what the definition does to a request (`resource`) when its `if` holds,
   * written into a copy of the body, or into `into` (see modify.ts and order.ts).
   */
  changeRequest(resource: Resource, options?: EvaluateOptions, into?: { [key: string]: Value }): RequestOutcome;
}

/** What an Append or Modify definition does to one request. */
export interface RequestOutcome {
  /** Whether its `if` holds on the request: only then does it change it. */
  holds: Truth;
  change?: RequestChange;
  /** The request's body after the change. */
  json?: { [key: string]: Value };
}

let defaultLibrary: FunctionLibrary | undefined;
function policyLibrary(): FunctionLibrary {
  defaultLibrary ??= library(standardFunctions, policyFunctions);
  return defaultLibrary;
}

interface Shape {
  props: Record<string, unknown>;
  /** JSON path prefix of `props` in the file: `properties.` or ''. */
  prefix: string;
  name?: string;
}

/** Finds the definition body in any accepted shape: `{properties:{policyRule}}`, `{name, properties}`, bare `{policyRule}`. */
export function definitionShape(json: unknown): Shape | undefined {
  if (!isObject(json as Value)) return undefined;
  const obj = json as Record<string, unknown>;
  if (isObject(obj.properties as Value) && 'policyRule' in (obj.properties as object)) {
    return {
      props: obj.properties as Record<string, unknown>,
      prefix: 'properties.',
      name: typeof obj.name === 'string' ? obj.name : undefined
    };
  }
  if ('policyRule' in obj) return { props: obj, prefix: '', name: typeof obj.name === 'string' ? obj.name : undefined };
  return undefined;
}

/** Definitions written to be embedded in an ARM template escape their expressions as `[[…]`. */
function unescapeArm(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('[[') ? value.slice(1) : value;
  if (Array.isArray(value)) return value.map(unescapeArm);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unescapeArm(v)]));
  }
  return value;
}

/** The effects Azure evaluates while it handles a request, so that a failed evaluation refuses it (implicit deny). */
const REQUEST_TIME_EFFECTS = new Set(['Audit', 'Deny', 'Append', 'Modify']);

function reasonOf(u: Unknown): string {
  return /^depends on /i.test(u.reason) ? u.reason : `depends on ${u.reason}`;
}

/** What every non-compliant answer of one definition with one effect shares. */
interface NonCompliantContext {
  effect: string;
  displayName: string;
  explain: (rt: Runtime) => Explanation;
  makeRuntime: (resource: Resource, params: Map<string, Value>, options: EvaluateOptions) => Runtime;
}

/**
 * A non-compliant verdict whose message and pointers are worked out only when someone reads them:
 * `<displayName>: <field> is <value>, should <requirement>; ….` One is made for every non-compliant
 * pair, so it holds only what differs between them; `applicable`, `verdict` and `reason` are the
 * same for all and live on the prototype.
 */
class NonCompliant implements Evaluation {
  declare readonly applicable: true;
  declare readonly verdict: 'noncompliant';
  declare readonly reason: null;
  private explained: Explanation | undefined = undefined;

  constructor(
    private readonly context: NonCompliantContext,
    private readonly resource: Resource,
    private readonly params: Map<string, Value>,
    private readonly options: EvaluateOptions,
    /** The runtime the condition ran with, if it made one. */
    private readonly rt: Runtime | undefined
  ) {}

  get effect(): string {
    return this.context.effect;
  }

  private explanation(): Explanation {
    const { explain, makeRuntime } = this.context;
    return (this.explained ??= explain(this.rt ?? makeRuntime(this.resource, this.params, this.options)));
  }

  get message(): string {
    const { text } = this.explanation();
    return `${this.context.displayName}${text ? `: ${text}` : ''}.`;
  }

  get pointers(): string[] {
    return this.explanation().pointers;
  }

  toJSON(): Evaluation {
    const { applicable, verdict, effect, reason, message, pointers } = this;
    return { applicable, verdict, effect, reason, message, pointers };
  }
}
for (const [name, value] of [
  ['applicable', true],
  ['verdict', 'noncompliant'],
  ['reason', null]
] as const) {
  Object.defineProperty(NonCompliant.prototype, name, { value, enumerable: true });
}

function aliasOverride(given: LoadOptions['aliases']): AliasOverride | undefined {
  if (given === undefined || typeof given === 'function') return given;
  const byName = new Map(Object.entries(given).map(([k, v]) => [foldCase(k), v]));
  return name => byName.get(foldCase(name));
}

/** The resource types a rule tests with literal `type` conditions (equals / in), anywhere in it. */
function testedTypes(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) testedTypes(item, out);
  } else if (isObject(node as Value)) {
    const obj = node as Record<string, unknown>;
    const key = (name: string) => Object.keys(obj).find(k => foldCase(k) === name);
    const fieldKey = key('field');
    if (fieldKey !== undefined && typeof obj[fieldKey] === 'string' && foldCase(obj[fieldKey] as string) === 'type') {
      for (const op of ['equals', 'in']) {
        const k = key(foldCase(op));
        const v = k === undefined ? undefined : obj[k];
        for (const t of Array.isArray(v) ? v : [v]) if (typeof t === 'string' && !t.startsWith('[')) out.push(t);
      }
    }
    for (const v of Object.values(obj)) testedTypes(v, out);
  }
  return out;
}

/**
 * The resource types the `if` can hold for at all, when its shape says so (a `type` condition with
 * `equals` or `in` and literal values, reached through `allOf` and `anyOf` only): a resource of
 * another type makes the condition and the applicability false without reading anything else.
 * Most pairs of a resource and a definition are of this kind, and a set lookup answers them.
 * Null where the shape decides nothing (no such condition, an expression, a `not` around it).
 */
export function typeGate(node: unknown): Set<string> | null {
  if (!isObject(node as Value)) return null;
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const logical = foldCase(keys[0]);
    const inner = obj[keys[0]];
    if (!Array.isArray(inner) || inner.length === 0) return null;
    if (logical === 'allof') {
      for (const child of inner) {
        const gate = typeGate(child);
        if (gate) return gate;
      }
      return null;
    }
    if (logical === 'anyof') {
      const union = new Set<string>();
      for (const child of inner) {
        const gate = typeGate(child);
        if (!gate) return null;
        for (const t of gate) union.add(t);
      }
      return union;
    }
    return null;
  }
  if (keys.length !== 2) return null;
  const fieldKey = keys.find(k => foldCase(k) === 'field');
  const opKey = keys.find(k => k !== fieldKey);
  if (fieldKey === undefined || opKey === undefined) return null;
  const field = obj[fieldKey];
  if (typeof field !== 'string' || foldCase(field) !== 'type') return null;
  const op = foldCase(opKey);
  const value = obj[opKey];
  const literal = (v: unknown): v is string => typeof v === 'string' && !v.startsWith('[');
  if (op === 'equals' && literal(value)) return new Set([foldCase(value)]);
  if (op === 'in' && Array.isArray(value) && value.length > 0 && value.every(literal))
    return new Set(value.map(v => foldCase(v)));
  return null;
}

/**
 * The leaf `typeGate` takes its types from, when the gate is that one leaf's (reached through
 * `allOf`s, not an `anyOf`'s union): for a resource the gate lets through, whether that leaf holds
 * follows from the type alone (see `typeDecides`).
 */
function typeGateLeaf(node: unknown): Record<string, unknown> | undefined {
  if (typeGate(node) === null) return undefined;
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length !== 1) return obj;
  if (foldCase(keys[0]) !== 'allof') return undefined;
  for (const child of obj[keys[0]] as unknown[]) if (typeGate(child) !== null) return typeGateLeaf(child);
  return undefined;
}

const NO_OPTIONS: EvaluateOptions = Object.freeze({});

export function loadDefinition(src: PolicyDefinitionSource, options: LoadOptions = {}): CompiledDefinition {
  const file = src.file;
  const shape = definitionShape(src.json);
  if (!shape) {
    throw new DefinitionError(
      'this is not a policy definition: expected {"properties": {"policyRule": …}}, {"name", "properties"} or {"policyRule": …}.',
      file,
      ''
    );
  }
  const { props, prefix } = shape;
  const at = (p: string) => `${prefix}${p}`;
  const fromFile = file ? file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') : undefined;
  const name = shape.name ?? options.name ?? fromFile ?? 'definition';
  const displayName = typeof props.displayName === 'string' ? props.displayName : name;
  const description = typeof props.description === 'string' ? props.description : undefined;
  const metadata = isObject(props.metadata as Value) ? (props.metadata as Record<string, unknown>) : {};

  if (props.mode !== undefined && typeof props.mode !== 'string')
    throw new DefinitionError('"mode" must be a string.', file, at('mode'));
  // Without a mode, Indexed (see modes.ts).
  const mode: Mode | undefined = resolveMode(props.mode as string | undefined);
  if (!mode) {
    throw new DefinitionError(
      `"${String(props.mode)}" is not a policy mode; use "All", "Indexed" or a resource provider mode such as "Microsoft.KeyVault.Data".`,
      file,
      at('mode')
    );
  }

  const notes: string[] = [];
  const parameters: Record<string, ParameterDefinition> = {};
  if (props.parameters !== undefined) {
    if (!isObject(props.parameters as Value))
      throw new DefinitionError('"parameters" must be an object.', file, at('parameters'));
    for (const [pname, pdef] of Object.entries(props.parameters as Record<string, unknown>)) {
      const duplicate = Object.keys(parameters).find(k => foldCase(k) === foldCase(pname));
      if (duplicate !== undefined) {
        throw new DefinitionError(
          `parameters '${duplicate}' and '${pname}' differ only in case; parameter names are case-insensitive, so rename one.`,
          file,
          at(`parameters.${pname}`)
        );
      }
      setOwn(parameters, pname, readParameter(pdef, pname, file, at(`parameters.${pname}`), notes));
    }
  }
  const declared = new Set(Object.keys(parameters).map(k => foldCase(k)));
  const parameterTypes = new Map(Object.entries(parameters).map(([k, v]) => [foldCase(k), foldCase(v.type)]));

  let rule = props.policyRule;
  if (!isObject(rule as Value))
    throw new DefinitionError('"policyRule" must be an object with "if" and "then".', file, at('policyRule'));
  const rawThen = (rule as Record<string, unknown>).then;
  if (
    isObject(rawThen as Value) &&
    typeof (rawThen as Record<string, unknown>).effect === 'string' &&
    ((rawThen as Record<string, unknown>).effect as string).startsWith('[[')
  ) {
    rule = unescapeArm(rule);
  }
  const ruleObj = rule as Record<string, unknown>;
  for (const key of Object.keys(ruleObj)) {
    if (key !== 'if' && key !== 'then')
      throw new DefinitionError(
        `"policyRule" takes "if" and "then" only, not "${key}".`,
        file,
        at(`policyRule.${key}`)
      );
  }
  if (!('if' in ruleObj)) throw new DefinitionError('"policyRule" has no "if" condition.', file, at('policyRule'));
  const then = ruleObj.then;
  if (!isObject(then as Value))
    throw new DefinitionError('"policyRule.then" must be an object with "effect".', file, at('policyRule.then'));
  const thenObj = then as Record<string, unknown>;
  if (typeof thenObj.effect !== 'string')
    throw new DefinitionError(
      '"then.effect" must be a string (an effect name or an expression).',
      file,
      at('policyRule.then.effect')
    );

  const functions = options.functions ?? policyLibrary();
  const fields: FieldRef[] = [];
  const aliases = aliasOverride(options.aliases);
  const compiler: ConditionCompiler = {
    file,
    functions,
    declared,
    parameterTypes,
    notes,
    fields,
    types: testedTypes(ruleObj.if),
    aliases
  };
  const condition = compileCondition(ruleObj.if, at('policyRule.if'), compiler);
  const applies = compileApplicability(ruleObj.if, at('policyRule.if'), compiler);
  // A rule with a location condition does not apply to subscriptions, for every effect but the IfNotExists ones
  // (applicability.ts).
  const locationCondition = hasLocationCondition(ruleObj.if);
  const notForSubscription = (type: string): boolean => locationCondition && isSubscriptionType(type);
  const gate = typeGate(ruleObj.if);
  const gateLeaf = typeGateLeaf(ruleObj.if);
  // An Indexed definition whose `if` requires only types Indexed does not evaluate applies to nothing, here
  // and in Azure (Azure Landing Zones' Indexed ML-compute denies did nothing until they became All:
  // Azure/Enterprise-Scale#978). It loads, as Azure accepts it; the note says why it never reports. Only for a
  // mode the definition names: the regulatory "Static" definitions leave mode out, and Azure takes their
  // compliance from audits, not evaluation.
  if (
    props.mode !== undefined &&
    mode.kind === 'indexed' &&
    gate &&
    gate.size > 0 &&
    [...gate].every(t => !isIndexedType(t)) &&
    ![...gate].every(t => isExemptType(t))
  )
    notes.push(
      `mode Indexed evaluates only resource types that support tags and location, and by the tag-support page none of the types the "if" requires does (${[...gate].join(', ')}): the definition applies to no resource here, nor, by Azure Policy's documentation, in Azure; mode All evaluates them.`
    );
  // A rule about types Azure Policy never evaluates (Microsoft.Resources/templateSpecs, say) loads, as Azure accepts
  // it, and never reports, in any mode.
  if (gate && gate.size > 0 && [...gate].every(t => isExemptType(t)))
    notes.push(
      `Azure Policy evaluates none of the types the "if" requires (${[...gate].join(', ')}): it does not evaluate Microsoft.Resources types other than subscriptions and resource groups, nor Microsoft.Billing, Microsoft.Capacity/reservationOrders, Microsoft.Help or Microsoft.Diagnostics types, so the definition applies to no resource here, nor in Azure.`
    );
  // The same two as one generated function, which resources are evaluated with (the closures stay
  // the reference, and run what the generated code does not write out). It is made when a resource first
  // needs it: the closures above have checked the condition, and a run on a few templates evaluates few of
  // the definitions it loads (`mayApply` passes over those about other types), so most starts make none.
  const interpret = options.interpret === true;
  let generatedRule: GeneratedRule | undefined;
  const generated = (): GeneratedRule =>
    (generatedRule ??= generateRule(
      ruleObj.if,
      applicabilityCondition(ruleObj.if),
      at('policyRule.if'),
      compiler,
      makeRuntime as RuntimeMaker,
      gateLeaf
    ));
  // A type the gate lets through satisfies the gate's leaf: an `in` list's lower-cased values are the
  // gate; `equals` also wants the type as long as its operand folded.
  const gateLeafLength = (() => {
    if (!gateLeaf) return undefined;
    const op = Object.keys(gateLeaf).find(k => foldCase(k) !== 'field');
    const operand = op === undefined ? undefined : gateLeaf[op];
    return op !== undefined && foldCase(op) === 'equals' && typeof operand === 'string'
      ? foldCase(operand).length
      : null;
  })();
  // What a resource's type alone decides, per type as spelled (there are few distinct ones), by the
  // type's number (modes.ts): the mode does not evaluate it, the `if` cannot hold for it (the gate),
  // or the resource must be read, knowing that the gate's leaf holds ('held') or not.
  // An exempt type (modes.ts) is one Azure Policy evaluates in no mode.
  const byType: ('exempt' | 'mode' | 'gate' | 'read' | 'held')[] = [];
  const typeDecides = (type: string): 'exempt' | 'mode' | 'gate' | 'read' | 'held' => {
    const { id, exempt } = typeEntry(type);
    let decided = byType[id];
    if (decided === undefined) {
      decided = exempt
        ? 'exempt'
        : !mode.appliesToType(type)
          ? 'mode'
          : gate && !gate.has(foldCase(type))
            ? 'gate'
            : gateLeafLength === null || (gateLeafLength !== undefined && type.length === gateLeafLength)
              ? 'held'
              : 'read';
      // A run with very many spellings of types answers the later ones again each time.
      if (id < 100_000) byType[id] = decided;
    }
    return decided;
  };

  const site = (p: string) => ({
    file,
    path: at(p),
    functions,
    declared,
    checkField: (text: string, path: string) => void declareField(compiler, text, path)
  });
  const effectValue = compileValue(thenObj.effect, site('policyRule.then.effect'));
  if ('constant' in effectValue && canonicalEffect(String(effectValue.constant)) === undefined) {
    throw new DefinitionError(
      `"${String(effectValue.constant)}" is not an effect; use Audit, Deny, Disabled, Append, Modify, AuditIfNotExists, DeployIfNotExists, DenyAction or Manual.`,
      file,
      at('policyRule.then.effect')
    );
  }
  if ('constant' in effectValue) {
    const detailsKey = Object.keys(thenObj).find(k => foldCase(k) === 'details') ?? 'details';
    checkEffectDetails(
      canonicalEffect(String(effectValue.constant)) as string,
      thenObj[detailsKey],
      at(`policyRule.then.${detailsKey}`),
      mode.name,
      (message, path) => new DefinitionError(message, file, path)
    );
  }
  for (const pname of effectValue.parameters) {
    const key = Object.keys(parameters).find(k => foldCase(k) === foldCase(pname));
    const p = key === undefined ? undefined : parameters[key];
    for (const v of p?.allowedValues ?? []) {
      if (typeof v === 'string' && canonicalEffect(v) === undefined) {
        throw new DefinitionError(
          `the effect parameter '${pname}' allows "${v}", which is not an effect.`,
          file,
          at(`parameters.${pname}.allowedValues`)
        );
      }
    }
  }

  // auditIfNotExists / deployIfNotExists: the related resource and its existence condition.
  const details = isObject(thenObj.details as Value) ? (thenObj.details as Record<string, unknown>) : undefined;
  checkModifyOperations(details, at('policyRule.then.details'), compiler);
  // Append and Modify change the request before Deny and Audit see it (modify.ts, order.ts); an effect
  // parameter may choose either, so both shapes are compiled when present.
  const rawDetails = thenObj[Object.keys(thenObj).find(k => foldCase(k) === 'details') ?? 'details'];
  const appendDetails = compileAppend(rawDetails, site, 'policyRule.then.details', aliases);
  const modifyDetails = compileModify(rawDetails, site, 'policyRule.then.details', aliases);
  let existence:
    | {
        type?: CompiledValue;
        name?: CompiledValue;
        resourceGroupName?: CompiledValue;
        existenceScope?: CompiledValue;
        condition?: Condition;
      }
    | undefined;
  let clusterDecided = false;
  if (details) {
    existence = {};
    if (details.type !== undefined) existence.type = compileValue(details.type, site('policyRule.then.details.type'));
    if (details.name !== undefined) existence.name = compileValue(details.name, site('policyRule.then.details.name'));
    const rgKey = Object.keys(details).find(k => foldCase(k) === 'resourcegroupname');
    if (rgKey !== undefined)
      existence.resourceGroupName = compileValue(details[rgKey], site(`policyRule.then.details.${rgKey}`));
    const scopeKey = Object.keys(details).find(k => foldCase(k) === 'existencescope');
    if (scopeKey !== undefined)
      existence.existenceScope = compileValue(details[scopeKey], site(`policyRule.then.details.${scopeKey}`));
    if (details.existenceCondition !== undefined) {
      existence.condition = compileCondition(
        details.existenceCondition,
        at('policyRule.then.details.existenceCondition'),
        {
          ...compiler,
          fields: [],
          types: typeof details.type === 'string' ? [details.type] : undefined
        }
      );
    }
    clusterDecided = 'templateInfo' in details || 'constraintTemplate' in details || 'constraint' in details;
  }

  // manual: Azure reports the default state until someone attests otherwise (Unknown when not given).
  // https://learn.microsoft.com/azure/governance/policy/concepts/effect-manual
  const manualState = (() => {
    const state = details ? details[Object.keys(details).find(k => foldCase(k) === 'defaultstate') ?? ''] : undefined;
    const lower = typeof state === 'string' ? foldCase(state) : 'unknown';
    return lower === 'compliant'
      ? 'compliant'
      : lower === 'noncompliant' || lower === 'non-compliant'
        ? 'noncompliant'
        : 'unknown';
  })();

  // policy().definitionId: a built-in's id is its name under /providers; a custom definition's depends on the scope
  // it is created at (a subscription, a management group), known only where the file carries it (an export's "id").
  const exportedId = isObject(src.json as Value) ? (src.json as Record<string, unknown>).id : undefined;
  const definitionId: Value =
    typeof exportedId === 'string'
      ? exportedId
      : typeof props.policyType === 'string' && /^(builtin|static)$/i.test(props.policyType)
        ? `/providers/Microsoft.Authorization/policyDefinitions/${name}`
        : new Unknown(`the id of definition '${name}', which depends on the scope it is created at`);
  const effectOf = effectValue.parametersOnly
    ? perAssignment(effectValue, v => v)
    : (rt: Runtime) => effectValue.get(rt);
  const paramNames = Object.keys(parameters);

  const noParameters = {};
  const parameterCache = new WeakMap<object, Map<string, Value>>();
  // The last assignment's values, before the weak map: a run evaluates one assignment many times.
  let lastGiven: object | undefined;
  let lastValues: Map<string, Value> | undefined;
  function cachedParameterValues(given: Record<string, Value> | undefined): Map<string, Value> {
    const key = given ?? noParameters;
    if (key === lastGiven && lastValues) return lastValues;
    let values = parameterCache.get(key);
    if (!values) {
      values = parameterValues(given);
      parameterCache.set(key, values);
    }
    lastGiven = key;
    lastValues = values;
    return values;
  }

  function parameterValues(given: Record<string, Value> | undefined): Map<string, Value> {
    const values = new Map<string, Value>();
    const givenLower = new Map<string, Value>();
    for (const [k, v] of Object.entries(given ?? {})) givenLower.set(foldCase(k), v);
    refuseUndeclared(Object.keys(given ?? {}));
    for (const pname of paramNames) {
      const def = parameters[pname];
      const lower = foldCase(pname);
      let value = givenLower.get(lower);
      if (value !== undefined) checkAssignmentValue(name, file, pname, def, value);
      if (value === undefined) value = def.defaultValue;
      if (value === undefined) value = new Unknown(`parameter \`${pname}\``, `parameter:${pname}`);
      values.set(lower, value);
    }
    return values;
  }

  /**
   * Azure refuses an assignment that gives a parameter the definition does not declare
   * (UndefinedPolicyParameter); names compare case-insensitively, as parameter names do.
   */
  function refuseUndeclared(givenNames: string[]): void {
    const undeclared = givenNames.filter(k => !declared.has(foldCase(k)));
    if (undeclared.length === 0) return;
    const list = undeclared.map(k => `'${k}'`).join(', ');
    const declaredList =
      paramNames.length === 0
        ? 'it declares no parameters, so give it none'
        : `it declares ${paramNames.map(k => `'${k}'`).join(', ')}; use one of those names or remove the value`;
    throw new UserError(
      `definition '${name}'${file ? ` (${file})` : ''}: the assignment gives parameter${undeclared.length > 1 ? 's' : ''} ${list}, which the definition does not declare (Azure refuses this: UndefinedPolicyParameter); ${declaredList}.`,
      file ? { file } : undefined
    );
  }

  function makeRuntime(resource: Resource, params: Map<string, Value>, options: EvaluateOptions): Runtime {
    return new Runtime(resource, params, functions, definitionId, options.scope, undefined, aliases, options.counts);
  }

  function withResource(rt: Runtime, resource: Resource): Runtime {
    return rt.forResource(resource);
  }

  // Built on the first explanation asked for: loading thousands of definitions pays nothing for it.
  let explainer: RuleExplainer | undefined;
  function explain(rt: Runtime): Explanation {
    explainer ??= new RuleExplainer(ruleObj.if, at('policyRule.if'), { ...compiler, notes: [], fields: [] });
    return explainer.explain(rt);
  }

  function evaluateExistence(rt: Runtime, resource: Resource, options: EvaluateOptions, effect: string): Evaluation {
    const typeV = existence?.type ? existence.type.get(rt) : resource.type;
    const nameV = existence?.name ? existence.name.get(rt) : undefined;
    const groupNamed = existence?.resourceGroupName ? existence.resourceGroupName.get(rt) : undefined;
    // `[resourceGroup().name]` of a template placed where the caller did not say is still the evaluated resource's
    // own group, the default.
    const groupV = groupNamed instanceof Unknown && groupNamed.key === PLACEHOLDER_GROUP_KEY ? undefined : groupNamed;
    const scopeV = existence?.existenceScope ? existence.existenceScope.get(rt) : undefined;
    const base = { applicable: true, effect, pointers: [] as string[] };
    const unknownPart = [typeV, nameV, groupV, scopeV].find(v => v instanceof Unknown) as Unknown | undefined;
    if (unknownPart) {
      return {
        ...base,
        verdict: 'indeterminate',
        reason: reasonOf(unknownPart),
        message: `${displayName}: the related resource cannot be identified before deployment.`
      };
    }
    const wantedType = foldCase(String(typeV));
    const ownType = foldCase(resource.type);
    // "If type is a resource type underneath the if condition resource, the policy queries for resources
    // of this type within the scope of the evaluated resource. Otherwise, policy queries within the same
    // resource group or subscription as the evaluated resource depending on the existenceScope."
    const isChildType = wantedType.startsWith(`${ownType}/`);
    const named = nameV !== undefined && nameV !== null && nameV !== '' ? String(nameV) : undefined;
    const matchesName = named === undefined ? () => true : nameMatcher(named, resource);
    const inScope = isChildType
      ? () => true
      : scopeMatcher(resource, {
          subscription: typeof scopeV === 'string' && foldCase(scopeV) === 'subscription',
          resourceGroup: groupV !== undefined && groupV !== null && groupV !== '' ? String(groupV) : undefined
        });
    const pool = [resource, ...relatedOfType(options.related ?? [], wantedType).filter(r => r !== resource)];
    const candidates = pool.filter(r => {
      if (foldCase(r.type) !== wantedType) return false;
      if (!matchesName(r)) return false;
      if (r === resource) return named !== undefined || wantedType === ownType;
      // By full names: a snapshot's child carries its short name, its parents' are in its id (fields.ts fullNameOf).
      if (isChildType) return foldCase(fullNameOf(r)).startsWith(`${foldCase(fullNameOf(resource))}/`);
      return inScope(r);
    });
    if (candidates.length === 0) {
      // What was supplied (a template's resources, a snapshot) is not all of Azure: a related resource
      // deployed elsewhere would satisfy the rule, so its absence here decides nothing.
      return {
        ...base,
        verdict: 'indeterminate',
        reason: `related resource not available (${String(typeV)})`,
        message: `${displayName}: needs a related ${String(typeV)} resource${nameV ? ` named '${String(nameV)}'` : ''} to decide; related resource not available.`
      };
    }
    let unknown: Unknown | undefined;
    for (const candidate of candidates) {
      const r = existence?.condition ? existence.condition(withResource(rt, candidate)) : true;
      if (r === true)
        return {
          ...base,
          verdict: 'compliant',
          reason: null,
          message: `${displayName}: the related ${String(typeV)} resource '${candidate.name}' meets the existence condition.`
        };
      if (r !== false) unknown ??= r;
    }
    if (unknown) {
      return {
        ...base,
        verdict: 'indeterminate',
        reason: reasonOf(unknown),
        message: `${displayName}: whether the related ${String(typeV)} resource meets the existence condition cannot be known before deployment.`
      };
    }
    return {
      ...base,
      verdict: 'noncompliant',
      reason: null,
      message: `${displayName}: the related ${String(typeV)} resource does not meet the existence condition.`
    };
  }

  const notApplicable = (effect: string, message: string): Evaluation => ({
    applicable: false,
    verdict: 'compliant',
    effect,
    reason: null,
    message,
    pointers: []
  });
  // Most resources do not match a rule's `if`: one frozen answer per effect, not one per resource.
  const doesNotApply = new Map<string, Evaluation>();
  const notMatched = (effect: string): Evaluation => {
    let e = doesNotApply.get(effect);
    if (!e) {
      e = Object.freeze({
        ...notApplicable(effect, `${displayName}: does not apply to this resource.`),
        pointers: Object.freeze([]) as unknown as string[]
      });
      doesNotApply.set(effect, e);
    }
    return e;
  };

  let lastAssignment: { given?: Record<string, Value>; effect?: string } = {};
  const resolved = new Map<string, { effect: string }>();
  /** The effect for one resource: canonical, or 'Unknown' (with what it depends on). */
  function resolveEffect(rt: Runtime): { effect: string; effectUnknown?: Unknown } {
    const effectRaw = effectOf(rt);
    if (effectRaw instanceof Unknown) return { effect: 'Unknown', effectUnknown: effectRaw };
    // The effect is nearly always the same value (a parameter's default): spell it canonically once.
    if (effectRaw !== lastEffectRaw) {
      lastEffectRaw = effectRaw;
      lastEffect = canonicalEffect(String(effectRaw));
    }
    if (lastEffect === undefined) {
      throw new UserError(
        `definition '${name}': the effect resolves to ${JSON.stringify(effectRaw)}, which is not an effect; give the effect parameter one of Audit, Deny, Disabled, AuditIfNotExists, DeployIfNotExists.`,
        file ? { file } : undefined
      );
    }
    let answer = resolved.get(lastEffect);
    if (!answer) resolved.set(lastEffect, (answer = { effect: lastEffect }));
    return answer;
  }

  let lastEffectRaw: Value | undefined;
  let lastEffect: string | undefined;
  let effectParams: Map<string, Value> | undefined;
  let effectResolved: { effect: string; effectUnknown?: Unknown } | undefined;
  const compliantAnswers = new Map<string, Evaluation>();
  const compliantFor = (effect: string): Evaluation => {
    let e = compliantAnswers.get(effect);
    if (!e) {
      e = Object.freeze({
        applicable: true,
        verdict: 'compliant' as const,
        effect,
        reason: null,
        message: `${displayName}: compliant.`,
        pointers: Object.freeze([]) as unknown as string[]
      });
      compliantAnswers.set(effect, e);
    }
    return e;
  };

  const nonCompliantContexts = new Map<string, NonCompliantContext>();
  const nonCompliantFor = (effect: string): NonCompliantContext => {
    let c = nonCompliantContexts.get(effect);
    if (!c) nonCompliantContexts.set(effect, (c = { effect, displayName, explain, makeRuntime }));
    return c;
  };

  /**
   * The answers for an effect that is known and decides nothing itself (not Disabled, DenyAction,
   * Manual without a non-compliant default, an existence effect or a cluster's): the condition alone
   * decides, as in `evaluate`'s general path.
   */
  let plain:
    { effect: string; notMatched: Evaluation; compliant: Evaluation; nonCompliant: NonCompliantContext } | undefined;
  function plainAnswers(resolved: { effect: string; effectUnknown?: Unknown }) {
    const { effect, effectUnknown } = resolved;
    if (effectUnknown || effect === 'Disabled' || clusterDecided || isExistenceEffect(effect)) return undefined;
    if (effect === 'DenyAction' || (effect === 'Manual' && manualState !== 'noncompliant')) return undefined;
    return {
      effect,
      notMatched: notMatched(effect),
      compliant: compliantFor(effect),
      nonCompliant: nonCompliantFor(effect)
    };
  }

  return {
    name,
    displayName,
    description,
    mode: mode.name,
    file,
    metadata,
    parameters,
    notes,
    appliesToType: mode.appliesToType,
    mayApply: (type: string) => {
      const decided = typeDecides(type);
      return decided !== 'exempt' && decided !== 'mode' && decided !== 'gate';
    },
    resourceTypes: typesOfRule(ruleObj),
    readsRelated: details?.type !== undefined,
    relatedTypes:
      details?.type === undefined
        ? []
        : typeof details.type === 'string' && !details.type.startsWith('[')
          ? [foldCase(details.type)]
          : null,
    effectFor(resource: Resource, options: EvaluateOptions = {}): string {
      // Nearly every effect is a parameter (or a literal): one answer per assignment, no runtime per resource.
      if (effectValue.parametersOnly && lastAssignment.given === options.parameters && lastAssignment.effect) {
        return lastAssignment.effect;
      }
      const effect = resolveEffect(makeRuntime(resource, cachedParameterValues(options.parameters), options)).effect;
      if (effectValue.parametersOnly) lastAssignment = { given: options.parameters, effect };
      return effect;
    },
    changeRequest(resource: Resource, options: EvaluateOptions = {}, into?: { [key: string]: Value }): RequestOutcome {
      const rt = makeRuntime(resource, cachedParameterValues(options.parameters), options);
      const { effect } = resolveEffect(rt);
      const modifier = effect === 'Append' ? appendDetails : effect === 'Modify' ? modifyDetails : undefined;
      if (!modifier || !mode.appliesToType(resource.type) || notForSubscription(resource.type)) return { holds: false };
      const holds = condition(rt);
      if (holds !== true) return { holds };
      const json = into ?? (copyBody(resource.json) as { [key: string]: Value });
      return { holds, change: modifier.apply(rt, json), json };
    },
    evaluate(resource: Resource, options: EvaluateOptions = NO_OPTIONS): Evaluation {
      const params = cachedParameterValues(options.parameters);
      // The common case (the effect known for the assignment and plain, the condition generated),
      // answered as the general path below answers it, with less on the way.
      let truth: Truth | typeof NOT_APPLICABLE | undefined;
      if (plain !== undefined && params === effectParams && !interpret) {
        const decided = typeDecides(resource.type);
        if (decided === 'gate' || notForSubscription(resource.type)) return plain.notMatched;
        if (decided === 'read' || decided === 'held') {
          truth = (generatedRule ?? generated())(resource, params, options, true, decided === 'held');
          if (truth === false) return plain.compliant;
          if (truth === NOT_APPLICABLE) return plain.notMatched;
          if (truth === true) return new NonCompliant(plain.nonCompliant, resource, params, options, undefined);
        }
      }
      let rt: Runtime | undefined;
      // An effect that depends on the parameters alone is resolved once per assignment; the
      // resource's runtime is made only when something reads the resource.
      let resolved: { effect: string; effectUnknown?: Unknown };
      if (effectValue.parametersOnly && params === effectParams && effectResolved) resolved = effectResolved;
      else {
        rt = makeRuntime(resource, params, options);
        resolved = resolveEffect(rt);
        if (effectValue.parametersOnly) {
          effectParams = params;
          effectResolved = resolved;
          plain = plainAnswers(resolved);
        }
      }
      const { effect, effectUnknown } = resolved;
      if (effect === 'Disabled') return notApplicable(effect, `${displayName}: disabled.`);
      const decided = typeDecides(resource.type);
      if (decided === 'exempt')
        return notApplicable(effect, `${displayName}: Azure Policy does not evaluate ${resource.type} resources.`);
      if (decided === 'mode')
        return notApplicable(effect, `${displayName}: mode ${mode.name} does not evaluate ${resource.type}.`);
      // The condition and the applicability are both false for a type the `if` never holds for.
      if (decided === 'gate') return notMatched(effect);
      // IfNotExists effects apply only where the whole `if` holds; others wherever their type, name
      // and kind conditions do (the generated rule answers NOT_APPLICABLE where they do not).
      const existenceEffect = isExistenceEffect(effect);
      if (!existenceEffect && effect !== 'Unknown' && notForSubscription(resource.type)) return notMatched(effect);
      truth ??= !interpret
        ? generated()(resource, params, options, !existenceEffect, decided === 'held')
        : condition((rt ??= makeRuntime(resource, params, options)));
      if (truth === false || truth === NOT_APPLICABLE) {
        if (existenceEffect) return notMatched(effect);
        const applied = !interpret
          ? truth === false
          : applies((rt ??= makeRuntime(resource, params, options))) === true;
        return applied ? compliantFor(effect) : notMatched(effect);
      }
      if (truth instanceof EvaluationFailure) {
        // "If the result of a template function is an error, policy evaluation fails. A failed evaluation is an
        // implicit deny." (definition-structure-policy-rule, Avoiding template failures): a template's resource is a
        // request, which Azure refuses whatever the effect. An existing resource (a snapshot, a live scope) has no
        // compliance state Azure documents for it: indeterminate, saying so. (A failure after reading a field the
        // resource does not hold is an unknown, not this: see expressions.ts.)
        const failed = truth.reason.replace(/^depends on /i, '');
        // Only where Azure evaluates the rule while it handles the request (a Resource Manager mode, an effect
        // known and evaluated then: not Disabled, not the IfNotExists effects that run after the resource provider
        // answers, not denyAction, which blocks only deletes, nor Manual) does a failure refuse the request.
        const duringRequest = mode.kind !== 'provider' && !effectUnknown && REQUEST_TIME_EFFECTS.has(effect);
        if (resource.origin === 'template' && duringRequest)
          return {
            applicable: true,
            verdict: 'noncompliant',
            effect: 'Deny',
            reason: null,
            message: `${displayName}: Azure Policy's evaluation fails here (${failed}), and Azure takes a failed evaluation as an implicit deny of the request, whatever the effect (${effect}).`,
            pointers: []
          };
        return {
          applicable: true,
          verdict: 'indeterminate',
          effect,
          reason: reasonOf(truth),
          message:
            resource.origin === 'template'
              ? `${displayName}: Azure Policy's evaluation fails here (${failed}); Azure takes a failed evaluation as an implicit deny of a request where it evaluates the rule while handling it, which this effect (${effect}${effectUnknown ? ', not known before deployment' : ''}) or mode (${mode.name}) does not settle.`
              : `${displayName}: Azure Policy's evaluation fails here (${failed}); Azure takes a failed evaluation as an implicit deny of a request, and documents no compliance state for it.`,
          pointers: []
        };
      }
      if (truth !== true) {
        return {
          applicable: true,
          verdict: 'indeterminate',
          effect,
          reason: reasonOf(truth),
          message: `${displayName}: cannot be decided before deployment; it ${reasonOf(truth)}.`,
          pointers: []
        };
      }
      if (effectUnknown) {
        rt ??= makeRuntime(resource, params, options);
        return {
          applicable: true,
          verdict: 'indeterminate',
          effect,
          reason: reasonOf(effectUnknown),
          message: `${displayName}: the condition holds but the effect ${reasonOf(effectUnknown)}.`,
          pointers: explain(rt).pointers
        };
      }
      if (clusterDecided) {
        return {
          applicable: true,
          verdict: 'indeterminate',
          effect,
          reason: 'decided inside the cluster (Gatekeeper), not from the resource JSON',
          message: `${displayName}: evaluated inside the cluster; it cannot be decided from the template.`,
          pointers: []
        };
      }
      if (isExistenceEffect(effect))
        return evaluateExistence((rt ??= makeRuntime(resource, params, options)), resource, options, effect);
      if (effect === 'DenyAction') {
        // denyAction blocks the actions it names (only delete exists), never a create or update: the
        // deployment a template describes goes through, and deleting the resource later is refused.
        // https://learn.microsoft.com/azure/governance/policy/concepts/effect-deny-action
        return {
          applicable: true,
          verdict: 'compliant',
          effect,
          reason: null,
          message: `${displayName}: denyAction blocks deleting this resource, not deploying it.`,
          pointers: []
        };
      }
      if (effect === 'Manual' && manualState !== 'noncompliant') {
        return manualState === 'compliant'
          ? compliantFor(effect)
          : {
              applicable: true,
              verdict: 'indeterminate',
              effect,
              reason: 'compliance is attested manually (default state Unknown)',
              message: `${displayName}: compliance is attested manually; Azure reports Unknown until someone attests it.`,
              pointers: []
            };
      }
      return new NonCompliant(nonCompliantFor(effect), resource, params, options, rt);
    }
  };
}

export { DefinitionError, UnsupportedError };
