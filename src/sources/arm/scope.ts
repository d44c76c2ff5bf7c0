import type { Json, Value } from '../../model/value.js';
import { Unknown, isObject, isUnknown, own, setOwn } from '../../model/value.js';
import type { SourcePosition } from '../../model/resource.js';
import type { Expr } from '../../expr/ast.js';
import { ExpressionError } from '../../expr/errors.js';
import { isExpression, parseExpression } from '../../expr/parse.js';
import { evaluate, type EvalContext, type FunctionLibrary } from '../../expr/evaluate.js';
import type { PositionedJson } from '../json.js';
import { joinPointer } from '../../model/pointer.js';
import type { SuppliedParameter } from '../parameters.js';
import { TemplateError } from './errors.js';
import { LimitError, type WorkBudget } from '../../model/limits.js';
import { checkParameterValue } from './parameterChecks.js';
import { FailedValue, collectFailures, namesRead, type ExpressionFailure } from './failures.js';
import { templateUri } from './templateLink.js';
import { parseJson } from '../../model/jsonText.js';
import { checkTemplateNames } from './names.js';
import { foldCase } from '../../model/foldCase.js';

/**
 * One template being evaluated: its parameters, variables and functions, where it sits in
 * which file, and the deployment it runs in. Expressions reach it through
 * `EvalContext.data` (an `EvalData`).
 */

export type DeploymentLevel = 'tenant' | 'managementGroup' | 'subscription' | 'resourceGroup';

/** Where a deployment runs; placeholders unless the caller sets them. */
export interface DeploymentTarget {
  level: DeploymentLevel;
  subscriptionId: string;
  resourceGroup: string;
  /**
   * Where the resource group is (or, above a group, where the deployment's metadata is kept): known
   * only when the caller gives it, or a subscription-level nested deployment sets it.
   */
  location?: string;
  /**
   * The placeholder deployment finding ids are made in (src/sources/stableNames.ts): every nested
   * deployment keeps `location`, whatever group it goes to.
   */
  locationFixed?: true;
  tenantId: string;
  managementGroup: string;
  deploymentName: string;
}

/** What a languageVersion 2.0 template knows of one instance of a symbolic resource before deploying it. */
export interface DeclaredInstance {
  id: string;
  /** The full name (`parent/child` for a child), unknown when its expression is. */
  name: Value;
  type: string;
  apiVersion?: string;
}

/** The copy loops an expression sits in: loop name (lower case) → index; `current` is the resource loop. */
export interface CopyFrame {
  loops: ReadonlyMap<string, number | Unknown>;
  current?: number | Unknown;
}

export const NO_COPY: CopyFrame = { loops: new Map() };

export interface EvalData {
  scope: TemplateScope;
  copy: CopyFrame;
  /** Set while a parameter's default value is evaluated (utcNow and newGuid are allowed there). */
  inParameterDefault?: string;
  /** Set while a user-defined function's body runs: its parameters, by lower-case name. */
  functionParameters?: ReadonlyMap<string, Value>;
  /**
   * Collects the expressions that failed in computing what is being evaluated (a resource, a
   * variable, a parameter's default), those of the variables and parameters it reads included.
   */
  failures?: ExpressionFailure[];
}

/** Receives the source position of each value written into an output, by output pointer. */
export type PositionSink = (outPointer: string, position: SourcePosition | null) => void;

/** State shared by every template of one expansion (the top template and its nested ones). */
export interface Expansion {
  notes: string[];
  /** One clock per expansion so every utcNow() in parameter defaults agrees. */
  now: Date;
  newGuidCount: number;
  /** Resource instances created so far, nested deployments and copy loops included (bounded: see expand.ts). */
  instanceCount: number;
  /** Outputs of nested deployments already expanded, by lower-case deployment resource id. */
  deploymentOutputs: Map<string, Value>;
  /** Bounds the work of the whole expansion (src/model/limits.ts); unbounded when absent. */
  budget?: WorkBudget;
  /** Linked templates are read only inside this folder (the repository; else the top template's folder): see boundary.ts. */
  boundary?: string;
  /**
   * Expressions that fail where ARM would evaluate them too (in a resource that deploys whatever
   * the unknowns are): the deployment would fail with the values given. Reported as errors of
   * the template, while its other resources are still evaluated.
   */
  errors: TemplateError[];
  /** The failures behind each nested deployment's outputs, by lower-case deployment resource id. */
  outputFailures: Map<string, ExpressionFailure[]>;
  /** What template URIs are relative to (see templateLink.ts): the repository, or the file system's root. */
  uriRoot: string;
  /** Record every value's position as it is written, instead of finding it when asked (see `recordAllPositions`). */
  recordAllPositions?: boolean;
  /**
   * The linked templates and parameter files the expansion read (or tried to): what they give the template (a
   * linked template's outputs, with no resource of its own) makes them files it reads, for a pull request.
   */
  linkedFiles?: Set<string>;
  /**
   * The resource group the template is deployed to when it is a placeholder (no group given): a nested deployment,
   * an `existing` resource or a `resourceId()` that names a group of that name in its subscription names another
   * group that ARM keeps apart, and `namesPlaceholderGroup` is set so that the template is expanded again with a
   * placeholder no template can name (see templates.ts).
   */
  placeholderGroup?: { subscriptionId: string; resourceGroup: string };
  namesPlaceholderGroup?: boolean;
  /**
   * The management group the template is deployed to when it is a placeholder: a nested deployment scoped to a
   * management group of that name, or an id in one, names another management group, and
   * `namesPlaceholderManagementGroup` is set as `namesPlaceholderGroup` is.
   */
  placeholderManagementGroup?: string;
  namesPlaceholderManagementGroup?: boolean;
}

