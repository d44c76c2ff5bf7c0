// Builds src/engine/aliases.data.ts, the policy alias catalog the engine ships with. Output is
// deterministic: CI re-runs this when the corpus is present and fails if the committed file changed.
//
// Where the catalog learns aliases (all public, all under ../shared/corpus or this repository):
//  1. aliases/all-providers.csv: `Get-AzPolicyAlias` for every provider (early 2024): name → default path.
//  2. aliases/aliases.json: the resource types cmk-guard is about, merged from three dumps up to 2026-08;
//     it wins where both have an alias. These types are *complete*: an alias of one of them that is not
//     listed does not exist, and a definition that uses one is refused (as Azure refuses it).
//  3. The built-in (builtin/) and Azure Landing Zones (alz/) definitions: Azure accepted every one of them,
//     so every alias they read exists, and every alias a Modify operation of theirs writes is modifiable
//     (Azure refuses a Modify definition whose operations write an alias that is not: InvalidPolicyRuleModifyDetails).
//     Aliases that only these definitions name (newer than the dumps) get the conventional path and say so.
//  4. scripts/aliases-extra.json (in this repository; its `_meta` names each source and commit):
//     aliases of the complete types that Microsoft's alias data has and the dumps do not yet, the
//     published default paths of aliases that source 3 finds but the corpus dumps lack (a 2026-08 dump),
//     and, per resource type, which aliases are modifiable where Microsoft's alias data says
//     (`defaultMetadata.attributes`); an alias of such a type not listed there is not modifiable.
//
// Format (before compression), one line per alias, sorted by lower-cased name:
//  - `<alias>[<TAB><path>…][<TAB>!<flags>]`: an alias, sorted by lower-cased name. Paths are given only
//    when the default path is not the conventional `properties.<segment after the last '/'>`; a few
//    legacy aliases without a resource type (`Microsoft.Compute/imagePublisher`) have one path per type.
//    Flags: `m` modifiable, `r` not modifiable (only where source 4 covers the type), `c` known only from
//    definitions (source 3), its path conventional.
// The complete types are listed as they are; the aliases are split by provider namespace (the name's
// part before the first '/'), each namespace's lines brotli-compressed at fixed settings and
// embedded as base64, so ncc bundles them as code and a run unpacks only the namespaces it reads.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(root, '../shared/corpus');
const out = path.join(root, 'src/engine/aliases.data.ts');

/** name (lower-cased) → { name, paths, modifiable?: boolean, learned?: true } */
const byName = new Map();
const csv = fs.readFileSync(path.join(corpus, 'aliases/all-providers.csv'), 'utf8');
for (const line of csv.split(/\r?\n/)) {
  if (!line) continue;
  const comma = line.indexOf(',');
  const name = line.slice(0, comma);
  const found = byName.get(name.toLowerCase());
  const p = line.slice(comma + 1);
  if (found && !found.paths.includes(p)) found.paths.push(p);
  else if (!found) byName.set(name.toLowerCase(), { name, paths: [p] });
}
const rich = JSON.parse(fs.readFileSync(path.join(corpus, 'aliases/aliases.json'), 'utf8'));
const completeTypes = Object.keys(rich.resourceTypes).sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
for (const type of completeTypes) {
  for (const alias of rich.resourceTypes[type].aliases) {
    const found = byName.get(alias.name.toLowerCase());
    if (found && found.paths.length > 1) continue;
    byName.set(alias.name.toLowerCase(), { name: alias.name, paths: [alias.defaultPath] });
  }
}

const conventional = name => `properties.${name.slice(name.lastIndexOf('/') + 1)}`;

// Source 4a: aliases of the complete types newer than the dumps.
const extra = JSON.parse(fs.readFileSync(path.join(root, 'scripts/aliases-extra.json'), 'utf8'));
for (const [name, defaultPath] of Object.entries(extra.aliases ?? {})) {
  if (!completeTypes.some(t => name.toLowerCase().startsWith(`${t.toLowerCase()}/`)))
    throw new Error(`aliases-extra.json adds ${name}, which is not of a complete resource type`);
  if (!byName.has(name.toLowerCase())) byName.set(name.toLowerCase(), { name, paths: [defaultPath] });
}

// Source 3: the fields that accepted definitions read and write.
const definitionFiles = [];
const collect = dir => {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collect(full);
    else if (entry.name.toLowerCase().endsWith('.json')) definitionFiles.push(full);
  }
};
collect(path.join(corpus, 'builtin'));
collect(path.join(corpus, 'alz'));

const read = new Set();
const written = new Set();
const literalField = /\b(?:field|current)\(\s*'([^']*)'\s*\)/gi;
const addRead = name => {
  if (typeof name !== 'string') return;
  const text = name.startsWith('[[') ? name.slice(1) : name;
  if (text.startsWith('[') || !text.includes('/')) return;
  read.add(text);
};
const visit = node => {
  if (Array.isArray(node)) {
    for (const item of node) visit(item);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      const lower = key.toLowerCase();
      // A deployIfNotExists template is ARM, not policy: its expressions are not policy fields.
      if (lower === 'template') continue;
      if (lower === 'field') addRead(value);
      visit(value);
    }
  } else if (typeof node === 'string' && node.startsWith('[')) {
    for (const m of node.matchAll(literalField)) addRead(m[1]);
  }
};
for (const file of definitionFiles) {
  let json;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch {
    continue;
  }
  const props = json && typeof json === 'object' ? (json.properties ?? json) : undefined;
  const rule = props && typeof props === 'object' ? props.policyRule : undefined;
  if (!rule || typeof rule !== 'object') continue;
  visit(rule);
  const details = rule.then && typeof rule.then === 'object' ? rule.then.details : undefined;
  const operations = details && typeof details === 'object' ? details.operations : undefined;
  if (Array.isArray(operations)) {
    for (const op of operations) {
      const field = op && typeof op === 'object' ? op.field : undefined;
      if (typeof field === 'string' && field.includes('/') && !field.startsWith('[')) written.add(field);
    }
  }
}
for (const name of [...read, ...written].sort()) {
  if (byName.has(name.toLowerCase())) continue;
  byName.set(name.toLowerCase(), { name, paths: [conventional(name)], learned: true });
}
for (const name of written) byName.get(name.toLowerCase()).modifiable = true;

