import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json, Value } from '../../model/value.js';
import { Unknown, isObject, isUnknown, setOwn } from '../../model/value.js';
import { policyResourceType, type Resource, type SourcePosition } from '../../model/resource.js';
import { parseJsonWithPositions, type PositionedJson } from '../json.js';
import { joinPointer, parentPointer } from '../../model/pointer.js';
import { aboveRepository, confine } from '../boundary.js';
import { checkOutputValue } from './parameterChecks.js';
import { readTextFile } from '../../model/textFile.js';
import { loadParameterFile, type SuppliedParameter } from '../parameters.js';
import { TemplateError } from './errors.js';
import { LIMIT_VARIABLES, limit } from '../../model/limits.js';
import { interleave, scopePrefix, templateLibrary } from './functions/index.js';
import { findKey } from '../../expr/evaluate.js';
import { isExpression } from '../../expr/parse.js';
import { collectFailures, type ExpressionFailure } from './failures.js';
import { hideTemplateUris, linkTarget, relativeLinkTarget, templateUri } from './templateLink.js';
import {
  NO_COPY,
  TemplateScope,
  noteNamedGroup,
  noteNamedManagementGroup,
  type CopyFrame,
  type DeploymentTarget,
  type EvalData,
  type Expansion,
  type PositionSink
} from './scope.js';
import { parseJson } from '../../model/jsonText.js';
import { refuseCaseCollision } from './names.js';
import { wellFormed } from '../../model/uriText.js';
import { foldCase } from '../../model/foldCase.js';
import { referenceSites, siteTarget, type ReferenceSite } from './implicitDependencies.js';

/**
 * Template expansion as Azure Resource Manager does it: copy loops, conditions, child
 * resources, nested deployments (inner and outer scope, inline or `relativePath`),
 * languageVersion 2.0 symbolic resources, and deployment order from `dependsOn` and from `reference()` and
 * `list*()` by name (implicitDependencies.ts).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/syntax
 */

/**
 * Keys of a resource declaration that steer the deployment and are not part of the PUT body.
 * `@options` is where Bicep writes the deployment options of `@onlyIfNotExists()` (an If-None-Match
 * on the PUT) and `@retryOn(…)`
 * (https://learn.microsoft.com/azure/azure-resource-manager/bicep/resource-declaration#use-decorators).
 */
const TEMPLATE_ONLY_KEYS = new Set([
  '@options',
  'copy',
  'condition',
  'dependson',
  'comments',
  'apiversion',
  'resources',
  'existing',
  'scope',
  'metadata',
  'name',
  'type',
  'import',
  'extension'
]);

/** Where a resource is (see `declaredTarget`), not part of its PUT body. */
const SCOPE_KEYS = new Set(['subscriptionid', 'resourcegroup']);

const DEPLOYMENTS_TYPE = 'microsoft.resources/deployments';
/*
 * Nesting and the resource instances of a whole expansion are bounded by cmk-guard's own limits
 * (src/model/limits.ts): ARM deploys at most 800 resources per deployment, but nested deployments
 * and copy loops multiply that; far beyond any real template, expansion stops with an error
 * instead of exhausting memory.
 */

/**
 * Limits ARM enforces on each template, nested ones included (a nested template is how a
 * deployment exceeds them): 256 parameters, 512 variables, 800 resources including copy count,
 * 64 output values, 24,576 characters in an expression (scope.ts).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits
 * Variables: that page says 512; older copies of it, the variables page and the job-size page still
 * say 256. Bicep's own max-variables rule, which reports a deployment error, uses 512 and cites that
 * page, so 512 is what ARM refuses above (refusing at 257 would refuse templates ARM deploys).
 * Size (4 MB per template, 1 MB per resource) is measured by ARM after compression
 * (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/error-job-size-exceeded),
 * which a file's size does not tell, so it is not enforced here.
 */
export const TEMPLATE_LIMITS = { parameters: 256, variables: 512, resources: 800, outputs: 64 } as const;

/** The variables a `variables` section declares: each member, each element of its `copy` array instead of `copy`. */
function variableCount(variables: { [key: string]: Json }): number {
  let count = 0;
  for (const [name, value] of Object.entries(variables)) {
    count += foldCase(name) === 'copy' && Array.isArray(value) ? value.length : 1;
  }
  return count;
}

function checkSectionLimits(scope: TemplateScope): void {
  const sections: ['parameters' | 'variables' | 'outputs', string][] = [
    ['parameters', 'parameters'],
    ['variables', 'variables'],
    ['outputs', 'output values']
  ];
  for (const [section, what] of sections) {
    // An outer-scope nested template uses its parent's parameters and variables and has no outputs of its own.
    if (scope.outer) continue;
    const value = scope.template[section];
    const count = !isObject(value)
      ? 0
      : section === 'variables'
        ? variableCount(value as { [key: string]: Json })
        : Object.keys(value).length;
    if (count > TEMPLATE_LIMITS[section]) {
      throw scope.errorAt(
        joinPointer(scope.base, section),
        `The template declares ${count} ${what}; ARM allows at most ${TEMPLATE_LIMITS[section]} in one template. Combine values into objects or move some into a nested template.`
      );
    }
  }
}

interface Declaration {
  scope: TemplateScope;
  node: { [key: string]: Json };
  pointer: string;
  symbol?: string;
  parent?: Instance;
  order: number;
  /** How its instances' bodies are written, worked out for the first (see `bodyPlan`). */
  body?: BodyPlan;
  /** Where the declaration is, found for its first instance (every copy is declared there). */
  declaredAt?: SourcePosition | null;
  /**
   * Positions its instances' output pointers (lower case) were found at, for instances that record
   * none as they are written: the answer depends on the declaration alone, so copies share it.
   */
  found?: Map<string, SourcePosition | null>;
  /** The reference()/references()/list*() calls of its `properties` (implicitDependencies.ts), found once. */
  references?: ReferenceSite[];
}

/** The members of a declaration that go into the PUT body, and how their positions are found. */
interface BodyPlan {
  members: BodyMember[];
  /** Members written out with their source pointers, by output pointer (lower case): positions found when asked. */
  plain: Map<string, [string, Json][]>;
  /** The declaration's `metadata` member, in the case it is written in. */
  metadataKey: string | undefined;
}

/** A member of a resource's body, with the pointers every instance writes it with. */
interface BodyMember {
  key: string;
  value: Json;
  /** Its pointer in the template. */
  source: string;
  /** Its pointer in the resource written out. */
  out: string;
  /** Whether its positions are recorded as it is written (they cannot be found from the source afterwards). */
  record: boolean;
}

interface Instance {
  decl: Declaration;
  copy: CopyFrame;
  type: string;
  name: Value;
  /** The name as text: the value when known, else the expression that gives it. */
  nameText: string;
  id: string;
  existing: boolean;
  conditionUnknown?: string;
  /**
   * What its child resources (declared inside it) inherit of `conditionUnknown`: the nested deployment's and the
   * copy loop's, not its own condition, which does not cascade to them.
   */
  childCondition?: string;
  /** Not deployed (its condition is false): declared only for the child resources declared inside it, which still are. */
  skipped?: true;
  deps: Set<Instance>;
  /** The dependencies that only a reference()/references()/list*() call makes (for the message of a cycle). */
  implicitDeps?: Set<Instance>;
  order: number;
  /** Expressions that failed in evaluating this instance, those of what it reads included. */
  failures: ExpressionFailure[];
}

/** A resource as expanded, with what is needed to merge redeclarations afterwards. */
interface Emitted {
  resource: Resource;
  idKnown: boolean;
  /**
   * What wrote it: the nested deployment instances from the top template down, then its own instance
   * (templates.ts finalStates orders the writes of one resource by it, see `writeOrder`).
   */
  chain?: Instance[];
}

/** Every instance an instance waits for (its dependsOn, followed through), found once for each. */
const waitsFor = new WeakMap<Instance, Set<Instance>>();

function ancestorsOf(instance: Instance): Set<Instance> {
  const known = waitsFor.get(instance);
  if (known) return known;
  const found = new Set<Instance>();
  const pending = [...instance.deps];
  while (pending.length) {
    const next = pending.pop()!;
    if (found.has(next)) continue;
    found.add(next);
    const done = waitsFor.get(next);
    if (done) for (const dependency of done) found.add(dependency);
    else for (const dependency of next.deps) pending.push(dependency);
  }
  waitsFor.set(instance, found);
  return found;
}

/**
 * How ARM orders two writes of one resource: `before` when `a` is sure to complete before `b` starts, and
 * `unordered` when it may run them side by side, so that either may end last. Where their chains part, the two
 * instances are resources of one template; ARM deploys them in parallel unless a dependsOn path (a serial copy
 * loop's and a reference() by name included) leads from one to the other, and a nested deployment completes as a unit, so what its
 * template writes is ordered as the deployment is. Two resources of one template that are the same resource are
 * `same-template`: ARM refuses such a template ("defined multiple times in a template") before deploying
 * anything, so no order of theirs reaches Azure.
 */
