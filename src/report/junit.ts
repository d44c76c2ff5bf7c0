import type { Finding, FindingsStream } from '../model/finding.js';
import { isAccepted } from '../model/finding.js';
import { acceptance, dependsOn } from './findings.js';
import { joinPieces, type ReportPieces } from './stream.js';

/**
 * JUnit XML, which CI systems other than GitHub read (GitLab, Azure Pipelines, Jenkins): one
 * `<testsuite>` per rule or definition, one `<testcase>` per resource it applies to. Noncompliant →
 * `<failure type="<severity>">`; indeterminate → `<skipped>` (a `<failure>` with
 * `failOnIndeterminate`, as the exit code then counts it); one an exception or the baseline accepts →
 * `<skipped>` saying what accepts it; compliant → a passing case. Input errors
 * are `<error>` cases of a suite named `inputs`; rules that did not run are `<skipped>` cases of a
 * suite named `not-run`. Every value is escaped for XML and characters XML 1.0 cannot hold are
 * replaced, so a hostile name cannot end an element or make the file unreadable.
 */
export function* junitReport(document: FindingsStream, options: { failOnIndeterminate?: boolean } = {}): ReportPieces {
  const suites: Suite[] = [];
  const byRule = new Map<string, Finding[]>();
  for (const finding of document.findings) {
    const list = byRule.get(finding.definition) ?? [];
    list.push(finding);
    byRule.set(finding.definition, list);
  }
  for (const [rule, findings] of [...byRule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    suites.push({ name: rule, cases: findings.map(f => findingCase(f, options.failOnIndeterminate === true)) });
  const errors = document.errors ?? [];
  if (errors.length)
    suites.push({
      name: 'inputs',
      cases: errors.map(error => ({
        name: error.file || '(input)',
        classname: 'inputs',
        file: error.file || undefined,
        line: error.line ?? undefined,
        outcome: { kind: 'error', type: 'input', message: error.message, text: error.message }
      }))
    });
  const notRun = document.notRun ?? [];
  if (notRun.length)
    suites.push({
      name: 'not-run',
      cases: notRun.flatMap(entry =>
        entry.rules.map(rule => ({
          name: rule,
          classname: 'not-run',
          outcome: { kind: 'skipped', message: `not run: ${entry.reason}` }
        }))
      )
    });
  const total = count(suites);
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="cmk-guard" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" skipped="${total.skipped}">\n`;
  for (const suite of suites) {
    const c = count([suite]);
    yield `  <testsuite name="${attr(suite.name)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}">\n`;
    for (const test of suite.cases) yield renderCase(test).join('\n') + '\n';
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

/** The JUnit report as one string. */
export function renderJunit(document: FindingsStream, options: { failOnIndeterminate?: boolean } = {}): string {
  return joinPieces(junitReport(document, options));
}

type Outcome =
  | { kind: 'passed' }
  | { kind: 'failure' | 'error'; type: string; message: string; text: string }
  | { kind: 'skipped'; message: string };

interface Case {
  name: string;
  classname: string;
  file?: string;
  line?: number;
  outcome: Outcome;
}

interface Suite {
  name: string;
  cases: Case[];
}

function findingCase(finding: Finding, failOnIndeterminate: boolean): Case {
  const { resource } = finding;
  const name = `${resource.type} '${resource.name}'`;
  const base = {
    name,
    classname: finding.definition,
    ...(resource.file !== null ? { file: resource.file } : {}),
    ...(resource.line !== null ? { line: resource.line } : {})
  };
  const where =
    resource.file === null ? resource.id : `${resource.file}${resource.line === null ? '' : `:${resource.line}`}`;
  const details = [`${finding.displayName}`, `${name} at ${where}: ${finding.message}`];
  if (finding.verdict === 'indeterminate' && finding.reason) details.push(dependsOn(finding.reason));
  if (finding.remediation?.trim()) details.push('', finding.remediation.trim());
  if (finding.helpUri) details.push('', finding.helpUri);
  if (finding.verdict !== 'compliant' && isAccepted(finding))
    return { ...base, outcome: { kind: 'skipped', message: `${finding.verdict}, accepted: ${acceptance(finding)}` } };
  if (finding.verdict === 'noncompliant')
    return {
      ...base,
      outcome: { kind: 'failure', type: finding.severity, message: finding.message, text: details.join('\n') }
    };
  if (finding.verdict === 'indeterminate') {
    const message = `indeterminate: ${finding.reason ? dependsOn(finding.reason) : finding.message}`;
    return failOnIndeterminate
      ? { ...base, outcome: { kind: 'failure', type: 'indeterminate', message, text: details.join('\n') } }
      : { ...base, outcome: { kind: 'skipped', message } };
  }
  return { ...base, outcome: { kind: 'passed' } };
}

function renderCase(test: Case): string[] {
  const attributes = [`name="${attr(test.name)}"`, `classname="${attr(test.classname)}"`];
  if (test.file !== undefined) attributes.push(`file="${attr(test.file)}"`);
  if (test.line !== undefined) attributes.push(`line="${test.line}"`);
  const open = `    <testcase ${attributes.join(' ')}`;
  const outcome = test.outcome;
  if (outcome.kind === 'passed') return [`${open}/>`];
  if (outcome.kind === 'skipped')
    return [`${open}>`, `      <skipped message="${attr(outcome.message)}"/>`, '    </testcase>'];
  return [
    `${open}>`,
    `      <${outcome.kind} message="${attr(outcome.message)}" type="${attr(outcome.type)}">${text(outcome.text)}</${outcome.kind}>`,
    '    </testcase>'
  ];
}

function count(suites: Suite[]) {
  const all = suites.flatMap(s => s.cases);
  return {
    tests: all.length,
    failures: all.filter(c => c.outcome.kind === 'failure').length,
    errors: all.filter(c => c.outcome.kind === 'error').length,
    skipped: all.filter(c => c.outcome.kind === 'skipped').length
  };
}

/** Characters XML 1.0 cannot hold (controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function text(value: string): string {
  return value.replace(NOT_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value: also quotes, and line breaks and tabs as references (a parser would fold them to spaces). */
function attr(value: string): string {
  return text(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}
