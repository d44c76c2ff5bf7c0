import { ansi } from '../../src/report/colour.js';
import { renderCompact } from '../../src/report/compact.js';
import { documentOf, finding, golden, hostileDocument } from './fixture.js';

/** The problem matcher the action registers (`.github/cmk-guard-matcher.json`), as the runner reads it. */
const matcher = /^(.+?):(\d+):(\d+): (error|warning) (.+?): (.*)$/;

describe('renderCompact', () => {
  it('prints one line per finding, input errors and skipped files first and last, then the totals', () => {
    expect(renderCompact(hostileDocument())).toBe(golden('hostile.compact.txt'));
  });

  it('is file:line:col: severity rule: message, which a problem matcher splits back into its parts', () => {
    const line = renderCompact(documentOf([finding(12, 'warning')])).split('\n')[0];
    expect(line).toBe(
      "templates/many.json:12:7: warning cognitive-services-cmk: Microsoft.CognitiveServices/accounts 'acct12': properties.encryption.keySource is not Microsoft.KeyVault."
    );
    expect(matcher.exec(line)?.slice(1)).toEqual([
      'templates/many.json',
      '12',
      '7',
      'warning',
      'cognitive-services-cmk',
      "Microsoft.CognitiveServices/accounts 'acct12': properties.encryption.keySource is not Microsoft.KeyVault."
    ]);
  });

  it('marks indeterminate findings as notes that say what they depend on', () => {
    const line = renderCompact(
      documentOf([finding(3, 'error', { verdict: 'indeterminate', reason: 'parameter `keySource`' })])
    ).split('\n')[0];
    expect(line).toBe(
      "templates/many.json:3:7: note cognitive-services-cmk: indeterminate: Microsoft.CognitiveServices/accounts 'acct3': properties.encryption.keySource is not Microsoft.KeyVault. (depends on parameter `keySource`)"
    );
    expect(matcher.test(line)).toBe(false);
  });

  it('keeps a hostile file name from posing as another file, line or rule', () => {
    const forged = finding(9, 'note', {
      resource: { ...finding(9).resource, file: 'x.json:1:1: error fake: hi\n::error::x' }
    });
    const line = renderCompact(documentOf([forged])).split('\n')[0];
    expect(line.startsWith('x.json:1:1:\\x20error fake:\\x20hi\\n::error::x:9:7: note ')).toBe(true);
    expect(matcher.test(line)).toBe(false);
  });

  it('keeps every finding on its own line and no line starts a workflow command', () => {
    const lines = renderCompact(hostileDocument()).trimEnd().split('\n');
    const document = hostileDocument();
    const reported = document.findings.filter(f => f.verdict !== 'compliant').length;
    expect(lines).toHaveLength(reported + (document.errors?.length ?? 0) + (document.skipped?.length ?? 0) + 1);
    expect(lines.filter(line => /^\s*::/.test(line))).toEqual([]);
  });

  it('colours only the level, and only when asked', () => {
    const coloured = renderCompact(documentOf([finding(1)]), { paint: ansi });
    expect(coloured.split('\n')[0]).toBe(
      "templates/many.json:1:7: \u001b[31merror\u001b[0m cognitive-services-cmk: Microsoft.CognitiveServices/accounts 'acct1': properties.encryption.keySource is not Microsoft.KeyVault."
    );
    expect(renderCompact(documentOf([finding(1)]))).not.toContain('\u001b');
  });
});
