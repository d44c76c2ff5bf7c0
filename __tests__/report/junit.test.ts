import { renderJunit } from '../../src/report/junit.js';
import type { Finding } from '../../src/model/finding.js';
import { documentOf, finding, golden, hostileDocument } from './fixture.js';

describe('renderJunit', () => {
  it('is one suite per rule and one case per resource, failures for noncompliant, skipped for indeterminate', () => {
    expect(renderJunit(hostileDocument())).toBe(golden('hostile.junit.xml'));
  });

  it('counts tests, failures, errors and skipped on every level', () => {
    const xml = renderJunit(
      documentOf(
        [finding(1), finding(2, 'warning', { verdict: 'compliant' }), finding(3, 'note', { verdict: 'indeterminate' })],
        [{ file: 'bad.json', line: 2, column: 3, message: 'not valid JSON' }]
      )
    );
    expect(xml).toContain('<testsuites name="cmk-guard" tests="4" failures="1" errors="1" skipped="1">');
    expect(xml).toContain('<testsuite name="cognitive-services-cmk" tests="3" failures="1" errors="0" skipped="1">');
    expect(xml).toContain('<testsuite name="inputs" tests="1" failures="0" errors="1" skipped="0">');
    expect(xml).toContain(
      '<testcase name="bad.json" classname="inputs" file="bad.json" line="2">\n      <error message="not valid JSON" type="input">not valid JSON</error>'
    );
  });

  it('makes indeterminate findings failures with failOnIndeterminate, as the exit code does', () => {
    const document = documentOf([finding(3, 'error', { verdict: 'indeterminate', reason: 'parameter `x`' })]);
    expect(renderJunit(document)).toContain('<skipped message="indeterminate: depends on parameter `x`"/>');
    expect(renderJunit(document, { failOnIndeterminate: true })).toContain(
      '<failure message="indeterminate: depends on parameter `x`" type="indeterminate">'
    );
  });

  it('lists rules that did not run as skipped cases', () => {
    const document = { ...documentOf([]), notRun: [{ rules: ['a', 'b'], reason: 'no base' }] };
    expect(renderJunit(document)).toContain(
      '<testsuite name="not-run" tests="2" failures="0" errors="0" skipped="2">\n    <testcase name="a" classname="not-run">\n      <skipped message="not run: no base"/>'
    );
  });

  it('escapes markup and replaces characters XML 1.0 cannot hold', () => {
    const hostile = finding(1, 'error', {
      definition: 'r"<x>&\'',
      message: 'a\u0000b\u001bc\ud800d</failure><x>',
      resource: { ...finding(1).resource, name: 'n"\n\t<' }
    });
    const xml = renderJunit(documentOf([hostile]));
    expect(xml).toContain('<testsuite name="r&quot;&lt;x&gt;&amp;&apos;"');
    expect(xml).toContain(`name="Microsoft.CognitiveServices/accounts &apos;n&quot;&#10;&#9;&lt;&apos;"`);
    expect(xml).toContain('message="a\uFFFDb\uFFFDc\uFFFDd&lt;/failure&gt;&lt;x&gt;"');
    // Matching control characters is the point here.
    // eslint-disable-next-line no-control-regex
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(xml.match(/<failure /g)).toHaveLength(1);
  });

  it('writes more findings than it sorts at a time as suites by rule name, each in the order read', () => {
    // 12,000 findings: three sorted runs of 5,000 and less, merged from the temporary file.
    const rules = ['storage-cmk', 'ai-cmk', 'key-vault-purge', 'search-cmk', 'ml-cmk', 'ai-cmk-b', 'a'];
    const verdicts: Finding['verdict'][] = ['noncompliant', 'compliant', 'indeterminate'];
    const findings = Array.from({ length: 12_000 }, (_, n) =>
      finding(n, 'error', {
        definition: rules[(n * 7 + (n >> 5)) % rules.length],
        verdict: verdicts[n % 3],
        ...(n % 11 === 0 ? { baselined: true as const } : {})
      })
    );
    const xml = renderJunit(documentOf(findings));
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" ([^>]*)>([\s\S]*?)<\/testsuite>/g)];
    expect(suites.map(s => s[1])).toEqual([...rules].sort());
    for (const [, rule, counts, body] of suites) {
      const own = findings.filter(f => f.definition === rule);
      const lines = [...body.matchAll(/<testcase [^>]*line="(\d+)"/g)].map(m => Number(m[1]));
      expect(lines).toEqual(own.map(f => f.resource.line));
      const failures = own.filter(f => f.verdict === 'noncompliant' && !f.baselined).length;
      const skipped = own.filter(
        f => f.verdict === 'indeterminate' || (f.verdict === 'noncompliant' && f.baselined)
      ).length;
      expect(counts).toBe(`tests="${own.length}" failures="${failures}" errors="0" skipped="${skipped}"`);
    }
    expect(xml).toContain('<testsuites name="cmk-guard" tests="12000" failures="');
  });
});