export function writeOrder(a: Emitted, b: Emitted): 'before' | 'after' | 'unordered' | 'same-template' {
  const x = a.chain ?? [];
  const y = b.chain ?? [];
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (i >= x.length || i >= y.length) return 'same-template';
  if (i === x.length - 1 && i === y.length - 1) return 'same-template';
  if (ancestorsOf(y[i]).has(x[i])) return 'before';
  if (ancestorsOf(x[i]).has(y[i])) return 'after';
  return 'unordered';
}

/** What fixes a resource's identity (and whether it exists) before its body is evaluated. */
const HEADER_KEYS = ['name', 'type', 'scope', 'condition', 'copy'];

/**
 * The symbolic resources of a languageVersion 2.0 template in declaration order, except that one
 * whose name, type, scope, condition or copy reads `resourceInfo('<symbol>')` (Bicep's resource-info
 * code generation writes `resourceInfo('parent').name` into a child's name) comes after that symbol:
 * ARM resolves the reference whatever the order of the object's members.
 */
function headerOrder(resources: { [key: string]: Json }): [string, Json][] {
  const entries = Object.entries(resources);
  const byLowerSymbol = new Map<string, number[]>();
  entries.forEach(([symbol], i) =>
    byLowerSymbol.set(foldCase(symbol), [...(byLowerSymbol.get(foldCase(symbol)) ?? []), i])
  );
  const out: [string, Json][] = [];
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    const node = entries[i][1];
    if (isObject(node)) {
      for (const header of HEADER_KEYS) {
        const value = (node as { [key: string]: Json })[header];
        if (value === undefined) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        if (!/resourceinfo/i.test(text)) continue;
        for (const match of text.matchAll(/resourceInfo\(\s*(?:format\(\s*)?'([^'[\]]+)/gi)) {
          for (const j of byLowerSymbol.get(foldCase(match[1])) ?? []) visit(j);
        }
      }
    }
    out.push(entries[i]);
  };
  entries.forEach((_, i) => visit(i));
  return out;
}

export function deploymentLevelOf(schema: Json | undefined): DeploymentTarget['level'] {
  const s = typeof schema === 'string' ? foldCase(schema) : '';
  if (s.includes('subscriptiondeploymenttemplate')) return 'subscription';
  if (s.includes('managementgroupdeploymenttemplate')) return 'managementGroup';
  if (s.includes('tenantdeploymenttemplate')) return 'tenant';
  return 'resourceGroup';
}

function combineConditions(...reasons: (string | undefined)[]): string | undefined {
  const present = reasons.filter((r): r is string => !!r);
  return present.length ? [...new Set(present)].join('; and ') : undefined;
}

function valueText(value: Value, fallback: Json | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof fallback === 'string') return fallback;
  return String(value);
}

export class TemplateExpander {
  private readonly reported = new Set<ExpressionFailure>();

  constructor(private readonly expansion: Expansion) {}

  /**
   * Failures where ARM would evaluate the expression too (the resource deploys whatever the
   * unknowns are) would fail the deployment with the values given: they are the template's
   * errors. Elsewhere (a resource that deploys only if something unknown holds) they are noted.
   */
  private reportFailures(
    failures: readonly ExpressionFailure[],
    certain: boolean,
    consequence = 'The resources that use this value are indeterminate; the others are evaluated.'
  ): void {
    for (const failure of failures) {
      if (this.reported.has(failure)) continue;
      const where = `${failure.location.file}:${failure.location.line ?? 1}`;
      const fix = failure.fix ? `; ${failure.fix}` : '';
      if (certain) {
        this.reported.add(failure);
        this.expansion.errors.push(new TemplateError(`${failure.message}${fix}. ${consequence}`, failure.location));
      } else {
        const note = `${where}: ${failure.message}${fix}; only where it is used (the resources that use it are indeterminate).`;
        if (!this.expansion.notes.includes(note)) this.expansion.notes.push(note);
      }
    }
  }

  /** Every resource the template deploys (and references), in deployment order. */
  expandScope(scope: TemplateScope, base: { copy: CopyFrame; conditionUnknown?: string }): Emitted[] {
    const maxNesting = limit('nestedDeployments');
    if (scope.path.split('/').length > maxNesting) {
      throw scope.errorAt(
        scope.base,
        `Nested deployments go more than ${maxNesting} levels deep (${LIMIT_VARIABLES.nestedDeployments}).`
      );
    }
    const maxInstances = limit('expandedResources');
    checkSectionLimits(scope);
    const instances: Instance[] = [];
    const declarations: Declaration[] = [];
    const resources = scope.template.resources;
    const resourcesPointer = joinPointer(scope.base, 'resources');
    let order = 0;
    const declare = (decl: Declaration, copy: CopyFrame, inherited?: string): void => {
      declarations.push(decl);
      for (const instance of this.instancesOf(decl, copy, inherited, () => order++)) {
        if (!instance.skipped && ++this.expansion.instanceCount > maxInstances) {
          throw scope.errorAt(
            decl.pointer,
            `The template expands to more than ${maxInstances} resources (copy loops and nested deployments included; ${LIMIT_VARIABLES.expandedResources}); ARM deploys at most 800 per deployment.`
          );
        }
        this.expansion.budget?.checkClock();
        if (!instance.skipped) instances.push(instance);
        const children = instance.decl.node.resources;
        if (Array.isArray(children)) {
          children.forEach((child, i) => {
            if (!isObject(child)) return;
            declare(
              {
                scope,
                node: child as { [key: string]: Json },
                pointer: joinPointer(decl.pointer, 'resources', i),
                parent: instance,
                order: order++
              },
              instance.copy,
              instance.childCondition
            );
          });
        }
      }
    };
    if (Array.isArray(resources)) {
      resources.forEach((node, i) => {
        const pointer = joinPointer(resourcesPointer, i);
        if (!isObject(node)) throw scope.errorAt(pointer, 'Each item of "resources" must be a resource object.');
        declare(
          { scope, node: node as { [key: string]: Json }, pointer, order: order++ },
          base.copy,
          base.conditionUnknown
        );
      });
    } else if (isObject(resources)) {
      for (const [symbol, node] of headerOrder(resources as { [key: string]: Json })) {
        const pointer = joinPointer(resourcesPointer, symbol);
        if (!isObject(node)) throw scope.errorAt(pointer, `The resource '${symbol}' must be a resource object.`);
        const extension = extensionOf(scope, node as { [key: string]: Json }, pointer);
        if (extension !== null) {
          const at = scope.positionOf(pointer);
          this.expansion.notes.push(
            `${scope.file}:${at?.line ?? 1}: '${symbol}' (${extension.type}) is deployed by the ${extension.name} extension, not by Azure Resource Manager; Azure Policy does not see it, so it is not checked.`
          );
          continue;
        }
        declare(
          { scope, node: node as { [key: string]: Json }, pointer, symbol, order: order++ },
          base.copy,
          base.conditionUnknown
        );
      }
    } else if (resources === undefined) {
      // A required member of the template (learn.microsoft.com template syntax): ARM's engine refuses the
      // template before deploying anything (Azure/template-analyzer AnInvalidTemplate.json).
      throw scope.errorAt(
        scope.base,
        'The template has no "resources"; ARM refuses a template without it. Write "resources": [] if it deploys nothing.'
      );
    } else {
      throw scope.errorAt(resourcesPointer, '"resources" must be an array (or, with languageVersion 2.0, an object).');
    }

    const deployed = instances.filter(i => !i.existing).length;
    if (deployed > TEMPLATE_LIMITS.resources) {
      throw scope.errorAt(
        resourcesPointer,
        `The template deploys ${deployed} resources (copy loops counted); ARM allows at most ${TEMPLATE_LIMITS.resources} in one template. Move some into a nested template.`
      );
    }
    this.resolveDependencies(scope, instances);
    const emitted: Emitted[] = [];
    for (const instance of this.deploymentOrder(scope, instances)) {
      if (foldCase(instance.type) === DEPLOYMENTS_TYPE && !instance.existing) {
        for (const resource of this.expandDeployment(instance))
          emitted.push({ ...resource, chain: [instance, ...(resource.chain ?? [])] });
      } else {
        emitted.push({ ...this.buildResource(instance), chain: [instance] });
      }
    }
    return emitted;
  }

