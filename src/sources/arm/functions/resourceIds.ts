/**
 * resourceId and its siblings, built as the documentation describes:
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource#resourceid
 * The type's segments after the namespace each take one name: `Microsoft.KeyVault/vaults/keys`
 * with `kv`, `k1` gives `…/providers/Microsoft.KeyVault/vaults/kv/keys/k1`.
 */
import type { Value } from '../../../model/value.js';
import { ExpressionError } from '../../../expr/errors.js';
import { defineFunction, type EvalContext, type FunctionDefinition } from '../../../expr/evaluate.js';
import { noteNamedGroup, noteNamedManagementGroup, type DeploymentTarget } from '../scope.js';
import { dataOf, targetOf } from './deployment.js';
import { foldCase } from '../../../model/foldCase.js';

/** `Microsoft.KeyVault/vaults/keys` + [`kv`, `k1`] → `Microsoft.KeyVault/vaults/kv/keys/k1`. */
export function interleave(type: string, names: string[]): string | null {
  const segments = typeSegments(type);
  if (segments.length < 2) return null;
  // Each name may hold several segments itself (`kv/k1`).
  let count = 0;
  for (const name of names) for (let at = -1; ; count++) if ((at = name.indexOf('/', at + 1)) < 0) break;
  if (count + names.length !== segments.length - 1) return null;
  let out = segments[0];
  let next = 1;
  for (const name of names) {
    for (let start = 0; ;) {
      const slash = name.indexOf('/', start);
      out += `/${segments[next++]}/${slash < 0 ? name.slice(start) : name.slice(start, slash)}`;
      if (slash < 0) break;
      start = slash + 1;
    }
  }
  return out;
}

const segmentsOfType = new Map<string, readonly string[]>();

/** The non-empty segments of a resource type, remembered: a template names few types many times. */
function typeSegments(type: string): readonly string[] {
  let segments = segmentsOfType.get(type);
  if (!segments) {
    segments = type.split('/').filter(s => s !== '');
    if (segmentsOfType.size > 10_000) segmentsOfType.clear();
    segmentsOfType.set(type, segments);
  }
  return segments;
}

function strings(fn: string, args: Value[]): string[] {
  return args.map((arg, i) => {
    if (typeof arg !== 'string') {
      throw new ExpressionError(`The template function '${fn}' expects argument ${i + 1} to be a string.`);
    }
    return arg;
  });
}

function typedPath(fn: string, type: string, names: string[]): string {
  const path = interleave(type, names);
  if (path === null) throw new ExpressionError(`The template function '${fn}' ${namesMismatch(type, names)}.`);
  return path;
}

/**
 * Why names do not fit a type, in words that add up: a type is a namespace and at least one type name,
 * and each type name takes one name segment, a name argument holding several when it has '/' in it
 * (`'myVnet/'` is two segments, the second empty).
 */
function namesMismatch(type: string, names: string[]): string {
  const needed = typeSegments(type).length - 1;
  if (needed < 1) {
    return `was given '${type}' where a resource type belongs: a type is a namespace and a type name, like 'Microsoft.Storage/storageAccounts'`;
  }
  const segments = names.flatMap(name => name.split('/'));
  const given = `was given ${names.length} name(s) for the type '${type}', which needs ${needed}`;
  if (segments.length === names.length) return given;
  return `${given} name segment(s) in all; split at '/', the names given are ${segments.length}: ${segments.map(s => `'${s}'`).join(', ')}`;
}

/** The id prefix for resources a deployment at `target` creates without an explicit scope. */
export function scopePrefix(target: DeploymentTarget): string {
  switch (target.level) {
    case 'resourceGroup':
      return `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`;
    case 'subscription':
      return `/subscriptions/${target.subscriptionId}`;
    case 'managementGroup':
      return `/providers/Microsoft.Management/managementGroups/${target.managementGroup}`;
    case 'tenant':
      return '';
  }
}

