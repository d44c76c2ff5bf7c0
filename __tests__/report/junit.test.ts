import { renderJunit } from '../../src/report/junit.js';
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
});
