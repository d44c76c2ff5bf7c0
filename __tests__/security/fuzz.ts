/**
 * Fuzzing every door a pull request can push input through: random and mutated input (mutations of
 * real files: the pack's rules, the examples, and the public corpus when it is there) must end in
 * a result or in a UserError that names the file (and a line, for a file that does not parse) —
 * never another exception — and each input must finish within a generous bound. `fuzz.test.ts`
 * runs a few hundred inputs per door in `npm test`; `fuzz.corpus.test.ts` runs 10,000 per door.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import fc from 'fast-check';
import { loadDefinition } from '../../src/engine/index.js';
import { evaluateDefinitions } from '../../src/engine/index.js';
import { isUserError, UserError as UserErrorAt, UserErrors, type UserError } from '../../src/model/errors.js';
import { ExpressionError } from '../../src/expr/errors.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { parseExpression } from '../../src/expr/parse.js';
import { buildAnnotations, renderAnnotationCommand } from '../../src/report/annotations.js';
import { renderComment } from '../../src/report/comment.js';
import { renderJson } from '../../src/report/json.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { loadPackFile, loadRuleFile } from '../../src/rules/index.js';
import { loadParameterFile } from '../../src/sources/parameters.js';
import { expandTemplateDocument, loadResourceSnapshot, parseJsonWithPositions } from '../../src/sources/index.js';
import { loadConfig } from '../../src/config/load.js';
import { evaluationPlan, readDefinitionFile } from '../../src/engine/index.js';
import { readBaseline } from '../../src/exceptions/baseline.js';
import { inlineExceptions } from '../../src/exceptions/inline.js';
import { readTextFile } from '../../src/model/textFile.js';
import { checkWhatBicepReads } from '../../src/sources/bicep/index.js';
import { mapToBicep } from '../../src/sources/bicep/sourceMap.js';
import { HOSTILE_STRINGS, hostileDocument, hostileFinding } from '../support/hostile.js';
import { armResource } from '../support/arm-resource.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');

/** No single input may take longer than this: far above any real input, so it cannot flake. */
export const PER_INPUT_MS = 20_000;

/** The text of real files to mutate: small ones, so ten thousand runs stay within minutes. */
function realFiles(dir: string, extension: RegExp, maxBytes: number, limit = 40): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= limit) return;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (extension.test(entry.name) && statSync(full).size <= maxBytes) out.push(readFileSync(full, 'utf8'));
    }
  };
  visit(dir);
  return out;
}

export const seeds = {
  templates: [
    ...realFiles(path.join(repo, 'examples'), /\.json$/, 20_000),
    ...realFiles(path.join(corpus, 'templates'), /\.json$/, 12_000, 10)
  ],
  rules: realFiles(path.join(repo, 'policies'), /\.yaml$/, 20_000),
  definitions: [
    ...realFiles(path.join(repo, 'policies', 'compiled', 'policyDefinitions'), /\.json$/, 20_000),
    ...realFiles(path.join(corpus, 'builtin', 'Key Vault'), /\.json$/, 6_000, 20)
  ],
  snapshots: realFiles(path.join(repo, '__tests__', 'fixtures', 'sources', 'snapshots'), /\.json$/, 50_000),
  configurations: [
    ...realFiles(path.join(repo, '__tests__', 'fixtures', 'exceptions'), /\.ya?ml$/, 20_000),
    ...realFiles(path.join(repo, '__tests__', 'fixtures', 'config'), /\.ya?ml$/, 20_000)
  ],
  /** Templates with inline exceptions (`metadata.cmkGuard`). */
  inline: [
    ...realFiles(path.join(repo, '__tests__', 'fixtures', 'exceptions'), /\.json$/, 20_000),
    readFileSync(path.join(repo, '__tests__', 'fixtures', 'engine', 'foundry-tools-cmk.json'), 'utf8')
  ].filter(text => text.includes('cmkGuard')),
  bicep: realFiles(path.join(repo, '__tests__', 'fixtures', 'sources', 'bicep'), /\.bicep(param)?$/, 20_000),
  /** Definitions as az and the portal export them: lists, initiatives, export folders. */
  exports: realFiles(path.join(repo, '__tests__', 'fixtures', 'engine', 'definition-files'), /\.json$/, 50_000)
};

