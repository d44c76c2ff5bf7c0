/**
 * An inline exception accepts the findings of the resource it is written on. A pull request that copies an
 * exception the base already has onto another resource (a new account, or one that was compliant) accepts
 * that resource's findings too: the copy must be marked as added by the pull request, not pass as the old one. So
 * must an exception moved onto another resource from one the change removes (or fixes): the total is the same.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { needsAttention } from '../../src/report/comment.js';
import { evaluateRepository } from '../../src/run.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

type Template = { resources: Record<string, unknown>[] };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-copied-'));
  cpSync(path.resolve('__tests__/fixtures/exceptions/workspace/infra/app.json'), path.join(dir, 'app.json'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const evaluate = (base?: string): Promise<FindingsDocument> =>
  evaluateRepository({ cwd: dir, policies: bundledPolicies(), templates: ['app.json'], ...(base ? { base } : {}) });

const accepted = (document: FindingsDocument) =>
  Object.fromEntries(document.findings.filter(f => f.suppressed).map(f => [f.resource.name, f.suppressed!.new]));

describe('an inline exception copied onto another resource', () => {
  it('is marked as added by the pull request on every resource that holds it, and the comment is written', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    const existing = app.resources.find(r => r.name === 'language-main')!;
    // A new account without a key, under the same words the base accepted for another one.
    app.resources.push({ ...existing, name: 'new-account', metadata: existing.metadata });
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 2));

    const document = await evaluate('main');
    expect(accepted(document)).toEqual({ 'language-main': true, 'new-account': true });
    expect(needsAttention({ ...document, summary: { ...document.summary, noncompliant: 0, indeterminate: 0 } })).toBe(
      true
    );
  });

  it('moved onto another resource, off one the change removes, is marked as added by the pull request', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    const existing = app.resources.find(r => r.name === 'language-main')!;
    // The account the base accepted is gone; a new one without a key carries the same words.
    app.resources = app.resources.filter(r => r !== existing);
    app.resources.push({ ...existing, name: 'new-account' });
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 2));

    const document = await evaluate('main');
    expect(accepted(document)).toEqual({ 'new-account': true });
    expect(needsAttention({ ...document, summary: { ...document.summary, noncompliant: 0, indeterminate: 0 } })).toBe(
      true
    );
  });

  it('moved to another place in the file, or left as it was, is not new', async () => {
    const app = JSON.parse(readFileSync(path.join(dir, 'app.json'), 'utf8')) as Template;
    app.resources.reverse();
    writeFileSync(path.join(dir, 'app.json'), JSON.stringify(app, null, 4));
    expect(accepted(await evaluate('main'))).toEqual({ 'language-main': false });
  });
});
