/**
 * JSON locations in an ARM resource → Azure Policy fields.
 *
 * A location is a list of property names from the resource root, with `[*]` standing for
 * "every member of this array": `['properties', 'networkAcls', 'ipRules', '[*]', 'value']`.
 * The top-level fields Azure names itself (`type`, `name`, `kind`, `location`, `id`,
 * `tags`, `tags['x']`, `identity.type`) are mapped here; everything else goes through the
 * alias catalog, which the engine owns and the compiler is given.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 */
import type { Json } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';

/** What the compiler needs from an alias catalog. */
export interface AliasCatalog {
  /**
   * The alias whose default path is `propertyPath` (segments as above) on `resourceType`,
   * or null when Azure has none. `known` is false when the catalog made the alias up (from
   * the path) rather than finding it in Azure's published list: the compiler refuses those,
   * since a deployment would fail on an alias Azure does not have.
   */
  aliasFor(resourceType: string, propertyPath: string[]): { alias: string; known: boolean } | null;
  /**
   * A rule compiled with this very catalog before (at build time), found by the rule document's canonical
   * JSON: its condition and content hash, which `compileRule` then takes instead of compiling it again.
   * Only exactly that document is found, so an entry can be missing but never another rule's.
   */
  compiledBefore?(documentJson: string): { condition: Json; hash: string } | undefined;
}

/** One published alias: `Microsoft.CognitiveServices/accounts/encryption.keySource` → `properties.encryption.keySource`. */
export interface AliasEntry {
  name: string;
  defaultPath: string;
}

export const ARRAY_MEMBER = '[*]';

/** Splits an alias default path (`properties.a[*].b`) into location segments. */
export function pathSegments(defaultPath: string): string[] {
  const segments: string[] = [];
  for (const part of defaultPath.split('.')) {
    let rest = part;
    const members: string[] = [];
    while (rest.endsWith(ARRAY_MEMBER)) {
      members.push(ARRAY_MEMBER);
      rest = rest.slice(0, -ARRAY_MEMBER.length);
    }
    if (rest) segments.push(rest);
    segments.push(...members);
  }
  return segments;
}

/** Joins location segments back into an alias-style path (`properties.a[*].b`). */
export function joinSegments(segments: readonly string[]): string {
  let out = '';
  for (const segment of segments) {
    if (segment === ARRAY_MEMBER) out += ARRAY_MEMBER;
    else out += out ? `.${segment}` : segment;
  }
  return out;
}

/**
 * A catalog over published alias entries, per resource type. Property names compare
 * case-insensitively, as ARM compares them.
 */
export function aliasCatalogFromEntries(byType: Record<string, readonly AliasEntry[]>): AliasCatalog {
  const index = new Map<string, Map<string, string>>();
  for (const [type, entries] of Object.entries(byType)) {
    const paths = new Map<string, string>();
    for (const entry of entries) {
      const key = foldCase(joinSegments(pathSegments(entry.defaultPath)));
      if (!paths.has(key)) paths.set(key, entry.name);
    }
    index.set(foldCase(type), paths);
  }
  return {
    aliasFor(resourceType, propertyPath) {
      const alias = index.get(foldCase(resourceType))?.get(foldCase(joinSegments(propertyPath)));
      return alias ? { alias, known: true } : null;
    }
  };
}

export type FieldResolution = { field: string } | { refused: string };

/**
 * The Azure Policy field for a location on a resource type, or why there is none.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 */
export function resolveField(
  location: readonly string[],
  resourceType: string,
  aliases: AliasCatalog
): FieldResolution {
  const [head, ...rest] = location;
  if (location.length === 1 && ['type', 'name', 'kind', 'location', 'id'].includes(head)) return { field: head };
  if (head === 'tags' && rest.length === 0) return { field: 'tags' };
  if (head === 'tags' && rest.length === 1 && rest[0] !== ARRAY_MEMBER) {
    return { field: `tags['${rest[0].replace(/'/g, "''")}']` };
  }
  if (head === 'identity' && rest.length === 1 && rest[0] === 'type') return { field: 'identity.type' };
  if (location.length === 0) return { refused: 'the resource as a whole is not a field Azure Policy can test' };
  const found = aliases.aliasFor(resourceType, [...location]);
  const path = joinSegments(location);
  if (!found) return { refused: `${resourceType} has no Azure Policy alias for \`${path}\`` };
  if (!found.known) {
    return { refused: `\`${found.alias}\` is not a published Azure Policy alias of ${resourceType}` };
  }
  return { field: found.alias };
}

/**
 * A catalog over a lookup in the other direction (alias name → default path, as the
 * engine's catalog answers). Azure names an alias after its path without the leading
 * `properties.`, and often without inner `properties.` segments
 * (`…/privateEndpointConnections[*].groupIds` → `properties.privateEndpointConnections[*].properties.groupIds`),
 * so each such name is tried and kept when the lookup confirms its path.
 */
export function aliasCatalogFromPathLookup(lookup: (alias: string) => { path: string; known: boolean }): AliasCatalog {
  return {
    aliasFor(resourceType, propertyPath) {
      const segments = propertyPath[0] === 'properties' ? propertyPath.slice(1) : [...propertyPath];
      if (segments.length === 0) return null;
      const inner = segments.map((s, i) => (s === 'properties' && i > 0 ? i : -1)).filter(i => i >= 0);
      const wanted = foldCase(joinSegments(propertyPath));
      for (let mask = 0; mask < 1 << Math.min(inner.length, 6); mask++) {
        const dropped = new Set(inner.filter((_, bit) => mask & (1 << bit)));
        const name = `${resourceType}/${joinSegments(segments.filter((_, i) => !dropped.has(i)))}`;
        const found = lookup(name);
        if (found.known && foldCase(joinSegments(pathSegments(found.path))) === wanted)
          return { alias: name, known: true };
      }
      return null;
    }
  };
}