const MANAGEMENT_GROUP_ID = /^\/?(?:providers\/)?Microsoft\.Management\/managementGroups\/([^/]+)(?:\/|$)/i;

/**
 * Notes a management group a template names (a nested deployment's `scope`, `managementGroupResourceId()`'s group, a
 * scope or id in one): when it is the placeholder the template's own was given, the two are told apart (Expansion).
 * `named` is a management group's name, or with `asId` any text that may be an id in one.
 */
export function noteNamedManagementGroup(expansion: Expansion, named: string, asId = false): void {
  const placeholder = expansion.placeholderManagementGroup;
  if (placeholder === undefined) return;
  const name = asId ? MANAGEMENT_GROUP_ID.exec(named)?.[1] : named;
  if (name !== undefined && foldCase(name) === foldCase(placeholder)) expansion.namesPlaceholderManagementGroup = true;
}

/**
 * Notes a resource group a template names (a nested deployment's `resourceGroup`, `resourceId()`'s group
 * argument): when it is the placeholder the template's own group was given, the two are told apart (Expansion).
 */
export function noteNamedGroup(expansion: Expansion, subscriptionId: string, resourceGroup: string): void {
  const placeholder = expansion.placeholderGroup;
  if (
    placeholder !== undefined &&
    foldCase(resourceGroup) === foldCase(placeholder.resourceGroup) &&
    foldCase(subscriptionId) === foldCase(placeholder.subscriptionId)
  )
    expansion.namesPlaceholderGroup = true;
}

interface ParameterSlot {
  name: string;
  pointer: string;
  declaration: { [key: string]: Json };
  state: 'pending' | 'resolving' | 'done';
  value?: Value;
  /** How the value was set, for messages: `its default`, `parameter file x.json`, `deployment 'x'`. */
  origin?: string;
  failures: ExpressionFailure[];
}

interface VariableSlot {
  name: string;
  pointer: string;
  node: Json;
  /** A variable made by a top-level variables copy element. */
  copy?: { name: string; count: Json; input: Json; pointer: string };
  state: 'pending' | 'resolving' | 'done';
  value?: Value;
  failures: ExpressionFailure[];
}

/** https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits */
export const MAX_EXPRESSION_LENGTH = 24_576;

/** A parsed expression, and whether every evaluation of it in one scope gives the same value (`settles`). */
interface Parsed {
  expr: Expr;
  settles: boolean;
}

const parsedCache = new Map<string, Parsed>();

function parseCached(text: string): Parsed {
  let parsed = parsedCache.get(text);
  if (!parsed) {
    const expr = parseExpression(text);
    parsed = { expr, settles: settles(expr) };
    if (parsedCache.size > 50_000) parsedCache.clear();
    parsedCache.set(text, parsed);
  }
  return parsed;
}

/**
 * Whether an expression reads only what stays the same while one template scope is expanded: no
 * copyIndex (each copy has its own), no reference or list* (a nested deployment's outputs are known
 * once it is expanded), no newGuid or utcNow (each call is its own) and no user-defined function.
 * Parameters, variables and the deployment's own values are the scope's, the same at every reading.
 */
function settles(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal':
      return true;
    case 'property':
      return settles(expr.target);
    case 'index':
      return settles(expr.target) && settles(expr.index);
    case 'call': {
      const name = foldCase(expr.name);
      if (UNSETTLED.has(name) || name.startsWith('list') || name.includes('.')) return false;
      return expr.args.every(settles);
    }
  }
}

const UNSETTLED = new Set(['copyindex', 'reference', 'references', 'newguid', 'utcnow']);

/** A settled expression's value, kept for the next reading at the same place: what it spent of the budget is spent again. */
interface Settled {
  text: string;
  value: string | number | boolean | null;
  units: number;
}

