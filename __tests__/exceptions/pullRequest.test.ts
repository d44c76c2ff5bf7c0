/**
 * A pull request can add exceptions and baseline entries, since the configuration file, the templates
 * and the baseline come from its checkout; it cannot do so unseen. Compared with the base commit, what
 * it adds or changes is marked, and the comment is written for it.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { loadConfig } from '../../src/config/load.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { needsAttention, renderComment } from '../../src/report/comment.js';
import { renderText } from '../../src/report/text.js';
import { evaluateRepository } from '../../src/run.js';

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

const fixture = path.resolve('__tests__/fixtures/exceptions/workspace');
const now = new Date('2026-12-05T12:00:00Z');

/** The fixture workspace committed as the base, then changed as a pull request would change it. */
function pullRequest(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-pr-'));
  cpSync(fixture, dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'tag', 'base');

  // The pull request: a later date on one exception, a new one, and an inline one on another resource.
  const config = readFileSync(path.join(dir, 'cmk-guard.yaml'), 'utf8')
    .replace('expires: 2027-03-31', 'expires: 2027-09-30')
    .concat(
      [
        '  - rule: foundry-tools-cmk',
        '    resources:',
        '      - name: batch-coordinator',
        '    reason: The coordinator is replaced next month.',
        ''
      ].join('\n')
    );
  writeFileSync(path.join(dir, 'cmk-guard.yaml'), config);
  const app = JSON.parse(readFileSync(path.join(dir, 'infra/app.json'), 'utf8')) as {
    resources: Record<string, unknown>[];
  };
  app.resources[1].metadata = {
    cmkGuard: { exceptions: [{ rule: 'foundry-tools-cmk', reason: 'Accepted in this pull request.' }] }
  };
  writeFileSync(path.join(dir, 'infra/app.json'), JSON.stringify(app, null, 2));
  return dir;
}

async function evaluate(dir: string, base?: string): Promise<FindingsDocument> {
  const config = loadConfig(path.join(dir, 'cmk-guard.yaml'), dir);
  return evaluateRepository({
    cwd: dir,
    policies: bundledPolicies(),
    templates: config.settings.templates,
    exceptions: config.exceptions,
    ...(base ? { base } : {}),
    now
  });
}

const newness = (document: FindingsDocument) =>
  Object.fromEntries(
    document.findings
      .filter(f => f.suppressed)
      .map(f => [f.resource.name, f.suppressed!.new ?? 'unknown'])
      .sort()
  );