  private instancesOf(
    decl: Declaration,
    base: CopyFrame,
    inheritedCondition: string | undefined,
    nextOrder: () => number
  ): Instance[] {
    const { scope, node, pointer } = decl;
    const frames: { copy: CopyFrame; condition?: string; failures: ExpressionFailure[]; batch?: number }[] = [];
    if (isObject(node.copy)) {
      const copy = node.copy as { [key: string]: Json };
      const copyPointer = joinPointer(pointer, 'copy');
      const loopName = typeof copy.name === 'string' ? copy.name : '';
      if (!loopName) throw scope.errorAt(copyPointer, 'A resource copy loop needs a "name".');
      const countFailures: ExpressionFailure[] = [];
      const count = scope.evaluateValue(copy.count ?? null, joinPointer(copyPointer, 'count'), {
        scope,
        copy: base,
        failures: countFailures
      });
      this.reportFailures(countFailures, inheritedCondition === undefined);
      if (isUnknown(count)) {
        const index = new Unknown(`the index in copy loop '${loopName}' (${count.reason})`, `copyIndex(${loopName})`);
        const loops = new Map(base.loops);
        loops.set(foldCase(loopName), index);
        frames.push({
          copy: { loops, current: index },
          condition: `the copy loop '${loopName}' deploys at least once (${count.reason})`,
          failures: countFailures
        });
        this.expansion.notes.push(
          `${scope.file}: the copy loop '${loopName}' has an unknown count (${count.reason}); one instance is evaluated for it.`
        );
      } else {
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 800) {
          throw scope.errorAt(
            joinPointer(copyPointer, 'count'),
            `The copy count of '${loopName}' must be an integer from 0 to 800, not ${JSON.stringify(count)}.`
          );
        }
        const batchSize = this.serialBatchSize(decl, copy, base, inheritedCondition);
        for (let i = 0; i < count; i++) {
          const loops = new Map(base.loops);
          loops.set(foldCase(loopName), i);
          frames.push({
            copy: { loops, current: i },
            failures: countFailures,
            ...(batchSize === null ? {} : { batch: Math.floor(i / batchSize) })
          });
        }
      }
    } else {
      frames.push({ copy: base, failures: [] });
    }
    if (decl.symbol) scope.symbols.set(foldCase(decl.symbol), []);

