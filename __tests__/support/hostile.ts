/**
 * Strings a pull request can choose for anything that reaches a reviewer — a file name, a resource
 * name or type, a parameter value, a rule's title or remediation, an error message quoting input.
 * Every renderer's test runs through this one list (`__tests__/security/outputs.test.ts`): add a
 * new output's test here with `hostileDocument()`, and a new trick to `HOSTILE_STRINGS`.
 */
import type { Finding, FindingsDocument } from '../../src/model/finding.js';
import { buildDocument } from '../../src/run.js';

export const HOSTILE_STRINGS: readonly string[] = [
  // Workflow commands: a line that starts with `::` (after spaces), encoded line breaks, property separators.
  'a%0A::error::x.json',
  'b\n::error::injected',
  'c\r::warning::injected',
  'd\r\n::add-mask::everything',
  '::stop-commands::token',
  'e,title=forged:f',
  '100% %25 %0D',
  '  ::error::after spaces',
  '\t::notice::after a tab',
  '\u2028::error::after a line separator',
  // Markdown and HTML.
  '<details open><summary>fake</summary>',
  '<img src=x onerror=alert(1)>',
  '</table></details>',
  '| pipes | in | names |',
  'back\\|slash pipe',
  '`tick` and ```fence```',
  '[click](javascript:alert(1))',
  '![pixel](https://evil.example/p.png)',
  '<!-- a comment that hides the rest',
  '<!-- cmk-guard:sticky-comment -->',
  '# heading\n---\n> quote',
  // People and issues.
  '@octocat and @github/security',
  'see #123 and GH-7 and o/r#9',
  // Terminal control and invisible characters.
  '\u001b[31mred\u001b[0m\u001b]0;title\u0007',
  'nul\u0000bell\u0007backspace\u0008',
  'bidi \u202eevil\u202c and \u2066isolate\u2069',
  'zero\u200bwidth\ufeffbom',
  // Sizes and encodings.
  'x'.repeat(5000),
  '💥 emoji and 日本語',
  ''
];

/** A finding whose every text field is `text`. */
export function hostileFinding(text: string, i: number): Finding {
  return {
    definition: `rule-${i}`,
    displayName: text || 'empty',
    effect: 'deny',
    severity: 'error',
    verdict: i % 2 ? 'indeterminate' : 'noncompliant',
    reason: text,
    message: text,
    remediation: `${text}\n${text}`,
    resource: {
      id: `/subscriptions/s/providers/x/${text}`,
      type: text,
      name: text,
      file: `templates/${text}.json`,
      line: 3,
      column: 5
    }
  };
}

/** Every hostile string as a finding, an input error and a skipped file. */
export function hostileDocument(strings: readonly string[] = HOSTILE_STRINGS): FindingsDocument {
  return buildDocument(
    strings.map(hostileFinding),
    strings.length,
    strings.length,
    strings.map(text => ({ file: `${text}.json`, line: 1, column: 2, message: text })),
    strings.map(text => ({ file: `${text}.json`, reason: text }))
  );
}

/** Raw characters that must never reach a person's screen unescaped. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
