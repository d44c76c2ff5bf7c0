/**
 * Accepted findings are never silent: every report lists them with the exception that accepts them,
 * SARIF carries them as suppressions (code scanning shows them dismissed), and exceptions past their
 * date or matching nothing are warnings where they are written. Reasons and owners come from the pull
 * request, so they are escaped like every other input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { loadConfig } from '../../src/config/load.js';
import { applyExceptions } from '../../src/exceptions/apply.js';
import type { Finding, FindingsDocument } from '../../src/model/finding.js';
import { exitCodeFor } from '../../src/model/finding.js';
import { bundledPolicies } from '../../src/paths.js';
import { buildAnnotations, renderAnnotationCommand } from '../../src/report/annotations.js';
import { COMMENT_MARKER, needsAttention, renderComment } from '../../src/report/comment.js';
import { renderCompact } from '../../src/report/compact.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { buildDocument, evaluateRepository } from '../../src/run.js';
import { sarifValidator } from '../support/sarif.js';

const workspace = path.resolve('__tests__/fixtures/exceptions/workspace');
const context = {
  workspace,
  serverUrl: 'https://github.com',
  repository: 'o/r',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c5'
};
const notes = { hiddenAnnotations: 0, annotationsPerLevel: 10 };

let document: FindingsDocument;
beforeAll(async () => {
  const config = loadConfig(path.join(workspace, 'cmk-guard.yaml'), workspace);
  document = await evaluateRepository({
    cwd: workspace,
    policies: bundledPolicies(),
    templates: config.settings.templates,
    exceptions: config.exceptions,
    now: new Date('2026-12-05T12:00:00Z')
  });
});

describe('accepted findings in every report', () => {
  it('JSON keeps every finding, the accepted ones marked, and every exception with how it fared', () => {
    const json = JSON.parse(renderJson(document)) as FindingsDocument;
    const suppressed = json.findings.filter(f => f.suppressed).map(f => f.resource.name);
    expect(suppressed.sort()).toEqual([
      'batch-northeurope',
      'batch-swedencentral',
      'batch-westeurope',
      'language-main',
      'legacy-translator',
      'speech-transcripts'
    ]);
    expect(json.exceptions?.map(e => e.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'expired',
      'stale'
    ]);
    expect(exitCodeFor(json, { failOn: 'error' })).toBe(1);
    expect(exitCodeFor({ ...json, findings: json.findings.filter(f => f.suppressed) }, { failOn: 'note' })).toBe(0);
  });

  it('SARIF: accepted findings are results with a suppression of the right kind and its justification, valid 2.1.0', () => {
    const sarif = renderSarif(document, context);
    expect(sarifValidator()(sarif)).toBe(true);
    const results = sarif.runs[0].results;
    const named = (name: string) => results.find(r => r.locations[0].logicalLocations?.[0].name === name)!;
    expect(named('legacy-translator').suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'The legacy accounts are retired in the first quarter.',
        location: {
          physicalLocation: {
            artifactLocation: { uri: 'cmk-guard.yaml', uriBaseId: '%SRCROOT%' },
            region: { startLine: 5 }
          }
        },
        properties: { category: 'waiver', owner: 'team-ai', expires: '2027-03-31' }
      }
    ]);
    expect(named('batch-westeurope').suppressions?.[0]).toMatchObject({ kind: 'inSource', status: 'accepted' });
    expect(named('openai-main').suppressions).toBeUndefined();
    expect(results.filter(r => r.suppressions)).toHaveLength(6);
    const notifications = sarif.runs[0].invocations[0].toolExecutionNotifications;
    expect(notifications.map(n => [n.level, n.locations?.[0].physicalLocation.region?.startLine])).toEqual([
      ['warning', 18],
      ['warning', 24]
    ]);
    expect(sarif.runs[0].invocations[0].executionSuccessful).toBe(true);
  });

  it('annotations: a warning on the line of each exception that needs attention, none for accepted findings', () => {
    const annotations = buildAnnotations(document, context);
    expect(annotations.filter(a => a.file === 'cmk-guard.yaml').map(a => [a.level, a.line, a.title])).toEqual([
      ['warning', 18, 'cmk-guard exception expired'],
      ['warning', 24, 'cmk-guard exception matches nothing']
    ]);
    const named = (name: string) => annotations.some(a => a.message.includes(`'${name}'`));
    expect([named('openai-main'), named('batch-coordinator'), named('legacy-translator')]).toEqual([true, true, false]);
  });

  it('summary and comment: totals with the accepted, a table of them with their exceptions, and the problems', () => {
    for (const markdown of [renderSummary(document, context, notes), renderComment(document, context)]) {
      expect(markdown).toContain('cmk-guard: ❌ 2 noncompliant, 0 indeterminate; 6 suppressed');
      expect(markdown).toContain('| 8 | 8 | 8 | 2 | 0 | 6 | 0 |');
      expect(markdown).toContain('Accepted by exceptions (6)');
      expect(markdown).toContain(
        '| `legacy-translator` | `foundry-tools-cmk` | [`infra/legacy/account.json:12`](https://github.com/o/r/blob/ec26c3e57ca3a959ca5aad62de7213c5/infra/legacy/account.json#L12) | noncompliant | waiver by exception (cmk-guard.yaml:5), owner team-ai, until 2027-03-31: The legacy accounts are retired in the first quarter. |'
      );
      expect(markdown).toContain(
        '| [`cmk-guard.yaml:24`](https://github.com/o/r/blob/ec26c3e57ca3a959ca5aad62de7213c5/cmk-guard.yaml#L24) | the exception for foundry-tools-cmk matches no noncompliant or indeterminate finding; remove it, or correct its rule or resources. |'
      );
    }
  });

  it('the comment is written when exceptions need attention, even with nothing failing', () => {
    const onlyAccepted = buildDocument(
      document.findings.filter(f => f.suppressed),
      6,
      10
    );
    expect(needsAttention(onlyAccepted)).toBe(false);
    // Not written for that alone, but a comment already there lists them.
    expect(renderComment(onlyAccepted, context)).toContain('### cmk-guard: ✅ all clear (6 suppressed)');
    expect(renderComment(onlyAccepted, context)).toContain('Accepted by exceptions (6)');
    expect(needsAttention({ ...onlyAccepted, exceptions: document.exceptions })).toBe(true);
    const added = onlyAccepted.findings.map((f, i) =>
      i === 0 ? { ...f, suppressed: { ...f.suppressed!, new: true } } : f
    );
    const withNew = buildDocument(added, 6, 10);
    expect(needsAttention(withNew)).toBe(true);
    expect(renderComment(withNew, context)).toContain(
      '**1 finding is accepted by exceptions this pull request adds or changes.**'
    );
  });
});

describe('reasons and owners are pull-request text', () => {
  const HOSTILE = [
    '<img src=x onerror=alert(1)>',
    '@everyone and @github/security',
    'see #123',
    '| pipe | in | reason |',
    '`tick` ```fence```',
    '[click](javascript:alert(1))',
    COMMENT_MARKER,
    'line one\n::error::two\r\n::set-output name=x::y',
    '%0A::warning::encoded',
    '\u001b[31mred\u001b[0m'
  ];

  function hostileDocument(): FindingsDocument {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-hostile-'));
    try {
      const file = path.join(dir, 'cmk-guard.yaml');
      writeFileSync(
        file,
        dump({
          exceptions: HOSTILE.map((text, i) => ({
            rule: 'cmk-rule',
            resources: [{ name: `acct${i}` }],
            reason: text,
            owner: text
          }))
        })
      );
      const config = loadConfig(file, dir);
      const findings: Finding[] = HOSTILE.map((_, i) => ({
        definition: 'cmk-rule',
        displayName: 'Accounts use a customer-managed key',
        effect: 'deny',
        severity: 'error',
        verdict: 'noncompliant',
        reason: null,
        message: 'no key',
        resource: {
          id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct${i}`,
          type: 'Microsoft.CognitiveServices/accounts',
          name: `acct${i}`,
          file: 'infra/main.json',
          line: i + 1,
          column: 3
        }
      }));
      const applied = applyExceptions(findings, config.exceptions, new Date('2026-12-05'));
      const result = buildDocument(applied.findings, findings.length, 1);
      result.exceptions = applied.report;
      return result;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const outsideCode = (line: string) =>
    line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '').replace(/\]\(https:\/\/github\.com\/[^)\s]*\)/g, ']');

  it.each(['summary', 'comment'])(
    '%s: every accepted row keeps its five cells and renders no HTML, link or mention',
    which => {
      const doc = hostileDocument();
      expect(doc.summary.suppressed).toBe(HOSTILE.length);
      const markdown = which === 'summary' ? renderSummary(doc, context, notes) : renderComment(doc, context);
      const rows = markdown.split('\n').filter(line => line.startsWith('| `acct'));
      expect(rows).toHaveLength(HOSTILE.length);
      for (const row of rows) {
        const cells = row
          .slice(1)
          .split(/(?<!\\)\|/)
          .slice(0, -1);
        expect({ row, cells: cells.length }).toEqual({ row, cells: 5 });
        const text = outsideCode(row);
        expect({ row, html: /<[A-Za-z!/]/.test(text) }).toEqual({ row, html: false });
        expect({ row, mention: /(^|[^\w])@[A-Za-z0-9]/.test(text) }).toEqual({ row, mention: false });
        expect({ row, issue: /#\d/.test(text) }).toEqual({ row, issue: false });
        expect({ row, link: /(^|[^\\])\]\((?!https:\/\/github\.com\/)/.test(text) }).toEqual({ row, link: false });
      }
      expect(markdown.split('\n').filter(line => outsideCode(line).includes('<!--'))).toEqual(
        which === 'comment' ? [COMMENT_MARKER] : []
      );
    }
  );

  it('text: no line of it can be a workflow command, and no escape sequence reaches the terminal', () => {
    const text = renderText(hostileDocument());
    expect(text).toContain('Accepted, not failing (10):');
    for (const line of text.split('\n'))
      expect({ line, command: /^\s*::/.test(line) }).toEqual({ line, command: false });
    expect(text).not.toContain('\u001b');
  });

  it('SARIF keeps the reason exactly, as data', () => {
    const sarif = renderSarif(hostileDocument(), context);
    expect(sarifValidator()(sarif)).toBe(true);
    expect(sarif.runs[0].results.map(r => r.suppressions?.[0].justification)).toEqual(HOSTILE);
  });

  it('an annotation for an exception problem escapes its text', () => {
    const doc = hostileDocument();
    doc.exceptions = doc.exceptions!.map(e => ({ ...e, status: 'stale' as const, rules: [HOSTILE[7]] }));
    for (const annotation of buildAnnotations(doc, context).filter(a => a.level === 'warning'))
      expect(renderAnnotationCommand(annotation).split(/\r?\n/)).toHaveLength(1);
  });
});

describe('the CLI formats adopt added', () => {
  it('JUnit: an accepted finding is a skipped case saying what accepts it, never a failure', () => {
    const xml = renderJunit(document);
    expect(xml).toContain(
      '<skipped message="noncompliant, accepted: waiver by exception (cmk-guard.yaml:5), owner team-ai, until 2027-03-31: The legacy accounts are retired in the first quarter."/>'
    );
    expect(xml.match(/<failure /g)).toHaveLength(2);
  });

  it('compact: one line per finding that counts; the accepted ones are not problems', () => {
    const compact = renderCompact(document);
    expect(compact).toContain(
      "infra/app.json:21:7: error foundry-tools-cmk: Microsoft.CognitiveServices/accounts 'openai-main'"
    );
    expect(compact).not.toContain('legacy-translator');
  });
});
