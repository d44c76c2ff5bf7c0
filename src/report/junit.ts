import type { Finding, FindingsStream } from '../model/finding.js';
import { isAccepted } from '../model/finding.js';
import { acceptance, dependsOn } from './findings.js';
import { sortFindings } from './sorted.js';
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
  const failOnIndeterminate = options.failOnIndeterminate === true;
  // One reading: each rule's counts (a suite's attributes come before its cases), and the findings sorted by
  // rule in bounded memory, each rule's in the order read.
  const byRule = new Map<string, Counts>();
  const sorted = sortFindings(
    document.findings,
    () => true,
    undefined,
    finding => {
      let counts = byRule.get(finding.definition);
      if (!counts) byRule.set(finding.definition, (counts = zero()));
      tally(counts, outcomeKind(finding, failOnIndeterminate));
    },
    byDefinition
  );
  const suites: Suite[] = [];
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
  const total = zero();
  for (const counts of byRule.values()) add(total, counts);
  for (const suite of suites) add(total, count(suite.cases));
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<testsuites name="cmk-guard" ${attributes(total)}>\n`;
  let rule: string | undefined;
  for (const finding of sorted.findings) {
    if (finding.definition !== rule) {
      if (rule !== undefined) yield '  </testsuite>\n';
      rule = finding.definition;
      yield `  <testsuite name="${attr(rule)}" ${attributes(byRule.get(rule)!)}>\n`;
    }
    yield renderCase(findingCase(finding, failOnIndeterminate)).join('\n') + '\n';
  }
  if (rule !== undefined) yield '  </testsuite>\n';
  for (const suite of suites) {
    yield `  <testsuite name="${attr(suite.name)}" ${attributes(count(suite.cases))}>\n`;
    for (const test of suite.cases) yield renderCase(test).join('\n') + '\n';
    yield '  </testsuite>\n';
  }
  yield '</testsuites>\n';
}

/** The order of the suites: by rule name; a stable sort keeps each rule's findings in the order read. */
function byDefinition(a: Finding, b: Finding): number {
  return a.definition < b.definition ? -1 : a.definition > b.definition ? 1 : 0;
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
  const kind = outcomeKind(finding, failOnIndeterminate);
  if (kind === 'passed') return { ...base, outcome: { kind } };
  if (finding.verdict !== 'compliant' && isAccepted(finding))
    return { ...base, outcome: { kind: 'skipped', message: `${finding.verdict}, accepted: ${acceptance(finding)}` } };
  if (finding.verdict === 'noncompliant')
    return {
      ...base,
      outcome: { kind: 'failure', type: finding.severity, message: finding.message, text: details.join('\n') }
    };
  const message = `indeterminate: ${finding.reason ? dependsOn(finding.reason) : finding.message}`;
  return kind === 'failure'
    ? { ...base, outcome: { kind, type: 'indeterminate', message, text: details.join('\n') } }
    : { ...base, outcome: { kind: 'skipped', message } };
}

/** How a finding's case ends: what the suites count, without writing the case. */
function outcomeKind(finding: Finding, failOnIndeterminate: boolean): Outcome['kind'] {
  if (finding.verdict !== 'compliant' && isAccepted(finding)) return 'skipped';
  if (finding.verdict === 'noncompliant') return 'failure';
  if (finding.verdict === 'indeterminate') return failOnIndeterminate ? 'failure' : 'skipped';
  return 'passed';
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

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function zero(): Counts {
  return { tests: 0, failures: 0, errors: 0, skipped: 0 };
}

function tally(counts: Counts, kind: Outcome['kind']): void {
  counts.tests++;
  if (kind === 'failure') counts.failures++;
  else if (kind === 'error') counts.errors++;
  else if (kind === 'skipped') counts.skipped++;
}

function add(into: Counts, counts: Counts): void {
  into.tests += counts.tests;
  into.failures += counts.failures;
  into.errors += counts.errors;
  into.skipped += counts.skipped;
}

function count(cases: Case[]): Counts {
  const counts = zero();
  for (const test of cases) tally(counts, test.outcome.kind);
  return counts;
}

function attributes(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;
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
