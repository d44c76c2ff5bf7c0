/**
 * The policy alias catalog: which aliases exist, the property path each reads, and whether a Modify
 * operation may write it. Built by scripts/build-aliases.js from public data (its header lists the
 * sources): `Get-AzPolicyAlias` dumps for every provider, complete dumps for the resource types
 * cmk-guard is about, the aliases Azure's built-in and landing-zone definitions use (Azure accepted
 * them, so they exist), and Microsoft's modifiable flags where published.
 *
 * `lookupAlias` is the one question callers ask: known (with path and modifiability), refused (Azure
 * rejects a definition that uses it: the type's aliases are all known and this is not one), or unknown
 * (the catalog's sources may simply be older than the alias).
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-alias
 */
import { ALIAS_COUNT, ALIAS_SHARDS, COMPLETE_TYPES } from './aliases.data.js';
import { ALIAS_LINES_AT_BUILD } from './aliasLines.generated.js';
import { foldCase } from '../model/foldCase.js';
import { nodeZlib } from '../model/builtins.js';

interface Entry {
  name: string;
  paths: string[];
  modifiable: boolean | undefined;
  /** Known only because an accepted definition uses it: its path follows the naming convention. */
  fromDefinitions: boolean;
}

interface Catalog {
  /** The aliases of the namespaces unpacked so far, by lower-cased name. */
  aliases: Map<string, Entry>;
  /** Resource types whose aliases the catalog holds completely: lower-cased → as spelled. */
  completeTypes: Map<string, string>;
}

const catalog: Catalog = {
  aliases: new Map(),
  completeTypes: new Map(COMPLETE_TYPES.map(type => [foldCase(type), type]))
};
const unpacked = new Set<string>();

function conventionalPath(name: string): string {
  return `properties.${name.slice(name.lastIndexOf('/') + 1)}`;
}

/**
 * The shards an alias name (lower-cased) can be in: its provider namespace's (the part before the
 * first '/'), and, for a name with a resource type, the type's (`namespace/type`, the part before
 * the second '/'), which exists only where scripts/build-aliases.js split a large namespace by type.
 */
export function shardsOf(lower: string): string[] {
  const first = lower.indexOf('/');
  if (first < 0) return [lower];
  const second = lower.indexOf('/', first + 1);
  return second < 0 ? [lower.slice(0, first)] : [lower.slice(0, first), lower.slice(0, second)];
}

/** A shard's text as decompressed (a line per alias: name, paths, flags, tab-separated), and the same folded. */
interface ShardText {
  text: string;
  folded: string;
}
const shardTexts = new Map<string, ShardText>();

function shardText(shard: string): ShardText | undefined {
  let found = shardTexts.get(shard);
  if (found === undefined) {
    const data = ALIAS_SHARDS.get(shard);
    if (data === undefined) return undefined;
    const text = nodeZlib().brotliDecompressSync(Buffer.from(data, 'base64')).toString('utf8');
    found = { text, folded: foldCase(text) };
    shardTexts.set(shard, found);
  }
  return found;
}

/**
 * The catalog with the shards an alias name can be in unpacked (every shard when none is given), for the
 * questions that go through many aliases (suggestions); one alias is looked up with `entryOf` instead.
 */
function load(lower?: string): Catalog {
  for (const shard of lower === undefined ? ALIAS_SHARDS.keys() : shardsOf(lower)) {
    if (unpacked.has(shard)) continue;
    unpacked.add(shard);
    const text = shardText(shard)?.text;
    if (text !== undefined) unpack(text);
  }
  return catalog;
}

function unpack(text: string): void {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const entry = entryOfLine(text.slice(start, end));
    start = end + 1;
    catalog.aliases.set(foldCase(entry.name), entry);
  }
}

function entryOfLine(line: string): Entry {
  const fields = line.split('\t');
  const name = fields[0];
  const last = fields[fields.length - 1];
  const flags = fields.length > 1 && last.startsWith('!') ? last.slice(1) : '';
  const paths = fields.slice(1, flags ? -1 : undefined);
  return {
    name,
    paths: paths.length > 0 ? paths : [conventionalPath(name)],
    modifiable: flags.includes('m') ? true : flags.includes('r') ? false : undefined,
    fromDefinitions: flags.includes('c')
  };
}

const entries = new Map<string, Entry | null>();

/**
 * The catalog's data as a short text that changes when it does: the alias count and the shards' names and sizes
 * (the lines kept at build time below are used only with the very catalog they were read from).
 */