function resourceId(args: Value[], ctx: EvalContext): Value {
  const target = targetOf(ctx);
  const parts = strings('resourceId', args);
  const typeIndex = parts.findIndex(p => p.includes('/'));
  if (typeIndex < 0 || typeIndex > 2) {
    throw new ExpressionError(
      "The template function 'resourceId' needs a resource type such as 'Microsoft.KeyVault/vaults' after at most a subscription id and a resource group name."
    );
  }
  const path = typedPath('resourceId', parts[typeIndex], parts.slice(typeIndex + 1));
  if (typeIndex > 0) {
    const subscriptionId = typeIndex === 2 ? parts[0] : target.subscriptionId;
    noteNamedGroup(dataOf(ctx).scope.expansion, subscriptionId, parts[typeIndex - 1]);
  }
  if (typeIndex === 2) return `/subscriptions/${parts[0]}/resourceGroups/${parts[1]}/providers/${path}`;
  if (typeIndex === 1) return `/subscriptions/${target.subscriptionId}/resourceGroups/${parts[0]}/providers/${path}`;
  return `${scopePrefix(target)}/providers/${path}`;
}

function subscriptionResourceId(args: Value[], ctx: EvalContext): Value {
  const target = targetOf(ctx);
  const parts = strings('subscriptionResourceId', args);
  const typeIndex = parts.findIndex(p => p.includes('/'));
  if (typeIndex < 0 || typeIndex > 1) {
    throw new ExpressionError(
      "The template function 'subscriptionResourceId' needs a resource type after at most a subscription id."
    );
  }
  const subscription = typeIndex === 1 ? parts[0] : target.subscriptionId;
  return `/subscriptions/${subscription}/providers/${typedPath('subscriptionResourceId', parts[typeIndex], parts.slice(typeIndex + 1))}`;
}

function tenantResourceId(args: Value[], ctx: EvalContext): Value {
  const parts = strings('tenantResourceId', args);
  if (foldCase(parts[0]) === 'microsoft.management/managementgroups' && parts.length > 1)
    noteNamedManagementGroup(dataOf(ctx).scope.expansion, parts[1]);
  return `/providers/${typedPath('tenantResourceId', parts[0], parts.slice(1))}`;
}

function extensionResourceId(args: Value[], ctx: EvalContext): Value {
  const parts = strings('extensionResourceId', args);
  noteNamedManagementGroup(dataOf(ctx).scope.expansion, parts[0], true);
  const base = parts[0].replace(/\/+$/, '');
  return `${base}/providers/${typedPath('extensionResourceId', parts[1], parts.slice(2))}`;
}

function managementGroupResourceId(args: Value[], ctx: EvalContext): Value {
  const target = targetOf(ctx);
  const parts = strings('managementGroupResourceId', args);
  const typeIndex = parts.findIndex(p => p.includes('/'));
  if (typeIndex < 0 || typeIndex > 1) {
    throw new ExpressionError(
      "The template function 'managementGroupResourceId' needs a resource type after at most a management group name."
    );
  }
  if (typeIndex === 1) noteNamedManagementGroup(dataOf(ctx).scope.expansion, parts[0]);
  const group = typeIndex === 1 ? parts[0] : target.managementGroup;
  return `/providers/Microsoft.Management/managementGroups/${group}/providers/${typedPath(
    'managementGroupResourceId',
    parts[typeIndex],
    parts.slice(typeIndex + 1)
  )}`;
}

export const resourceIdFunctions: FunctionDefinition[] = [
  defineFunction({ name: 'resourceId', minArgs: 2, maxArgs: Infinity, call: resourceId }),
  defineFunction({ name: 'subscriptionResourceId', minArgs: 2, maxArgs: Infinity, call: subscriptionResourceId }),
  defineFunction({ name: 'tenantResourceId', minArgs: 2, maxArgs: Infinity, call: tenantResourceId }),
  defineFunction({ name: 'extensionResourceId', minArgs: 3, maxArgs: Infinity, call: extensionResourceId }),
  defineFunction({ name: 'managementGroupResourceId', minArgs: 2, maxArgs: Infinity, call: managementGroupResourceId })
];