/**
 * The evaluation an inline template's text goes through before its own deployment evaluates it. An
 * outer-scope nested template is evaluated as part of its parent, as a whole: every string in it,
 * those of the inner-scope deployments it holds included, is evaluated in the parent's context (an
 * escaped `[[x]` becomes `[x]`), and each of those deployments then evaluates its template again, in
 * its own context (`[x]` is now an expression). The parent's own resources skip an inner-scope
 * deployment's template, so a template nested in inner-scope deployments only is evaluated once.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#expression-evaluation-scope-in-nested-templates
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions#escape-characters
 */
export interface PreEvaluation {
  /** The template whose evaluation goes first (itself evaluated after its own `preEvaluation`). */
  scope: TemplateScope;
  /** The copy loops of the deployment where that evaluation reached the template. */
  copy: CopyFrame;
}

export interface TemplateScopeInit {
  doc: PositionedJson;
  /** Pointer of the template object inside `doc` ('' for a template file). */
  base: string;
  template: { [key: string]: Json };
  target: DeploymentTarget;
  /** Values given for parameters, by lower-case name. */
  supplied: ReadonlyMap<string, SuppliedParameter>;
  /**
   * Set when the values given are themselves unknown before deployment (a nested deployment's
   * `parameters` computed by an expression): any parameter may be set by them, defaults included.
   */
  suppliedUnknown?: Unknown;
  expansion: Expansion;
  /** A nested template with `outer` scope: parameters, variables and functions come from the parent. */
  outer?: TemplateScope;
  /** Set for an inline template that an enclosing template evaluated before it is deployed (see `PreEvaluation`). */
  preEvaluation?: PreEvaluation;
  /** `nested/deployment/names` for keys of unknowns that belong to a nested template. */
  path: string;
  /** Linked files already open, to refuse a template that links itself. */
  fileChain: string[];
  /** The URI the template is deployed from (see templateLink.ts); by default its file's, or its outer template's. */
  uri?: string;
  /** Builds this template's function library (standard + deployment + user functions). */
  makeLibrary: (scope: TemplateScope) => FunctionLibrary;
}

export class TemplateScope {
  readonly doc: PositionedJson;
  readonly base: string;
  readonly template: { [key: string]: Json };
  readonly target: DeploymentTarget;
  readonly expansion: Expansion;
  readonly outer?: TemplateScope;
  readonly preEvaluation?: PreEvaluation;
  readonly path: string;
  readonly fileChain: string[];
  /** The URI the template is deployed from: `deployment().properties.templateLink.uri`. */
  readonly uri: string;
  readonly functions: FunctionLibrary;
  /** Values of settled expressions by source pointer (see `settles`). */
  private readonly settled = new Map<string, Settled>();
  /** Symbolic name (lower case) → its instances, filled as resources are declared. */
  readonly symbols = new Map<string, DeclaredInstance[]>();
  /** Resource name (lower case, `parent/child` for children) → ids of the resources declared with it. */
  readonly names = new Map<string, string[]>();
  private readonly supplied: ReadonlyMap<string, SuppliedParameter>;
  private readonly suppliedUnknown?: Unknown;
  private readonly parameterSlots: Map<string, ParameterSlot>;
  private readonly variableSlots: Map<string, VariableSlot>;

  constructor(init: TemplateScopeInit) {
    this.doc = init.doc;
    this.base = init.base;
    this.template = init.template;
    this.target = init.target;
    this.expansion = init.expansion;
    this.outer = init.outer;
    this.preEvaluation = init.preEvaluation;
    this.path = init.path;
    this.fileChain = init.fileChain;
    this.uri = init.uri ?? init.outer?.uri ?? templateUri(init.doc.file, init.expansion.uriRoot);
    this.supplied = init.supplied;
    this.suppliedUnknown = init.suppliedUnknown;
    this.parameterSlots = new Map();
    this.variableSlots = new Map();
    // The template's names in ARM's case before anything reads them ("dependson", "DefaultValue" …).
    checkTemplateNames(this.template, this.base, (pointer, message) => this.errorAt(pointer, message));
    if (!this.outer) {
      const params = isObject(this.template.parameters) ? (this.template.parameters as { [k: string]: Json }) : {};
      for (const [name, declaration] of Object.entries(params)) {
        const pointer = joinPointer(this.base, 'parameters', name);
        const decl = isObject(declaration) ? (declaration as { [k: string]: Json }) : {};
        this.parameterSlots.set(foldCase(name), {
          name,
          pointer,
          declaration: decl,
          state: 'pending',
          failures: []
        });
      }
      const vars = isObject(this.template.variables) ? (this.template.variables as { [k: string]: Json }) : {};
      for (const [name, node] of Object.entries(vars)) {
        const pointer = joinPointer(this.base, 'variables', name);
        if (foldCase(name) === 'copy' && Array.isArray(node)) {
          node.forEach((element, i) => {
            const elementPointer = joinPointer(pointer, i);
            if (!isObject(element) || typeof element.name !== 'string') {
              throw this.errorAt(elementPointer, 'A variables copy element needs a "name", a "count" and an "input".');
            }
            const e = element as { [k: string]: Json };
            this.variableSlots.set(foldCase(e.name!.toString()), {
              name: String(e.name),
              pointer: elementPointer,
              node: e.input ?? null,
              copy: { name: String(e.name), count: e.count ?? 0, input: e.input ?? null, pointer: elementPointer },
              state: 'pending',
              failures: []
            });
          });
          continue;
        }
        this.variableSlots.set(foldCase(name), { name, pointer, node, state: 'pending', failures: [] });
      }
    }
    this.functions = this.outer ? this.outer.functions : init.makeLibrary(this);
  }