    const out: Instance[] = [];
    // A serial loop's batch waits for the batch before it ("Resource Manager creates a dependency on earlier
    // instances in the loop, so it doesn't start one batch until the previous batch completes"): the latest
    // earlier batch with an instance that deploys, as a skipped one completes at once.
    let previousBatch: Instance[] = [];
    let currentBatch: Instance[] = [];
    let batchIndex: number | undefined;
    // "Conditional deployment doesn't cascade to child resources"
    // (https://learn.microsoft.com/azure/azure-resource-manager/templates/conditional-resource-deployment):
    // a resource whose condition is false is still named for the children declared inside it.
    const children = Array.isArray(node.resources) && node.resources.some(isObject);
    for (const frame of frames) {
      const failures = [...frame.failures];
      const childCondition = combineConditions(inheritedCondition, frame.condition);
      let conditionUnknown = childCondition;
      if ('condition' in node) {
        const conditionFailures: ExpressionFailure[] = [];
        const condition = scope.evaluateValue(node.condition!, joinPointer(pointer, 'condition'), {
          scope,
          copy: frame.copy,
          failures: conditionFailures
        });
        this.reportFailures(conditionFailures, conditionUnknown === undefined);
        collectFailures(failures, conditionFailures);
        if (isUnknown(condition)) {
          conditionUnknown = combineConditions(conditionUnknown, `its condition holds (${condition.reason})`);
        } else if (condition === false || (typeof condition === 'string' && foldCase(condition) === 'false')) {
          if (children) {
            const skipped = this.header(decl, frame.copy, conditionUnknown, nextOrder(), failures);
            out.push({ ...skipped, childCondition, skipped: true });
          }
          continue;
        } else if (!(condition === true || (typeof condition === 'string' && foldCase(condition) === 'true'))) {
          throw scope.errorAt(
            joinPointer(pointer, 'condition'),
            `A resource condition must be true or false, not ${JSON.stringify(condition)}.`
          );
        }
      }
      const instance = this.header(decl, frame.copy, conditionUnknown, nextOrder(), failures);
      if (childCondition !== undefined) instance.childCondition = childCondition;
      if (decl.symbol) {
        scope.symbols.get(foldCase(decl.symbol))!.push({
          id: instance.id,
          name: instance.name,
          type: instance.type,
          ...(typeof node.apiVersion === 'string' ? { apiVersion: node.apiVersion } : {})
        });
      }
      const nameKey = foldCase(instance.nameText);
      scope.names.set(nameKey, [...(scope.names.get(nameKey) ?? []), instance.id]);
      if (frame.batch !== undefined) {
        if (frame.batch !== batchIndex) {
          if (currentBatch.length) previousBatch = currentBatch;
          currentBatch = [];
          batchIndex = frame.batch;
        }
        for (const earlier of previousBatch) instance.deps.add(earlier);
        currentBatch.push(instance);
      }
      out.push(instance);
    }
    return out;
  }

  /**
   * How many instances of a serial copy loop deploy at a time (`mode: serial`, `batchSize`); null for a
   * parallel loop, and where the mode or the size is not known: then nothing orders the instances.
   */
  private serialBatchSize(
    decl: Declaration,
    copy: { [key: string]: Json },
    base: CopyFrame,
    inheritedCondition: string | undefined
  ): number | null {
    if (copy.mode === undefined) return null;
    const { scope, pointer } = decl;
    const failures: ExpressionFailure[] = [];
    const data: EvalData = { scope, copy: base, failures };
    const mode = scope.evaluateValue(copy.mode, joinPointer(pointer, 'copy', 'mode'), data);
    if (typeof mode !== 'string' || foldCase(mode) !== 'serial') {
      this.reportFailures(failures, inheritedCondition === undefined);
      return null;
    }
    const size =
      copy.batchSize === undefined
        ? null
        : scope.evaluateValue(copy.batchSize, joinPointer(pointer, 'copy', 'batchSize'), data);
    this.reportFailures(failures, inheritedCondition === undefined);
    return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size : null;
  }

  /** Type, full name and id of one instance. */
  private header(
    decl: Declaration,
    copy: CopyFrame,
    conditionUnknown: string | undefined,
    order: number,
    failures: ExpressionFailure[]
  ): Instance {
    const { scope, node, pointer, parent } = decl;
    const data: EvalData = { scope, copy, failures };
    const typeValue = scope.evaluateValue(node.type ?? null, joinPointer(pointer, 'type'), data);
    if (typeof typeValue !== 'string' || (!parent && !typeValue.includes('/'))) {
      throw scope.errorAt(
        'type' in node ? joinPointer(pointer, 'type') : pointer,
        'A resource needs a "type" such as "Microsoft.KeyVault/vaults".'
      );
    }
    let type = typeValue;
    let name = scope.evaluateValue(node.name ?? null, joinPointer(pointer, 'name'), data);
    if (name === null) throw scope.errorAt(pointer, `The resource of type '${type}' needs a "name".`);
    if (typeof name !== 'string' && !isUnknown(name)) {
      throw scope.errorAt(
        joinPointer(pointer, 'name'),
        `A resource name must be a string, not ${JSON.stringify(name)}.`
      );
    }
    let nameText = valueText(name, node.name);
    if (parent) {
      // A child's type is given relative to its parent (`subnets`), or in full: with the parent's
      // type in front, or as a type of another provider (`Microsoft.OperationsManagement/solutions`
      // inside a Log Analytics workspace, as public quickstarts declare solutions), which ARM
      // deploys as that type, not as a child of the parent.
      const givenInFull = foldCase(type).startsWith(foldCase(parent.type) + '/') || /^[^/]*\.[^/]*\/[^/]/.test(type);
      if (!givenInFull) {
        type = `${parent.type}/${type}`;
        nameText = `${parent.nameText}/${nameText}`;
        if (typeof parent.name === 'string' && typeof name === 'string') name = `${parent.name}/${name}`;
        else if (isUnknown(name) || isUnknown(parent.name)) {
          const unknown = (isUnknown(name) ? name : parent.name) as Unknown;
          name = new Unknown(
            unknown.reason,
            `${isUnknown(parent.name) ? parent.name.key : parent.name}/${isUnknown(name) ? name.key : name}`
          );
        }
      }
    }
    const id = this.resourceIdOf(decl, data, type, name, nameText);
    return {
      decl,
      copy,
      type,
      name,
      nameText,
      id,
      existing: node.existing === true,
      conditionUnknown,
      deps: new Set(),
      order,
      failures
    };
  }

  private resourceIdOf(decl: Declaration, data: EvalData, type: string, name: Value, nameText: string): string {
    const { scope, node, pointer } = decl;
    const target = this.declaredTarget(decl, data);
    let prefix = scopePrefix(target);
    if ('scope' in node) {
      const scopeValue = scope.evaluateValue(node.scope!, joinPointer(pointer, 'scope'), data);
      const text = valueText(scopeValue, node.scope);
      noteNamedManagementGroup(this.expansion, text, true);
      prefix = text.startsWith('/') ? text.replace(/\/+$/, '') : `${scopePrefix(target)}/providers/${text}`;
    }
    if (foldCase(type) === 'microsoft.resources/resourcegroups' && !('scope' in node)) {
      return `/subscriptions/${target.subscriptionId}/resourceGroups/${nameText}`;
    }
    if (typeof name !== 'string') return `${prefix}/providers/${type}/${nameText}`;
    const path = interleave(type, [nameText]);
    if (path === null) {
      throw scope.errorAt(
        joinPointer(pointer, 'name'),
        `The resource '${nameText}' of type '${type}' has incorrect segment lengths: a resource of this type needs ${
          type.split('/').length - 1
        } name segment(s) separated by '/'.`
      );
    }
    return `${prefix}/providers/${path}`;
  }

  private resolveDependencies(scope: TemplateScope, instances: Instance[]): void {
    const bySymbol = new Map<string, Instance[]>();
    const byLoop = new Map<string, Instance[]>();
    for (const instance of instances) {
      const symbol = instance.decl.symbol === undefined ? undefined : foldCase(instance.decl.symbol);
      if (symbol) {
        const same = bySymbol.get(symbol);
        if (same) same.push(instance);
        else bySymbol.set(symbol, [instance]);
      }
      const copy = instance.decl.node.copy;
      if (isObject(copy) && typeof copy.name === 'string') {
        const loop = foldCase(copy.name);
        const same = byLoop.get(loop);
        if (same) same.push(instance);
        else byLoop.set(loop, [instance]);
      }
    }
    // Instances by the last segment of their id (lower case) and by their name (lower case): an id
    // that is the entry or ends with it ends with the entry's last segment.
    let index: { ids: string[]; byLast: Map<string, number[]>; byName: Map<string, number[]> } | undefined;
    const add = (map: Map<string, number[]>, key: string, i: number) => {
      const list = map.get(key);
      if (list) list.push(i);
      else map.set(key, [i]);
    };
    const named = (lower: string): Instance[] => {
      if (!index) {
        index = { ids: [], byLast: new Map(), byName: new Map() };
        for (let i = 0; i < instances.length; i++) {
          const id = foldCase(instances[i].id);
          index.ids.push(id);
          add(index.byLast, id.slice(id.lastIndexOf('/') + 1), i);
          add(index.byName, foldCase(instances[i].nameText), i);
        }
      }
      const bare = '/' + lower.replace(/^\/+/, '');
      const found = new Set<number>();
      for (const i of index.byLast.get(lower.slice(lower.lastIndexOf('/') + 1)) ?? []) {
        if (index.ids[i] === lower || index.ids[i].endsWith(bare)) found.add(i);
      }
      for (const i of index.byName.get(lower) ?? []) found.add(i);
      return [...found].sort((a, b) => a - b).map(i => instances[i]);
    };
    for (const instance of instances) {
      if (instance.decl.parent && !instance.decl.parent.skipped) instance.deps.add(instance.decl.parent);
      const dependsOn = instance.decl.node.dependsOn;
      if (dependsOn === undefined) continue;
      const pointer = joinPointer(instance.decl.pointer, 'dependsOn');
      const value = scope.evaluateValue(dependsOn, pointer, {
        scope,
        copy: instance.copy,
        failures: instance.failures
      });
      if (!Array.isArray(value)) continue;
      for (const entry of value) {
        if (typeof entry !== 'string') continue;
        const lower = foldCase(entry);
        const matches = bySymbol.get(lower) ?? byLoop.get(lower) ?? named(lower);
        for (const match of matches) if (match !== instance) instance.deps.add(match);
      }
    }
    this.resolveImplicitDependencies(scope, instances, bySymbol);
  }

  /**
   * The dependencies `reference()`, `references()` and `list*()` make (implicitDependencies.ts): on a resource of
   * this template named by its name (its symbolic name for reference() and references() in a template with
   * symbolic names), never by its id. A name that more than one resource of the template has orders nothing.
   */
  private resolveImplicitDependencies(
    scope: TemplateScope,
    instances: Instance[],
    bySymbol: Map<string, Instance[]>
  ): void {
    const symbolic = !Array.isArray(scope.template.resources);
    let byName: Map<string, Instance[]> | undefined;
    const named = (lower: string): Instance[] => {
      if (lower.startsWith('/')) return [];
      if (!byName) {
        byName = new Map();
        for (const instance of instances) {
          const key = foldCase(instance.nameText);
          const same = byName.get(key);
          if (same) same.push(instance);
          else byName.set(key, [instance]);
        }
      }
      const found = byName.get(lower) ?? [];
      return new Set(found.map(i => foldCase(i.id))).size === 1 ? found : [];
    };
    const bySymbolicName = (target: string, collection: boolean): Instance[] => {
      const written = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(target);
      if (!written) return [];
      const found = bySymbol.get(foldCase(written[1])) ?? [];
      const loop = found.length > 0 && isObject(found[0].decl.node.copy);
      if (collection) return written[2] === undefined ? found : [];
      if (written[2] === undefined) return loop ? [] : found;
      return loop ? found.filter(i => i.copy.current === Number(written[2])) : [];
    };
    for (const instance of instances) {
      if (instance.existing) continue;
      const sites = (instance.decl.references ??= referenceSites(
        instance.decl.node,
        foldCase(instance.type) === DEPLOYMENTS_TYPE
      ));
      if (sites.length === 0) continue;
      const ctx = scope.context({ copy: instance.copy, failures: [] });
      for (const site of sites) {
        const target = siteTarget(site, ctx);
        if (target === undefined) continue;
        const lower = foldCase(target);
        const matches =
          site.kind === 'list'
            ? named(lower)
            : symbolic
              ? bySymbolicName(target, site.kind === 'references')
              : site.kind === 'reference'
                ? named(lower)
                : [];
        for (const match of matches) {
          if (match === instance || instance.deps.has(match)) continue;
          instance.deps.add(match);
          (instance.implicitDeps ??= new Set()).add(match);
        }
      }
    }
  }

  /** A topological order that keeps declaration order where dependencies allow. */
  private deploymentOrder(scope: TemplateScope, instances: Instance[]): Instance[] {
    const remaining = new Set(instances);
    const waiting = [...instances].sort((a, b) => a.order - b.order);
    const ordered: Instance[] = [];
    const ready = (instance: Instance): boolean => {
      for (const dependency of instance.deps) if (remaining.has(dependency)) return false;
      return true;
    };
    while (remaining.size > 0) {
      let progressed = false;
      // The first ready instance in declaration order, each time.
      for (let i = 0; i < waiting.length; i++) {
        const instance = waiting[i];
        if (ready(instance)) {
          remaining.delete(instance);
          waiting.splice(i, 1);
          ordered.push(instance);
          progressed = true;
          break;
        }
      }
      if (!progressed) {
        const cycle = findCycle([...remaining]);
        const first = cycle[0];
        const implicit = cycle.some((instance, i) => instance.implicitDeps?.has(cycle[(i + 1) % cycle.length]));
        throw scope.errorAt(
          joinPointer(first.decl.pointer, 'dependsOn' in first.decl.node ? 'dependsOn' : 'properties'),
          `Circular dependency between resources: ${cycle
            .concat(first)
            .map(i => `'${i.nameText}'`)
            .join(' -> ')}; remove one of these ${
            implicit
              ? 'dependencies (a dependsOn entry, or a reference() or list*() call that names the resource)'
              : 'dependsOn entries'
          }.`
        );
      }
    }
    return ordered;
  }

  private buildResource(instance: Instance): Emitted {
    const { decl } = instance;
    const { scope, node, pointer } = decl;
    const data: EvalData = { scope, copy: instance.copy, failures: instance.failures };
    // Positions by output pointer (lower case), recorded as values are written, for the members
    // whose output pointers differ from their source pointers (copy arrays, expression keys). The
    // others, nearly all, are found when a finding asks (`writtenAt`).
    let positions: Map<string, SourcePosition> | undefined;
    const sink: PositionSink = (out, position) => {
      if (position) (positions ??= new Map()).set(foldCase(out), position);
    };
    if (decl.declaredAt === undefined) decl.declaredAt = scope.positionOf(pointer);
    const declaredAt = decl.declaredAt;
    const json: { [key: string]: Value } = { name: instance.name, type: instance.type };
    const recordAll = this.expansion.recordAllPositions === true;
    if (recordAll) {
      sink('', declaredAt);
      sink('/name', scope.positionOf(joinPointer(pointer, 'name')));
      sink('/type', scope.positionOf(joinPointer(pointer, 'type')));
    }
    const { members, plain, metadataKey } = (decl.body ??= bodyPlan(node, pointer, recordAll));
    for (const { key, value, source, out, record } of members)
      setOwn(json, key, scope.evaluateValue(value, source, data, record ? sink : undefined, out));
    dropNullMembers(json);
    for (const key of Object.keys(json)) setOwn(json, key, hideTemplateUris(json[key], scope.uri));
    if (!instance.existing) addIdentityUnknowns(json, instance.id);
    this.reportFailures(instance.failures, !instance.conditionUnknown && !instance.existing);
    const resource: Resource = {
      id: instance.id,
      type: policyResourceType(instance.type),
      name: instance.nameText,
      json,
      source: declaredAt,
      positionOf: (target: string) => {
        const lower = foldCase(target);
        // Without positions of its own, an instance's answers are its declaration's: found once.
        const shared = positions === undefined && !recordAll ? (decl.found ??= new Map()) : undefined;
        const known = shared?.get(lower);
        if (known !== undefined) return known;
        let answer: SourcePosition | null = writtenAt(scope, pointer, plain, lower);
        for (let p: string | null = lower; answer === null && p !== null; p = parentPointer(p)) {
          // `name` and `type` are written first, from the declaration's own.
          const at = recordAll
            ? positions?.get(p)
            : p === '/name' || p === '/type'
              ? scope.positionOf(pointer + p)
              : p === ''
                ? declaredAt
                : positions?.get(p);
          if (at) answer = at;
        }
        shared?.set(lower, answer);
        return answer;
      },
      origin: 'template'
    };
    if (typeof node.apiVersion === 'string') resource.apiVersion = node.apiVersion;
    const metadata = metadataKey === undefined ? undefined : node[metadataKey];
    if (metadataKey !== undefined && isObject(metadata)) {
      const metadataPointer = joinPointer(pointer, metadataKey);
      resource.metadata = {
        value: metadata,
        positionOf: (target: string) => scope.positionOf(metadataPointer + target)
      };
    }
    if (instance.conditionUnknown) resource.conditionUnknown = instance.conditionUnknown;
    if (instance.existing) resource.existing = true;
    return { resource, idKnown: typeof instance.name === 'string' && !instance.id.includes('[') };
  }

  private expandDeployment(instance: Instance): Emitted[] {
    const { decl } = instance;
    const { scope: parent, node, pointer } = decl;
    const data: EvalData = { scope: parent, copy: instance.copy, failures: instance.failures };
    const propsPointer = joinPointer(pointer, 'properties');
    const props = isObject(node.properties) ? (node.properties as { [key: string]: Json }) : {};
    const options = isObject(props.expressionEvaluationOptions)
      ? (props.expressionEvaluationOptions as { [key: string]: Json })
      : {};
    const scopeMode =
      typeof options.scope === 'string'
        ? foldCase(
            String(
              parent.evaluateString(
                options.scope,
                joinPointer(propsPointer, 'expressionEvaluationOptions', 'scope'),
                data
              )
            )
          )
        : 'outer';
    const target = this.nestedTarget(instance, data);
    const childPath = parent.path ? `${parent.path}/${instance.nameText}` : instance.nameText;

    let doc: PositionedJson = parent.doc;
    let base = joinPointer(propsPointer, 'template');
    let template: { [key: string]: Json };
    let linked = false;
    let computed = false;
    if (isObject(props.template)) {
      template = props.template as { [key: string]: Json };
    } else if (typeof props.template === 'string' && isExpression(props.template)) {
      // Bicep writes a module loaded with loadJsonContent() as `"template": "[variables('$fxv#0')]"`,
      // the variable holding the template with its expressions escaped (`[[parameters('x')]`).
      // Its value is computed in the parent, whatever the evaluation scope, and then deployed as a
      // template of its own: its (unescaped) expressions read the parameters the deployment passes.
      const given = this.templateFromExpression(instance, props.template, propsPointer, data);
      if (typeof given === 'string') return [this.unresolvedDeployment(instance, given, propsPointer)];
      ({ doc, base, template } = given);
      computed = true;
    } else {
      const found = this.linkedTemplate(instance, props, propsPointer, data);
      if (typeof found === 'string') return [this.unresolvedDeployment(instance, found, propsPointer)];
      doc = found;
      template = doc.value as { [key: string]: Json };
      base = '';
      linked = true;
    }

    const inner = linked || computed || scopeMode === 'inner';
    let child: TemplateScope;
    if (inner) {
      const { supplied, unknown } = this.passedParameters(instance, props, propsPointer, data);
      child = new TemplateScope({
        doc,
        base,
        template,
        target,
        supplied,
        suppliedUnknown: unknown,
        expansion: this.expansion,
        path: childPath,
        fileChain: linked ? [...parent.fileChain, doc.file] : parent.fileChain,
        uri: linked ? templateUri(doc.file, this.expansion.uriRoot) : parent.uri,
        // An inline template inside an outer-scope one was evaluated with it, by the template that
        // evaluates that one (see PreEvaluation); a linked or computed template is text of its own.
        preEvaluation:
          linked || computed
            ? undefined
            : parent.outer
              ? { scope: parent.evaluatedIn, copy: instance.copy }
              : parent.preEvaluation,
        makeLibrary: templateLibrary
      });
      try {
        child.resolveAllParameters();
      } catch (error) {
        // A value the nested template refuses (null for a plain string, a string too long) fails
        // that deployment, not the parent's others: ARM validates a nested deployment's parameters
        // when it runs it. It is the template's error when the deployment runs for certain.
        if (!(error instanceof TemplateError)) throw error;
        if (instance.conditionUnknown === undefined) this.expansion.errors.push(error);
        return [
          this.unresolvedDeployment(
            instance,
            `its template refuses the parameters it is given: ${error.message.replace(/\.$/, '')}`,
            propsPointer
          )
        ];
      }
    } else {
      child = new TemplateScope({
        doc,
        base,
        template,
        target,
        supplied: new Map(),
        expansion: this.expansion,
        outer: parent,
        path: childPath,
        fileChain: parent.fileChain,
        makeLibrary: templateLibrary
      });
    }
    const emitted = this.expandScope(child, {
      copy: inner ? NO_COPY : instance.copy,
      conditionUnknown: instance.conditionUnknown
    });
    this.reportFailures(instance.failures, !instance.conditionUnknown);
    this.recordOutputs(instance, child);
    return emitted;
  }

  /**
   * The template a deployment links to with `templateLink` (`relativePath`, or a `uri` that lands in
   * the repository: see templateLink.ts), read and parsed; or, when it cannot be read offline, why.
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates
   */
  private linkedTemplate(
    instance: Instance,
    props: { [key: string]: Json },
    propsPointer: string,
    data: EvalData
  ): PositionedJson | string {
    const parent = instance.decl.scope;
    const linkPointer = joinPointer(propsPointer, 'templateLink');
    if (!isObject(props.templateLink)) return 'it has neither an inline "template" nor a "templateLink"';
    const link = props.templateLink as { [key: string]: Json };
    const linkKey = (name: string) => findKey(link as { [key: string]: Value }, name);
    let file: string;
    let written: string;
    let fieldPointer: string;
    const relativeKey = linkKey('relativePath');
    const uriKey = linkKey('uri');
    if (relativeKey !== undefined || uriKey !== undefined) {
      const key = (relativeKey ?? uriKey)!;
      fieldPointer = joinPointer(linkPointer, key);
      const value = parent.evaluateValue(link[key], fieldPointer, data);
      if (isUnknown(value))
        return `the location of its linked template is not known before deployment (${value.reason})`;
      if (typeof value !== 'string' || value === '') {
        throw parent.errorAt(
          fieldPointer,
          `"templateLink.${key}" must be a non-empty string, not ${JSON.stringify(value)}.`
        );
      }
      written = value;
      // relativePath: "the child deployment URI is a combination of the parent and relativePath".
      // A lone surrogate names the file U+FFFD does, as URIs encode it and the file system reads it.
      const target =
        relativeKey !== undefined
          ? relativeLinkTarget(wellFormed(value), parent.uri, this.expansion.uriRoot, parent.file)
          : linkTarget(value, parent.uri, this.expansion.uriRoot);
      if (target.kind === 'remote') {
        return `its linked template ${value} is not fetched (cmk-guard reads no network; link it with relativePath, or with a URI beside the template such as uri(deployment().properties.templateLink.uri, 'nested/x.json'), to have it checked)`;
      }
      if (target.kind === 'outside' && target.file === undefined)
        throw aboveRepository('the linked template', target.shown, parent.positionOf(fieldPointer) ?? undefined);
      file = target.file!;
    } else if (linkKey('id') !== undefined) {
      const id = parent.evaluateValue(link[linkKey('id')!], joinPointer(linkPointer, linkKey('id')!), data);
      return `it deploys the template spec ${isUnknown(id) ? id.reason : String(id)}, which is not fetched`;
    } else {
      return 'its "templateLink" has no "uri", "relativePath" or "id"';
    }
    if (parent.fileChain.includes(file)) {
      throw parent.errorAt(
        fieldPointer,
        `The linked template '${written}' links back to itself (${[...parent.fileChain, file].map(f => path.basename(f)).join(' -> ')}).`
      );
    }
    confine(
      file,
      this.expansion.boundary ?? path.dirname(parent.fileChain[0]),
      'the linked template',
      parent.positionOf(fieldPointer) ?? undefined
    );
    this.expansion.linkedFiles?.add(file);
    let text: string;
    try {
      text = readTextFile(file);
    } catch (error) {
      // The link is what to fix, at its line: ARM fails the deployment when the template is not there.
      if (!fs.existsSync(file)) {
        const where = path.relative(this.expansion.boundary ?? path.dirname(parent.fileChain[0]), file);
        throw parent.errorAt(
          fieldPointer,
          `The linked template '${written}'${where === written ? '' : ` (${where} in the repository)`} does not exist; ARM fails the deployment when it cannot fetch it. Correct the link, or add the file.`
        );
      }
      throw error;
    }
    const doc = parseJsonWithPositions(text, file);
    if (!isObject(doc.value))
      throw new TemplateError('A linked template must be a JSON object.', { file, line: 1, column: 1 });
    refuseCaseCollision(doc);
    // "If you provide a value for content version, it must match the version in the linked template;
    // otherwise, the deployment fails with an error."
    const versionKey = linkKey('contentVersion');
    if (versionKey !== undefined) {
      const wanted = parent.evaluateValue(link[versionKey], joinPointer(linkPointer, versionKey), data);
      const actual = (doc.value as { [key: string]: Json }).contentVersion;
      if (typeof wanted === 'string' && typeof actual === 'string' && wanted !== actual) {
        throw parent.errorAt(
          joinPointer(linkPointer, versionKey),
          `The linked template ${path.basename(file)} has contentVersion '${actual}', not '${wanted}'; ARM fails the deployment. Make them match, or leave contentVersion out of templateLink.`
        );
      }
    }
    return doc;
  }

  /**
   * A deployment whose template cannot be read offline stands for what it deploys: every
   * definition's verdict on it is indeterminate, saying why (see Resource.unresolved).
   */
  private unresolvedDeployment(instance: Instance, reason: string, propsPointer: string): Emitted {
    const { scope } = instance.decl;
    const at = scope.positionOf(joinPointer(propsPointer, 'templateLink')) ?? scope.positionOf(instance.decl.pointer);
    this.expansion.notes.push(
      `${scope.file}:${at?.line ?? 1}: what deployment '${instance.nameText}' deploys is not checked: ${reason}.`
    );
    this.reportFailures(instance.failures, !instance.conditionUnknown);
    const resource: Resource = {
      id: instance.id,
      type: instance.type,
      name: instance.nameText,
      json: { name: instance.name, type: instance.type },
      source: at,
      origin: 'template',
      unresolved: `what deployment '${instance.nameText}' deploys is not known: ${reason}`
    };
    if (instance.conditionUnknown) resource.conditionUnknown = instance.conditionUnknown;
    return { resource, idKnown: false };
  }

  /**
   * Where a nested deployment runs: as `declaredTarget` says, or where its `scope` sends it. A deployment
   * scoped to `Microsoft.Management/managementGroups/<name>` runs in that management group (Bicep writes a
   * module with `scope: managementGroup('<name>')` so), and one scoped to `/` runs at the tenant; its
   * deployment().location is its own `location`.
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-management-group#management-group
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-management-group#tenant
   */
  private nestedTarget(instance: Instance, data: EvalData): DeploymentTarget {
    const target: DeploymentTarget = { ...this.declaredTarget(instance.decl, data), deploymentName: instance.nameText };
    const { scope, node, pointer } = instance.decl;
    if (!('scope' in node)) return target;
    const value = scope.evaluateValue(node.scope!, joinPointer(pointer, 'scope'), data);
    if (typeof value !== 'string') return target;
    const managementGroup = /^\/?(?:providers\/)?Microsoft\.Management\/managementGroups\/([^/]+)\/?$/i.exec(value);
    if (managementGroup) {
      noteNamedManagementGroup(this.expansion, managementGroup[1]);
      target.level = 'managementGroup';
      target.managementGroup = managementGroup[1];
    } else if (value === '/') {
      target.level = 'tenant';
    } else {
      return target;
    }
    if (target.locationFixed !== true) {
      const location =
        'location' in node ? scope.evaluateValue(node.location!, joinPointer(pointer, 'location'), data) : undefined;
      target.location = typeof location === 'string' ? location : undefined;
    }
    return target;
  }

  /**
   * Where a resource declaration lives: its template's deployment, or the subscription and
   * resource group its `subscriptionId` and `resourceGroup` properties name. A nested
   * deployment uses them to deploy elsewhere, and with languageVersion 2.0 an `existing`
   * resource uses them to name a resource in another group or subscription (as Bicep writes
   * `existing` with a `scope:`), so `reference('symbol')` and `reference(resourceId(sub, rg, …))`
   * mean the same resource.
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-to-resource-group#cross-resource-groups
   */
  private declaredTarget(decl: Declaration, data: EvalData): DeploymentTarget {
    const { scope, node, pointer } = decl;
    const target: DeploymentTarget = { ...scope.target };
    const read = (key: string): string | undefined => {
      if (!(key in node)) return undefined;
      const value = scope.evaluateValue(node[key], joinPointer(pointer, key), data);
      return typeof value === 'string' ? value : valueText(value, node[key]);
    };
    const subscriptionId = read('subscriptionId');
    const resourceGroup = read('resourceGroup');
    const sameGroup =
      resourceGroup !== undefined &&
      (subscriptionId === undefined || foldCase(subscriptionId) === foldCase(scope.target.subscriptionId)) &&
      foldCase(resourceGroup) === foldCase(scope.target.resourceGroup);
    if (subscriptionId !== undefined) target.subscriptionId = subscriptionId;
    const locationFixed = target.locationFixed === true;
    if (resourceGroup !== undefined) {
      noteNamedGroup(this.expansion, target.subscriptionId, resourceGroup);
      // Another group's location is not the parent's.
      if (!locationFixed && (!sameGroup || scope.target.level !== 'resourceGroup')) target.location = undefined;
      target.resourceGroup = resourceGroup;
      target.level = 'resourceGroup';
    } else if (subscriptionId !== undefined && 'location' in node && foldCase(String(node.type)) === DEPLOYMENTS_TYPE) {
      target.level = 'subscription';
      // deployment().location of a subscription-level nested deployment is its own `location`.
      if (!locationFixed) {
        const location = scope.evaluateValue(node.location!, joinPointer(pointer, 'location'), data);
        target.location = typeof location === 'string' ? location : undefined;
      }
    }
    return target;
  }

  /**
   * The values a nested deployment passes to its template's parameters, evaluated in the parent.
   * `properties.parameters` "can be a JObject or a well formed JSON string"
   * (https://learn.microsoft.com/javascript/api/@azure/arm-resources/deploymentproperties), and so
   * the result of one expression; each entry is `{"value": …}`, `{"reference": …}` (a Key Vault
   * secret), or one expression giving either (Bicep writes an optional module parameter as
   * `[if(cond, createObject('value', x), createObject('value', y))]`). When the whole object
   * cannot be known before deployment, neither can any parameter it would set: `unknown` says so.
   */
  private passedParameters(
    instance: Instance,
    props: { [key: string]: Json },
    propsPointer: string,
    data: EvalData
  ): { supplied: Map<string, SuppliedParameter>; unknown?: Unknown } {
    const { scope } = instance.decl;
    const supplied = new Map<string, SuppliedParameter>();
    const paramsPointer = joinPointer(propsPointer, 'parameters');
    const origin = `deployment '${instance.nameText}'`;
    const linkKey = findKey(props as { [key: string]: Value }, 'parametersLink');
    if (linkKey !== undefined) return this.linkedParameters(instance, props, propsPointer, linkKey, data);
    const whole = typeof props.parameters === 'string';
    let params: Value = null;
    if (whole) params = parsedJsonText(scope.evaluateValue(props.parameters!, paramsPointer, data));
    else if (isObject(props.parameters)) params = props.parameters as { [key: string]: Value };
    if (isUnknown(params)) {
      return {
        supplied,
        unknown: new Unknown(`the parameters ${origin} passes (${params.reason})`, `parameters:${params.key}`)
      };
    }
    if (params === null || params === undefined) return { supplied };
    if (!isObject(params)) {
      throw scope.errorAt(
        paramsPointer,
        `The "parameters" of deployment '${instance.nameText}' must be an object of {"value": …} entries, not ${JSON.stringify(params)}.`
      );
    }
    for (const [name, raw] of Object.entries(params)) {
      const entryPointer = joinPointer(paramsPointer, name);
      const computed = whole || typeof raw === 'string';
      const failures: ExpressionFailure[] = whole ? [...(data.failures ?? [])] : [];
      const entryData: EvalData = { ...data, failures };
      // Bicep writes a parameter given by a `for` expression as a property loop that makes the entry's
      // "value": {"copy": [{"name": "value", "count": …, "input": …}]}; evaluated, it is {"value": [...]}.
      const object = !whole && isObject(raw) ? (raw as { [key: string]: Value }) : undefined;
      const copyKey = object && findKey(object, 'value') === undefined ? findKey(object, 'copy') : undefined;
      const loopEntry = copyKey !== undefined && Array.isArray(object![copyKey]);
      const entry =
        (typeof raw === 'string' && !whole) || loopEntry
          ? scope.evaluateValue(raw as Json, entryPointer, entryData)
          : raw;
      let value: Value;
      if (isUnknown(entry)) {
        // The entry is {"value": …} once known; its value is what cannot be known.
        value = new Unknown(entry.reason, `${entry.key}.value`);
      } else if (isObject(entry) && findKey(entry, 'value') !== undefined) {
        const key = findKey(entry, 'value')!;
        value =
          computed || loopEntry
            ? entry[key]
            : scope.evaluateValue(entry[key] as Json, joinPointer(entryPointer, key), entryData);
      } else if (isObject(entry) && findKey(entry, 'reference') !== undefined) {
        value = new Unknown(
          `a Key Vault secret passed to parameter '${name}'`,
          `keyvault-secret:${instance.nameText}/${name}`
        );
      } else {
        throw scope.errorAt(
          entryPointer,
          `The parameter '${name}' passed to deployment '${instance.nameText}' needs a "value" (or a Key Vault "reference"), as {"value": …}.`
        );
      }
      supplied.set(foldCase(name), {
        name,
        value,
        position: scope.positionOf(joinPointer(entryPointer, 'value')) ?? scope.positionOf(entryPointer),
        origin,
        failures
      });
      collectFailures(data.failures, failures);
    }
    return { supplied };
  }

  /**
   * A parameter file a deployment links to with `parametersLink.uri`: read when it is beside the
   * template in the repository (see templateLink.ts), else every parameter is unknown. "You can't
   * use both inline parameters and a link to a parameter file. The deployment fails with an error
   * when both parametersLink and parameters are specified."
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates#parameters-for-linked-template
   */
  private linkedParameters(
    instance: Instance,
    props: { [key: string]: Json },
    propsPointer: string,
    linkKey: string,
    data: EvalData
  ): { supplied: Map<string, SuppliedParameter>; unknown?: Unknown } {
    const { scope } = instance.decl;
    const linkPointer = joinPointer(propsPointer, linkKey);
    if (props.parameters !== undefined) {
      throw scope.errorAt(
        linkPointer,
        `Deployment '${instance.nameText}' gives both "parameters" and "parametersLink"; ARM fails the deployment. Keep one.`
      );
    }
    const link = isObject(props[linkKey]) ? (props[linkKey] as { [key: string]: Json }) : {};
    const uriKey = findKey(link as { [key: string]: Value }, 'uri') ?? 'uri';
    const uri = scope.evaluateValue(link[uriKey] ?? null, joinPointer(linkPointer, uriKey), data);
    const unknown = (why: string) => ({
      supplied: new Map<string, SuppliedParameter>(),
      unknown: new Unknown(
        `the parameters deployment '${instance.nameText}' links to (${why})`,
        `parameterslink:${foldCase(instance.id)}`
      )
    });
    if (isUnknown(uri)) return unknown(uri.reason);
    if (typeof uri !== 'string' || uri === '') {
      throw scope.errorAt(linkPointer, `"parametersLink" needs a "uri" naming the parameter file.`);
    }
    const target = linkTarget(uri, scope.uri, this.expansion.uriRoot);
    if (target.kind === 'remote') return unknown(`${uri}, not fetched: cmk-guard reads no network`);
    if (target.kind === 'outside')
      throw aboveRepository('the linked parameter file', target.shown, scope.positionOf(linkPointer) ?? undefined);
    confine(
      target.file,
      this.expansion.boundary ?? path.dirname(scope.fileChain[0]),
      'the linked parameter file',
      scope.positionOf(linkPointer) ?? undefined
    );
    this.expansion.linkedFiles?.add(target.file);
    return { supplied: loadParameterFile(target.file) };
  }

  /**
   * A nested deployment's `template` given as an expression: its value, with positions in the
   * variable it names when it is `[variables('x')]` (each value where the variable writes it), or
   * at the `template` property otherwise. A string says why it cannot be known before deployment.
   */
  private templateFromExpression(
    instance: Instance,
    text: string,
    propsPointer: string,
    data: EvalData
  ): { doc: PositionedJson; base: string; template: { [key: string]: Json } } | string {
    const parent = instance.decl.scope;
    const pointer = joinPointer(propsPointer, 'template');
    const value = parent.evaluateValue(text, pointer, data);
    if (!isObject(value) || containsUnknown(value)) {
      const unknown = isUnknown(value) ? value : findUnknown(value);
      return unknown
        ? `its template is given by an expression that is unknown before deployment (${unknown.reason})`
        : `its template is given by an expression whose value is not a template object`;
    }
    const template = value as { [key: string]: Json };
    const variable = /^\[\s*variables\(\s*'([^']*)'\s*\)\s*\]$/i.exec(text);
    const variables = parent.template.variables;
    if (variable && isObject(variables)) {
      const name = Object.keys(variables as object).find(key => foldCase(key) === foldCase(variable[1]));
      if (name !== undefined && isObject((variables as { [key: string]: Json })[name])) {
        return { doc: parent.doc, base: joinPointer(parent.base, 'variables', name), template };
      }
    }
    const at = parent.positionOf(pointer);
    const doc: PositionedJson = {
      value: template,
      file: parent.file,
      positionOf: () => at,
      valuePositionOf: () => at
    };
    return { doc, base: '', template };
  }

  /**
   * Evaluates a nested deployment's outputs so `reference(<deployment>).outputs.x.value` can use them.
   * ARM evaluates outputs when the deployment ends and fails it when one cannot be: what is invalid
   * whatever the values, or fails with the values given, is the template's error when the deployment
   * deploys for certain (see `checkOutputs`).
   */
  private recordOutputs(instance: Instance, child: TemplateScope): void {
    const certain = instance.conditionUnknown === undefined;
    const evaluated = this.evaluateOutputs(
      child,
      certain,
      name =>
        new Unknown(`output '${name}' of deployment '${instance.nameText}'`, `output:${foldCase(instance.id)}/${name}`)
    );
    if (!evaluated) return;
    this.expansion.deploymentOutputs.set(foldCase(instance.id), evaluated.result);
    this.expansion.outputFailures.set(foldCase(instance.id), evaluated.failures);
  }

  /**
   * The outputs of the template deployed, evaluated as ARM evaluates them after the deployment: an
   * output that ARM cannot evaluate (a function that does not exist, a wrong number of arguments, a
   * value that fails with the values given) fails the deployment, so it is the template's error at
   * its line. What only the deployment knows (`reference()`, `listKeys()`, a parameter without a
   * value) is unknown, never an error.
   * https://learn.microsoft.com/azure/azure-resource-manager/templates/outputs
   */
  checkOutputs(scope: TemplateScope): void {
    this.evaluateOutputs(scope, true, name => new Unknown(`output '${name}'`, `output:/${name}`));
  }

  private evaluateOutputs(
    scope: TemplateScope,
    certain: boolean,
    unknownOutput: (name: string) => Unknown
  ): { result: { [key: string]: Value }; failures: ExpressionFailure[] } | undefined {
    const outputs = scope.template.outputs;
    if (!isObject(outputs)) return undefined;
    const result: { [key: string]: Value } = {};
    const outputsPointer = joinPointer(scope.base, 'outputs');
    const failures: ExpressionFailure[] = [];
    for (const [name, output] of Object.entries(outputs as { [key: string]: Json })) {
      if (!isObject(output)) continue;
      const o = output as { [key: string]: Json };
      const outputPointer = joinPointer(outputsPointer, name);
      const data: EvalData = { scope, copy: NO_COPY, failures: [] };
      let deployed = certain;
      try {
        if ('condition' in o) {
          const condition = scope.evaluateValue(o.condition!, joinPointer(outputPointer, 'condition'), data);
          if (condition === false) continue;
          if (condition !== true) deployed = false;
        }
        let value: Value;
        if (isObject(o.copy)) {
          const copy = o.copy as { [key: string]: Json };
          value = scope.copyArray(
            name,
            copy.count ?? 0,
            copy.input ?? null,
            joinPointer(outputPointer, 'copy'),
            data,
            undefined,
            '',
            true
          );
        } else {
          value = scope.evaluateValue(o.value ?? null, joinPointer(outputPointer, 'value'), data);
        }
        const mismatch = checkOutputValue(name, o, value, scope.types());
        if (mismatch) this.outputMismatch(scope.errorAt(outputPointer, `${mismatch} ${OUTPUT_FAILS}`), deployed);
        setOwn(result, name, { type: (o.type as Value) ?? 'object', value });
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        if (deployed) this.expansion.errors.push(error);
        setOwn(result, name, { type: (o.type as Value) ?? 'object', value: unknownOutput(name) });
      }
      this.reportFailures(data.failures!, deployed, `ARM fails the deployment when it evaluates the output '${name}'.`);
      failures.push(...data.failures!);
    }
    return { result, failures };
  }

  /** An output whose value is not of its type: the template's error when it is deployed for certain, else a note. */
  private outputMismatch(error: TemplateError, deployed: boolean): void {
    if (deployed) {
      this.expansion.errors.push(error);
      return;
    }
    const note = `${error.location?.file}:${error.location?.line ?? 1}: ${error.message.replace(/\.$/, '')}, if it is deployed.`;
    if (!this.expansion.notes.includes(note)) this.expansion.notes.push(note);
  }
}

