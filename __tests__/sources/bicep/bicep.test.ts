import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../../src/commands/index.js';
import type { FindingsDocument } from '../../../src/model/finding.js';
import { installFakeBicep, type FakeBicep } from '../../support/fake-bicep.js';

const fixtures = path.resolve('__tests__/fixtures/sources/bicep');
const policies = path.resolve('policies');

async function evaluate(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['evaluate', '--policies', policies, '-f', 'json', ...args], {
    cwd,
    env,
    stdout: t => out.push(t),
    stderr: t => err.push(t)
  });
  return { code, document: out.length ? (JSON.parse(out.join('')) as FindingsDocument) : null, err: err.join('') };
}

function at(document: FindingsDocument | null, definition: string, name: string) {
  const found = document?.findings.find(f => f.definition === definition && f.resource.name === name);
  return found && { verdict: found.verdict, ...found.resource, id: undefined, type: undefined, name: undefined };
}

describe('Bicep files, compiled by the Bicep CLI on PATH', () => {
  let fake: FakeBicep;
  beforeEach(() => {
    fake = installFakeBicep('bicep');
  });
  afterEach(() => fake.dispose());

  it('runs `bicep build <absolute file> --stdout` in the file’s folder, never giving it tokens or inputs', async () => {
    const cwd = path.join(fixtures, 'classic');
    const run = await evaluate(cwd, fake.env, ['-t', 'main.bicep']);
    expect(run.err).toBe('');
    expect(fake.calls()).toEqual([
      { as: 'bicep', args: ['build', path.join(cwd, 'main.bicep'), '--stdout'], cwd, env: ['HOME', 'PATH'] }
    ]);
  });

  it('reports findings on the .bicep file: the declaration, and the property where the body writes it', async () => {
    const run = await evaluate(path.join(fixtures, 'classic'), fake.env, ['-t', 'main.bicep']);
    expect(run.code).toBe(1);
    // `enablePurgeProtection: false` is line 23; the account's `keySource: keySource` line 49.
    expect(at(run.document, 'key-vault-purge-protection', 'kv-bicep-example')).toMatchObject({
      verdict: 'noncompliant',
      file: 'main.bicep',
      line: 23,
      column: 5
    });
    expect(at(run.document, 'foundry-tools-cmk', 'oai-bicep-example')).toMatchObject({
      verdict: 'noncompliant',
      file: 'main.bicep',
      line: 49,
      column: 7
    });
    expect(run.document?.summary.resources).toBe(3);
  });

  it('maps a languageVersion 2.0 template by symbolic name, and a module’s resources into the module’s file', async () => {
    const run = await evaluate(path.join(fixtures, 'typed'), fake.env, ['-t', 'typed.bicep']);
    expect(run.err).toBe('');
    // The storage account is declared in modules/storage.bicep; its key source comes from a module parameter.
    expect(at(run.document, 'dependent-storage-cmk', 'stcmkexample')).toMatchObject({
      verdict: 'noncompliant',
      file: 'modules/storage.bicep',
      line: 13,
      column: 7
    });
    // The loop's two accounts point at the loop's body: `keySource: 'Microsoft.KeyVault'` is line 33.
    for (const name of ['oai-a', 'oai-b'])
      expect(at(run.document, 'foundry-tools-cmk', name)).toMatchObject({ file: 'typed.bicep' });
    expect(run.document?.findings.filter(f => f.resource.file === 'typed.json')).toEqual([]);
  });

  it('takes the values of a .bicepparam file named with --parameters, compiled with build-params', async () => {
    const cwd = path.join(fixtures, 'classic');
    const run = await evaluate(cwd, fake.env, ['-t', 'main.bicep', '-p', 'dev.bicepparam']);
    expect(run.err).toBe('');
    expect(at(run.document, 'key-vault-purge-protection', 'kv-from-bicepparam')).toMatchObject({ line: 23 });
    expect(fake.calls().map(c => c.args)).toEqual([
      ['build', path.join(cwd, 'main.bicep'), '--stdout'],
      ['build-params', path.join(cwd, 'dev.bicepparam'), '--stdout']
    ]);
  });

  it('deploys a .bicepparam file named as a template: the template its `using` names, with its values', async () => {
    const run = await evaluate(path.join(fixtures, 'classic'), fake.env, ['-t', 'dev.bicepparam']);
    expect(run.err).toBe('');
    expect(at(run.document, 'key-vault-purge-protection', 'kv-from-bicepparam')).toMatchObject({
      file: 'main.bicep',
      line: 23
    });
  });

  it('reports a compile error on the .bicep file and line the Bicep CLI names, and exits 2', async () => {
    const run = await evaluate(path.join(fixtures, 'errors'), fake.env, ['-t', 'broken.bicep']);
    expect(run.code).toBe(2);
    expect(run.document?.errors).toEqual([
      {
        file: 'broken.bicep',
        line: 3,
        column: 55,
        message: 'BCP018: Expected the "=" character at this location. (from bicep build)'
      }
    ]);
    expect(run.err).toBe(
      'cmk-guard: broken.bicep:3:55: BCP018: Expected the "=" character at this location. (from bicep build)\n'
    );
  });

  it('holds the template the CLI compiles to to CMK_GUARD_MAX_FILE_BYTES, as it holds every file it reads', async () => {
    // main.bicep is 1,216 bytes and the template it compiles to 2,442: a bound between them refuses the output only.
    const before = process.env.CMK_GUARD_MAX_FILE_BYTES;
    process.env.CMK_GUARD_MAX_FILE_BYTES = '2000';
    try {
      const run = await evaluate(path.join(fixtures, 'classic'), fake.env, ['-t', 'main.bicep']);
      expect(run.code).toBe(2);
      // The rule files are over the bound too, and are refused on their own; here only the Bicep file matters.
      expect((run.document?.errors ?? []).filter(e => e.file === 'main.bicep')).toEqual([
        {
          file: 'main.bicep',
          line: null,
          column: null,
          message:
            'the template Bicep compiles this file to is larger than 2000 bytes, the most cmk-guard reads (CMK_GUARD_MAX_FILE_BYTES); split it into modules.'
        }
      ]);
    } finally {
      if (before === undefined) delete process.env.CMK_GUARD_MAX_FILE_BYTES;
      else process.env.CMK_GUARD_MAX_FILE_BYTES = before;
    }
  });

  it('passes a file name that starts with a dash as a file, never as an option', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bicep-dash-'));
    try {
      cpSync(path.join(fixtures, 'classic/main.bicep'), path.join(dir, '--help.bicep'));
      cpSync(path.join(fixtures, 'classic/main.json'), path.join(dir, '--help.json'));
      const run = await evaluate(dir, fake.env, ['-t', '*.bicep']);
      expect(run.code).toBe(1);
      expect(fake.calls().map(c => c.args)).toEqual([['build', path.join(dir, '--help.bicep'), '--stdout']]);
      expect(at(run.document, 'foundry-tools-cmk', 'oai-bicep-example')).toMatchObject({ file: '--help.bicep' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks the .bicep file, not the JSON compiled from it beside it, when a glob matches both', async () => {
    const run = await evaluate(path.join(fixtures, 'classic'), fake.env, ['-t', '*']);
    expect(run.document?.skipped).toEqual([
      { file: 'dev.bicepparam', reason: 'a Bicep parameter file (pair it with its template with --parameters)' },
      { file: 'dev.bicepparam.json', reason: 'a parameter file' },
      { file: 'main.json', reason: 'compiled from main.bicep, which is checked instead' }
    ]);
    expect(new Set(run.document?.findings.map(f => f.resource.file))).toEqual(new Set(['main.bicep']));
  });

  it('refuses a load…() that reads outside the repository or from .git, before running the CLI', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bicep-load-'));
    try {
      mkdirSync(path.join(dir, 'repo/infra'), { recursive: true });
      mkdirSync(path.join(dir, 'repo/.git'), { recursive: true });
      writeFileSync(path.join(dir, 'repo/.git/config'), '[http]\n\textraheader = AUTHORIZATION: basic c2VjcmV0\n');
      writeFileSync(path.join(dir, 'secret.txt'), 'secret');
      const cases: [string, RegExp][] = [
        ["var x = loadTextContent('../../secret.txt')", /loadTextContent\(\) loads, .* outside the repository/],
        [
          "var x = loadTextContent('../.git/config')",
          /inside the repository's \.git folder, where a checkout keeps its credentials/
        ],
        ["var name = 'config'\nvar x = loadTextContent('../.git/${name}')", /not a string literal/],
        ["var x = sys.loadFileAsBase64(\n  '../../secret.txt')", /loadFileAsBase64\(\) loads/]
      ];
      for (const [text, message] of cases) {
        writeFileSync(path.join(dir, 'repo/infra/main.bicep'), `${text}\n`);
        const run = await evaluate(path.join(dir, 'repo'), fake.env, ['-t', 'infra/main.bicep']);
        expect([text, run.code]).toEqual([text, 2]);
        expect(run.document?.errors?.[0]).toMatchObject({
          file: 'infra/main.bicep',
          line: expect.any(Number) as number
        });
        expect(run.document?.errors?.[0].message).toMatch(message);
      }
      expect(fake.calls()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Bicep files through `az bicep`, and without any Bicep CLI', () => {
  it('uses `az bicep build --file <file> --stdout` when only the Azure CLI is on PATH', async () => {
    const fake = installFakeBicep('az');
    try {
      const cwd = path.join(fixtures, 'classic');
      const run = await evaluate(cwd, fake.env, ['-t', 'main.bicep']);
      expect(run.code).toBe(1);
      expect(fake.calls().map(c => [c.as, c.args])).toEqual([
        ['az', ['bicep', 'build', '--file', path.join(cwd, 'main.bicep'), '--stdout']]
      ]);
    } finally {
      fake.dispose();
    }
  });

  it('without a Bicep CLI, a named .bicep file is an error that says how to install one', async () => {
    const run = await evaluate(path.join(fixtures, 'classic'), { PATH: '/nonexistent' }, ['-t', 'main.bicep']);
    expect(run.code).toBe(2);
    expect(run.document?.errors).toEqual([
      {
        file: 'main.bicep',
        line: null,
        column: null,
        message: expect.stringMatching(
          /^cannot compile this Bicep file: no Bicep CLI on PATH; install the Bicep CLI \(https:\/\/learn\.microsoft\.com\/azure\/azure-resource-manager\/bicep\/install\) or the Azure CLI with `az bicep install`/
        ) as string
      }
    ]);
  });
});
