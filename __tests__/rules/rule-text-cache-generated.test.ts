/**
 * What ruleTextCache.generated.ts holds of the bundled rules is what checking and compiling them gives
 * now: the file is what the generator makes (not stale); every text it names is a bundled rule file
 * in which the checks find no mistake; a text that differs is checked as any other; and each generated
 * schema check gives the verdict and the errors ajv gives, on many resources.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { outcome } from '../support/validatorOutcome.js';
import { UserError, UserErrors } from '../../src/model/errors.js';
import { azureComparable } from '../../src/pr/azureCompare.js';
import type { Value } from '../../src/model/value.js';
import {
  bundledSchemaChecks,
  checkedRelationSpecs,
  checkedRuleTexts,
  compiledRules,
  parsedTexts
} from '../../src/rules/ruleTextCache.generated.js';
import { aliasCatalogFromPathLookup, compileRule } from '../../src/compiler/index.js';
import { canonicalJson } from '../../src/compiler/canonical.js';
import { aliasPath } from '../../src/engine/aliases.js';
import { engineAliasCatalog } from '../../src/run.js';
import { compilePullRequestChecks } from '../../src/pr/rules.js';
import { relationSpec } from '../../src/rules/validators.generated.js';
import { ruleTextCacheModule, compiledSchemaChecks } from '../../scripts/generateValidators.js';
import { checkRule, compiledAtBuild, loadPolicyDirectory, loadRuleFile, readRuleText } from '../../src/rules/index.js';
import { parseDocument, parseYaml } from '../../src/rules/positions.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const policies = path.join(root, 'policies');
const ruleFiles = fs
  .readdirSync(policies)
  .filter(entry => entry.endsWith('.yaml') && entry !== 'pack.yaml')
  .map(entry => path.join(policies, entry));

/** The members a schema reads, nested as it nests them (through allOf, if/then and the like). */
type Shape = Map<string, Shape>;
function shapeOf(schema: unknown, into: Shape = new Map()): Shape {
  if (Array.isArray(schema)) schema.forEach(s => shapeOf(s, into));
  else if (schema && typeof schema === 'object') {
    for (const [keyword, inner] of Object.entries(schema)) {
      if (keyword === 'properties' && inner && typeof inner === 'object') {
        for (const [name, sub] of Object.entries(inner)) {
          const child = into.get(name) ?? new Map();
          into.set(name, child);
          shapeOf(sub, child);
        }
      } else if (keyword === 'required' && Array.isArray(inner)) {
        for (const name of inner) if (!into.has(String(name))) into.set(String(name), new Map());
      } else if (['allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'not', 'items', 'contains'].includes(keyword)) {
        shapeOf(inner, into);
      }
    }
  }
  return into;
}

/** Every constant a schema compares with. */
function constants(schema: unknown, out = new Set<Value>()): Value[] {
  if (Array.isArray(schema)) schema.forEach(s => constants(s, out));
  else if (schema && typeof schema === 'object') {
    for (const [keyword, inner] of Object.entries(schema)) {
      if (keyword === 'const' && (inner === null || typeof inner !== 'object')) out.add(inner as Value);
      else if (keyword === 'enum' && Array.isArray(inner))
        inner.forEach(v => (v === null || typeof v !== 'object') && out.add(v as Value));
      else constants(inner, out);
    }
  }
  return [...out];
}

/** Resources (or `{before, after}` pairs) with the members a schema reads, holding its constants or other values. */
function dataFor(schema: unknown): fc.Arbitrary<Value> {
  const shape = shapeOf(schema);
  // A transition compares before with after: both sides take every member either side is read at.
  if (shape.has('after') || shape.has('before')) {
    const side: Shape = new Map([...(shape.get('before') ?? []), ...(shape.get('after') ?? [])]);
    shape.set('before', side);
    shape.set('after', side);
  }
  const leaf: fc.Arbitrary<Value> = fc.oneof(
    { arbitrary: fc.constantFrom<Value>(...constants(schema), 'x'), weight: 4 },
    { arbitrary: fc.constantFrom<Value>('', 0, true, null), weight: 1 }
  );
  const of = (node: Shape): fc.Arbitrary<Value> => {
    if (node.size === 0) return leaf;
    const members = Object.fromEntries([...node].map(([name, child]) => [name, of(child)]));
    const record = fc.record(members, { requiredKeys: [], noNullPrototype: true }) as fc.Arbitrary<Value>;
    return fc.oneof(
      { arbitrary: record, weight: 6 },
      { arbitrary: leaf, weight: 1 },
      { arbitrary: fc.array(record, { maxLength: 2 }) as fc.Arbitrary<Value>, weight: 1 }
    );
  };
  return of(shape);
}

describe('the bundled pack, as generated', () => {
  it('is what npm run generate:validators makes from policies/ now', () => {
    // If this fails, run `npm run generate:validators` and commit src/rules/ruleTextCache.generated.ts.
    expect(fs.readFileSync(path.join(root, 'src/rules/ruleTextCache.generated.ts'), 'utf8')).toBe(
      ruleTextCacheModule()
    );
  });

  it('names exactly the texts of the bundled rule files, each of which has no mistake when checked now', () => {
    const keys = ruleFiles.map(file => {
      const text = readRuleText(file);
      expect(checkRule(parseDocument(file, text))).toEqual([]);
      return text;
    });
    expect(ruleFiles.length).toBeGreaterThan(5);
    expect([...checkedRuleTexts].sort()).toEqual([...new Set(keys)].sort());
  });

  it('gives each bundled file the value and positions parsing its text gives now', () => {
    const files = fs.readdirSync(policies).filter(entry => entry.endsWith('.yaml'));
    expect(files).toContain('pack.yaml');
    for (const entry of files) {
      const file = path.join(policies, entry);
      const text = readRuleText(file);
      expect(parsedTexts().has(text)).toBe(true);
      const kept = parseDocument(file, text);
      const now = parseYaml(file, text);
      expect(kept.value).toStrictEqual(now.value);
      expect([...kept.offsets]).toStrictEqual([...now.offsets]);
      for (const pointer of now.offsets.keys()) {
        expect(kept.positionOf(pointer)).toEqual(now.positionOf(pointer));
        expect(kept.positionOf(pointer, true)).toEqual(now.positionOf(pointer, true));
      }
      expect(kept.positionAt(text.length)).toEqual(now.positionAt(text.length));
    }
  });

  it('parses a bundled text again when a limit is not the default, and applies the limit', () => {
    const file = path.join(policies, 'foundry-tools-cmk.yaml');
    const text = readRuleText(file);
    const before = process.env.CMK_GUARD_MAX_DEPTH;
    process.env.CMK_GUARD_MAX_DEPTH = '3';
    try {
      expect(() => parseDocument(file, text)).toThrow(UserError);
      expect(() => parseDocument(file, text)).toThrow(/not valid YAML/);
    } finally {
      if (before === undefined) delete process.env.CMK_GUARD_MAX_DEPTH;
      else process.env.CMK_GUARD_MAX_DEPTH = before;
    }
    expect(parseDocument(file, text).value).toStrictEqual(parseYaml(file, text).value);
  });

  it('checks a bundled rule file whose text differs, and reports its mistakes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bundled-'));
    try {
      const source = path.join(policies, 'foundry-tools-cmk.yaml');
      const text = fs.readFileSync(source, 'utf8');
      const copy = path.join(dir, 'foundry-tools-cmk.yaml');
      fs.writeFileSync(copy, text);
      expect(loadRuleFile(copy).name).toBe('foundry-tools-cmk');
      // A pattern RE2 cannot run is found only when ajv compiles the schema.
      const broken = text.replace(/^schema:\n/m, "schema:\n  pattern: '(?=x)'\n");
      expect(broken).not.toBe(text);
      fs.writeFileSync(copy, broken);
      let thrown: unknown;
      try {
        loadRuleFile(copy);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(UserError);
      const errors = thrown instanceof UserErrors ? thrown.errors : [thrown as UserError];
      expect(errors.map(e => e.describe())).toEqual([
        `${copy}:${text.split('\n').findIndex(l => l === 'schema:') + 2}:3: \`schema\` is not a schema ajv can compile (error parsing regexp: invalid or unsupported Perl syntax: \`(?=\`); fix it.`
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('the policy rules, compiled', () => {
    const rules = loadPolicyDirectory(policies).rules.filter(rule => rule.kind === 'policy');
    const fresh = () => aliasCatalogFromPathLookup(aliasPath);

    it("are each found by the rule's document and are what compiling it with the engine's catalog gives now", () => {
      expect(rules.length).toBeGreaterThan(5);
      for (const rule of rules) {
        expect([rule.name, compiledAtBuild(canonicalJson(rule.document)) !== undefined]).toEqual([rule.name, true]);
        expect(compileRule(rule, engineAliasCatalog(), { root })).toStrictEqual(compileRule(rule, fresh(), { root }));
      }
      expect(compiledRules().size).toBe(rules.length);
    });

    it('give each run its own condition to keep', () => {
      const rule = rules[0];
      const first = compileRule(rule, engineAliasCatalog());
      (first.properties.policyRule.if as { allOf: unknown[] }).allOf.push('changed');
      expect(compileRule(rule, engineAliasCatalog())).toStrictEqual(compileRule(rule, fresh()));
    });

    it('are not found for a document that differs, which is compiled now', () => {
      const rule = rules.find(r => r.name === 'foundry-tools-cmk')!;
      const schema = { ...(rule.schema as object), required: ['properties', 'sku'] };
      const changed = { ...rule, schema, document: { ...(rule.document as object), schema } };
      expect(compiledAtBuild(canonicalJson(changed.document))).toBeUndefined();
      const body = compileRule(changed, engineAliasCatalog());
      expect(body).toStrictEqual(compileRule(changed, fresh()));
      expect(body.properties.metadata.cmkGuard.hash).not.toBe(
        compileRule(rule, fresh()).properties.metadata.cmkGuard.hash
      );
      expect(JSON.stringify(body.properties.policyRule.if)).toContain('sku');
      expect(JSON.stringify(compileRule(rule, fresh()).properties.policyRule.if)).not.toContain('"sku"');
    });
  });

  describe("the relation rules' specs", () => {
    const rules = loadPolicyDirectory(policies).rules.filter(rule => rule.kind === 'relation');

    it('are each named, and have no mistake when checked now', () => {
      expect(rules.length).toBeGreaterThan(0);
      const validate = relationSpec();
      for (const rule of rules) {
        expect(validate(rule.relation)).toBe(true);
        expect(checkedRelationSpecs.has(canonicalJson(rule.relation!))).toBe(true);
      }
      expect(checkedRelationSpecs.size).toBe(new Set(rules.map(rule => canonicalJson(rule.relation!))).size);
    });

    it('are not named when they differ, and a mistake in one is reported', () => {
      const rule = rules[0];
      const relation = { ...rule.relation!, sideways: true };
      expect(checkedRelationSpecs.has(canonicalJson(relation))).toBe(false);
      expect(() => compilePullRequestChecks([{ ...rule, relation }])).toThrow(
        /`relation\.sideways` has `sideways`|has `sideways`, which a relation does not take/
      );
      expect(compilePullRequestChecks([rule]).relations).toHaveLength(1);
    });
  });

  describe("the relation and transition rules' schema checks", () => {
    const compiled = compiledSchemaChecks();
    it('cover every schema of the bundled relation and transition rules', () => {
      expect(compiled.size).toBeGreaterThanOrEqual(3);
      expect([...bundledSchemaChecks().keys()].sort()).toEqual([...compiled.keys()].sort());
    });

    let valid = 0;
    let invalid = 0;
    it.each([...compiled.keys()].map((key, i) => [i, key] as const))(
      'check %i agrees with ajv, errors and all',
      (_i, key) => {
        const reference = compiled.get(key)!;
        const generated = bundledSchemaChecks().get(key)!;
        let decided = 0;
        fc.assert(
          fc.property(dataFor(reference.schema), value => {
            const data = azureComparable(value);
            const expected = outcome(reference, data);
            if ('valid' in expected) {
              decided++;
              if (expected.valid) valid++;
              else invalid++;
            }
            expect(outcome(generated, data)).toEqual(expected);
          }),
          { numRuns: 150 }
        );
        expect(decided).toBeGreaterThan(100);
      }
    );

    it('were given resources that pass them and resources that fail them', () => {
      expect(valid).toBeGreaterThan(50);
      expect(invalid).toBeGreaterThan(50);
    });
  });
});