/** What follows from an output that is not of its type. */
const OUTPUT_FAILS = 'ARM fails the deployment when it evaluates the outputs (DeploymentOutputEvaluationFailed).';

/**
 * A languageVersion 2.0 resource that a Bicep extension deploys (Microsoft Graph, Kubernetes…):
 * it names its extension with `extension` (older Bicep: `import`) and has a type such as
 * `Microsoft.Graph/applications@v1.0`, with the version in the type and no ARM name. ARM hands it to
 * the extension; it has no resource id and no Azure Policy evaluation. Null for an ARM resource,
 * which includes one naming an alias of `AzureResourceManager` (Bicep's `az` extension, written as
 * `"extension": "az"` when a template declares it): ARM deploys that itself. An alias the template
 * does not declare is refused, as ARM refuses it, so that no name can hide an Azure resource.
 * https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-extension
 */
function extensionOf(
  scope: TemplateScope,
  node: { [key: string]: Json },
  pointer: string
): { name: string; type: string } | null {
  const key = typeof node.extension === 'string' ? 'extension' : typeof node.import === 'string' ? 'import' : null;
  const type = typeof node.type === 'string' ? node.type : '';
  if (key === null) {
    if (!(type.includes('@') && !type.startsWith('['))) return null;
    return { name: type.slice(0, type.indexOf('/') > 0 ? type.indexOf('/') : type.length), type };
  }
  const alias = node[key] as string;
  const names = declaredExtensionNames(scope, alias);
  if (names.length === 0) {
    throw scope.errorAt(
      joinPointer(pointer, key),
      `The resource names the extension '${alias}', which the template does not declare with its name in "extensions" (or its provider in "imports"); declare it there or remove "${key}".`
    );
  }
  if (names.some(name => foldCase(name) === ARM_EXTENSION)) return null;
  return { name: alias, type };
}

