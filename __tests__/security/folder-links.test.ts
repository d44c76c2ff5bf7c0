/**
 * A symbolic link to a folder is a folder: a pull request that moves a template behind one
 * (`infra/sub -> ../hidden`) must not take it out of `infra/**`, since a pipeline that deploys
 * `infra/sub/main.json` deploys it. Links that stay inside the repository are walked (a loop back to a
 * folder being walked is not walked again: its files are listed under their own names); a link that leads
 * out is refused by name, as a link to a file is; and however links multiply paths, the walk ends at its
 * limit with an error, never a pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SECRET = 'SECRET=hunter2';
const PURGE = path.join(bundledPolicies(), 'compiled', 'policyDefinitions', 'key-vault-purge-protection.json');

let outside: string;
let repo: string;
beforeEach(() => {
  outside = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-folder-links-'));
  repo = path.join(outside, 'repo');
  mkdirSync(repo);
});
afterEach(() => {
  rmSync(outside, { recursive: true, force: true });
  delete process.env.CMK_GUARD_MAX_WALKED_ENTRIES;
});

function template(...names: string[]): string {
  const resources = names.map(name => ({
    type: 'Microsoft.KeyVault/vaults',
    apiVersion: '2023-07-01',
    name,
    location: 'westus',
    properties: {}
  }));
  return JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources, x: SECRET }, null, 2);
}

function write(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, relative)), { recursive: true });
  writeFileSync(path.join(repo, relative), text);
}

function link(relative: string, target: string): void {
  mkdirSync(path.dirname(path.join(repo, relative)), { recursive: true });
  symlinkSync(target, path.join(repo, relative));
}

const evaluate = (templates: string[]) => evaluateRepository({ cwd: repo, definitions: [PURGE], templates });
const noncompliant = (document: Awaited<ReturnType<typeof evaluate>>) =>
  document.findings
    .filter(f => f.verdict === 'noncompliant')
    .map(f => [f.resource.file, f.resource.name])
    .sort();

describe('a template behind a symbolic link to a folder inside the repository', () => {
  it('is evaluated under the name the link gives it', async () => {
    write('infra/ok.json', template());
    write('hidden/main.json', template('hidden-vault'));
    link('infra/sub', '../hidden');
    const document = await evaluate(['infra/**/*.json']);
    expect(document.errors).toEqual([]);
    expect(noncompliant(document)).toEqual([['infra/sub/main.json', 'hidden-vault']]);
  });

  it('a folder named as the pattern, and a link under a link', async () => {
    write('infra/ok.json', template());
    write('deep/b/main.json', template('deep-vault'));
    link('middle/b', '../deep/b');
    link('infra/a', '../middle');
    const document = await evaluate(['infra']);
    expect(noncompliant(document)).toEqual([['infra/a/b/main.json', 'deep-vault']]);
  });

  it('a loop back to a folder being walked ends, and the files are listed once, under their own names', async () => {
    write('infra/main.json', template('looped'));
    link('infra/a/up', '..');
    link('infra/self', '.');
    const document = await evaluate(['infra/**/*.json']);
    expect(document.errors).toEqual([]);
    expect(noncompliant(document)).toEqual([['infra/main.json', 'looped']]);
  });
});

describe('a symbolic link to a folder outside the repository', () => {
  it('is refused by name, whatever the pattern, and nothing in it is read', async () => {
    mkdirSync(path.join(outside, 'elsewhere'));
    writeFileSync(path.join(outside, 'elsewhere', 'main.json'), template('outside-vault'));
    write('infra/ok.json', template());
    link('infra/tools', path.join(outside, 'elsewhere'));
    const document = await evaluate(['infra/**/*.json']);
    expect(document.errors?.map(e => [e.file, e.message])).toEqual([
      [
        'infra/tools',
        expect.stringMatching(/does not read .*infra\/tools: it leads outside the repository through a symbolic link/)
      ]
    ]);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    expect(JSON.stringify(document)).not.toContain('outside-vault');
  });
});

