// Builds src/engine/tagSupport.data.ts, the table of which resource types Azure Policy's `Indexed` mode evaluates
// ("only resource types that support tags and location") as far as what is known of each type says, from two
// sources: the Markdown of Microsoft Learn's "Tag support for Azure resources" page (scripts/tag-support/tag-support.md,
// its origin in scripts/tag-support/source.json), and the verified additions in scripts/tag-support/additions.json
// (what the page does not say: a type with tags but no location, a tracked type the page leaves out; each entry with
// its source and reason). src/engine/modes.ts reads this one table, and decides types it does not list by shape.
//
// The page has one section per provider namespace (`## Microsoft.Compute`) holding a table whose rows are
// `> | virtualMachines / extensions | Yes | Yes |`: the type below the namespace (segments separated by ` / `),
// "Supports tags", "Tag in cost report". Only the first two columns are kept. Anything in a table row that is
// not of that form stops the build with the line, and so does a type listed twice with different answers, and an
// addition that contradicts the page or adds nothing to it.
//
// Output: per namespace (lower-cased, as Azure compares type names), one string of the types below it,
// lower-cased and sorted, each prefixed `+` (tags and location: Indexed evaluates it), `-` (no tags) or `~` (tags
// but no location); deterministic, so a test can make it again from the sources and fail when the committed file
// is stale. Run: npm run generate:tag-support.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const pagePath = path.join(root, 'scripts/tag-support/tag-support.md');
export const sourcePath = path.join(root, 'scripts/tag-support/source.json');
export const additionsPath = path.join(root, 'scripts/tag-support/additions.json');
export const outPath = path.join(root, 'src/engine/tagSupport.data.ts');

const NAMESPACE = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)+$/;
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** `{ msDate, rows: [{ namespace, type, tags, line }] }` of the page's text; throws naming the line at fault. */
export function parseTagSupportPage(text, file = 'tag-support.md') {
  const lines = text.split(/\r?\n/);
  const fail = (i, why) => {
    throw new Error(`${file}:${i + 1}: ${why}`);
  };
  const date = /^ms\.date:\s*(\d{2})\/(\d{2})\/(\d{4})\s*$/m.exec(text);
  if (!date) throw new Error(`${file}: no "ms.date: MM/DD/YYYY" line in the front matter.`);
  const msDate = `${date[3]}-${date[1]}-${date[2]}`;
  const rows = [];
  let namespace;
  let header = 0;
  lines.forEach((line, i) => {
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      namespace = NAMESPACE.test(heading[1]) ? heading[1] : undefined;
      header = 0;
      return;
    }
    if (!/^>\s*\|/.test(line)) return;
    if (namespace === undefined) fail(i, 'a table row outside a resource provider section ("## Microsoft.X").');
    const cells = line
      .replace(/^>\s*/, '')
      .split('|')
      .slice(1, -1)
      .map(c => c.trim());
    // The two lines that open each table: the column names, then the separator.
    if (header === 0) {
      if (cells[0] !== 'Resource type' || cells[1] !== 'Supports tags')
        fail(i, `a table whose columns are not "Resource type | Supports tags | …": ${line}`);
      header = 1;
      return;
    }
    if (header === 1) {
      if (!cells.every(c => /^-+$/.test(c))) fail(i, `the table's separator row is missing: ${line}`);
      header = 2;
      return;
    }
    if (cells.length !== 3) fail(i, `a row of ${cells.length} cells, not 3: ${line}`);
    const segments = cells[0].split('/').map(s => s.trim());
    if (!segments.every(s => SEGMENT.test(s))) fail(i, `"${cells[0]}" is not a resource type.`);
    if (cells[1] !== 'Yes' && cells[1] !== 'No') fail(i, `"Supports tags" is "${cells[1]}", not Yes or No.`);
    rows.push({ namespace, type: `${namespace}/${segments.join('/')}`, tags: cells[1] === 'Yes', line: i + 1 });
  });
  if (rows.length === 0) throw new Error(`${file}: no resource type rows found.`);
  return { msDate, rows };
}

/**
 * The entries of additions.json's text, `[{ type, tags, location, source, reason, line }]`; throws naming the line
 * of an entry that is not a well-formed type with both answers, an https source and a reason.
 */
export function parseAdditions(text, file = 'additions.json') {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${e.message}`);
  }
  if (!Array.isArray(json?.types)) throw new Error(`${file}: no "types" list.`);
  // Entry i's line is that of the i-th `"type":` key, with one key a line as the file is laid out (else line 1).
  const typeLines = text.split(/\r?\n/).flatMap((l, i) => (/^\s*"type"\s*:/.test(l) ? [i + 1] : []));
  const keys = ['type', 'tags', 'location', 'source', 'reason'];
  return json.types.map((entry, i) => {
    const line = typeLines.length === json.types.length ? typeLines[i] : 1;
    const at = `${file}:${line}: entry ${i + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new Error(`${at} is not an object of ${keys.map(k => `"${k}"`).join(', ')}.`);
    const { type } = entry;
    const [namespace, ...segments] = typeof type === 'string' ? type.split('/') : [''];
    if (!NAMESPACE.test(namespace) || segments.length === 0 || !segments.every(seg => SEGMENT.test(seg)))
      throw new Error(`${at}: "type" is ${JSON.stringify(type)}, not a resource type (Namespace/type).`);
    const extra = Object.keys(entry).filter(k => !keys.includes(k));
    if (extra.length > 0) throw new Error(`${at} (${type}): unknown ${extra.map(k => `"${k}"`).join(', ')}.`);
    for (const k of ['tags', 'location'])
      if (typeof entry[k] !== 'boolean') throw new Error(`${at} (${type}): "${k}" is not true or false.`);
    if (typeof entry.source !== 'string' || !/^https:\/\/\S+$/.test(entry.source))
      throw new Error(`${at} (${type}): "source" is not an https address where the answer was read.`);
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '')
      throw new Error(`${at} (${type}): no "reason".`);
    const { tags, location, source, reason } = entry;
    return { namespace, type, tags, location, source, reason, line };
  });
}

