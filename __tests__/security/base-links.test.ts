/**
 * A file that decides the gate (cmk-guard.yaml, a rule file, a definition file) may be a symbolic link in the
 * repository. The working tree's is read through its link; the base's must be too, or a pull request that edits
 * what the link leads to changes its own gate unseen: git keeps a link's target path as its blob, so reading the
 * blob gives a path, not the file.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFilesAtCommit, readTreeAtCommit } from '../../src/pr/baseCheckout.js';
import { git, initRepository } from '../support/git.js';
import { accountsCmkDefinition, evaluateIn, type Evaluation } from './support.js';

const NONCOMPLIANT = readFileSync(path.resolve('examples/foundry-tools-cmk/noncompliant.json'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-links-'));
  initRepository(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files (a `-> target` text makes a symbolic link) and commits them; the commit's hash. */
function commit(files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) {
    const at = path.join(dir, file);
    mkdirSync(path.dirname(at), { recursive: true });
    rmSync(at, { force: true });
    if (text.startsWith('-> ')) symlinkSync(text.slice(3), at);
    else writeFileSync(at, text);
  }
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'change');
  return git(dir, 'rev-parse', 'HEAD');
}

const evaluate = (...flags: string[]): Promise<Evaluation> => evaluateIn(dir, ...flags);

describe('files that are symbolic links at the base are read as what they lead to', () => {
  it('reads a link inside the tree as its target, and nothing for a link out of it, a loop or a folder', () => {
    const outside = path.join(os.tmpdir(), `cmk-guard-outside-${process.pid}.txt`);
    writeFileSync(outside, 'outside');
    try {
      const base = commit({
        'real/settings.yaml': 'fail-on: error\n',
        'cmk-guard.yaml': '-> real/settings.yaml',
        'defs/linked.json': '-> ../real/def.json',
        'real/def.json': '{"at": "base"}',
        'defs/out.json': `-> ${outside}`,
        'defs/up.json': '-> ../../etc/hostname',
        'defs/loop.json': '-> loop.json',
        'defs/folder.json': '-> ../real',
        'via/real': '-> ../real'
      });
      commit({ 'real/settings.yaml': 'fail-on: never\n', 'real/def.json': '{"at": "head"}' });

      const files = readFilesAtCommit(base, ['cmk-guard.yaml', 'via/real/def.json', 'defs/out.json'], dir);
      expect(files.get('cmk-guard.yaml')).toBe('fail-on: error\n');
      // A path through a linked folder is read too.
      expect(files.get('via/real/def.json')).toBe('{"at": "base"}');
      expect(files.get('defs/out.json')).toBeNull();

      const tree = readTreeAtCommit(base, 'defs', dir, () => true);
      expect(Object.fromEntries([...tree].map(([file, text]) => [path.relative(dir, file), text]))).toEqual({
        [path.join('defs', 'linked.json')]: '{"at": "base"}'
      });
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('a pull request that loosens what the base’s cmk-guard.yaml links to does not loosen its gate', async () => {
    const base = commit({
      'infra/main.json': NONCOMPLIANT,
      'config/cmk-guard.yaml': 'templates: ["infra/*.json"]\n',
      'cmk-guard.yaml': '-> config/cmk-guard.yaml'
    });
    commit({ 'config/cmk-guard.yaml': 'templates: ["infra/*.json"]\nfail-on: never\n' });
    expect((await evaluate()).code).toBe(0);
    const checked = await evaluate('--base', base);
    expect(checked.code).toBe(1);
    expect(checked.document.skipped).toContainEqual({
      file: 'cmk-guard.yaml',
      reason:
        '`fail-on` is "never" in this change and not set at the base: the base\'s applies until the change is merged.',
      atBase: true
    });
  });

  it('a pull request that loosens what a linked rule file or definition file leads to is judged by the base’s', async () => {
    cpSync(path.resolve('policies'), path.join(dir, 'shared-rules'), {
      recursive: true,
      filter: source => !source.includes(`${path.sep}compiled`) && !source.endsWith('README.md')
    });
    mkdirSync(path.join(dir, 'rules'));
    for (const name of readdirSync(path.join(dir, 'shared-rules'))) {
      symlinkSync(path.join('..', 'shared-rules', name), path.join(dir, 'rules', name));
    }
    const base = commit({
      'infra/main.json': NONCOMPLIANT,
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: rules\n'
    });
    const before = await evaluate('--base', base);
    expect(before.code).toBe(1);
    const judged = before.document.findings.filter(
      f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant'
    );
    expect(judged.length).toBeGreaterThan(0);
    expect(before.document.skipped ?? []).toEqual([]);

    // The change drops the rule from the pack the link leads to, and deletes the rule file its link leads to.
    const pack = readFileSync(path.join(dir, 'shared-rules', 'pack.yaml'), 'utf8');
    rmSync(path.join(dir, 'shared-rules', 'foundry-tools-cmk.yaml'));
    commit({ 'shared-rules/pack.yaml': pack.replace(/^\s*- foundry-tools-cmk\s*$/m, '') });
    expect((await evaluate()).document.findings.some(f => f.definition === 'foundry-tools-cmk')).toBe(false);

    const checked = await evaluate('--base', base);
    expect(checked.document.errors ?? []).toEqual([]);
    expect(checked.code).toBe(1);
    expect(
      checked.document.findings.filter(f => f.definition === 'foundry-tools-cmk' && f.verdict === 'noncompliant')
    ).toHaveLength(judged.length);
    expect(checked.document.skipped).toEqual([
      {
        file: 'rules/foundry-tools-cmk.yaml',
        reason: 'this change removes the rule file: it is read as it is at the base until the change is merged.',
        atBase: true
      },
      {
        file: 'rules/pack.yaml',
        reason: 'this change alters the rule file: it is read as it is at the base until the change is merged.',
        atBase: true
      }
    ]);

    // Likewise a definition file that is a link.
    const withDefinition = commit({
      'cmk-guard.yaml': 'templates: ["infra/*.json"]\npolicies: none\ndefinitions: [defs]\n',
      'shared-defs/cmk.json': accountsCmkDefinition('Microsoft.KeyVault'),
      'defs/cmk.json': '-> ../shared-defs/cmk.json'
    });
    expect((await evaluate('--base', withDefinition)).code).toBe(1);
    commit({ 'shared-defs/cmk.json': accountsCmkDefinition('Nothing').replace('notEquals', 'equals') });
    expect((await evaluate()).code).toBe(0);
    const defined = await evaluate('--base', withDefinition);
    expect(defined.code).toBe(1);
    expect(defined.document.skipped).toContainEqual({
      file: 'defs/cmk.json',
      reason: 'this change alters the definition file: it is read as it is at the base until the change is merged.',
      atBase: true
    });
  });
});
