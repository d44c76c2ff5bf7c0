/**
 * The sources of the generated modules that spare every run the costs of its start-up (`npm run
 * generate:validators` writes them; a test fails when a file differs from what this makes now):
 *
 * - validators.generated.ts: ajv's standalone code for the fixed schemas rule files are checked with
 *   (JSON Schema 2020-12's meta-schema, which a rule's schemas must satisfy; the rule-file and
 *   pack-manifest meta-schemas; a relation's spec), with the options ajv would compile them with.
 *   Compiling them was most of a short run's start.
 * - ruleTextCache.generated.ts: a cache of what reading the bundled rules (policies/) gives, keyed by the
 *   exact input: each rule and pack text as parsed (value and positions), which rule and pack texts were
 *   checked and have no mistake (so each start need not compile their schemas with ajv again to find none), and
 *   the standalone code of their relation and transition schema checks, by the schema's JSON, and each
 *   policy rule's condition as compiled with the engine's alias catalog, by the document's JSON. An entry
 *   is used only for exactly the input it was made from: a file that differs is parsed, checked and
 *   compiled as before, so a stale entry can only make a run slower.
 *
 * Build-time only (`npm run generate:validators`, through scripts/generate-validators.js): nothing at run
 * time imports this module.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Ajv2020Module from 'ajv/dist/2020.js';
import standaloneModule from 'ajv/dist/standalone/index.js';
import type { ValidateFunction } from 'ajv';
import { aliasCatalogFromPathLookup, compileCondition, compileRule } from '../src/compiler/index.js';
import { canonicalJson } from '../src/compiler/canonical.js';
import { createRuleAjv, type AjvInstance } from '../src/compiler/reference.js';
import { aliasLinesLookedUpBy, aliasPath, catalogFingerprint } from '../src/engine/aliases.js';
import { loadDefinition } from '../src/engine/definition.js';
import { linearRegExp } from '../src/model/regex.js';
import { grantSchemas, relationSpecSchema } from '../src/pr/relationSpec.js';
import { azureSchema, createCompareAjv, schemaCheckKey } from '../src/pr/azureCompare.js';
import { bundledPolicies } from '../src/paths.js';
import { DEFAULT_LIMITS, limit } from '../src/model/limits.js';
import { checkPack, checkRule, loadPolicyDirectory, readRuleText } from '../src/rules/index.js';
import { parsedText, parseYaml } from '../src/rules/positions.js';
import { packMetaSchema, ruleMetaSchema } from '../src/rules/metaSchema.js';

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const standaloneCode = standaloneModule.default ?? standaloneModule;

export const META_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

/** The validators of rule files and pack manifests: every error, with the offending data. */
function fileAjv(): AjvInstance {
  return new Ajv2020({
    strict: true,
    allowUnionTypes: true,
    allErrors: true,
    verbose: true,
    ownProperties: true,
    // The meta-schemas are ours and fixed (__tests__/rules/meta-schemas.test.ts checks them).
    validateSchema: false,
    code: { source: true }
  });
}

/** The validator of a relation's spec: every error; its patterns run on RE2, as rule patterns do. */
function specAjv(): AjvInstance {
  return new Ajv2020({
    allErrors: true,
    allowUnionTypes: true,
    ownProperties: true,
    validateSchema: false,
    code: { regExp: linearRegExp, source: true }
  });
}

interface Group {
  /** The constant the group's functions are kept in. */
  name: string;
  ajv: AjvInstance;
  /** Export name → the schema's key in `ajv`. */
  exports: Record<string, string>;
}

function groups(): Group[] {
  const files = fileAjv();
  files.addSchema(ruleMetaSchema);
  files.addSchema(packMetaSchema);
  const spec = specAjv();
  spec.addSchema(relationSpecSchema, 'relation-spec');
  return [
    // Rule schemas are checked with the ajv that compiles them (createRuleAjv), with every error.
    {
      name: 'ruleSchemas',
      ajv: createRuleAjv({ allErrors: true, source: true }),
      exports: { metaSchema: META_SCHEMA_2020 }
    },
    { name: 'ruleFiles', ajv: files, exports: { ruleFile: ruleMetaSchema.$id, packFile: packMetaSchema.$id } },
    { name: 'relationSpecs', ajv: spec, exports: { relationSpec: 'relation-spec' } }
  ];
}

