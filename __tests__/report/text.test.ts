import { renderText } from '../../src/report/text.js';
import { documentOf, golden, hostileDocument } from './fixture.js';

describe('renderText', () => {
  it('groups findings by file with line, rule, resource, fix and link; then errors, skipped files and totals', () => {
    expect(renderText(hostileDocument())).toBe(golden('hostile.text.txt'));
  });

  it.each([
    [
      'a newline in a name cannot start a new line',
      "    Microsoft.KeyVault/vaults 'vault`s|name\\nnext': Purge protection cannot be checked before deployment."
    ],
    ['a message cannot forge a workflow command', '::error::injected 100%'],
    ['indeterminate findings say what they depend on', '    depends on parameter `enablePurgeProtection`'],
    ['PR-only rules say so', '    checked in pull requests only: Azure Policy cannot enforce this rule'],
    ['findings without a file come last', '(resources without a file)'],
    ['totals close the report', '3 noncompliant, 1 indeterminate, 1 compliant (5 resources, 2 definitions)']
  ])('%s', (_why, expected) => {
    expect(renderText(hostileDocument())).toContain(expected);
  });

  it('never lists compliant findings, only counts them', () => {
    expect(renderText(hostileDocument())).not.toContain("'good'");
  });

  it('does not let a message start a line with a workflow command', () => {
    const lines = renderText(hostileDocument()).split('\n');
    expect(lines.filter(line => line.startsWith('::'))).toEqual([]);
  });

  it('does not repeat the rule title the heading line already gives', () => {
    const document = hostileDocument();
    const finding = document.findings.find(f => f.verdict === 'noncompliant')!;
    finding.message = `${finding.displayName}: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault".`;
    const text = renderText(document);
    expect(text).toContain(
      `: encryption.keySource is "Microsoft.CognitiveServices", should be "Microsoft.KeyVault".\n`
    );
    expect(text).not.toContain(`: ${finding.displayName}: encryption.keySource`);
  });

  it('prints only the totals when nothing needs attention', () => {
    expect(renderText(documentOf([]))).toBe(
      '0 noncompliant, 0 indeterminate, 0 compliant (0 resources, 0 definitions)\n'
    );
  });

  it('escapes ANSI sequences in names', () => {
    const document = hostileDocument();
    document.findings[1].resource.name = '\u001b[2Jwiped';
    expect(renderText(document)).toContain("'\\x1b[2Jwiped'");
  });
});
