/**
 * Which files are templates is decided by what ARM deploys, not by what a pull request chooses to call them: a
 * template whose `$schema` line is deleted or changed, or whose name is `main.JSON` or `main.jsonc`, is deployed by
 * `az deployment group create --template-file` all the same, and must not leave the check (found by a hostile-input
 * review: each was skipped, or not even listed, under the action's default `**` `/*.json`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemplates } from '../../src/sources/index.js';
import { installFakeBicep } from '../support/fake-bicep.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';
import { textReport } from '../../src/report/text.js';
import { renderSummary } from '../../src/report/summary.js';
import { context } from '../report/fixture.js';

const noncompliant = JSON.parse(readFileSync('examples/foundry-tools-cmk/noncompliant.json', 'utf8')) as Record<
  string,
  unknown
>;
const withoutSchema = () => {
  const copy = { ...noncompliant };
  delete copy.$schema;
  return copy;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-template-files-'));
  mkdirSync(path.join(dir, 'infra'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(file: string, value: unknown): void {
  writeFileSync(path.join(dir, file), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

function load(patterns = ['**/*.json']) {
  const result = loadTemplates(patterns, { cwd: dir, root: dir });
  return {
    templates: result.templates.map(t => path.relative(dir, t.file)).sort(),
    accounts: result.templates.flatMap(t => t.resources.map(r => r.name)).sort(),
    skipped: result.skipped.map(s => [path.relative(dir, s.file), s.reason]),
    errors: result.errors.map(e => e.message)
  };
}

describe('a template is a template whatever its $schema says', () => {
  it('one without $schema, or with another schema, is checked when it has the shape ARM deploys', () => {
    write('infra/ok.json', JSON.parse(readFileSync('examples/foundry-tools-cmk/compliant.json', 'utf8')));
    write('infra/no-schema.json', withoutSchema());
    write('infra/other-schema.json', { ...noncompliant, $schema: 'https://example.com/anything.json#' });
    write('infra/cased.json', { ...withoutSchema(), ContentVersion: '1.0.0.0', contentVersion: undefined });
    write('infra/parameters-schema.json', {
      ...noncompliant,
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'
    });
    const loaded = load();
    expect(loaded.errors).toEqual([]);
    expect(loaded.skipped).toEqual([]);
    expect(loaded.templates).toEqual([
      'infra/cased.json',
      'infra/no-schema.json',
      'infra/ok.json',
      'infra/other-schema.json',
      'infra/parameters-schema.json'
    ]);
    expect(loaded.accounts.filter(name => name === 'speech-microsoft-managed-key')).toHaveLength(4);
  });

  it('languageVersion 2.0 resources by symbolic name count as resources too', () => {
    write('infra/symbolic.json', {
      contentVersion: '1.0.0.0',
      languageVersion: '2.0',
      parameters: noncompliant.parameters,
      resources: {
        speech: (noncompliant.resources as Record<string, unknown>[])[0]
      }
    });
    expect(load().accounts).toEqual(['speech-microsoft-managed-key']);
  });

  it('JSON without that shape is still passed over, as before', () => {
    write('infra/main.json', noncompliant);
    write('package.json', { name: 'x', version: '1.0.0' });
    write('infra/kustomization.json', { contentVersion: '1', resources: ['a.yaml'] });
    write('infra/no-version.json', { resources: [{ type: 'x', name: 'y' }] });
    write('infra/empty.json', { contentVersion: '1.0.0.0', resources: [] });
    write('infra/main.parameters.json', {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: {}
    });
    const loaded = load();
    expect(loaded.templates).toEqual(['infra/main.json']);
    expect(loaded.skipped).toEqual([
      ['infra/empty.json', 'not a deployment template: it has no $schema'],
      ['infra/kustomization.json', 'not a deployment template: it has no $schema'],
      ['infra/main.parameters.json', 'a parameter file'],
      ['infra/no-version.json', 'not a deployment template: it has no $schema'],
      ['package.json', 'not a deployment template: it has no $schema']
    ]);
  });
  it('one cmk-guard cannot read as JSON is an error when it has that shape without the schema, as with it', () => {
    write('infra/ok.json', noncompliant);
    // Single quotes: Azure PowerShell reads them, cmk-guard's JSON does not.
    write('infra/quoted.json', JSON.stringify(withoutSchema(), null, 2).replace('"S0"', "'S0'"));
    write(
      'infra/escaped.json',
      JSON.stringify(withoutSchema()).replace('"contentVersion"', '"\\u0063ontentVersion"') + ' x'
    );
    write('infra/notes.json', "{ 'text': 1 }");
    const loaded = load();
    expect(loaded.templates).toEqual(['infra/ok.json']);
    expect(loaded.errors).toEqual([
      expect.stringMatching(/^Unexpected 'x'/),
      expect.stringMatching(/^Strings must be in double quotes/)
    ]);
    expect(loaded.skipped).toEqual([['infra/notes.json', 'not valid JSON']]);
  });
});