  get file(): string {
    return this.doc.file;
  }

  /**
   * The template whose deployment this one's expressions are evaluated in: its own, or for an
   * outer-scope nested template its parent's, all the way up. An outer-scope template is evaluated
   * as part of its parent, which may itself be an outer-scope nested template: scope functions
   * there resolve to the parent's scope ("nested | outer (default) | Parent resource group",
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/scope-functions).
   */
  get evaluatedIn(): TemplateScope {
    return this.outer ? this.outer.evaluatedIn : this;
  }

  /** The declaration position of a pointer into this template's file. */
  positionOf(pointer: string): SourcePosition | null {
    return this.doc.positionOf(pointer);
  }

  errorAt(pointer: string, message: string, expression?: string, offset?: number): TemplateError {
    const at = this.doc.valuePositionOf(pointer) ??
      this.doc.positionOf(pointer) ?? { file: this.file, line: 1, column: 1 };
    let column = at.column;
    if (offset !== undefined && expression !== undefined && !expression.slice(0, offset).includes('\n')) {
      column += 1 + offset;
    }
    return new TemplateError(message, { file: at.file, line: at.line, column }, expression);
  }

  context(data: Omit<EvalData, 'scope'> & { scope?: TemplateScope }): EvalContext {
    return { functions: this.functions, data: { ...data, scope: data.scope ?? this }, budget: this.expansion.budget };
  }

  /**
   * Evaluates one template string: an expression, an escaped `[[` literal, or plain text. An
   * expression that is invalid whatever the values is the template's error; one that fails for
   * the values it was given becomes a `FailedValue`, collected into `data.failures`.
   */
  evaluateString(text: string, pointer: string, data: EvalData): Value {
    const pre = text.charCodeAt(0) === 0x5b ? this.evaluatedIn.preEvaluation : undefined;
    if (pre) {
      // The enclosing template's evaluation goes first: what it leaves is this template's text.
      const before = pre.scope.evaluateString(text, pointer, {
        scope: pre.scope,
        copy: pre.copy,
        failures: data.failures
      });
      if (typeof before !== 'string') return before;
      return this.evaluateOwnString(before, pointer, data);
    }
    return this.evaluateOwnString(text, pointer, data);
  }

  /** `evaluateString` in this template's own evaluation. */
  private evaluateOwnString(text: string, pointer: string, data: EvalData): Value {
    if (!isExpression(text)) {
      return text.startsWith('[[') && text.endsWith(']') ? text.slice(1) : text;
    }
    if (text.length > MAX_EXPRESSION_LENGTH) {
      throw this.errorAt(
        pointer,
        `The expression is ${text.length} characters long; ARM allows at most ${MAX_EXPRESSION_LENGTH} characters in a template expression. Split it with variables.`
      );
    }
    try {
      const { expr, settles } = parseCached(text);
      const budget = this.expansion.budget;
      // Each instance of a copy loop evaluates the same strings: a settled one once per place and scope.
      if (
        settles &&
        data.copy.loops.size > 0 &&
        data.scope === this &&
        data.failures &&
        !data.functionParameters &&
        !data.inParameterDefault
      ) {
        const known = this.settled.get(pointer);
        if (known !== undefined && known.text === text) {
          if (known.units) budget?.spend(known.units);
          return known.value;
        }
        const spent = budget?.used ?? 0;
        const failures: ExpressionFailure[] = [];
        let value: Value;
        try {
          value = evaluate(expr, { functions: this.functions, data: { ...data, failures }, budget });
        } finally {
          collectFailures(data.failures, failures);
        }
        if (failures.length === 0 && (value === null || typeof value !== 'object'))
          this.settled.set(pointer, { text, value, units: (budget?.used ?? 0) - spent });
        return value;
      }
      return evaluate(expr, { functions: this.functions, data, budget });
    } catch (error) {
      // A limit reached is placed at the expression that reached it, once; it ends the template.
      if (error instanceof LimitError && error.location?.line === undefined) {
        throw new LimitError(error.message, this.errorAt(pointer, '').location);
      }
      if (!(error instanceof ExpressionError)) throw error;
      const located = this.errorAt(pointer, error.message, text, error.offset);
      if (error.invalid) throw located;
      const failure: ExpressionFailure = {
        message: error.message,
        location: located.location!,
        fix: this.fixFor(text)
      };
      collectFailures(data.failures, [failure]);
      return new FailedValue(failure, `failed:${this.file}#${pointer}`);
    }
  }