/** Bicep's `az` extension: resources ARM deploys itself (Bicep.Core AzNamespaceType's TemplateExtensionName). */
const ARM_EXTENSION = 'azureresourcemanager';

/**
 * What an extension alias stands for: `extensions.<alias>.name`, or `imports.<alias>.provider` as
 * Bicep wrote it before; aliases compared without case, the template's own first, then its outer one's.
 */
function declaredExtensionNames(scope: TemplateScope, alias: string): string[] {
  const names: string[] = [];
  for (let s: TemplateScope | undefined = scope; s && names.length === 0; s = s.outer) {
    for (const [section, field] of [
      ['extensions', 'name'],
      ['imports', 'provider']
    ] as const) {
      const declared = s.template[section];
      if (!isObject(declared)) continue;
      for (const [name, declaration] of Object.entries(declared as { [key: string]: Json })) {
        if (foldCase(name) !== foldCase(alias) || !isObject(declaration)) continue;
        const value = (declaration as { [key: string]: Json })[field];
        if (typeof value === 'string') names.push(value);
      }
    }
  }
  return names;
}

function findUnknown(value: Value): Unknown | null {
  if (isUnknown(value)) return value;
  if (value === null || typeof value !== 'object') return null;
  for (const member of Array.isArray(value) ? value : Object.values(value)) {
    const found = findUnknown(member);
    if (found) return found;
  }
  return null;
}