describe('a template stored in Git LFS', () => {
  it('is an error in a checkout without LFS, where the file is its pointer: what the pipeline deploys is not there', () => {
    write('infra/main.json', noncompliant);
    write(
      'infra/moved.json',
      'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n'
    );
    const loaded = load();
    expect(loaded.templates).toEqual(['infra/main.json']);
    expect(loaded.skipped).toEqual([]);
    expect(loaded.errors).toEqual([expect.stringMatching(/^this file is a Git LFS pointer.*`lfs: true`/)]);
  });
});

describe('a git submodule the checkout does not hold', () => {
  it('is listed where a pattern searches, as its templates are not checked', () => {
    write('infra/main.json', noncompliant);
    mkdirSync(path.join(dir, 'infra', 'shared'));
    mkdirSync(path.join(dir, 'docs', 'theme'), { recursive: true });
    mkdirSync(path.join(dir, 'held'));
    write('held/x.txt', 'checked out');
    write(
      '.gitmodules',
      '[submodule "shared"]\n\tpath = infra/shared\n\turl = https://example.com/shared.git\n[submodule "theme"]\n\tpath = docs/theme\n\turl = https://example.com/theme.git\n[submodule "held"]\n  path = held\n  url = https://example.com/held.git\n[submodule "gone"]\n\tpath = infra/gone\n\turl = https://example.com/gone.git\n'
    );
    const reason = expect.stringMatching(/^a git submodule this checkout does not hold/);
    expect(load().skipped).toEqual([
      ['infra/shared', reason],
      ['docs/theme', reason],
      ['infra/gone', reason]
    ]);
    expect(load(['infra/**/*.json']).skipped).toEqual([
      ['infra/shared', reason],
      ['infra/gone', reason]
    ]);
    expect(load(['infra/main.json']).skipped).toEqual([]);
  });
});

describe('a template is matched whatever the case of its name, and as .jsonc', () => {
  it('the default pattern finds main.JSON, main.Json and main.jsonc', () => {
    write('infra/a.JSON', noncompliant);
    write('infra/b.Json', noncompliant);
    write('infra/c.jsonc', `// VS Code's ARM tools write comments\n${JSON.stringify(noncompliant, null, 2)}`);
    write('infra/d.JSONC', noncompliant);
    const loaded = load();
    expect(loaded.errors).toEqual([]);
    expect(loaded.templates).toEqual(['infra/a.JSON', 'infra/b.Json', 'infra/c.jsonc', 'infra/d.JSONC']);
  });

  it("a workflow's own pattern ignores case too, and a folder gives its .jsonc files", () => {
    write('infra/Main.JSONC', noncompliant);
    expect(load(['infra/**/main.json']).templates).toEqual(['infra/Main.JSONC']);
    expect(load(['infra/*.json']).templates).toEqual(['infra/Main.JSONC']);
    expect(load(['infra']).templates).toEqual(['infra/Main.JSONC']);
    // Other names are not taken for templates: `.json` covers `.jsonc`, not `.json5` or `.jsonl`.
    write('infra/other.json5', noncompliant);
    expect(load(['infra/*.json']).templates).toEqual(['infra/Main.JSONC']);
  });
});