  /**
   * What would make a failing expression work: the parameters it reads (through variables too),
   * each with where its value came from. A default that does not fit (`''` where a resource id is
   * split) is the usual cause, and a value for the parameter the fix.
   */
  private fixFor(text: string): string | null {
    if (this.outer) return this.outer.fixFor(text);
    const names = { parameters: new Set<string>(), variables: new Set<string>() };
    const read = (expression: string) => {
      try {
        namesRead(parseCached(expression).expr, names);
      } catch {
        // A string that does not parse is reported where it is evaluated.
      }
    };
    const strings = (node: Json, into: string[]) => {
      if (typeof node === 'string') {
        if (isExpression(node)) into.push(node);
      } else if (Array.isArray(node)) node.forEach(n => strings(n, into));
      else if (isObject(node)) Object.values(node as { [k: string]: Json }).forEach(n => strings(n, into));
    };
    read(text);
    const seen = new Set<string>();
    for (let grew = true; grew;) {
      grew = false;
      for (const variable of [...names.variables]) {
        if (seen.has(variable)) continue;
        seen.add(variable);
        grew = true;
        const slot = this.variableSlots.get(variable);
        const found: string[] = [];
        if (slot) strings(slot.copy ? [slot.copy.count, slot.copy.input] : slot.node, found);
        found.forEach(read);
      }
    }
    // Only a known value can make a function fail (an unknown argument is never passed to one).
    const described = [...names.parameters]
      .map(name => this.parameterSlots.get(name))
      .filter((slot): slot is ParameterSlot => slot?.state === 'done' && !isUnknown(slot.value))
      .map(slot => `'${slot.name}' (${[shortJson(slot.value!), slot.origin].filter(Boolean).join(', ')})`);
    if (described.length === 0) return null;
    return `it reads parameter${described.length > 1 ? 's' : ''} ${described.join(' and ')}: give ${
      described.length > 1 ? 'them values' : 'it a value'
    } for which it works`;
  }

  /**
   * Evaluates a template value: strings as expressions, objects and arrays member by
   * member, and property `copy` arrays into the arrays they stand for. Each output
   * position is reported to `sink` as it is written.
   */
  evaluateValue(node: Json, pointer: string, data: EvalData, sink?: PositionSink, outPointer = ''): Value {
    if (sink) sink(outPointer, this.doc.positionOf(pointer));
    if (typeof node === 'string') return this.evaluateString(node, pointer, data);
    if (typeof node === 'number' && beyondExact(node)) {
      const line = this.doc.valuePositionOf(pointer)?.line;
      return new Unknown(
        `the integer written ${line === undefined ? 'in the template' : `at line ${line}`} is beyond ±2^53, which cmk-guard does not compute exactly`,
        `integer:${this.file}#${pointer}`
      );
    }
    // Every container built counts against the file's budget: copy loops can repeat a large literal.
    if (Array.isArray(node)) {
      this.spend(1 + node.length, pointer);
      const out: Value[] = [];
      for (let i = 0; i < node.length; i++) {
        const item = node[i];
        // A value that is not an expression is written as it is, with no pointer made for it.
        out.push(
          !sink && isLiteral(item)
            ? item
            : this.evaluateValue(item, joinPointer(pointer, i), data, sink, sink ? joinPointer(outPointer, i) : '')
        );
      }
      return out;
    }
    if (isObject(node)) {
      const out: { [key: string]: Value } = {};
      const object = node as { [key: string]: Json };
      this.spend(1, pointer);
      // In a template an enclosing one evaluated first, a name written `[[x]` is `[x]` when this one evaluates it.
      const preEvaluated = this.evaluatedIn.preEvaluation !== undefined;
      for (const key in object) {
        const inner = object[key];
        const evaluatedKey = isExpression(key) || (preEvaluated && key.charCodeAt(0) === 0x5b);
        if (!sink && isLiteral(inner) && !evaluatedKey) {
          setOwn<Value>(out, key, inner);
          this.spendFor(pointer, key);
          continue;
        }
        const memberPointer = joinPointer(pointer, key);
        if (Array.isArray(inner) && foldCase(key) === 'copy') {
          this.propertyCopy(inner, memberPointer, data, out, sink, outPointer);
          continue;
        }
        // ARM evaluates expressions in property names too (userAssignedIdentities keys, say).
        const name = evaluatedKey ? this.evaluateKey(key, pointer, data) : key;
        setOwn(
          out,
          name,
          this.evaluateValue(inner, memberPointer, data, sink, sink ? joinPointer(outPointer, name) : '')
        );
        this.spend(1, memberPointer);
      }
      return out;
    }
    return node;
  }