describe('links that multiply paths', () => {
  it('end at the walk limit, an error naming the pattern and the variable', async () => {
    // Each level holds two links to the next: 2^12 paths to the last level.
    for (let level = 0; level < 12; level++) {
      link(`levels/${level}/a`, `../${level + 1}`);
      link(`levels/${level}/b`, `../${level + 1}`);
    }
    write('levels/12/main.json', template());
    process.env.CMK_GUARD_MAX_WALKED_ENTRIES = '1000';
    const document = await evaluate(['levels/0']);
    expect(document.errors?.map(e => [e.file, e.message])).toEqual([
      ['levels/0', expect.stringMatching(/more than 1000 files and folders .*CMK_GUARD_MAX_WALKED_ENTRIES/)]
    ]);
  });
});

describe('a node_modules folder', () => {
  it('is not searched, and is listed among the skipped files with how to check it', async () => {
    write('infra/ok.json', template());
    write('infra/node_modules/evil.json', template('in-node-modules'));
    const document = await evaluate(['infra/**/*.json']);
    expect(noncompliant(document)).toEqual([]);
    expect(document.skipped).toEqual([
      {
        file: 'infra/node_modules',
        reason: expect.stringMatching(/^a node_modules folder: not searched; name it in a pattern of its own/)
      }
    ]);
    const named = await evaluate(['infra/node_modules/*.json']);
    expect(noncompliant(named)).toEqual([['infra/node_modules/evil.json', 'in-node-modules']]);
  });
});

describe('on a pull request, reporting only the files it changes', () => {
  const changedOnly = (templates: string[], changedFiles: string[]) =>
    evaluateRepository({ cwd: repo, definitions: [PURGE], templates, changedFiles });

  it('a change to the real file behind a folder link is a change to the template read through the link', async () => {
    write('infra/ok.json', template());
    write('hidden/main.json', template('hidden-vault'));
    link('infra/sub', '../hidden');
    expect(noncompliant(await changedOnly(['infra/**/*.json'], ['hidden/main.json']))).toEqual([
      ['infra/sub/main.json', 'hidden-vault']
    ]);
  });

  it('a change to the link itself (a new or retargeted infra/sub) is a change to what it leads to', async () => {
    write('infra/ok.json', template());
    write('hidden/main.json', template('hidden-vault'));
    link('infra/sub', '../hidden');
    expect(noncompliant(await changedOnly(['infra/**/*.json'], ['infra/sub']))).toEqual([
      ['infra/sub/main.json', 'hidden-vault']
    ]);
  });

  it('a change to the file a file link leads to', async () => {
    write('shared/vault.json', template('linked-vault'));
    link('infra/main.json', '../shared/vault.json');
    expect(noncompliant(await changedOnly(['infra/main.json'], ['shared/vault.json']))).toEqual([
      ['infra/main.json', 'linked-vault']
    ]);
  });

  it('an unrelated change still reports nothing', async () => {
    write('hidden/main.json', template('hidden-vault'));
    link('infra/sub', '../hidden');
    expect(noncompliant(await changedOnly(['infra/**/*.json'], ['README.md']))).toEqual([]);
  });
});

describe('the base of a pull request, read from git', () => {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  const account = (keySource: string) =>
    JSON.stringify({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2024-10-01',
          name: 'foundry',
          location: 'westeurope',
          kind: 'AIServices',
          sku: { name: 'S0' },
          identity: { type: 'SystemAssigned' },
          properties: {
            encryption:
              keySource === 'Microsoft.KeyVault'
                ? {
                    keySource,
                    keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://v.vault.azure.net', keyVersion: '1' }
                  }
                : { keySource }
          }
        }
      ]
    });

  it('has the templates behind a folder link too: a switch of keys behind infra/sub is compared with the base', async () => {
    git('init', '-q');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'test');
    write('infra/ok.json', template());
    write('hidden/a.json', account('Microsoft.KeyVault'));
    link('infra/sub', '../hidden');
    link('infra/shared.json', '../hidden/a.json');
    git('add', '-A');
    git('commit', '-qm', 'base');
    git('tag', 'base');
    write('hidden/a.json', account('Microsoft.CognitiveServices'));
    git('commit', '-qam', 'head');
    const document = await evaluateRepository({
      cwd: repo,
      policies: bundledPolicies(),
      templates: ['infra/**/*.json'],
      base: 'base',
      selection: { rules: ['cmk-no-key-type-switch'] }
    });
    expect(document.errors).toEqual([]);
    expect(noncompliant(document)).toEqual([
      ['infra/shared.json', 'foundry'],
      ['infra/sub/a.json', 'foundry']
    ]);
  });
});