/** What `cmk-guard baseline` writes: a findings document and a SARIF log, with a few hostile strings in them. */
function baselineSeeds(): string[] {
  const document = hostileDocument(HOSTILE_STRINGS.filter(s => s.length < 100).slice(0, 4));
  return [renderJson(document), JSON.stringify(renderSarif(document, { workspace: '/home/runner/work/r/r' }))];
}

/** The compiled template of the Bicep fixture (the Bicep CLI's output), mapped back to mutated Bicep text. */
const compiledBicep = path.join(repo, '__tests__', 'fixtures', 'sources', 'bicep', 'classic', 'main.json');
const compiled = new Map<string, ReturnType<typeof parseJsonWithPositions>>();
/** Parsed once per file name (mapToBicep only reads it). */
function compiledFor(file: string) {
  let parsed = compiled.get(file);
  if (!parsed) compiled.set(file, (parsed = parseJsonWithPositions(readTextFile(compiledBicep), file)));
  return parsed;
}

/** Fragments that stress parsers and expanders: prototype keys, expressions, deep nesting, limits. */
const FRAGMENTS = [
  '"__proto__"',
  '"constructor"',
  '{"__proto__": {"polluted": true}}',
  "\"[concat(variables('a'), variables('a'))]\"",
  '"[createObject(\'__proto__\', 1)]"',
  '"[json(\'{\\"__proto__\\": 1}\')]"',
  '"[range(0, 10000)]"',
  '"[parameters(\'toString\')]"',
  '"[reference(\'x\').outputs]"',
  '{"copy": [{"name": "c", "count": 800, "input": "x"}]}',
  '{"name": "c", "count": 801}',
  '"[' + 'concat('.repeat(300) + ')]"',
  '['.repeat(600),
  '/* comment */',
  '// line comment\n',
  '"\\ud800"',
  '"\u202e::error::x"',
  ',',
  '}',
  ']',
  '"',
  'null',
  '1e309',
  '-0',
  '"relativePath": "../../../../etc/passwd"',
  '"templateLink": {"relativePath": "/etc/passwd"}',
  '&a [*a, *a, *a]',
  '!!js/function "x"',
  '<<: *a',
  '\t',
  '\r\n'
];

/** Text mutated as a careless or hostile author would: cut, duplicated, or with a fragment spliced in. */
export function mutatedText(sources: string[]): fc.Arbitrary<string> {
  const source = sources.length ? fc.constantFrom(...sources) : fc.string();
  return fc
    .tuple(
      source,
      fc.array(
        fc.record({
          kind: fc.constantFrom('insert', 'delete', 'duplicate', 'replace'),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          length: fc.nat({ max: 40 }),
          fragment: fc.oneof(fc.constantFrom(...FRAGMENTS, ...HOSTILE_STRINGS.map(s => JSON.stringify(s))), fc.string())
        }),
        { minLength: 1, maxLength: 4 }
      )
    )
    .map(([text, mutations]) => {
      let out = text;
      for (const m of mutations) {
        const at = Math.floor(m.at * out.length);
        if (m.kind === 'insert') out = out.slice(0, at) + m.fragment + out.slice(at);
        else if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
        else if (m.kind === 'duplicate')
          out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at);
        else out = out.slice(0, at) + m.fragment + out.slice(at + m.length);
      }
      return out;
    });
}

/** Real JSON with values swapped for random or hostile ones, still valid JSON: reaches the expander and engine. */
export function mutatedJson(sources: string[]): fc.Arbitrary<string> {
  const parsed = sources.flatMap(s => {
    try {
      return [JSON.parse(s) as unknown];
    } catch {
      return [];
    }
  });
  if (!parsed.length) return fc.json();
  const leaf = fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(
      "[concat('a', 'b')]",
      "[createObject('__proto__', json('{\"enablePurgeProtection\": true}'))]",
      '[union(json(\'{"constructor": 1}\'), createObject())]',
      "[variables('missing')]",
      "[parameters('constructor')]",
      '[copyIndex()]',
      "[map(range(0, 100), lambda('i', lambdaVariables('i')))]",
      "[groupBy(createArray('toString', '__proto__'), lambda('x', lambdaVariables('x')))]",
      '[[escaped]',
      '../../../../etc/passwd'
    )
  );
  return fc
    .tuple(
      fc.constantFrom(...parsed),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), leaf), { maxLength: 4 })
    )
    .map(([value, swaps]) => {
      const copy = JSON.parse(JSON.stringify(value)) as unknown;
      for (const [where, replacement] of swaps) replaceSomewhere(copy, where, replacement);
      return JSON.stringify(copy, null, 1);
    });
}