  /** `spend(1, pointer/key)`, making the pointer only when the limit is reached. */
  private spendFor(pointer: string, key: string): void {
    const budget = this.expansion.budget;
    if (!budget) return;
    try {
      budget.spend(1);
    } catch (error) {
      if (error instanceof LimitError && error.location?.line === undefined) {
        throw new LimitError(error.message, this.errorAt(joinPointer(pointer, key), '').location);
      }
      throw error;
    }
  }

  /** Spends from the file's work budget; a limit reached is placed at `pointer`. */
  private spend(units: number, pointer: string): void {
    const budget = this.expansion.budget;
    if (!budget) return;
    try {
      budget.spend(units);
    } catch (error) {
      if (error instanceof LimitError && error.location?.line === undefined) {
        throw new LimitError(error.message, this.errorAt(pointer, '').location);
      }
      throw error;
    }
  }

  private evaluateKey(key: string, objectPointer: string, data: EvalData): string {
    const value = this.evaluateString(key, joinPointer(objectPointer, key), data);
    if (typeof value === 'string') return value;
    return isUnknown(value) ? key : JSON.stringify(value);
  }

  private propertyCopy(
    elements: Json[],
    pointer: string,
    data: EvalData,
    out: { [key: string]: Value },
    sink: PositionSink | undefined,
    outPointer: string
  ): void {
    elements.forEach((element, i) => {
      const elementPointer = joinPointer(pointer, i);
      if (!isObject(element) || typeof element.name !== 'string' || !('input' in element)) {
        throw this.errorAt(elementPointer, 'A property copy element needs a "name", a "count" and an "input".');
      }
      const e = element as { [k: string]: Json };
      const name = String(e.name);
      const arrayPointer = joinPointer(outPointer, name);
      sink?.(arrayPointer, this.doc.positionOf(elementPointer));
      setOwn(out, name, this.copyArray(name, e.count ?? 0, e.input, elementPointer, data, sink, arrayPointer));
    });
  }

