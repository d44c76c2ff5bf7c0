import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ansi } from '../../src/report/colour.js';
import { renderCompact } from '../../src/report/compact.js';
import { PROBLEM_MATCHER_OWNER, problemMatcherFile } from '../../src/report/publish.js';
import { documentOf, finding, hostileDocument } from './fixture.js';

interface Pattern {
  regexp: string;
  file: number;
  line: number;
  column: number;
  severity: number;
  code: number;
  message: number;
}
const file = problemMatcherFile();
const matchers = (JSON.parse(readFileSync(file, 'utf8')) as { problemMatcher: { owner: string; pattern: Pattern[] }[] })
  .problemMatcher;

/** What the runner makes of a log line: the first matcher whose pattern matches (single-line patterns). */
function annotate(line: string) {
  for (const matcher of matchers) {
    const [pattern] = matcher.pattern;
    const match = new RegExp(pattern.regexp).exec(line);
    if (match)
      return {
        file: match[pattern.file],
        line: Number(match[pattern.line]),
        column: Number(match[pattern.column]),
        severity: match[pattern.severity],
        code: match[pattern.code],
        message: match[pattern.message]
      };
  }
  return null;
}

describe('the problem matcher the action ships and registers', () => {
  it('is the file the action registers, with the owner it removes, and a message group', () => {
    expect(path.relative(path.resolve('.'), file)).toBe(path.join('.github', 'cmk-guard-matcher.json'));
    expect(matchers.map(m => m.owner)).toEqual([PROBLEM_MATCHER_OWNER]);
    expect(matchers[0].pattern).toHaveLength(1);
  });

  it('turns each error and warning of --format compact into an annotation with file, line, column and rule', () => {
    const document = documentOf([finding(12, 'error'), finding(30, 'warning'), finding(40, 'note')]);
    const annotations = renderCompact(document).split('\n').map(annotate);
    expect(annotations.slice(0, 3)).toEqual([
      {
        file: 'templates/many.json',
        line: 12,
        column: 7,
        severity: 'error',
        code: 'cognitive-services-cmk',
        message:
          "Microsoft.CognitiveServices/accounts 'acct12': properties.encryption.keySource is not Microsoft.KeyVault."
      },
      expect.objectContaining({ line: 30, severity: 'warning' }),
      // Notes and indeterminate findings are not annotated: GitHub's matchers know errors and warnings only.
      null
    ]);
    // Colour, when FORCE_COLOR asks for it in a workflow, does not hide a line from the matcher.
    expect(annotate(renderCompact(document, { paint: ansi }).split('\n')[0])).toMatchObject({ severity: 'error' });
  });

  it('gives no hostile name another file, line or severity', () => {
    const document = hostileDocument();
    const annotations = renderCompact(document)
      .split('\n')
      .map(annotate)
      .filter(a => a !== null);
    const reported = document.findings.filter(f => f.verdict === 'noncompliant' && f.severity !== 'note');
    expect(annotations.map(a => [a?.file, a?.line, a?.severity])).toEqual([
      ...(document.errors ?? []).map(e => [e.file, e.line, 'error']),
      ...reported.filter(f => f.resource.line !== null).map(f => [f.resource.file, f.resource.line, f.severity])
    ]);
  });
});