/**
 * The same validators compiled by ajv now, by export name: what the generated functions must agree
 * with (the test compares them on many inputs).
 */
export function compiledValidators(): Record<string, ValidateFunction> {
  const out: Record<string, ValidateFunction> = {};
  for (const group of groups()) {
    for (const [name, key] of Object.entries(group.exports)) {
      const validate = group.ajv.getSchema(key);
      if (!validate) throw new Error(`no schema ${key}`);
      out[name] = validate as ValidateFunction;
    }
  }
  return out;
}

/** A module of standalone code: its imports and the constants holding each piece's exports. */
class StandaloneModule {
  private readonly runtime = new Map<string, string>();
  private usesLinearRegExp = false;
  readonly bodies: string[] = [];

  /** `code` (ajv's standalone output, CommonJS) as a constant holding its `exports`. */
  add(name: string, code: string): void {
    let body = code.replace(/^"use strict";/, '');
    // ajv refers to its run-time helpers (deep equality, string length in code points) with `require`,
    // which an ES module has not: each becomes an import.
    body = body.replace(/require\("([^"]+)"\)/g, (_match, module: string) => {
      let local = this.runtime.get(module);
      if (local === undefined) {
        local = `runtime${this.runtime.size}`;
        this.runtime.set(module, local);
      }
      return `commonJs(${local})`;
    });
    if (/= linearRegExp;/.test(body)) this.usesLinearRegExp = true;
    // Compiled on first use: a run that needs one piece does not compile the others.
    this.bodies.push(
      `const ${name} = once(() => {const module = { exports: {} };const exports = module.exports;${body}\nreturn module.exports;});`
    );
  }

  text(header: string, exports: string[]): string {
    for (const module of this.runtime.keys()) {
      const helper: unknown = (createRequire(import.meta.url)(module) as { default?: unknown }).default;
      if (typeof helper !== 'function') throw new Error(`ajv's run-time helper ${module} is not a function`);
    }
    return [
      '// @ts-nocheck',
      `// Generated by \`npm run generate:validators\` (scripts/generateValidators.ts): ${header} Do not edit.`,
      "import type { ValidateFunction } from 'ajv';",
      ...[...this.runtime].map(([module, local]) => `import ${local} from '${module}.js';`),
      ...(this.usesLinearRegExp ? ["import { linearRegExp as compileLinear } from '../model/regex.js';"] : []),
      '',
      '// What `require` gives: Node hands a CommonJS module its `exports`, a bundle may hand its default export.',
      "const commonJs = m => (typeof m === 'function' ? { default: m } : m);",
      'const once = make => {let made;return () => (made ??= make());};',
      ...(this.usesLinearRegExp
        ? [
            '// Each pattern is compiled when it is first matched, not when its validator is made: RE2 accepted',
            '// every one of them when this file was made, and a run seldom matches them all.',
            'const linearRegExp = (source, flags) => {let re;return {test: text => (re ??= compileLinear(source, flags)).test(text), toString: () => `/${source}/${flags}`};};'
          ]
        : []),
      ...this.bodies,
      '',
      ...exports,
      ''
    ].join('\n');
  }
}

/** The text of validators.generated.ts. */
export function validatorsModule(): string {
  const module = new StandaloneModule();
  for (const group of groups()) module.add(group.name, standaloneCode(group.ajv, group.exports));
  return module.text("ajv's standalone code for the fixed schemas rule files are checked with.", [
    `export const metaSchemaId = ${JSON.stringify(META_SCHEMA_2020)};`,
    "/** JSON Schema 2020-12's meta-schema, checked as `createRuleAjv({ allErrors: true }).validateSchema` checks it. */",
    'export const metaSchema = (): ValidateFunction => ruleSchemas().metaSchema;',
    '/** The rule-file meta-schema (src/rules/metaSchema.ts). */',
    'export const ruleFile = (): ValidateFunction => ruleFiles().ruleFile;',
    '/** The pack-manifest meta-schema (src/rules/metaSchema.ts). */',
    'export const packFile = (): ValidateFunction => ruleFiles().packFile;',
    "/** A relation rule's spec (src/pr/relationSpec.ts). */",
    'export const relationSpec = (): ValidateFunction => relationSpecs().relationSpec;'
  ]);
}

const RULE_EXTENSIONS = ['.yaml', '.yml', '.json'];
const PACK_FILES = ['pack.yaml', 'pack.yml', 'pack.json'];

