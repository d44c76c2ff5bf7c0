import type { Json, Value } from '../model/value.js';
import { hasOwn, isObject, own, setOwn } from '../model/value.js';
import type { Resource, SourcePosition } from '../model/resource.js';
import { UserError } from '../model/errors.js';
import { nearestPosition, parseJsonWithPositions } from './json.js';
import { joinPointer, splitPointer } from '../model/pointer.js';
import { readTextFile } from '../model/textFile.js';

/**
 * Resource snapshots: what `az resource list`, `az graph query`, the REST API or
 * PowerShell's `Get-AzResource | ConvertTo-Json` print. PowerShell names the top-level
 * fields in PascalCase (`Name`, `ResourceType`, `Properties`); they are renamed to the
 * ARM names Azure Policy aliases address.
 */

const PASCAL_FIELDS: Record<string, string> = {
  Name: 'name',
  ResourceName: 'name',
  ResourceType: 'type',
  Type: 'type',
  Properties: 'properties',
  Sku: 'sku',
  Identity: 'identity',
  Kind: 'kind',
  Location: 'location',
  Tags: 'tags',
  ResourceId: 'id',
  Id: 'id',
  Plan: 'plan',
  ManagedBy: 'managedBy',
  Zones: 'zones',
  ExtendedLocation: 'extendedLocation'
};

/** PowerShell-only fields that are not part of the ARM resource. */
const POWERSHELL_EXTRAS = new Set([
  'ResourceGroupName',
  'SubscriptionId',
  'ParentResource',
  'ChangedTime',
  'CreatedTime'
]);

function camelKeys(value: Json): Json {
  if (!isObject(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [key, inner] of Object.entries(value as { [key: string]: Json })) {
    setOwn(out, key.charAt(0).toLowerCase() + key.slice(1), inner);
  }
  return out;
}

function normalise(entry: { [key: string]: Json }): { json: { [key: string]: Json }; renamed: Map<string, string> } {
  const isPascal =
    hasOwn(entry, 'ResourceType') || hasOwn(entry, 'ResourceId') || (hasOwn(entry, 'Name') && !hasOwn(entry, 'name'));
  const renamed = new Map<string, string>();
  if (!isPascal) return { json: entry, renamed };
  const json: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(entry)) {
    if (POWERSHELL_EXTRAS.has(key)) continue;
    const target = own(PASCAL_FIELDS, key) ?? key;
    if (hasOwn(json, target) && key === 'ResourceName') continue;
    setOwn(json, target, target === 'sku' || target === 'identity' || target === 'plan' ? camelKeys(value) : value);
    renamed.set(target, key);
  }
  return { json, renamed };
}

export function loadResourceSnapshot(file: string): Resource[] {
  const doc = parseJsonWithPositions(readTextFile(file), file);
  let items: Json[];
  let base: string;
  const root = doc.value;
  if (Array.isArray(root)) {
    items = root;
    base = '';
  } else if (isObject(root) && Array.isArray((root as { value?: Json }).value)) {
    items = (root as { value: Json[] }).value;
    base = '/value';
  } else if (isObject(root) && Array.isArray((root as { data?: Json }).data)) {
    items = (root as { data: Json[] }).data;
    base = '/data';
  } else {
    throw new UserError(
      'a resource snapshot must be a JSON array of resources, or an object with a "value" array (as az resource list and the REST API return).',
      { file, line: 1, column: 1 }
    );
  }
  return items.map((item, index) => {
    const pointer = joinPointer(base, index);
    const at = doc.positionOf(pointer) ?? { file, line: 1, column: 1 };
    if (!isObject(item)) throw new UserError(`snapshot entry ${index} must be a resource object.`, at);
    const { json, renamed } = normalise(item as { [key: string]: Json });
    const type = json.type;
    const name = json.name;
    if (typeof type !== 'string' || typeof name !== 'string') {
      throw new UserError(`snapshot entry ${index} needs string "type" and "name" fields to be evaluated.`, at);
    }
    const id = typeof json.id === 'string' ? json.id : `/providers/${type}/${name}`;
    const positionOf = (target: string): SourcePosition | null => {
      const segments = splitPointer(target);
      if (segments.length > 0) segments[0] = renamed.get(segments[0]) ?? segments[0];
      return nearestPosition(doc.positionOf, joinPointer(pointer, ...segments));
    };
    const resource: Resource = {
      id,
      type,
      name,
      json: json as { [key: string]: Value },
      source: at,
      positionOf,
      origin: 'snapshot'
    };
    if (typeof json.apiVersion === 'string') resource.apiVersion = json.apiVersion;
    return resource;
  });
}