function replaceSomewhere(root: unknown, where: number, replacement: unknown): void {
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((item, i) => (slots.push([node, i]), visit(item)));
    else if (node && typeof node === 'object')
      for (const key of Object.keys(node)) {
        slots.push([node as Record<string, unknown>, key]);
        visit((node as Record<string, unknown>)[key]);
      }
  };
  visit(root);
  if (!slots.length) return;
  const [container, key] = slots[Math.floor(where * slots.length) % slots.length];
  (container as Record<string | number, unknown>)[key] = replacement;
}

let scratch: string | undefined;
/** A file holding `text`, in one scratch folder for the whole run. */
export function fileWith(name: string, text: string): string {
  scratch ??= mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-fuzz-'));
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}
export function scratchFolder(): string | undefined {
  return scratch;
}

export interface Door {
  name: string;
  input: fc.Arbitrary<string>;
  /** Runs the input through the door; a UserError is an allowed outcome, checked by `expectLocated`. */
  run(text: string): void;
  /** Whether a UserError from this door must carry a line (a file that does not parse always does). */
  lineRequired?: (error: UserError) => boolean;
  /** For a door that reads text rather than a file: whether the error says where in the text. */
  positioned?: (error: UserError) => boolean;
}

const always = () => true;

export const doors: Door[] = [
  {
    name: 'template parser and expander',
    input: fc.oneof(mutatedText(seeds.templates), mutatedJson(seeds.templates), fc.json(), fc.string()),
    run: text => {
      const file = fileWith('template.json', text);
      const doc = parseJsonWithPositions(text, file);
      const expanded = expandTemplateDocument(doc, { root: path.dirname(file) });
      // The engine reads what the expander made.
      evaluateDefinitions(definitionsForTemplates(), expanded.resources);
    },
    lineRequired: error => error.name === 'JsonSyntaxError' || error.name === 'TemplateError'
  },
  {
    name: 'expression parser',
    input: fc.oneof(
      fc.string().map(s => `[${s}]`),
      fc.constantFrom(...FRAGMENTS).chain(f => fc.string().map(s => `[${f}${s}]`)),
      mutatedText([
        "[concat(parameters('a'), variables('b')[0].c, 'd''e')]",
        "[if(equals(1, 2), json('null'), createObject('a', 1))]"
      ])
    ),
    run: text => void parseExpression(text),
    positioned: error => error instanceof ExpressionError && error.offset !== undefined
  },
  {
    name: 'parameter files',
    input: fc.oneof(
      mutatedText([
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": 1}, "b": {"reference": {"keyVault": {"id": "x"}, "secretName": "s"}}}}'
      ]),
      fc.json()
    ),
    run: text => void loadParameterFile(fileWith('main.parameters.json', text)),
    lineRequired: always
  },
  {
    name: 'resource snapshots',
    input: fc.oneof(mutatedText(seeds.snapshots), mutatedJson(seeds.snapshots), fc.json()),
    run: text => void loadResourceSnapshot(fileWith('snapshot.json', text)),
    lineRequired: always
  },
  {
    name: 'rule files',
    input: fc.oneof(mutatedText(seeds.rules), fc.string()),
    run: text => void loadRuleFile(fileWith('rule.yaml', text)),
    lineRequired: always
  },
  {
    name: 'pack manifest',
    input: fc.oneof(mutatedText([readFileSync(path.join(repo, 'policies', 'pack.yaml'), 'utf8')]), fc.string()),
    run: text => void loadPackFile(fileWith('pack.yaml', text)),
    lineRequired: always
  },
  {
    name: 'policy definition loader',
    input: fc.oneof(mutatedJson(seeds.definitions), fc.json()),
    run: text => {
      const definition = loadDefinition({ file: fileWith('definition.json', text), json: JSON.parse(text) });
      definition.evaluate(armResource({ type: 'Microsoft.KeyVault/vaults', name: 'kv', properties: { a: 1 } }));
    }
  },
  {
    name: 'configuration file (cmk-guard.yaml)',
    input: fc.oneof(mutatedText(seeds.configurations), fc.string()),
    run: text => {
      const file = fileWith('cmk-guard.yaml', text);
      loadConfig(file, path.dirname(file), path.dirname(file));
    },
    lineRequired: always
  },
  {
    name: 'baseline',
    input: fc.oneof(mutatedText(baselineSeeds()), mutatedJson(baselineSeeds()), fc.json()),
    run: text => {
      const file = fileWith('baseline.json', text);
      readBaseline(file, path.dirname(file));
    },
    lineRequired: error => /not valid JSON/.test(error.message)
  },
  {
    name: 'inline exceptions in templates',
    input: fc.oneof(mutatedText(seeds.inline), mutatedJson(seeds.inline)),
    run: text => {
      const file = fileWith('inline.json', text);
      const expanded = expandTemplateDocument(parseJsonWithPositions(text, file), { root: path.dirname(file) });
      const found = inlineExceptions(expanded.resources, path.dirname(file));
      if (found.errors.length) throw new UserErrors(found.errors);
    },
    // The parser's and the exceptions' mistakes are at their line; a limit may be at the file.
    lineRequired: error => error.name !== 'LimitError'
  },
  {
    name: 'Bicep files and .bicepparam files',
    input: fc.oneof(mutatedText(seeds.bicep), fc.string()),
    run: text => {
      const file = fileWith(/^\s*using\b/m.test(text) ? 'main.bicepparam' : 'main.bicep', text);
      // What a compile may read is checked before the CLI runs; positions map back to the text.
      checkWhatBicepReads(file, path.dirname(file));
      const mapped = mapToBicep(compiledFor(file), file, readTextFile);
      for (const pointer of ['/resources/0/properties/enablePurgeProtection', '/resources/1', '/parameters/vaultName'])
        mapped.positionOf(pointer);
    },
    // A path the file names that is refused is refused at its line.
    lineRequired: error => /does not read|not a string literal|inside \.git/.test(error.message)
  },
  {
    name: 'definitions as az and the portal export them',
    input: fc.oneof(mutatedJson(seeds.exports), mutatedText(seeds.exports)),
    run: text => {
      const contents = readDefinitionFile(fileWith('definitions.json', text));
      const plan = evaluationPlan(contents.definitions, contents.sets);
      for (const definition of plan.definitions)
        definition.evaluate(armResource({ type: 'Microsoft.KeyVault/vaults', name: 'kv', properties: { a: 1 } }));
      const errors = [
        ...contents.failures.map(f => new UserErrorAt(f.message, f.location ?? { file: f.file })),
        ...plan.errors
      ];
      if (errors.length) throw new UserErrors(errors);
    },
    lineRequired: error => /not valid JSON/.test(error.message)
  },
  {
    name: 'renderers',
    input: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ unit: 'binary' })), {
        minLength: 1,
        maxLength: 4
      })
      .map(strings => JSON.stringify(strings)),
    run: text => renderEverything(JSON.parse(text) as string[])
  }
];

