/**
 * A pull request edits cmk-guard.yaml in its own checkout, and the README's workflow gives no `fail-on`, no
 * `skip-rules` and no `config` input. The settings of the file that decide whether the run fails must not
 * let the pull request pass itself: checked against its base, each of them that the change alters is taken
 * as it is at the base (the change applies once merged), and the report says so.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
}

const NONCOMPLIANT = readFileSync(path.resolve('examples/foundry-tools-cmk/noncompliant.json'), 'utf8');

let dir: string;
let base: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-gate-'));
  mkdirSync(path.join(dir, 'infra'));
  writeFileSync(path.join(dir, 'infra', 'main.json'), NONCOMPLIANT);
  writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  base = git(dir, 'rev-parse', 'HEAD');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function evaluate(...flags: string[]): Promise<{ code: number; document: FindingsDocument; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['evaluate', '--format', 'json', ...flags], {
    cwd: dir,
    stdout: text => (stdout += text),
    stderr: text => (stderr += text),
    env: {}
  });
  if (!stdout) throw new Error(`no report (exit ${code}): ${stderr}`);
  return { code, document: JSON.parse(stdout) as FindingsDocument, stderr };
}

const loosenings: [string, string, string][] = [
  ['fail-on: never', 'fail-on: never', 'fail-on'],
  ['skip-rules', 'skip-rules: [foundry-tools-cmk]', 'skip-rules'],
  ['rules', 'rules: [key-vault-soft-delete]', 'rules'],
  ['a severity override', 'overrides:\n  foundry-tools-cmk:\n    severity: note', 'overrides'],
  ['effect: Disabled', 'overrides:\n  foundry-tools-cmk:\n    effect: Disabled', 'overrides'],
  ['policies: none with a definition of its own', 'policies: none\ndefinitions: [lax.json]', 'policies']
];

describe("a pull request's cmk-guard.yaml does not loosen its own gate", () => {
  it.each(loosenings)('%s passes without the base, and fails as the base does with it', async (_, added, setting) => {
    // The pull request's change; lax.json is a definition that finds nothing.
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), `templates: ["infra/*.json"]\n${added}\n`);
    writeFileSync(
      path.join(dir, 'lax.json'),
      JSON.stringify({
        name: 'lax',
        properties: {
          displayName: 'lax',
          mode: 'Indexed',
          policyRule: { if: { field: 'type', equals: 'Nothing/atAll' }, then: { effect: 'audit' } }
        }
      })
    );
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'loosen');

    // Without a base (a push, a local run), the file is what it says.
    const alone = await evaluate();
    expect(alone.code).toBe(0);

    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(checked.document.summary.noncompliant).toBeGreaterThan(0);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason: expect.stringMatching(
        new RegExp(`^\`${setting}\` .*the base's appl(y|ies) until the change is merged\\.$`)
      ) as string
    });
  });

  it('deleting the file does not drop what the base made stricter', async () => {
    writeFileSync(
      path.join(dir, 'cmk-guard.yaml'),
      'templates: ["infra/*.json"]\nfail-on: warning\noverrides:\n  key-vault-soft-delete:\n    severity: warning\n'
    );
    git(dir, 'commit', '-qam', 'stricter');
    const stricter = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'rm', '-q', 'cmk-guard.yaml');
    git(dir, 'commit', '-qm', 'delete');
    const checked = await evaluate('--templates', 'infra/*.json', '--base', stricter);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`fail-on` is not set in this change and "warning" at the base: the base\'s applies until the change is merged.'
    });
  });

  it('a change that leaves those settings alone is not flagged, and a flag still wins over both', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), '# the targets\ntemplates: ["infra/*.json"]\n');
    git(dir, 'commit', '-qam', 'comment');
    const same = await evaluate('--base', base);
    expect(same.code).toBe(1);
    expect(same.document.skipped ?? []).toEqual([]);

    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\nfail-on: never\n');
    git(dir, 'commit', '-qam', 'never');
    const flagged = await evaluate('--base', base, '--fail-on', 'never');
    expect(flagged.code).toBe(0);
  });

  it('narrowing `templates` does not leave a template out: the base’s patterns are evaluated too, and may match nothing', async () => {
    // The pull request adds a noncompliant template and narrows `templates` so that it matches only a compliant one.
    mkdirSync(path.join(dir, 'infra', 'ok'));
    writeFileSync(
      path.join(dir, 'infra', 'ok', 'vault.json'),
      readFileSync(path.resolve('examples/key-vault-purge-protection/compliant.json'), 'utf8')
    );
    writeFileSync(path.join(dir, 'infra', 'new.json'), NONCOMPLIANT);
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/ok/*.json"]\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'narrow');
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(new Set(checked.document.findings.map(f => f.resource.file))).toEqual(
      new Set(['infra/main.json', 'infra/new.json', 'infra/ok/vault.json'])
    );
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`templates` leaves out "infra/*.json" in this change, which the base names: they are evaluated too until the change is merged.'
    });
    // A base pattern that matches nothing now (the folder moved) is no error; the head's patterns still must match.
    git(dir, 'mv', 'infra', 'deploy');
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["deploy/**/*.json"]\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'move');
    const moved = await evaluate('--base', base);
    expect(moved.document.errors ?? []).toEqual([]);
    expect(moved.code).toBe(1);
    // A flag naming the templates wins over both files, as for the other settings.
    const named = await evaluate('--base', base, '--templates', 'deploy/ok/vault.json');
    expect(named.code).toBe(0);
  });

  it('the rule files of the repository’s own folder are read as they are at the base: a pull request cannot loosen or drop the rule that judges it', async () => {
    // The repository keeps its own copy of the rules, and the base's checks the accounts.
    cpSync(path.resolve('policies'), path.join(dir, 'rules'), {
      recursive: true,
      filter: source => !source.includes(`${path.sep}compiled`) && !source.endsWith('README.md')
    });
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\npolicies: rules\n');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'own rules');
    const withRules = git(dir, 'rev-parse', 'HEAD');
    const before = await evaluate('--base', withRules);
    expect(before.code).toBe(1);
    const judged = before.document.findings.filter(
      f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant'
    );
    expect(judged.length).toBeGreaterThan(0);

    // The pull request drops the rule from the pack and deletes its file, and links another rule file out.
    const pack = readFileSync(path.join(dir, 'rules', 'pack.yaml'), 'utf8');
    writeFileSync(path.join(dir, 'rules', 'pack.yaml'), pack.replace(/^\s*- foundry-tools-cmk\s*$/m, ''));
    rmSync(path.join(dir, 'rules', 'foundry-tools-cmk.yaml'));
    rmSync(path.join(dir, 'rules', 'ai-hub-cmk.yaml'));
    symlinkSync(path.join(os.tmpdir(), 'nowhere.yaml'), path.join(dir, 'rules', 'ai-hub-cmk.yaml'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'drop the rule');

    // Without a base (a push, once merged), the folder is what it says.
    const alone = await evaluate();
    expect(alone.document.findings.some(f => f.definition === 'foundry-tools-cmk')).toBe(false);

    const checked = await evaluate('--base', withRules);
    expect(checked.code).toBe(1);
    expect(
      checked.document.findings.filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')
    ).toHaveLength(judged.length);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.document.skipped).toEqual(
      expect.arrayContaining([
        {
          file: 'rules/foundry-tools-cmk.yaml',
          reason: 'this change removes the rule file: it is read as it is at the base until the change is merged.'
        },
        {
          file: 'rules/pack.yaml',
          reason: 'this change alters the rule file: it is read as it is at the base until the change is merged.'
        },
        {
          file: 'rules/ai-hub-cmk.yaml',
          reason: 'this change removes the rule file: it is read as it is at the base until the change is merged.'
        }
      ])
    );
  });

  it('a base that cannot be read says the settings were not compared', async () => {
    writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: ["infra/*.json"]\nfail-on: never\n');
    const checked = await evaluate('--base', '0123456789abcdef0123456789abcdef01234567');
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason: expect.stringMatching(
        /^the settings that decide whether the run fails are read from this change, not compared with the base: /
      ) as string
    });
  });
});
