import type { Resource } from '../model/resource.js';
import type { Value } from '../model/value.js';
import type { EvalContext } from '../expr/evaluate.js';
import type { Step } from './fields.js';

/** One level of `count`: the array member (field count) or item (value count) being looked at. */
export interface Scope {
  kind: 'field' | 'value';
  /** Field count: the counted `[*]` path. */
  steps: Step[];
  /** Field count: the counted alias, lower-cased; value count: its `name`, lower-cased. */
  name: string;
  current: Value | undefined;
}

/** Everything a compiled condition reads while it runs against one resource. */
export interface Runtime {
  resource: Resource;
  json: { [key: string]: Value };
  /** Parameter values by lower-cased name. */
  parameters: Map<string, Value>;
  scopes: Scope[];
  /** The subscription and resource group the resource is deployed to (from the options, else its id). */
  scope(): { subscriptionId: string; resourceGroup: string };
  definitionId: string;
  /** The expression context (function library) whose `data` is this runtime. */
  expr: EvalContext;
}