let packDefinitions: ReturnType<typeof loadDefinition>[] | undefined;
function definitionsForTemplates() {
  packDefinitions ??= realFiles(path.join(repo, 'policies', 'compiled', 'policyDefinitions'), /\.json$/, 100_000).map(
    text => loadDefinition({ file: null, json: JSON.parse(text) })
  );
  return packDefinitions;
}

const reportContext = {
  workspace: '/home/runner/work/r/r',
  serverUrl: 'https://github.com',
  repository: 'o/r',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  runUrl: 'https://github.com/o/r/actions/runs/1'
};

function renderEverything(strings: string[]): void {
  const document: FindingsDocument = {
    tool: { name: 'cmk-guard', version: '0' },
    summary: {
      resources: strings.length,
      definitions: 1,
      compliant: 0,
      noncompliant: strings.length,
      indeterminate: 0
    },
    findings: strings.map(hostileFinding),
    errors: strings.map(s => ({ file: s, line: 1, column: 1, message: s })),
    skipped: strings.map(s => ({ file: s, reason: s }))
  };
  const text = renderText(document);
  if (/^\s*::/m.test(text)) throw new Error('the text report has a workflow command line');
  JSON.parse(renderJson(document));
  renderSarif(document, { workspace: reportContext.workspace });
  for (const annotation of buildAnnotations(document, { workspace: reportContext.workspace })) {
    if (/[\r\n]/.test(renderAnnotationCommand(annotation))) throw new Error('an annotation spans lines');
  }
  renderSummary(document, reportContext, { hiddenAnnotations: 0, annotationsPerLevel: 10 });
  renderComment(document, reportContext);
}

