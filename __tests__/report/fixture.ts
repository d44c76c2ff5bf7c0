import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding, FindingsDocument } from '../../src/model/finding.js';

export const fixtures = path.resolve('__tests__/fixtures/report');

/** Five findings with names a pull request could choose: HTML, a mention, pipes, backticks, newlines, `%`, `::`. */
export function hostileDocument(): FindingsDocument {
  return JSON.parse(readFileSync(path.join(fixtures, 'hostile.findings.json'), 'utf8')) as FindingsDocument;
}

export function golden(name: string): string {
  return readFileSync(path.join(fixtures, name), 'utf8');
}

export const context = {
  workspace: '/home/runner/work/Hello-World/Hello-World',
  serverUrl: 'https://github.com',
  repository: 'Codertocat/Hello-World',
  sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821'
};

/** A noncompliant finding of the given severity on `templates/many.json` at `line`. */
export function finding(
  line: number,
  severity: Finding['severity'] = 'error',
  overrides: Partial<Finding> = {}
): Finding {
  return {
    definition: 'cognitive-services-cmk',
    displayName: 'Cognitive Services accounts should use a customer-managed key',
    effect: 'deny',
    severity,
    verdict: 'noncompliant',
    resource: {
      id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/acct${line}`,
      type: 'Microsoft.CognitiveServices/accounts',
      name: `acct${line}`,
      file: 'templates/many.json',
      line,
      column: 7
    },
    message: 'properties.encryption.keySource is not Microsoft.KeyVault.',
    reason: null,
    ...overrides
  };
}

export function documentOf(findings: Finding[], errors: FindingsDocument['errors'] = []): FindingsDocument {
  const count = (v: Finding['verdict']) => findings.filter(f => f.verdict === v).length;
  return {
    tool: { name: 'cmk-guard', version: '0.1.0' },
    summary: {
      resources: findings.length,
      definitions: new Set(findings.map(f => f.definition)).size,
      compliant: count('compliant'),
      noncompliant: count('noncompliant'),
      indeterminate: count('indeterminate')
    },
    findings,
    errors,
    skipped: []
  };
}
