/**
 * A JSON file a pattern matches is passed over as "not a template" only when it cannot be one. The tools that
 * deploy templates read more than cmk-guard: the Azure CLI takes NaN and text that is not UTF-8, Azure
 * PowerShell single quotes and names without quotes, and both send a template padded with white space past
 * cmk-guard's size bound without the padding. Such a file was skipped — and the pull request passed — whenever
 * its `$schema` stood past the first 64 KB or spelled the name with a JSON escape (`deploymentTemplat\u0065`),
 * since only the first 64 KB were searched for it, byte for byte. It is now searched whole, escapes read.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateRepository } from '../../src/run.js';
import { bundledPolicies } from '../../src/paths.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const ESCAPED_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplat\\u0065.json#';
const VAULT = JSON.stringify({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name: 'kv-hidden',
  location: 'westeurope',
  properties: {
    tenantId: '[subscription().tenantId]',
    sku: { family: 'A', name: 'standard' },
    enablePurgeProtection: false,
    enableSoftDelete: true,
    enableRbacAuthorization: true
  }
});
/** A description longer than the 64 KB that were searched, before `$schema`. */
const PADDING = `"metadata": { "description": "${'x'.repeat(70_000)}" }`;

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-unreadable-'));
  mkdirSync(path.join(repo, 'infra'));
  // A template the pattern also matches, so the pattern does not match nothing.
  writeFileSync(
    path.join(repo, 'infra', 'other.json'),
    JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] })
  );
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

async function evaluate(content: string | Buffer) {
  writeFileSync(path.join(repo, 'infra', 'main.json'), content);
  const document = await evaluateRepository({ cwd: repo, policies: bundledPolicies(), templates: ['infra/*.json'] });
  return {
    skipped: (document.skipped ?? []).filter(s => s.file.endsWith('main.json')).map(s => s.reason),
    errors: (document.errors ?? []).filter(e => e.file?.endsWith('main.json')).length
  };
}

describe('a template the deploying tools read and cmk-guard cannot', () => {
  const cases: [string, string | Buffer][] = [
    [
      'NaN, $schema past the first 64 KB',
      `{ ${PADDING}, "$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "n": NaN, "resources": [${VAULT}] }`
    ],
    [
      'NaN, $schema escaped',
      `{ "$schema": "${ESCAPED_SCHEMA}", "contentVersion": "1.0.0.0", "n": NaN, "resources": [${VAULT}] }`
    ],
    [
      'single quotes, $schema escaped',
      `{ '$schema': '${ESCAPED_SCHEMA}', 'contentVersion': '1.0.0.0', 'resources': [${VAULT}] }`
    ],
    [
      'a Latin-1 é, $schema past the first 64 KB',
      Buffer.from(
        `{ ${PADDING}, "$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "d": "caf\u00e9", "resources": [${VAULT}] }`,
        'latin1'
      )
    ],
    [
      'UTF-16 with a byte order mark, NaN',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(
          `{ "$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "n": NaN, "resources": [${VAULT}] }`,
          'utf16le'
        )
      ])
    ]
  ];

  it.each(cases)('%s: an error, never passed over', async (_, content) => {
    expect(await evaluate(content)).toEqual({ skipped: [], errors: 1 });
  });

  it('padded past the size bound, $schema past the first 64 KB: an error, never passed over', async () => {
    const padded = `{ ${PADDING}, ${' '.repeat(200_000)} "$schema": "${SCHEMA}", "contentVersion": "1.0.0.0", "resources": [${VAULT}] }`;
    const before = process.env.CMK_GUARD_MAX_FILE_BYTES;
    process.env.CMK_GUARD_MAX_FILE_BYTES = '150000';
    try {
      expect(await evaluate(padded)).toEqual({ skipped: [], errors: 1 });
    } finally {
      if (before === undefined) delete process.env.CMK_GUARD_MAX_FILE_BYTES;
      else process.env.CMK_GUARD_MAX_FILE_BYTES = before;
    }
  });

  it('JSON that is not valid and names no template schema is still passed over, saying why', async () => {
    expect(await evaluate(`{ ${PADDING}, "name": 'tool settings', "n": NaN }`)).toEqual({
      skipped: ['not valid JSON'],
      errors: 0
    });
    expect(await evaluate(Buffer.from('{ "d": "caf\u00e9" }', 'latin1'))).toEqual({
      skipped: ['not UTF-8 text'],
      errors: 0
    });
  });
});