describe('a Bicep file no pattern matches is listed, not passed over unsaid', () => {
  const bicepReason = 'a Bicep file: add `**/*.bicep` to `templates` to check it (needs the Bicep CLI)';

  it('under the default **/*.json, main.json converted to main.bicep is listed with how to check it', () => {
    write('infra/other.json', noncompliant);
    write('infra/main.bicep', "resource a 'Microsoft.CognitiveServices/accounts@2024-10-01' = {}\n");
    mkdirSync(path.join(dir, 'infra', 'modules'));
    write('infra/modules/Vault.BICEP', '');
    write('infra/main.bicepparam', "using 'main.bicep'\n");
    const loaded = load();
    expect(loaded.errors).toEqual([]);
    expect(loaded.templates).toEqual(['infra/other.json']);
    expect(loaded.skipped).toEqual([
      ['infra/main.bicep', bicepReason],
      ['infra/modules/Vault.BICEP', bicepReason]
    ]);
    // Only under the folders the globs search.
    expect(load(['infra/modules/**/*.json', 'infra/other.json']).skipped).toEqual([
      ['infra/modules/Vault.BICEP', bicepReason]
    ]);
  });

  it('on a pull request, a changed Bicep file no pattern matches is listed wherever it is', () => {
    write('infra/main.json', noncompliant);
    mkdirSync(path.join(dir, 'deploy'));
    write('deploy/main.bicep', '');
    write('deploy/unchanged.bicep', '');
    const loaded = loadTemplates(['infra/**/*.json'], {
      cwd: dir,
      root: dir,
      changedFiles: ['deploy/main.bicep', 'infra/main.json', 'deploy/removed.bicep']
    });
    expect(loaded.errors).toEqual([]);
    expect(loaded.skipped.map(s => [path.relative(dir, s.file), s.reason])).toEqual([
      ['deploy/main.bicep', bicepReason]
    ]);
  });

  it('where a pattern checks Bicep files, one it does not match is listed only when a pull request changes it', () => {
    const bicep = installFakeBicep();
    try {
      // The fake compiles infra/main.bicep to the infra/main.json beside it.
      write('infra/main.bicep', '');
      write('infra/main.json', noncompliant);
      mkdirSync(path.join(dir, 'infra', 'modules'));
      write('infra/modules/vault.bicep', '');
      const options = { cwd: dir, root: dir, env: bicep.env };
      const unchanged = loadTemplates(['infra/main.bicep', 'infra/**/*.json'], options);
      expect(unchanged.errors).toEqual([]);
      expect(unchanged.templates.map(t => path.relative(dir, t.file))).toEqual(['infra/main.json', 'infra/main.bicep']);
      expect(unchanged.skipped).toEqual([]);
      const changed = loadTemplates(['infra/main.bicep', 'infra/**/*.json'], {
        ...options,
        changedFiles: ['infra/modules/vault.bicep', 'infra/main.bicep']
      });
      expect(changed.skipped.map(s => [path.relative(dir, s.file), s.reason])).toEqual([
        ['infra/modules/vault.bicep', expect.stringMatching(/^a Bicep file no pattern of `templates` matches/)]
      ]);
    } finally {
      bicep.dispose();
    }
  });
});

describe("a template checked by its shape alone says so in evaluate's reports", () => {
  const shapeNote =
    /no-schema\.json has no \$schema, but the shape of a deployment template .* checked as a template deployed to a resource group/;

  async function run(format: string, changedFiles?: string[]) {
    write('infra/ok.json', JSON.parse(readFileSync('examples/foundry-tools-cmk/compliant.json', 'utf8')));
    write('infra/no-schema.json', withoutSchema());
    const document = await evaluateRepository({
      cwd: dir,
      policies: bundledPolicies(),
      templates: ['**/*.json'],
      changedFiles
    });
    let out = '';
    if (format === 'text') for (const piece of textReport(document)) out += piece;
    else out = renderSummary(document, context, { hiddenAnnotations: 0, annotationsPerLevel: 10 });
    return { document, out };
  }

  it('as a note on that file in the text output, the job summary and the JSON', async () => {
    const text = await run('text');
    expect(text.document.notes).toEqual([
      { file: path.join('infra', 'no-schema.json'), note: expect.stringMatching(shapeNote) }
    ]);
    expect(text.out).toMatch(/Notes on inputs checked:\n {2}infra\/no-schema\.json: no-schema\.json has no \$schema/);
    const summary = await run('summary');
    expect(summary.out).toContain('### Notes on 1 file checked');
    expect(summary.out).toMatch(/\| `infra\/no-schema\.json` \| no-schema\.json has no \$schema, but the shape/);
  });

  it('on a pull request, only on a file it changes', async () => {
    expect((await run('text', ['infra/ok.json'])).document.notes).toBeUndefined();
    expect((await run('text', ['infra/no-schema.json'])).document.notes).toHaveLength(1);
  });
});