// Source 4b: published paths for aliases only definitions named, and Microsoft's modifiable flags.
for (const [name, defaultPath] of Object.entries(extra.paths ?? {})) {
  const entry = byName.get(name.toLowerCase());
  if (!entry) throw new Error(`aliases-extra.json gives a path for ${name}, which no definition uses`);
  entry.paths = [defaultPath];
  delete entry.learned;
}
for (const [type, modifiable] of Object.entries(extra.modifiable ?? {})) {
  const prefix = `${type.toLowerCase()}/`;
  const yes = new Set(modifiable.map(n => n.toLowerCase()));
  for (const n of yes) {
    if (!byName.has(n)) throw new Error(`aliases-extra.json calls ${n} modifiable, but the catalog does not hold it`);
  }
  for (const [key, entry] of byName) {
    if (!key.startsWith(prefix) || key.slice(prefix.length).includes('/')) continue;
    if (yes.has(key)) entry.modifiable = true;
    else if (entry.modifiable !== true) entry.modifiable = false;
  }
}

const keys = [...byName.keys()].sort();
const line = key => {
  const { name, paths, modifiable, learned } = byName.get(key);
  const fields = [name];
  if (!(paths.length === 1 && paths[0] === conventional(name))) fields.push(...paths);
  const flags = `${modifiable === true ? 'm' : modifiable === false ? 'r' : ''}${learned ? 'c' : ''}`;
  if (flags) fields.push(`!${flags}`);
  return fields.join('\t');
};
// One shard per provider namespace (the part of the name before the first '/'), so a run unpacks
// only the namespaces its definitions use, not the whole catalog. A namespace with more than
// SPLIT_ABOVE aliases is split further by resource type (`namespace/type`, the part before the
// second '/'): Microsoft.Network alone holds about 19,000, and unpacking them all to read
// privateEndpoints cost a run tens of milliseconds. Its aliases without a type stay in the namespace's
// shard. src/engine/aliases.ts `shardsOf` names the shards an alias can be in; keep the two in step.
const SPLIT_ABOVE = 4000;
const perNamespace = new Map();
for (const key of keys) {
  const slash = key.indexOf('/');
  const namespace = slash < 0 ? key : key.slice(0, slash);
  perNamespace.set(namespace, (perNamespace.get(namespace) ?? 0) + 1);
}
const shards = new Map();
for (const key of keys) {
  const slash = key.indexOf('/');
  const namespace = slash < 0 ? key : key.slice(0, slash);
  const second = slash < 0 ? -1 : key.indexOf('/', slash + 1);
  const shard = perNamespace.get(namespace) > SPLIT_ABOVE && second >= 0 ? key.slice(0, second) : namespace;
  if (!shards.has(shard)) shards.set(shard, []);
  shards.get(shard).push(line(key));
}
let compressedBytes = 0;
const encoded = [...shards.keys()].sort().map(namespace => {
  const text = shards.get(namespace).join('\n');
  const compressed = zlib.brotliCompressSync(Buffer.from(text, 'utf8'), {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length
    }
  });
  compressedBytes += compressed.length;
  // One string per shard, on one line: thousands of short strings joined at load cost every start (each
  // literal is scanned and interned, then joined), and a chain of '+' that long overflows parsers' stacks.
  return `  [${JSON.stringify(namespace)}, '${compressed.toString('base64')}']`;
});
const learnedCount = keys.filter(k => byName.get(k).learned).length;
const body = [
  '// Generated by scripts/build-aliases.js from ../shared/corpus (alias dumps, built-in and ALZ definitions); do not edit.',
  `// ${keys.length} aliases (${learnedCount} known only from definitions), ${completeTypes.length} complete resource types, ${perNamespace.size} provider namespaces in ${shards.size} shards (the largest namespaces split by resource type); each shard brotli-compressed, base64-encoded (${compressedBytes} bytes compressed).`,
  '// prettier-ignore',
  `export const ALIAS_COUNT = ${keys.length};`,
  '// prettier-ignore',
  `export const COMPLETE_TYPES: string[] = ${JSON.stringify(completeTypes)};`,
  '// prettier-ignore',
  'export const ALIAS_SHARDS = new Map<string, string>([',
  encoded.join(',\n'),
  ']);',
  ''
].join('\n');
fs.writeFileSync(out, body);
console.log(
  `wrote ${path.relative(root, out)}: ${keys.length} aliases (${learnedCount} from definitions, ${written.size} written by Modify), ${completeTypes.length} complete types, ${perNamespace.size} namespaces in ${shards.size} shards, ${compressedBytes} bytes compressed`
);