export function catalogFingerprint(): string {
  let size = 0;
  for (const [shard, data] of ALIAS_SHARDS) size += shard.length + data.length;
  return `${ALIAS_COUNT}:${ALIAS_SHARDS.size}:${size}`;
}

let linesAtBuild: ReadonlyMap<string, string | null> | null | undefined;

/**
 * The lines the bundled rules look up, as the shards gave them when the bundle was built (aliasLines.generated.ts,
 * `npm run generate:validators`): with them a run of the bundled rules unpacks no shard. Null when the catalog is
 * not the one they were read from.
 */
function builtLines(): ReadonlyMap<string, string | null> | null {
  linesAtBuild ??= ALIAS_LINES_AT_BUILD.catalog === catalogFingerprint() ? new Map(ALIAS_LINES_AT_BUILD.lines) : null;
  return linesAtBuild;
}

/** While `aliasLinesLookedUpBy` runs: the names (folded) looked up. */
let recording: Set<string> | undefined;

/**
 * The catalog's entry for an alias name (folded), as `load(lower).aliases.get(lower)` gives it, without
 * unpacking every alias of its shards (a namespace such as Microsoft.MachineLearningServices holds thousands).
 */
function entryOf(lower: string): Entry | undefined {
  recording?.add(lower);
  let found = entries.get(lower);
  if (found === undefined) {
    const built = builtLines()?.get(lower);
    const line = built !== undefined ? built : aliasLineInShards(lower);
    found = line === null ? null : entryOfLine(line);
    entries.set(lower, found);
  }
  return found ?? undefined;
}

/**
 * An alias name's (folded) line in the shards, or null, whatever was kept at build time: it is found in the shards'
 * folded text, the later shard and the later line first, as unpacking them in order would leave it.
 */
export function aliasLineInShards(lower: string): string | null {
  // A line holds no name with a tab or a line break in it (they separate its fields and lines).
  const shards = lower.includes('\t') || lower.includes('\n') ? [] : shardsOf(lower);
  for (let i = shards.length - 1; i >= 0; i--) {
    const shard = shardText(shards[i]);
    const line = shard === undefined ? undefined : lineOf(shard, lower);
    if (line !== undefined) return line;
  }
  return null;
}

/**
 * Every alias name (folded) `action` looks up, sorted, with its line in the shards (null: in none): what the build
 * keeps in aliasLines.generated.ts for loading the bundled rules. A recording around this one sees them too.
 */
export function aliasLinesLookedUpBy(action: () => void): [string, string | null][] {
  const outer = recording;
  const names = new Set<string>();
  recording = names;
  try {
    action();
  } finally {
    recording = outer;
    for (const name of names) outer?.add(name);
  }
  return [...names].sort().map(lower => [lower, aliasLineInShards(lower)]);
}

/** The last line of a shard whose folded name is `lower`, as the shard spells it. */
function lineOf({ text, folded }: ShardText, lower: string): string | undefined {
  for (let at = folded.lastIndexOf(lower); at >= 0; at = at === 0 ? -1 : folded.lastIndexOf(lower, at - 1)) {
    const end = at + lower.length;
    const next = end < folded.length ? folded.charCodeAt(end) : 10;
    if ((at === 0 || folded.charCodeAt(at - 1) === 10) && (next === 9 || next === 10)) {
      const lineEnd = text.indexOf('\n', end);
      return text.slice(at, lineEnd < 0 ? text.length : lineEnd);
    }
  }
  return undefined;
}

/** What the catalog says about an alias name. */
export type AliasLookup =
  | {
      status: 'known';
      /** The catalog's spelling. */
      name: string;
      /** The default property path, e.g. `properties.encryption.keySource`, `properties.ipRules[*].value`. */
      path: string;
      /** Legacy aliases without a resource type have one path per type; all of them, `path` first. */
      paths: string[];
      /** `published` from an alias dump; `convention` when only a definition Azure accepted names it. */
      pathSource: 'published' | 'convention';
      /** Whether a Modify operation may write it; undefined where no public data says. */
      modifiable: boolean | undefined;
    }
  | {
      /** Azure refuses a definition that uses it. */
      status: 'refused';
      reason: string;
      /** The nearest known aliases, best first. */
      suggestions: string[];
    }
  | {
      /** Not in the catalog, and the catalog cannot tell whether Azure has it. */
      status: 'unknown';
      reason: string;
      suggestions: string[];
    };

