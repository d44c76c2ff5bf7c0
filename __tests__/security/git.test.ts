/**
 * The `base` input and `--base`: git runs with an argument list, never a shell, and a ref
 * that could be read as an option or that holds shell syntax is refused before git runs.
 * File names in the base commit that `cat-file --batch` cannot be asked for are passed over.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBaseCheckout } from '../../src/pr/baseCheckout.js';
import { git } from '../support/git.js';

let repo: string;
beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-git-'));
  git(repo, 'init', '-q');
  git(repo, 'config', 'user.email', 'test@example.com');
  git(repo, 'config', 'user.name', 'test');
  mkdirSync(path.join(repo, 'infra'));
  writeFileSync(path.join(repo, 'infra', 'main.json'), '{"base": true}');
  // A name with a line break asks `cat-file --batch` for two objects, the second named by the file.
  writeFileSync(path.join(repo, 'infra', 'HEAD\nmain.json'), '{}');
  writeFileSync(path.join(repo, 'infra', 'evil\n.json'), '{"evil": true}');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'base');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('hostile base refs', () => {
  it.each([
    '--upload-pack=touch pwned',
    '-c core.pager=touch pwned',
    '$(touch pwned)',
    '`touch pwned`',
    'HEAD;touch pwned',
    'HEAD && touch pwned',
    'HEAD | touch pwned',
    'HEAD\ntouch pwned',
    'main..HEAD',
    'HEAD:infra/main.json',
    ''
  ])('%j is refused before git runs, and nothing is executed', ref => {
    expect(() => readBaseCheckout(ref, ['infra'], repo)).toThrow(/is not a git revision cmk-guard accepts/);
    expect(existsSync(path.join(repo, 'pwned'))).toBe(false);
    expect(readdirSync(repo).sort()).toEqual(['.git', 'infra']);
  });
});

describe('hostile names in the base commit', () => {
  it('passes over names with line breaks and still reads the others', () => {
    const checkout = readBaseCheckout('HEAD', ['infra'], repo);
    try {
      expect(checkout.files).toBe(1);
      expect(readFileSync(path.join(checkout.root, 'infra', 'main.json'), 'utf8')).toBe('{"base": true}');
      expect(readdirSync(path.join(checkout.root, 'infra'))).toEqual(['main.json']);
    } finally {
      checkout.dispose();
    }
  });
});
