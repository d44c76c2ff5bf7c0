// Builds src/engine/tagSupport.data.ts, the table of which resource types support tags, from the Markdown of
// Microsoft Learn's "Tag support for Azure resources" page (scripts/tag-support/tag-support.md, its origin in
// scripts/tag-support/source.json). Azure Policy's `Indexed` mode evaluates only resource types that support
// tags and location; src/engine/modes.ts reads this table for the first half of that.
//
// The page has one section per provider namespace (`## Microsoft.Compute`) holding a table whose rows are
// `> | virtualMachines / extensions | Yes | Yes |`: the type below the namespace (segments separated by ` / `),
// "Supports tags", "Tag in cost report". Only the first two columns are kept. Anything in a table row that is
// not of that form stops the build with the line, and so does a type listed twice with different answers.
//
// Output: per namespace (lower-cased, as Azure compares type names), one string of the types below it,
// lower-cased and sorted, each prefixed `+` (supports tags) or `-` (does not); deterministic, so a test can
// make it again from the page and fail when the committed file is stale. Run: npm run generate:tag-support.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const pagePath = path.join(root, 'scripts/tag-support/tag-support.md');
export const sourcePath = path.join(root, 'scripts/tag-support/source.json');
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

/** Lower-cased namespace → lower-cased types below it with their answer; throws on a type listed twice differently. */
export function tagSupportTable(rows, file = 'tag-support.md') {
  const seen = new Map();
  for (const row of rows) {
    const key = row.type.toLowerCase();
    const before = seen.get(key);
    if (before && before.tags !== row.tags)
      throw new Error(
        `${file}:${row.line}: ${row.type} supports tags here but not at line ${before.line}, or the other way round.`
      );
    if (!before) seen.set(key, row);
  }
  const byNamespace = new Map();
  for (const [key, row] of seen) {
    const ns = row.namespace.toLowerCase();
    if (!byNamespace.has(ns)) byNamespace.set(ns, []);
    byNamespace.get(ns).push(`${row.tags ? '+' : '-'}${key.slice(ns.length + 1)}`);
  }
  const sorted = [...byNamespace.keys()].sort();
  return {
    types: seen.size,
    withTags: [...seen.values()].filter(r => r.tags).length,
    namespaces: sorted.map(ns => [ns, byNamespace.get(ns).sort((a, b) => (a.slice(1) < b.slice(1) ? -1 : 1))])
  };
}

/** The text of src/engine/tagSupport.data.ts for the page's text and its source record. */
export function tagSupportModule(text, source) {
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (sha256 !== source.sha256)
    throw new Error(
      `scripts/tag-support/tag-support.md has SHA-256 ${sha256}, not the ${source.sha256} that scripts/tag-support/source.json records: record where the new copy of the page comes from.`
    );
  const { msDate, rows } = parseTagSupportPage(text);
  const table = tagSupportTable(rows);
  const meta = {
    page: source.page,
    repository: source.copyRead.repository,
    commit: source.copyRead.commit,
    path: source.copyRead.path,
    msDate,
    retrieved: source.retrieved,
    sha256,
    types: table.types,
    withTags: table.withTags
  };
  const out = [
    '// Generated by scripts/build-tag-support.js from scripts/tag-support/tag-support.md (Microsoft Learn, "Tag support',
    `// for Azure resources", ms.date ${msDate}); do not edit. ${table.types} resource types in ${table.namespaces.length} provider namespaces,`,
    `// ${table.withTags} of them with tags. Per namespace (lower-cased): the types below it, lower-cased, \`+\` supports tags, \`-\` does not.`,
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
  const module = tagSupportModule(text, source);
  let before = '';
  try {
    before = readFileSync(outPath, 'utf8');
  } catch {
    // first run
  }
  if (before !== module) writeFileSync(outPath, module);
  console.log(`${path.relative(root, outPath)}: ${before === module ? 'unchanged' : 'written'}`);
}