  /**
   * `count` copies of `input`, with `copyIndex(name)` running from 0. An output's copy loop has
   * no name of its own, and its `input` reads the index with a bare `copyIndex()` (`unnamed`):
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-outputs
   */
  copyArray(
    name: string,
    countNode: Json,
    input: Json,
    elementPointer: string,
    data: EvalData,
    sink?: PositionSink,
    outPointer = '',
    unnamed = false
  ): Value {
    const count = this.evaluateValue(countNode, joinPointer(elementPointer, 'count'), data);
    if (isUnknown(count)) {
      return new Unknown(`the number of '${name}' copies (${count.reason})`, `copy:${name}:${count.key}`);
    }
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 800) {
      throw this.errorAt(
        joinPointer(elementPointer, 'count'),
        `The copy count of '${name}' must be an integer from 0 to 800, not ${JSON.stringify(count)}.`
      );
    }
    const items: Value[] = [];
    for (let i = 0; i < count; i++) {
      this.spend(1, elementPointer);
      const loops = new Map(data.copy.loops);
      loops.set(foldCase(name), i);
      const itemData: EvalData = { ...data, copy: { loops, current: unnamed ? i : data.copy.current } };
      const itemPointer = joinPointer(outPointer, i);
      items.push(this.evaluateValue(input, joinPointer(elementPointer, 'input'), itemData, sink, itemPointer));
      // Each copy points at its copy element; values inside it at the lines of `input`.
      sink?.(itemPointer, this.doc.positionOf(elementPointer));
    }
    return items;
  }

  // ---- parameters ------------------------------------------------------------------------

  parameterNames(): string[] {
    return [...this.parameterSlots.values()].map(s => s.name);
  }

  hasParameter(name: string): boolean {
    return this.parameterSlots.has(foldCase(name));
  }

  parameterDeclarationPointer(name: string): string | null {
    return this.parameterSlots.get(foldCase(name))?.pointer ?? null;
  }

  parameter(name: string, data: EvalData): Value {
    if (data.functionParameters) {
      const value = data.functionParameters.get(foldCase(name));
      if (value === undefined) {
        throw ExpressionError.invalid(
          `The function parameter '${name}' is not defined; a user-defined function can only read its own parameters.`
        );
      }
      return value;
    }
    if (this.outer) return this.outer.parameter(name, { ...data, scope: this.outer });
    const slot = this.parameterSlots.get(foldCase(name));
    if (!slot) {
      const known = this.parameterNames();
      throw ExpressionError.invalid(
        `The template parameter '${name}' is not found; declare it in "parameters"${known.length ? ` (declared: ${known.join(', ')})` : ''}.`
      );
    }
    const value = this.resolveParameter(slot);
    collectFailures(data.failures, slot.failures);
    return value;
  }

  /** Resolves every declared parameter, so ARM's validation errors surface even for unused ones. */
  resolveAllParameters(): void {
    for (const [lower, supplied] of this.supplied) {
      // Command-line values apply to every template scanned; only files must match the template.
      if (!this.parameterSlots.has(lower) && supplied.origin !== '--parameter') {
        const where = supplied.position ?? this.doc.positionOf(this.base) ?? { file: this.file, line: 1, column: 1 };
        throw new TemplateError(
          `The ${supplied.origin} gives parameter '${supplied.name}', which the template does not declare; remove it or declare it.`,
          where
        );
      }
    }
    for (const slot of this.parameterSlots.values()) this.resolveParameter(slot);
  }

  private resolveParameter(slot: ParameterSlot): Value {
    if (slot.state === 'done') return slot.value!;
    if (slot.state === 'resolving') {
      throw this.errorAt(
        slot.pointer,
        `The default value of parameter '${slot.name}' refers to itself through other parameters.`
      );
    }
    slot.state = 'resolving';
    const decl = slot.declaration;
    const supplied = this.supplied.get(foldCase(slot.name));
    let value: Value;
    // Where the value was set, for an error about it (found only then).
    let where: () => SourcePosition | null;
    // A null passed for a parameter that has a default means "use the default" (how Bicep
    // passes optional module parameters).
    if (!supplied && this.suppliedUnknown) {
      value = new Unknown(
        `parameter '${slot.name}', set by ${this.suppliedUnknown.reason}`,
        `${this.suppliedUnknown.key}.${foldCase(slot.name)}`
      );
      where = () => null;
    } else if (supplied && !(supplied.value === null && 'defaultValue' in decl)) {
      value = coerceSupplied(
        exactIntegers(supplied.value, supplied.origin, `${this.path}/${foldCase(slot.name)}`),
        decl.type,
        supplied.origin === '--parameter'
      );
      where = () => supplied.position ?? this.doc.positionOf(slot.pointer);
      slot.origin = `given by ${supplied.origin}`;
      collectFailures(slot.failures, supplied.failures ?? []);
    } else if ('defaultValue' in decl) {
      const defaultPointer = joinPointer(slot.pointer, 'defaultValue');
      value = this.evaluateValue(decl.defaultValue!, defaultPointer, {
        scope: this,
        copy: NO_COPY,
        inParameterDefault: slot.name,
        failures: slot.failures
      });
      value = coerceSupplied(value, decl.type, false);
      where = () => this.doc.positionOf(defaultPointer);
      slot.origin = 'its default';
    } else if (decl.nullable === true || this.definitionIsNullable(decl)) {
      value = null;
      where = () => null;
    } else {
      const key = this.path ? `parameter:${this.path}/${slot.name}` : `parameter:${slot.name}`;
      value = new Unknown(`parameter '${slot.name}' (no default and no value given)`, key);
      where = () => null;
    }
    const problem = checkParameterValue(slot.name, decl, value, this.types());
    if (problem) {
      const at = where() ?? this.doc.positionOf(slot.pointer) ?? { file: this.file, line: 1, column: 1 };
      throw new TemplateError(problem, at);
    }
    slot.value = value;
    slot.state = 'done';
    return value;
  }

  /** The user-defined types values are checked against: a languageVersion 2.0 template's definitions. */
  types(): { definitions?: Json } | undefined {
    return languageVersion2(this.template) ? { definitions: this.template.definitions } : undefined;
  }

  private definitionIsNullable(decl: { [key: string]: Json }): boolean {
    if (typeof decl.$ref !== 'string') return false;
    const match = /^#\/definitions\/(.+)$/.exec(decl.$ref);
    const definitions = this.template.definitions;
    if (!match || !isObject(definitions)) return false;
    const definition = own(definitions as { [k: string]: Json }, match[1]);
    return isObject(definition) && (definition as { [k: string]: Json }).nullable === true;
  }

  // ---- variables -------------------------------------------------------------------------

  variable(name: string, data: EvalData): Value {
    if (data.functionParameters) {
      // The template-function page says a user-defined function can't access variables; with
      // languageVersion 2.0 it can: Bicep compiles imported functions into functions that call
      // variables('_1.v2'), and the current Bicep page no longer lists that limitation
      // (https://learn.microsoft.com/azure/azure-resource-manager/bicep/user-defined-functions#limitations).
      // The variable is the template's own, evaluated outside the function's parameters.
      if (!languageVersion2(this.template)) {
        throw ExpressionError.invalid(
          `A user-defined function cannot read variables ('${name}'); pass the value as a parameter.`
        );
      }
      data = { ...data, functionParameters: undefined };
    }
    if (this.outer) return this.outer.variable(name, { ...data, scope: this.outer });
    const slot = this.variableSlots.get(foldCase(name));
    if (!slot) {
      throw ExpressionError.invalid(`The template variable '${name}' is not found; declare it in "variables".`);
    }
    if (slot.state === 'done') {
      collectFailures(data.failures, slot.failures);
      return slot.value!;
    }
    if (slot.state === 'resolving') {
      throw this.errorAt(slot.pointer, `The variable '${slot.name}' depends on itself (a cycle through variables).`);
    }
    slot.state = 'resolving';
    const fresh: EvalData = { scope: this, copy: NO_COPY, failures: slot.failures };
    slot.value = slot.copy
      ? this.copyArray(slot.copy.name, slot.copy.count, slot.copy.input, slot.copy.pointer, fresh)
      : this.evaluateValue(slot.node, slot.pointer, fresh);
    slot.state = 'done';
    collectFailures(data.failures, slot.failures);
    return slot.value;
  }
}

