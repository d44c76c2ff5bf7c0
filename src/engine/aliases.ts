/**
 * The policy alias catalog: alias name → default property path, for every resource provider,
 * built by scripts/build-aliases.js from public `Get-AzPolicyAlias` dumps. Where an alias is not in
 * the catalog, its path follows Azure's naming convention (`<type>/<a.b>` → `properties.a.b`) and
 * the caller is told the fallback was used.
 */
import { brotliDecompressSync } from 'node:zlib';
import { ALIAS_DATA } from './aliases.data.js';

let catalog: Map<string, string[]> | undefined;

function conventionalPath(name: string): string {
  return `properties.${name.slice(name.lastIndexOf('/') + 1)}`;
}

function load(): Map<string, string[]> {
  if (catalog) return catalog;
  const text = brotliDecompressSync(Buffer.from(ALIAS_DATA, 'base64')).toString('utf8');
  const map = new Map<string, string[]>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    const tab = line.indexOf('\t');
    const name = tab < 0 ? line : line.slice(0, tab);
    map.set(name.toLowerCase(), tab < 0 ? [conventionalPath(name)] : line.slice(tab + 1).split('\t'));
    start = end + 1;
  }
  catalog = map;
  return map;
}

export interface AliasResolution {
  /** The property path in the resource JSON, e.g. `properties.encryption.keySource`, `properties.ipRules[*].value`. */
  path: string;
  /** True when the catalog has the alias; false when the path was derived by convention. */
  known: boolean;
  /**
   * Legacy aliases without a resource type (`Microsoft.Compute/imagePublisher`) have one path per
   * resource type; all of them, in catalog order (the first is `path`).
   */
  paths: string[];
}

/** The default property path of a provider alias (`Microsoft.X/type/prop`), case-insensitively. */
export function aliasPath(alias: string): AliasResolution {
  const found = load().get(alias.toLowerCase());
  if (found !== undefined) return { path: found[0], known: true, paths: found };
  const path = conventionalPath(alias);
  return { path, known: false, paths: [path] };
}

/** How many aliases the shipped catalog holds. */
export function aliasCount(): number {
  return load().size;
}