/**
 * The bundled rule and pack files' texts: each parsed now (as ruleTextCache.generated.ts keeps it, when its
 * value is plain JSON and shares no node through a YAML alias), and whether it is a rule file in which
 * `checkRule` finds no mistake, or a pack manifest in which `checkPack` finds none.
 */
function bundledTexts(policies: string): { text: string; pack: boolean; checked: boolean; parsed: string | null }[] {
  if (limit('jsonDepth') !== DEFAULT_LIMITS.jsonDepth || limit('yamlValues') !== DEFAULT_LIMITS.yamlValues)
    throw new Error('the bundled pack is generated with the default limits: unset CMK_GUARD_MAX_* first');
  const out = new Map<string, { text: string; pack: boolean; checked: boolean; parsed: string | null }>();
  for (const entry of fs.readdirSync(policies).sort()) {
    if (!RULE_EXTENSIONS.includes(path.extname(entry))) continue;
    const file = path.join(policies, entry);
    const text = readRuleText(file);
    if (text.trim() === '' || out.has(text)) continue;
    const doc = parseYaml(file, text);
    const pack = PACK_FILES.includes(entry);
    const checked = (pack ? checkPack(doc) : checkRule(doc)).length === 0;
    const plain =
      !/(^|[\s[{,:-])[&*][^\s]/.test(text) &&
      !text.includes('__proto__') &&
      isDeepStrictEqual(JSON.parse(JSON.stringify(doc.value)), doc.value);
    out.set(text, { text, pack, checked, parsed: plain ? JSON.stringify(parsedText(doc)) : null });
  }
  return [...out.values()];
}

/** Keywords that tie a schema to others compiled by the same ajv: such a schema is compiled at run time. */
const LINKING = /"\$(id|anchor|dynamicAnchor|dynamicRef|schema)"|"\$ref":"(?!#)/;

/**
 * The schemas the bundled relation and transition rules check resources with (compileSchemaCheck), as
 * prepared for ajv, by key: the ones that compile on their own.
 */
function bundledSchemaChecks(policies: string): Map<string, { ajv: AjvInstance; validate: ValidateFunction }> {
  const out = new Map<string, { ajv: AjvInstance; validate: ValidateFunction }>();
  for (const rule of loadPolicyDirectory(policies).rules) {
    if (rule.kind === 'policy') continue;
    const grants = (rule.relation as { grants?: { [key: string]: unknown } } | undefined)?.grants;
    const schemas = [
      rule.appliesTo,
      rule.kind === 'transition' ? rule.schema : undefined,
      ...grantSchemas(grants).map(([, schema]) => schema)
    ];
    for (const schema of schemas) {
      if (schema === undefined) continue;
      const prepared = azureSchema(schema);
      const key = schemaCheckKey(prepared);
      if (key === null || out.has(key) || LINKING.test(JSON.stringify(prepared))) continue;
      try {
        const ajv = createCompareAjv({ source: true });
        out.set(key, { ajv, validate: ajv.compile(prepared as object) });
      } catch {
        // A schema ajv refuses is refused again at run time, with its message.
      }
    }
  }
  return out;
}

/** The same checks compiled by ajv now, by key: what the generated functions must agree with. */
export function compiledSchemaChecks(policies = bundledPolicies()): Map<string, ValidateFunction> {
  return new Map([...bundledSchemaChecks(policies)].map(([key, { validate }]) => [key, validate]));
}

/**
 * The bundled policy rules compiled with the engine's alias catalog (compileCondition, as every run would):
 * [the rule document's canonical JSON, the condition's JSON, the content hash].
 */
function compiledRules(policies: string): [string, string, string][] {
  const aliases = aliasCatalogFromPathLookup(aliasPath);
  const out: [string, string, string][] = [];
  for (const rule of loadPolicyDirectory(policies).rules) {
    if (rule.kind !== 'policy') continue;
    try {
      const { condition, hash } = compileCondition(rule, aliases);
      out.push([canonicalJson(rule.document), JSON.stringify(condition), hash]);
    } catch {
      // A rule that does not compile is compiled, and refused with its message, at run time.
    }
  }
  return out;
}

/** The bundled relation rules' specs (`relation:`) that the relation-spec validator finds no mistake in, as canonical JSON. */
function checkedRelationSpecs(policies: string): string[] {
  const validate = compiledValidators().relationSpec;
  const out = new Set<string>();
  for (const rule of loadPolicyDirectory(policies).rules)
    if (rule.kind === 'relation' && rule.relation !== undefined && validate(rule.relation))
      out.add(canonicalJson(rule.relation));
  return [...out];
}

/** The text of ruleTextCache.generated.ts: what reading the bundled rules gave at build time, by exact input. */
export function ruleTextCacheModule(policies = bundledPolicies()): string {
  const module = new StandaloneModule();
  const entries: string[] = [];
  [...bundledSchemaChecks(policies)].forEach(([key, { ajv, validate }], i) => {
    module.add(`check${i}`, standaloneCode(ajv, validate));
    entries.push(`  [${JSON.stringify(key)}, check${i}().default],`);
  });
  const texts = bundledTexts(policies);
  return module.text(
    'what parsing, checking and compiling the bundled rules (policies/) gave, by the exact input it was made from (any other input is read as before).',
    [
      'const texts = [',
      ...texts.map(({ text }) => `  ${JSON.stringify(text)},`),
      '];',
      "/** The bundled rule files' texts that were checked and have no mistake. */",
      `export const checkedRuleTexts: ReadonlySet<string> = new Set([${texts.flatMap(({ pack, checked }, i) => (checked && !pack ? [`texts[${i}]`] : [])).join(', ')}]);`,
      "/** The bundled pack manifests' texts that were checked and have no mistake. */",
      `export const checkedPackTexts: ReadonlySet<string> = new Set([${texts.flatMap(({ pack, checked }, i) => (checked && pack ? [`texts[${i}]`] : [])).join(', ')}]);`,
      "/** The bundled rule and pack files' texts as parsed (parsedText): the value's JSON and each pointer's offsets. */",
      'export const parsedTexts: () => ReadonlyMap<string, [string, [string, number, number][]]> = once(() => new Map([',
      ...texts.flatMap(({ parsed }, i) => (parsed === null ? [] : [`  [texts[${i}], ${parsed}],`])),
      ']));',
      "/** The bundled relation and transition rules' schema checks (compileSchemaCheck), by schemaCheckKey. */",
      'export const bundledSchemaChecks: () => ReadonlyMap<string, ValidateFunction> = once(() => new Map([',
      ...entries,
      ']));',
      "/** The bundled relation rules' specs (canonical JSON) in which the relation-spec validator found no mistake. */",
      `export const checkedRelationSpecs: ReadonlySet<string> = new Set(${JSON.stringify(checkedRelationSpecs(policies))});`,
      "/** The bundled policy rules' conditions (as JSON) and content hashes, compiled with the engine's alias catalog, by the rule document's canonical JSON. */",
      'export const compiledRules: () => ReadonlyMap<string, [string, string]> = once(() => new Map([',
      ...compiledRules(policies).map(
        ([key, condition, hash]) =>
          `  [${JSON.stringify(key)}, [${JSON.stringify(condition)}, ${JSON.stringify(hash)}]],`
      ),
      ']));'
    ]
  );
}

/**
 * The text of aliasLines.generated.ts: the alias catalog's lines for every name loading the bundled policy rules
 * looks up, compiling each rule (with no condition compiled before, so the set does not depend on the rule text
 * cache) and loading it into the engine as a run does, so that a run of the bundled rules unpacks no shard.
 */
export function aliasLinesModule(policies = bundledPolicies()): string {
  const aliases = aliasCatalogFromPathLookup(aliasPath);
  const lines = aliasLinesLookedUpBy(() => {
    for (const rule of loadPolicyDirectory(policies).rules) {
      if (rule.kind !== 'policy') continue;
      try {
        loadDefinition({ file: rule.file, json: compileRule(rule, aliases) });
      } catch {
        // A rule that does not compile or load is refused with its message at run time.
      }
    }
  });
  return [
    "// Generated by `npm run generate:validators` (scripts/generateValidators.ts): the alias catalog's line for each name",
    '// loading the bundled rules looks up (null: no line), read from the catalog whose fingerprint is `catalog`. Do not edit.',
    '// prettier-ignore',
    'export const ALIAS_LINES_AT_BUILD: { catalog: string; lines: [string, string | null][] } = {',
    `  catalog: ${JSON.stringify(catalogFingerprint())},`,
    '  lines: [',
    ...lines.map(entry => `    ${JSON.stringify(entry)},`),
    '  ]',
    '};',
    ''
  ].join('\n');
}