/** Whether a template declares languageVersion 2.0 or later ("2.0", "2.1-experimental"). */
function languageVersion2(template: { [key: string]: Json }): boolean {
  const version = template.languageVersion;
  return typeof version === 'string' && Number.parseInt(version, 10) >= 2;
}

/** A value as JSON, cut short for a message. */
function shortJson(value: Value): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/**
 * Values typed on a command line arrive as text (or as whatever JSON that text parsed to);
 * read them as the declared type wants.
 */
function coerceSupplied(value: Value, type: Json | undefined, fromCommandLine: boolean): Value {
  if (typeof type !== 'string') return value;
  const t = foldCase(type);
  if (
    fromCommandLine &&
    (t === 'string' || t === 'securestring') &&
    (typeof value === 'number' || typeof value === 'boolean')
  ) {
    return String(value);
  }
  if (typeof value !== 'string') return value;
  if (t === 'int' && /^-?\d+$/.test(value.trim())) {
    const number = Number(value.trim());
    return Number.isSafeInteger(number)
      ? number
      : inexactInteger('an int parameter given as text', `text:${value.trim()}`);
  }
  if (t === 'bool' && /^(true|false)$/i.test(value.trim())) return foldCase(value.trim()) === 'true';
  if (t === 'array' || t === 'object' || t === 'secureobject') {
    try {
      return parseJson(value) as Json;
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * A template value that evaluates to itself: neither a container nor a string that starts with
 * `[` (an expression, or a `[[` that stands for `[`), nor an integer beyond ±2^53.
 */
function isLiteral(node: Json): boolean {
  if (typeof node === 'string') return node.charCodeAt(0) !== 0x5b;
  if (typeof node === 'number') return !beyondExact(node);
  return node === null || typeof node !== 'object';
}

/**
 * Whether a number read from JSON is an integer past ±2^53: ARM's integers are 64-bit, and such a number has
 * been rounded to the nearest double when read (9007199254740993 reads as 9007199254740992). It is unknown,
 * saying so, as the same literal inside an expression is (expr/evaluate.ts), never the rounded number.
 */
function beyondExact(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

function inexactInteger(where: string, key: string): Unknown {
  return new Unknown(
    `an integer in ${where} is beyond ±2^53, which cmk-guard does not compute exactly`,
    `integer:${key}`
  );
}

/** A value given for a parameter, with each integer past ±2^53 in it unknown (see `beyondExact`); `at` keys each. */
function exactIntegers(value: Value, origin: string, at: string): Value {
  if (typeof value === 'number')
    return beyondExact(value) ? inexactInteger(`the value the ${origin} gives`, at) : value;
  if (value === null || typeof value !== 'object' || isUnknown(value)) return value;
  if (Array.isArray(value)) {
    if (!value.some(item => typeof item === 'object' || (typeof item === 'number' && beyondExact(item)))) return value;
    return value.map((item, i) => exactIntegers(item, origin, joinPointer(at, i)));
  }
  let out: { [key: string]: Value } | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    const exact = exactIntegers(item, origin, joinPointer(at, key));
    if (exact !== item) setOwn((out ??= { ...value }), key, exact);
  }
  return out ?? value;
}
