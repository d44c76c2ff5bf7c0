import { FINGERPRINT_KEY } from '../../src/model/fingerprint.js';
import { renderSarif } from '../../src/report/sarif.js';
import { sarifValidator } from '../support/sarif.js';
import { context, documentOf, finding, hostileDocument } from './fixture.js';

describe('renderSarif', () => {
  const validate = sarifValidator();

  it('is valid against the SARIF 2.1.0 schema, hostile names included', () => {
    const log = renderSarif(hostileDocument(), context);
    expect(validate(log) ? [] : validate.errors).toEqual([]);
  });

  it('the schema check is real: it rejects a result without a message', () => {
    const log = renderSarif(hostileDocument(), context) as unknown as {
      runs: { results: Record<string, unknown>[] }[];
    };
    delete log.runs[0].results[0].message;
    expect(validate(log)).toBe(false);
  });

  it('has one rule per policy definition, with help, link and security-severity', () => {
    const { rules } = renderSarif(hostileDocument(), context).runs[0].tool.driver;
    expect(rules.map(r => r.id)).toEqual(['cognitive-services-cmk', 'key-rotation-note', 'key-vault-purge-protection']);
    expect(rules[0]).toMatchObject({
      shortDescription: { text: 'Cognitive Services accounts should encrypt data with a customer-managed key' },
      helpUri: 'https://learn.microsoft.com/azure/ai-services/encryption/cognitive-services-encryption-keys-portal',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['security', 'azure-policy'], 'security-severity': '7.5' }
    });
    expect(rules[0].help.markdown).toContain('&lt;b>keyVaultProperties&lt;/b>');
    expect(rules.map(r => r.properties['security-severity'])).toEqual(['7.5', '2.0', '5.0']);
  });

  it('reports noncompliant and indeterminate findings only, at locations relative to the repository root', () => {
    const document = hostileDocument();
    document.findings[2].resource.file = `${context.workspace}/templates/ai|prod.json`;
    const { results } = renderSarif(document, context).runs[0];
    expect(
      results.map(r => [r.ruleId, r.level, r.locations[0].physicalLocation?.artifactLocation.uri ?? null])
    ).toEqual([
      // The absolute path sorts first, and is reported relative to the workspace.
      ['cognitive-services-cmk', 'error', 'templates/ai%7Cprod.json'],
      ['cognitive-services-cmk', 'error', 'templates/a%2Cb%3Ac%25d.json'],
      ['key-vault-purge-protection', 'note', 'templates/vault.json'],
      ['key-rotation-note', 'note', null]
    ]);
    expect(results[0].locations[0].physicalLocation?.region).toEqual({ startLine: 12, startColumn: 7 });
    expect(results.every(r => r.ruleIndex >= 0)).toBe(true);
  });

  it('keeps a finding’s fingerprint when unrelated edits move its line, and changes it for another resource', () => {
    const before = renderSarif(documentOf([finding(12)]), context).runs[0].results[0].partialFingerprints[
      FINGERPRINT_KEY
    ];
    const moved = finding(40);
    moved.resource.name = 'acct12';
    moved.resource.column = 3;
    const after = renderSarif(documentOf([moved]), context).runs[0].results[0].partialFingerprints[FINGERPRINT_KEY];
    const other = renderSarif(documentOf([finding(13)]), context).runs[0].results[0].partialFingerprints[
      FINGERPRINT_KEY
    ];
    expect(after).toBe(before);
    expect(other).not.toBe(before);
    expect(before).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reports input errors as tool notifications and marks the run unsuccessful', () => {
    const [invocation] = renderSarif(hostileDocument(), context).runs[0].invocations;
    expect(invocation.executionSuccessful).toBe(false);
    expect(invocation.toolExecutionNotifications).toEqual([
      {
        level: 'error',
        message: { text: "Expected ',' or '}' after property value in JSON." },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'templates/broken.json', uriBaseId: '%SRCROOT%' },
              region: { startLine: 3, startColumn: 9 }
            }
          }
        ]
      }
    ]);
  });

  it('a clean run is valid SARIF with rules and no results', () => {
    const log = renderSarif(documentOf([finding(1, 'error', { verdict: 'compliant' })]), context);
    expect(validate(log)).toBe(true);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toHaveLength(1);
  });
});