/**
 * Runs `door` on `runs` inputs: each ends in a result or a located UserError, within the bound,
 * and leaves Object.prototype alone.
 */
/**
 * The fast-check seed: `CMK_GUARD_FUZZ_SEED` (a number, or `random` for a new one each run), else a
 * fixed one, so CI sees the same inputs every time. Explore with `random`; a failure prints its seed.
 */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const given = env.CMK_GUARD_FUZZ_SEED;
  if (given === 'random') return undefined;
  if (given !== undefined && /^-?\d+$/.test(given)) return Number(given);
  return 20261205;
}

/**
 * Inputs per door in the corpus suites: 10,000, or `CMK_GUARD_FUZZ_RUNS` (fewer for a quicker run
 * while developing; CI runs the 10,000).
 */
export function corpusFuzzRuns(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CMK_GUARD_FUZZ_RUNS;
  return given !== undefined && /^\d+$/.test(given) && Number(given) > 0 ? Number(given) : 10_000;
}

/**
 * Runs `body` and stops it if it has not ended within `ms`, even in a loop that never yields, so a
 * synchronous hang fails the suite instead of holding it for ever. V8 terminates whatever runs under
 * the script, host functions included. `describe` says what was running when it was stopped. Each
 * call starts a watchdog thread (milliseconds on a busy machine), so it guards a whole run, not
 * each input.
 */
const watchdog = { context: vm.createContext({ body: () => {} }), script: new vm.Script('body()') };
export function withinBound(body: () => void, ms: number, describe?: () => string): void {
  watchdog.context.body = body;
  try {
    watchdog.script.runInContext(watchdog.context, { timeout: ms });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new Error(`did not end within ${ms} ms${describe ? `: ${describe()}` : ''}`);
    }
    throw error;
  } finally {
    watchdog.context.body = () => {};
  }
}

/** How long a whole fuzz run of `runs` inputs may take before it counts as a hang: far above any real run. */
export function wholeRunBound(runs: number): number {
  return PER_INPUT_MS + runs * 100;
}

export function fuzz(door: Door, runs: number, seed = fuzzSeed(), bound = wholeRunBound(runs)): void {
  let current: string | undefined;
  const property = fc.property(door.input, text => {
    current = text;
    const started = Date.now();
    try {
      door.run(text);
    } catch (error) {
      if (!isUserError(error)) throw error;
      for (const one of error instanceof UserErrors ? error.errors : [error]) {
        if (door.positioned) {
          if (!door.positioned(one)) throw new Error(`an error without a position: ${one.message}`);
          continue;
        }
        if (!one.location?.file) throw new Error(`a UserError without a file: ${one.message}`);
        if (door.lineRequired?.(one) && one.location.line === undefined) {
          throw new Error(`a UserError without a line: ${one.message}`);
        }
      }
    }
    const took = Date.now() - started;
    if (took > PER_INPUT_MS) throw new Error(`took ${took} ms`);
    if (({} as { polluted?: unknown }).polluted !== undefined) throw new Error('Object.prototype was polluted');
  });
  // An input that never ends is stopped with the whole run, and named: fast-check cannot shrink it.
  withinBound(
    () => fc.assert(property, { numRuns: runs, seed, endOnFailure: true }),
    bound,
    () => `seed ${seed ?? 'random'}, stopped on the input ${JSON.stringify(current)?.slice(0, 4000)}`
  );
}
