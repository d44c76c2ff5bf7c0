import { subscriptionAndGroupOf } from '../model/resourceId.js';
import {
  PLACEHOLDER_RESOURCE_GROUP,
  PLACEHOLDER_SUBSCRIPTION,
  UNNAMEABLE_GROUP,
  type Resource
} from '../model/resource.js';
import { foldCase } from '../model/foldCase.js';
import type { Value } from '../model/value.js';
import type { EvalContext, FunctionLibrary } from '../expr/evaluate.js';
import type { AliasOverride, Step } from './fields.js';
import type { CountBudget } from './count.js';

/** One level of `count`: the array member (field count) or item (value count) being looked at. */
export interface Scope {
  kind: 'field' | 'value';
  /** Field count: the counted `[*]` path. */
  steps: Step[];
  /** Field count: the counted alias, lower-cased; value count: its `name`, lower-cased. */
  name: string;
  current: Value | undefined;
  /** Value count: its iterations with those of the value counts around it (see VALUE_COUNT_ITERATIONS). */
  iterations?: number;
}

/** Everything a compiled condition reads while it runs against one resource. */
export class Runtime {
  readonly json: { [key: string]: Value };
  readonly scopes: Scope[] = [];
  /**
   * How many times `field()` or `current()` read what the resource does not hold: an expression that fails after
   * such a read may fail for want of what Azure fills into the request (a child's location), not in Azure.
   */
  missingReads = 0;
  private context: EvalContext | undefined;

  constructor(
    readonly resource: Resource,
    /** Parameter values by lower-cased name. */
    readonly parameters: Map<string, Value>,
    readonly functions: FunctionLibrary,
    /** policy().definitionId: known for a built-in or a definition exported with its id, else unknown. */
    readonly definitionId: Value,
    private readonly given: { subscriptionId?: string; resourceGroup?: string } | undefined,
    /**
     * Set while an existence condition looks at a related resource: the evaluation of the resource
     * that matched `if` (whose scope the related resource defaults to, and whose fields `field()` reads).
     */
    readonly outer?: Runtime,
    /** Aliases the definition's loader declared beyond the shipped catalog. */
    readonly aliases?: AliasOverride,
    /** The evaluation's bound on the work of counts (see withCountCheckpoint), shared by its runtimes. */
    readonly counts?: CountBudget
  ) {
    this.json = resource.json;
  }

  /** The expression context (function library) whose `data` is this runtime. */
  get expr(): EvalContext {
    return (this.context ??= { functions: this.functions, data: this });
  }

  /**
   * The subscription and resource group the resource is deployed to (from the options, else its id). A template's
   * resource placed where the caller did not say (its id carries the placeholders) is `placeholder`: its ids agree
   * with each other, but the names are none Azure holds.
   */
  scope(): {
    subscriptionId: string;
    resourceGroup: string;
    placeholder: { subscription: boolean; resourceGroup: boolean };
  } {
    const fromId = subscriptionAndGroupOf(this.resource.id);
    const fallback = this.outer?.scope();
    const subscriptionId =
      this.given?.subscriptionId ?? fromId.subscriptionId ?? fallback?.subscriptionId ?? PLACEHOLDER_SUBSCRIPTION;
    const resourceGroup =
      this.given?.resourceGroup ?? fromId.resourceGroup ?? fallback?.resourceGroup ?? 'resource-group';
    // Only a template's resources (and what their existence conditions read) are placed by the placeholders.
    const template = this.resource.origin === 'template' || this.outer?.resource.origin === 'template';
    // Told where the template deploys, a group called 'rg' is the one it was told.
    const placed = this.resource.placed ?? this.outer?.resource.placed;
    const placeholder = {
      subscription:
        template &&
        this.given?.subscriptionId === undefined &&
        !placed?.subscription &&
        foldCase(subscriptionId) === PLACEHOLDER_SUBSCRIPTION,
      resourceGroup:
        template &&
        this.given?.resourceGroup === undefined &&
        !placed?.resourceGroup &&
        (foldCase(resourceGroup) === PLACEHOLDER_RESOURCE_GROUP || resourceGroup === UNNAMEABLE_GROUP)
    };
    return { subscriptionId, resourceGroup, placeholder };
  }

  /** The same evaluation, reading a related resource's fields (existence conditions). */
  forResource(resource: Resource): Runtime {
    return new Runtime(
      resource,
      this.parameters,
      this.functions,
      this.definitionId,
      undefined,
      this,
      this.aliases,
      this.counts
    );
  }
}