function containsUnknown(value: Value): boolean {
  return findUnknown(value) !== null;
}

function bodyPlan(node: { [key: string]: Json }, pointer: string, recordAll: boolean): BodyPlan {
  const members = Object.entries(node).filter(
    ([key]) => !TEMPLATE_ONLY_KEYS.has(foldCase(key)) && !SCOPE_KEYS.has(foldCase(key))
  );
  const plain = new Map<string, [string, Json][]>();
  const recorded = new Set<string>();
  for (const member of members) {
    const out = foldCase(joinPointer('', member[0]));
    if (recordAll || !writtenAsDeclared(member[1])) recorded.add(out);
    const same = plain.get(out);
    if (same) same.push(member);
    else plain.set(out, [member]);
  }
  for (const out of recorded) plain.delete(out);
  return {
    members: members.map(([key, value]) => {
      const out = joinPointer('', key);
      return { key, value, source: joinPointer(pointer, key), out, record: recorded.has(foldCase(out)) };
    }),
    plain,
    metadataKey: Object.keys(node).find(key => foldCase(key) === 'metadata')
  };
}

/**
 * Whether a declared value is written out with the same pointers as in the source: no `copy`
 * array and no expression as a property name anywhere in it (both rename what they write).
 */
function writtenAsDeclared(value: Json): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(writtenAsDeclared);
  for (const key in value) {
    const inner = value[key];
    if (isExpression(key) || (Array.isArray(inner) && foldCase(key) === 'copy') || !writtenAsDeclared(inner))
      return false;
  }
  return true;
}

