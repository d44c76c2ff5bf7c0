/**
 * Every output, one hostile list (`__tests__/support/hostile.ts`): in the text report, the JSON
 * document, SARIF, annotations, the check run, the job summary and the pull request comment, text a
 * pull request chose is inert — no workflow command, no raw control or bidirectional character, no
 * Markdown or HTML that renders, no mention — and machine-readable outputs keep it exactly.
 */
import { buildAnnotations, renderAnnotationCommand } from '../../src/report/annotations.js';
import { planCheckRun } from '../../src/report/checks.js';
import { renderComment } from '../../src/report/comment.js';
import { renderCompact } from '../../src/report/compact.js';
import { renderJunit } from '../../src/report/junit.js';
import { neutralizeCommandLines } from '../../src/report/escape.js';
import { renderJson } from '../../src/report/json.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderSummary } from '../../src/report/summary.js';
import { renderText } from '../../src/report/text.js';
import { HOSTILE_STRINGS, RAW_CONTROL, hostileDocument } from '../support/hostile.js';
import { sarifValidator } from '../support/sarif.js';

const workspace = '/home/runner/work/r/r';
const context = {
  workspace,
  serverUrl: 'https://github.com',
  repository: 'o/r',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
  runUrl: 'https://github.com/o/r/actions/runs/1'
};

/** Lines as the runner splits a log. */
const runnerLines = (text: string) => text.split(/\r\n|\r|\n/);
const commandLine = /^\s*::/;

/** Lines where a reviewer's client would render HTML, links or mentions (outside code spans). */
function rendered(markdown: string): string[] {
  return markdown.split('\n').filter(line => {
    if (
      line === '<!-- cmk-guard:sticky-comment -->' ||
      /^<\/?(details|summary|sub)>|^<details><summary>[A-Za-z ]+<\/summary>$/.test(line)
    )
      return false;
    const text = line.replace(/(`+)(?:(?!\1)[\s\S])*?\1/g, '').replace(/\]\(https:\/\/github\.com\/[^)\s]*\)/g, ']');
    // A rule's remediation is Markdown, so its web links stay links; HTML, images, script links and
    // mentions never render. Names and messages are checked for links in markdown.test.ts.
    return (
      /<[A-Za-z!/]/.test(text) ||
      /(^|[^\w])@[A-Za-z0-9]/.test(text) ||
      /(^|[^\\])!\[/.test(text) ||
      /(^|[^\\])\]\(\s*<?\s*(javascript|data|vbscript):/i.test(text)
    );
  });
}

it('SARIF: valid against the schema with every hostile string at once, each kept in its messages', () => {
  const sarif = renderSarif(hostileDocument(), { workspace });
  const validate = sarifValidator();
  expect(validate(sarif) ? [] : validate.errors).toEqual([]);
  const text = JSON.stringify(sarif);
  for (const hostile of HOSTILE_STRINGS) expect(text).toContain(JSON.stringify(hostile).slice(1, -1));
  expect(runnerLines(JSON.stringify(sarif, null, 2)).filter(line => commandLine.test(line))).toEqual([]);
});

describe.each(HOSTILE_STRINGS.map((text, i) => [JSON.stringify(text).slice(0, 60), i] as const))('%s', (_label, i) => {
  const document = hostileDocument([HOSTILE_STRINGS[i]]);
  const text = HOSTILE_STRINGS[i];

  it('text report: no command line, no raw control or bidirectional character', () => {
    const output = renderText(document);
    expect(runnerLines(output).filter(line => commandLine.test(line))).toEqual([]);
    expect(output).not.toMatch(RAW_CONTROL);
    expect(output).not.toContain('\r');
  });

  it('compact report: no command line, no raw control or bidirectional character', () => {
    const output = renderCompact(document);
    expect(runnerLines(output).filter(line => commandLine.test(line))).toEqual([]);
    expect(output).not.toMatch(RAW_CONTROL);
    expect(output).not.toContain('\r');
  });

  it('JUnit XML: no command line once printed, no raw control character, no markup from the input', () => {
    const output = renderJunit(document);
    // A file for test reporters: line breaks in a message are data; printed, the CLI turns command lines off.
    expect(runnerLines(neutralizeCommandLines(output)).filter(line => commandLine.test(line))).toEqual([]);
    // XML 1.0 cannot carry most control characters at all.
    // eslint-disable-next-line no-control-regex
    expect(output).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(output).not.toMatch(/<img|<details|<!--/);
  });

  it('JSON: valid, every string kept exactly, no line the runner would obey', () => {
    const output = renderJson(document);
    const parsed = JSON.parse(output) as typeof document;
    expect(parsed.findings[0].resource.name).toBe(text);
    expect(parsed.errors?.[0].message).toBe(text);
    expect(runnerLines(output).filter(line => commandLine.test(line))).toEqual([]);
  });

  it('annotations: one command each, decoding to the message, nothing raw to hide or reorder text', () => {
    const annotations = buildAnnotations(document, { workspace });
    expect(annotations.length).toBe(2);
    for (const annotation of annotations) {
      const line = renderAnnotationCommand(annotation);
      expect(runnerLines(line)).toHaveLength(1);
      expect(line).toMatch(/^::(error|warning|notice) /);
      expect(`${annotation.title}\n${annotation.message}`).not.toMatch(RAW_CONTROL);
    }
    const plan = planCheckRun(annotations, { headSha: context.sha, conclusion: 'failure', title: 't', summary: 's' });
    for (const batch of plan.batches)
      for (const a of batch) expect(`${a.title}\n${a.message}`).not.toMatch(RAW_CONTROL);
  });

  it.each([
    ['job summary', () => renderSummary(document, context, { hiddenAnnotations: 0, annotationsPerLevel: 10 })],
    ['pull request comment', () => renderComment(document, context)]
  ])('%s: nothing renders, nothing raw', (_which, render) => {
    const markdown = render();
    expect(rendered(markdown)).toEqual([]);
    expect(markdown).not.toMatch(RAW_CONTROL);
    expect(
      markdown.split('\n').filter(line => line.startsWith('<!-- cmk-guard:sticky-comment -->')).length
    ).toBeLessThanOrEqual(1);
  });
});
