/**
 * Nothing passes silently (issue #14): a run that would check nothing, or skip an input the user
 * named, is an error (exit 2) with one line saying what to change; files a broad glob happened to
 * match are skipped, counted and listed, and the outcome does not change.
 */
import { closeSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { isUserError } from '../../src/model/errors.js';
import { evaluateRepository } from '../../src/run.js';

const examples = path.resolve('examples');
const template = path.join(examples, 'key-vault-soft-delete/noncompliant.json');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-silent-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd: dir, env: {}, stdout: t => out.push(t), stderr: t => err.push(t) });
  return { code, out: out.join(''), err: err.join('') };
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

describe('nothing passes silently', () => {
  it('a rules folder with no rule files is an error, which says where rules in a subfolder are', async () => {
    mkdirSync(path.join(dir, 'rules/cmk'), { recursive: true });
    cpSync(path.resolve('policies/key-vault-soft-delete.yaml'), path.join(dir, 'rules/cmk/key-vault-soft-delete.yaml'));
    cpSync(template, path.join(dir, 'main.json'));
    const run = await cli(['evaluate', '--policies', 'rules', '-t', 'main.json']);
    expect(run.code).toBe(2);
    expect(run.err).toBe(
      'cmk-guard: rules: the rules folder holds no rule files. Rule files are read from the folder itself, not its subfolders: cmk/key-vault-soft-delete.yaml is in a subfolder; give that folder instead.\n'
    );
    expect((await cli(['compile', '--policies', 'rules', '--out', 'out'])).code).toBe(2);
  });

  it('no rules and no definitions (the action with `policies: none`) is an error', async () => {
    const error = await evaluateRepository({ cwd: examples, templates: ['*/*.json'] }).catch((e: unknown) => e);
    expect(isUserError(error) && error.message).toBe(
      'there is nothing to evaluate with: no rules (the policies are turned off) and no policy definitions; use the bundled rules, or give a rules folder or definitions.'
    );
  });

  it('a named file that is not a template is an error; the same file matched by a glob is a counted skip', async () => {
    write('infra/package.json', '{"name": "x"}\n');
    cpSync(template, path.join(dir, 'infra/main.json'));
    const named = await cli(['evaluate', '-t', 'infra/package.json', '-t', 'infra/main.json']);
    expect(named.code).toBe(2);
    expect(named.out).toContain(
      'infra/package.json: this file was named as a template, but it is not a deployment template: it has no $schema; give a deployment template'
    );
    const globbed = await cli(['evaluate', '-t', 'infra/*.json', '-f', 'json']);
    expect(globbed.code).toBe(1);
    const document = JSON.parse(globbed.out) as FindingsDocument;
    expect(document.skipped).toEqual([
      { file: 'infra/package.json', reason: 'not a deployment template: it has no $schema' }
    ]);
    const text = await cli(['evaluate', '-t', 'infra/*.json']);
    expect(text.out).toContain('Skipped 1 input (not deployment templates, or not evaluated):\n  infra/package.json: ');
  });

  it('a glob that matches only JSON files that are not templates is an error', async () => {
    write('config/settings.json', '{"a": 1}\n');
    write('config/tsconfig.json', '{"compilerOptions": {}}\n');
    const run = await cli(['evaluate', '-t', 'config/**/*.json']);
    expect(run.code).toBe(2);
    expect(run.out).toContain(
      "config/**/*.json: 'config/**/*.json' matches 2 files but no deployment template: config/settings.json (not a deployment template: it has no $schema), config/tsconfig.json (not a deployment template: it has no $schema); point it at your ARM templates (.json) or Bicep files (.bicep)."
    );
  });

  it('a template larger than the size limit is an error, by name or by glob; other large JSON is a counted skip', async () => {
    const big = (file: string, head: string) => {
      const fd = openSync(path.join(dir, file), 'w');
      writeSync(fd, head);
      writeSync(fd, Buffer.alloc(17 * 1024 * 1024, 0x20));
      writeSync(fd, '}');
      closeSync(fd);
    };
    big(
      'huge.json',
      '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []'
    );
    big('data.json', '{"rows": []');
    cpSync(template, path.join(dir, 'main.json'));
    const run = await cli(['evaluate', '-t', '*.json', '-f', 'json']);
    expect(run.code).toBe(2);
    const document = JSON.parse(run.out) as FindingsDocument;
    // Paths relative to the working folder, in the message too.
    expect(document.errors?.map(e => [e.file, e.message])).toEqual([
      [
        'huge.json',
        'huge.json is larger than 16 MB, the most cmk-guard reads (CMK_GUARD_MAX_FILE_BYTES; Azure Resource Manager takes templates up to 4 MB); split it or leave it out of the patterns.'
      ]
    ]);
    expect(document.skipped).toEqual([{ file: 'data.json', reason: 'larger than 16 MB, not read' }]);
    expect(document.summary.noncompliant).toBeGreaterThan(0);
  });

  it('a named file that is not .json or .bicep is an error', async () => {
    write('main.yaml', 'resources: []\n');
    const run = await cli(['evaluate', '-t', 'main.yaml']);
    expect(run.code).toBe(2);
    expect(run.out).toContain(
      'main.yaml: this file was named as a template, but it is not a .json or .bicep file; give an ARM template (.json) or a Bicep file (.bicep).'
    );
  });
});