/**
 * The position of the value a resource's output pointer (lower case) names, or of the nearest
 * enclosing one, among members written out as declared (`plain`, by their output pointer): what
 * recording each value's position as it is written would give, the last value written at the
 * deepest pointer that has one, found only when asked. Null when the pointer is not in them.
 */
function writtenAt(
  scope: TemplateScope,
  declaration: string,
  plain: ReadonlyMap<string, [string, Json][]>,
  lower: string
): SourcePosition | null {
  if (lower.charCodeAt(0) !== 0x2f) return null;
  let slash = lower.indexOf('/', 1);
  const members = plain.get(slash < 0 ? lower : lower.slice(0, slash));
  if (!members) return null;
  let level = members.map(([key, value]) => ({
    value,
    source: joinPointer(declaration, key),
    out: joinPointer('', key)
  }));
  let best: SourcePosition | null = null;
  for (;;) {
    for (let i = level.length - 1; i >= 0; i--) {
      const at = scope.positionOf(level[i].source);
      if (at) {
        best = at;
        break;
      }
    }
    if (slash < 0) return best;
    const end = lower.indexOf('/', slash + 1);
    const prefix = end < 0 ? lower : lower.slice(0, end);
    const next: typeof level = [];
    for (const { value, source, out } of level) {
      if (Array.isArray(value)) {
        value.forEach((item, i) => {
          const itemOut = joinPointer(out, i);
          if (foldCase(itemOut) === prefix) next.push({ value: item, source: joinPointer(source, i), out: itemOut });
        });
      } else if (isObject(value)) {
        for (const [key, inner] of Object.entries(value as { [key: string]: Json })) {
          const memberOut = joinPointer(out, key);
          if (foldCase(memberOut) === prefix)
            next.push({ value: inner, source: joinPointer(source, key), out: memberOut });
        }
      }
    }
    if (next.length === 0) return best;
    level = next;
    slash = end;
  }
}

/**
 * A property whose value is null is left out of the request ARM sends (templates write
 * `json('null')` or a null `if` branch to omit a property).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#if
 */
function dropNullMembers(value: Value): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNullMembers(item);
  } else if (isObject(value)) {
    for (const key in value) {
      if (value[key] === null) delete value[key];
      else dropNullMembers(value[key]);
    }
  }
}

/** A "well formed JSON string" where an object is expected is read as the object it spells. */
function parsedJsonText(value: Value): Value {
  if (typeof value !== 'string') return value;
  try {
    return parseJson(value) as Json;
  } catch {
    return value;
  }
}

function findCycle(instances: Instance[]): Instance[] {
  const inSet = new Set(instances);
  const start = instances[0];
  const seen = new Map<Instance, number>();
  const trail: Instance[] = [];
  let current: Instance | undefined = start;
  while (current && !seen.has(current)) {
    seen.set(current, trail.length);
    trail.push(current);
    current = [...current.deps].find(d => inSet.has(d));
  }
  return current ? trail.slice(seen.get(current)) : [start];
}

/**
 * The principal of a system-assigned identity (and of each user-assigned one) is known only
 * once Azure creates it. It is written as the same unknown that `reference(<id>, …, 'Full')
 * .identity.principalId` gives, so a vault access policy granting that principal is
 * recognisably about this resource.
 */
function addIdentityUnknowns(json: { [key: string]: Value }, id: string): void {
  const identityKey = Object.keys(json).find(k => foldCase(k) === 'identity');
  const identity = identityKey ? json[identityKey] : undefined;
  if (!isObject(identity)) return;
  const type = identity.type;
  if (typeof type === 'string' && foldCase(type).includes('systemassigned') && !('principalId' in identity)) {
    identity.principalId = new Unknown(
      `the principalId of ${id}'s system-assigned identity, known only after deployment`,
      `reference(${foldCase(id)}).identity.principalId`
    );
  }
  const userAssigned = identity.userAssignedIdentities;
  if (isObject(userAssigned)) {
    for (const [uai, value] of Object.entries(userAssigned)) {
      if (isObject(value) && !('principalId' in value)) {
        value.principalId = new Unknown(
          `the principalId of the user-assigned identity ${uai}, known only after deployment`,
          `reference(${foldCase(uai)}).properties.principalId`
        );
      }
    }
  }
}

export type { Emitted };
