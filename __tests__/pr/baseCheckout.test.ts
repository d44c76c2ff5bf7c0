import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBaseCheckout } from '../../src/pr/baseCheckout.js';
import { git } from '../support/git.js';

describe('reading the base of a pull request from git', () => {
  let repo: string;
  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-repo-'));
    git(repo, 'init', '-q');
    git(repo, 'config', 'user.email', 'test@example.com');
    git(repo, 'config', 'user.name', 'test');
    mkdirSync(path.join(repo, 'infra', 'nested'), { recursive: true });
    writeFileSync(path.join(repo, 'infra', 'main.json'), '{"base": true}');
    writeFileSync(path.join(repo, 'infra', 'nested', 'child.json'), '{"child": 1}');
    writeFileSync(path.join(repo, 'infra', 'notes.txt'), 'not json');
    writeFileSync(path.join(repo, 'other.json'), '{}');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'base');
    git(repo, 'tag', 'base');
    writeFileSync(path.join(repo, 'infra', 'main.json'), '{"base": false}');
    git(repo, 'commit', '-qam', 'head');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('writes the JSON files under the given folders as they were at the base commit', () => {
    const checkout = readBaseCheckout('base', ['infra'], repo);
    try {
      expect(checkout.files).toBe(2);
      expect(readFileSync(path.join(checkout.root, 'infra', 'main.json'), 'utf8')).toBe('{"base": true}');
      expect(readFileSync(path.join(checkout.root, 'infra', 'nested', 'child.json'), 'utf8')).toBe('{"child": 1}');
      expect(existsSync(path.join(checkout.root, 'other.json'))).toBe(false);
      expect(existsSync(path.join(checkout.root, 'infra', 'notes.txt'))).toBe(false);
    } finally {
      checkout.dispose();
    }
    expect(existsSync(checkout.root)).toBe(false);
  });

  it('refuses a ref that could be read as an option, without running git with it', () => {
    expect(() => readBaseCheckout('--upload-pack=touch /tmp/pwned', ['infra'], repo)).toThrow(
      /not a git revision cmk-guard accepts/
    );
  });

  it('says what to do when the base commit is not there', () => {
    expect(() => readBaseCheckout('no-such-branch', ['infra'], repo)).toThrow(/fetch-depth: 0/);
  });
});

describe('folders whose names look like git pathspec magic', () => {
  it('are read as the folders they are: `:(exclude)x` and `:!y` were refused by git, an internal error', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-magic-'));
    try {
      git(repo, 'init', '-q');
      git(repo, 'config', 'user.email', 'test@example.com');
      git(repo, 'config', 'user.name', 'test');
      for (const folder of [':(exclude)x', ':!y', ':(top)z']) {
        mkdirSync(path.join(repo, folder));
        writeFileSync(path.join(repo, folder, 'main.json'), `{"in": "${folder}"}`);
      }
      writeFileSync(path.join(repo, 'x.json'), '{}');
      git(repo, 'add', '-A');
      git(repo, 'commit', '-qm', 'base');
      const checkout = readBaseCheckout('HEAD', [':(exclude)x', ':!y', ':(top)z'], repo);
      try {
        expect(checkout.files).toBe(3);
        for (const folder of [':(exclude)x', ':!y', ':(top)z'])
          expect(readFileSync(path.join(checkout.root, folder, 'main.json'), 'utf8')).toBe(`{"in": "${folder}"}`);
        expect(existsSync(path.join(checkout.root, 'x.json'))).toBe(false);
      } finally {
        checkout.dispose();
      }
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
