/**
 * Test helpers that turn plain resource JSON into the engine's `Resource`: ARM / Resource Graph
 * shape (`name`, `type`, `properties`…) and PowerShell `Get-AzResource -ExpandProperties` exports
 * (PascalCase `Name`, `ResourceType`, `Properties`, …), as in the PSRule corpus.
 */
import type { Resource } from '../../src/model/resource.js';
import type { Value } from '../../src/model/value.js';

type Obj = { [key: string]: Value };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A resource from ARM-shaped JSON; missing id/name are filled with placeholders. */
export function armResource(json: Obj, file: string | null = null): Resource {
  const type = String(json.type ?? '');
  const name = String(json.name ?? 'resource');
  const id =
    typeof json.id === 'string'
      ? json.id
      : `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/${type}/${name}`;
  return {
    id,
    type,
    name,
    apiVersion: typeof json.apiVersion === 'string' ? json.apiVersion : undefined,
    json,
    source: file ? { file, line: 1, column: 1 } : null,
    origin: 'snapshot'
  };
}

const renames: Record<string, string> = {
  Name: 'name',
  ResourceName: 'name',
  ResourceType: 'type',
  Type: 'type',
  Kind: 'kind',
  Location: 'location',
  Tags: 'tags',
  Identity: 'identity',
  Sku: 'sku',
  Properties: 'properties',
  ResourceId: 'id',
  Id: 'id',
  Zones: 'zones',
  Plan: 'plan',
  ManagedBy: 'managedBy',
  ExtendedLocation: 'extendedLocation'
};

/** Normalises a Get-AzResource export to the ARM shape (top-level names only); child `resources` are returned as resources of their own. */
export function fromPowerShellExport(item: Obj): Obj[] {
  const out: Obj = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'resources' || k === 'Resources') continue;
    const target = renames[k] ?? k.charAt(0).toLowerCase() + k.slice(1);
    if (out[target] === undefined || renames[k] === target) out[target] = v;
  }
  const result = [out];
  const children = item.resources ?? item.Resources;
  if (Array.isArray(children)) {
    for (const child of children) if (isObj(child)) result.push(...fromPowerShellExport(child));
  }
  return result;
}