/** The resource type an alias name belongs to when that type is complete in the catalog. */
function completeTypeOf(lower: string, completeTypes: Map<string, string>): string | undefined {
  const parts = lower.split('/');
  // The longest `Namespace/type/child…` prefix that is a complete type, with one segment after it.
  for (let n = parts.length - 1; n >= 2; n--) {
    const type = parts.slice(0, n).join('/');
    if (completeTypes.has(type)) return n === parts.length - 1 ? completeTypes.get(type) : undefined;
  }
  return undefined;
}

const numericIndex = /\[\s*\d+\s*\]/;

/** Is the alias known, and where does it read; or why not. Names compare case-insensitively, as Azure compares them. */
export function lookupAlias(alias: string): AliasLookup {
  const lower = foldCase(alias);
  const found = entryOf(lower);
  if (found) {
    return {
      status: 'known',
      name: found.name,
      path: found.paths[0],
      paths: found.paths,
      pathSource: found.fromDefinitions ? 'convention' : 'published',
      modifiable: found.modifiable
    };
  }
  if (numericIndex.test(alias)) {
    return {
      status: 'refused',
      reason: `'${alias}' indexes an array by position; aliases select every member with [*], never one by number`,
      suggestions: nearestAliases(alias.replace(/\[\s*\d+\s*\]/g, '[*]'))
    };
  }
  const type = completeTypeOf(lower, catalog.completeTypes);
  if (type !== undefined) {
    return {
      status: 'refused',
      reason: `'${alias}' is not an alias of ${type} (Azure rejects the definition: InvalidPolicyAlias)`,
      suggestions: nearestAliases(alias)
    };
  }
  return {
    status: 'unknown',
    reason: `alias '${alias}' is not in cmk-guard's alias catalog (public alias dumps up to early 2024 for this provider, and the aliases Azure's built-in definitions use), so whether Azure has it and which property it reads are unknown`,
    suggestions: nearestAliases(alias)
  };
}

/** Whether a Modify operation may write the alias: true or false where public data says, else undefined. */
export function aliasModifiable(alias: string): boolean | undefined {
  return entryOf(foldCase(alias))?.modifiable;
}

/** Whether the catalog holds every alias of this resource type (so a missing one does not exist). */
export function isCompleteType(resourceType: string): boolean {
  return catalog.completeTypes.has(foldCase(resourceType));
}

/** Edit distance, for suggestions only (short strings, bounded work). */
function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length];
}

/**
 * The known aliases nearest to a name: among those of the same resource type (the longest prefix
 * the catalog has aliases under), by edit distance of the part after the type.
 */
export function nearestAliases(alias: string, count = 3): string[] {
  const lower = foldCase(alias);
  // Every prefix looked under is the alias's namespace, or its type and more: those two shards hold them all.
  const { aliases } = load(lower);
  if (aliases.has(lower)) return [aliases.get(lower)!.name];
  const parts = lower.split('/');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = `${parts.slice(0, n).join('/')}/`;
    const rest = lower.slice(prefix.length);
    const scored: { name: string; score: number }[] = [];
    for (const [key, entry] of aliases) {
      if (!key.startsWith(prefix) || key.indexOf('/', prefix.length) >= 0) continue;
      scored.push({ name: entry.name, score: distance(rest, key.slice(prefix.length)) });
    }
    if (scored.length === 0) continue;
    scored.sort((a, b) => a.score - b.score || (a.name < b.name ? -1 : 1));
    return scored.slice(0, count).map(s => s.name);
  }
  return [];
}

/** The known aliases whose default path is `path` (`properties.ipConfigurations[*].name`), for suggestions. */
export function aliasesWithPath(path: string, types?: string[], count = 3): string[] {
  const wanted = foldCase(path);
  const typePrefixes = types && types.length > 0 ? types.map(t => `${foldCase(t)}/`) : undefined;
  const out: string[] = [];
  const { aliases } = load();
  // In name order, as the catalog lists them, whichever namespaces were unpacked first.
  for (const key of sortedNames()) {
    const entry = aliases.get(key)!;
    if (!entry.paths.some(p => foldCase(p) === wanted)) continue;
    if (typePrefixes && !typePrefixes.some(t => key.startsWith(t) && key.indexOf('/', t.length) < 0)) continue;
    out.push(entry.name);
    if (out.length >= count) break;
  }
  return out;
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
  const found = lookupAlias(alias);
  if (found.status === 'known') return { path: found.path, known: true, paths: found.paths };
  const path = conventionalPath(alias);
  return { path, known: false, paths: [path] };
}

let sorted: string[] | undefined;
function sortedNames(): string[] {
  sorted ??= [...load().aliases.keys()].sort();
  return sorted;
}

/** How many aliases the shipped catalog holds. */
export function aliasCount(): number {
  return ALIAS_COUNT;
}