describe('exceptions a pull request adds are marked as its own', () => {
  let dir: string;
  beforeAll(() => {
    dir = pullRequest();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('marks the exceptions added or changed since the base, in the file and inline, and no others', async () => {
    const document = await evaluate(dir, 'base');
    expect(newness(document)).toEqual({
      'batch-coordinator': true, // added to cmk-guard.yaml
      'batch-northeurope': false, // the copy loop's inline exception was there already
      'batch-swedencentral': false,
      'batch-westeurope': false,
      'language-main': false,
      'legacy-translator': true, // its exception's date moved
      'openai-main': true, // a new inline exception
      'speech-transcripts': false
    });
    expect(document.exceptions?.filter(e => e.new).map(e => [e.file, e.line])).toEqual([
      ['infra/app.json', 29],
      ['cmk-guard.yaml', 5],
      ['cmk-guard.yaml', 28]
    ]);
  });

  it('says so in the reports, and the comment is written for it even when nothing fails', async () => {
    const document = await evaluate(dir, 'base');
    expect(renderText(document)).toContain(
      "infra/app.json:25 foundry-tools-cmk Microsoft.CognitiveServices/accounts 'openai-main' (noncompliant): waiver by inline exception (infra/app.json:29), added by this pull request: Accepted in this pull request."
    );
    const comment = renderComment(document, { workspace: dir });
    expect(comment).toContain('**3 findings are accepted by exceptions this pull request adds or changes.**');
    expect(comment).toContain('| **new:** waiver by exception (cmk-guard.yaml:28), added by this pull request');
    const passing = { ...document, findings: document.findings.filter(f => f.suppressed) };
    passing.summary = { ...document.summary, noncompliant: 0 };
    expect(needsAttention({ ...passing, exceptions: [] })).toBe(true);
  });

  it('without a base nothing is marked; with one that cannot be read the summary says why', async () => {
    expect(new Set(Object.values(newness(await evaluate(dir))))).toEqual(new Set(['unknown']));
    const unreadable = await evaluate(dir, 'no-such-ref');
    expect(new Set(Object.values(newness(unreadable)))).toEqual(new Set(['unknown']));
    expect(unreadable.skipped).toContainEqual({
      file: '(base)',
      reason: expect.stringMatching(
        /^exceptions and baseline entries this change adds are not marked as new: cannot read the base 'no-such-ref'/
      )
    });
  });
});

/** A repository whose base commit holds the example's noncompliant template and a baseline of its findings. */
async function baselineRepository() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-pr-baseline-'));
  const io = { cwd: dir, env: {}, now, stdout: () => undefined, stderr: () => undefined };
  cpSync('examples/foundry-tools-cmk/noncompliant.json', path.join(dir, 'main.json'));
  writeFileSync(path.join(dir, 'cmk-guard.yaml'), 'templates: [main.json]\nbaseline: baseline.json\n');
  expect(await runCli(['baseline'], io)).toBe(0);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  return { dir, io };
}

describe('baseline entries a pull request adds are counted', () => {
  it('compares the baseline with the base commit’s and says how many findings it adds', async () => {
    const { dir, io } = await baselineRepository();
    try {
      // The pull request adds a resource with no key and regenerates the baseline to swallow it.
      const template = JSON.parse(readFileSync(path.join(dir, 'main.json'), 'utf8')) as {
        resources: Record<string, unknown>[];
      };
      template.resources.push({ ...template.resources[1], name: 'sneaked-in' });
      writeFileSync(path.join(dir, 'main.json'), JSON.stringify(template, null, 2));
      expect(await runCli(['baseline'], io)).toBe(0);

      const out: string[] = [];
      const run = { ...io, stdout: (t: string) => out.push(t) };
      expect(await runCli(['evaluate', '--base', 'HEAD', '--format', 'json'], run)).toBe(0);
      const document = JSON.parse(out.join('')) as FindingsDocument;
      expect(document.baseline).toEqual({ file: 'baseline.json', entries: 3, matched: 3, changed: true, added: 1 });
      expect(needsAttention(document)).toBe(true);
      expect(renderComment(document, { workspace: dir })).toContain(
        'Accepted by the baseline `baseline.json`, which this pull request changes (it adds 1 finding).'
      );
      expect(renderComment(document, { workspace: dir })).toContain(
        '**This pull request changes the baseline `baseline.json`: it adds 1 finding.**'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts an entry moved to another resource group, or stripped of its id, as added', async () => {
    const { dir, io } = await baselineRepository();
    try {
      const written = readFileSync(path.join(dir, 'baseline.json'), 'utf8');
      const baseline = JSON.parse(written) as FindingsDocument;
      for (const edit of [
        (f: FindingsDocument['findings'][number]) =>
          void (f.resource.id = f.resource.id.replace(
            /\/resourceGroups\/[^/]+\//,
            '/resourceGroups/rg-payments-prod/'
          )),
        (f: FindingsDocument['findings'][number]) => void delete (f.resource as { id?: string }).id
      ]) {
        const edited = JSON.parse(written) as FindingsDocument;
        edit(edited.findings[0]);
        writeFileSync(path.join(dir, 'baseline.json'), JSON.stringify(edited, null, 2));
        const out: string[] = [];
        // Moved, it no longer accepts the finding where it is (exit 1); stripped, it accepts it anywhere (exit 0).
        await runCli(['evaluate', '--base', 'HEAD', '--format', 'json'], { ...io, stdout: t => out.push(t) });
        const document = JSON.parse(out.join('')) as FindingsDocument;
        expect(document.baseline).toMatchObject({ changed: true, added: 1 });
        expect(needsAttention(document)).toBe(true);
      }
      expect(baseline.findings.length).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