/**
 * Lower-cased namespace → lower-cased types below it with their marker, from the page's rows and the additions;
 * throws on a type the page lists twice differently, an addition listed twice, and an addition about a type the page
 * lists that disagrees with it on tags or adds nothing (only `location: false` can be added to the page's answer).
 */
export function tagSupportTable(rows, file = 'tag-support.md', additions = [], additionsFile = 'additions.json') {
  const seen = new Map();
  for (const row of rows) {
    const key = row.type.toLowerCase();
    const before = seen.get(key);
    if (before && before.tags !== row.tags)
      throw new Error(
        `${file}:${row.line}: ${row.type} supports tags here but not at line ${before.line}, or the other way round.`
      );
    if (!before) seen.set(key, { namespace: row.namespace, tags: row.tags, location: true });
  }
  const types = seen.size;
  const withTags = [...seen.values()].filter(r => r.tags).length;
  const added = new Map();
  for (const addition of additions) {
    const key = addition.type.toLowerCase();
    const at = `${additionsFile}:${addition.line}: ${addition.type}`;
    if (added.has(key)) throw new Error(`${at} is listed again (first at line ${added.get(key)}).`);
    added.set(key, addition.line);
    const page = seen.get(key);
    if (page && page.tags !== addition.tags)
      throw new Error(
        `${at}: the page says it ${page.tags ? 'supports' : 'does not support'} tags; "tags" must agree.`
      );
    if (page && addition.location)
      throw new Error(`${at}: adds nothing to the page's answer (only "location": false can be added to it).`);
    seen.set(key, { namespace: addition.namespace, tags: addition.tags, location: addition.location });
  }
  const byNamespace = new Map();
  for (const [key, entry] of seen) {
    const ns = entry.namespace.toLowerCase();
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
    byNamespace.get(ns).push(`${!entry.tags ? '-' : entry.location ? '+' : '~'}${key.slice(ns.length + 1)}`);
  }
  const sorted = [...byNamespace.keys()].sort();
  return {
    types,
    withTags,
    namespaces: sorted.map(ns => [ns, byNamespace.get(ns).sort((a, b) => (a.slice(1) < b.slice(1) ? -1 : 1))])
  };
}

/** The text of src/engine/tagSupport.data.ts for the page's text, its source record and additions.json's text. */
export function tagSupportModule(text, source, additionsText) {
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (sha256 !== source.sha256)
    throw new Error(
      `scripts/tag-support/tag-support.md has SHA-256 ${sha256}, not the ${source.sha256} that scripts/tag-support/source.json records: record where the new copy of the page comes from.`
    );
  const { msDate, rows } = parseTagSupportPage(text);
  const additions = parseAdditions(additionsText);
  const table = tagSupportTable(rows, 'tag-support.md', additions);
  const meta = {
    page: source.page,
    repository: source.copyRead.repository,
    commit: source.copyRead.commit,
    path: source.copyRead.path,
    msDate,
    retrieved: source.retrieved,
    sha256,
    types: table.types,
    withTags: table.withTags,
    additions: additions.length
  };
  const out = [
    '// Generated by scripts/build-tag-support.js from scripts/tag-support/tag-support.md (Microsoft Learn, "Tag support',
    `// for Azure resources", ms.date ${msDate}) and scripts/tag-support/additions.json; do not edit. The page lists ${table.types}`,
    `// resource types, ${table.withTags} of them with tags; ${additions.length} verified additions. Per namespace (lower-cased): the types below it,`,
    '// lower-cased, `+` supports tags and has a location (Indexed evaluates it), `-` does not support tags, `~` supports',
    '// tags but has no location. The additions, each with where it was read and why it is here:',
    ...additions.flatMap(a => [
      `//  - ${a.type}: ${a.tags ? 'tags' : 'no tags'}, ${a.location ? 'location' : 'no location'}; ${a.source}`,
      `//    ${a.reason}`
    ]),
    '// prettier-ignore',
    `export const TAG_SUPPORT_SOURCE = ${JSON.stringify(meta)} as const;`,
    '// prettier-ignore',
    'export const TAG_SUPPORT = new Map<string, string>([',
    ...table.namespaces.map(
      ([ns, types], i) =>
        `  [${JSON.stringify(ns)}, ${JSON.stringify(types.join(' '))}]${i < table.namespaces.length - 1 ? ',' : ''}`
    ),
    ']);',
    ''
  ];
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = readFileSync(pagePath, 'utf8');
  const source = JSON.parse(readFileSync(sourcePath, 'utf8'));
  const module = tagSupportModule(text, source, readFileSync(additionsPath, 'utf8'));
  let before = '';
  try {
    before = readFileSync(outPath, 'utf8');
  } catch {
    // first run
  }
  if (before !== module) writeFileSync(outPath, module);
  console.log(`${path.relative(root, outPath)}: ${before === module ? 'unchanged' : 'written'}`);
}
