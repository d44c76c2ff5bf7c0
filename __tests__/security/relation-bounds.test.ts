/**
 * Relation rules run within the time bound of a file's evaluation (CMK_GUARD_MAX_EVALUATION_SECONDS), as its
 * definitions do, and their findings' reasons do not grow with the template: a vault with many access policies
 * and many accounts whose key is in it (the bundled key-vault-key-access) is the file's error, at the account
 * being checked, when its time is up; the other files are still evaluated. The clock is injected: nothing here
 * depends on how fast the machine is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LIMIT_VARIABLES } from '../../src/model/limits.js';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository } from '../../src/run.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const VARIABLE = LIMIT_VARIABLES.evaluationSecondsPerFile;

let dir: string;
const saved = process.env[VARIABLE];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-relation-bounds-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (saved === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = saved;
});

/** A vault with `policies` access policies (principals o0, o1, …) and `accounts` accounts whose key is in it. */
function writeTemplate(file: string, vault: string, policies: number, accounts: number): string {
  const resources = [
    {
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: '2023-07-01',
      name: vault,
      location: 'westeurope',
      properties: {
        tenantId: 't',
        sku: { family: 'A', name: 'standard' },
        enablePurgeProtection: true,
        accessPolicies: Array.from({ length: policies }, (_, i) => ({
          tenantId: 't',
          objectId: `o${i}`,
          permissions: { keys: ['get', 'wrapKey', 'unwrapKey'] }
        }))
      }
    },
    ...Array.from({ length: accounts }, (_, n) => ({
      type: 'Microsoft.CognitiveServices/accounts',
      apiVersion: '2024-10-01',
      name: `${vault}-acc${n}`,
      location: 'westeurope',
      kind: 'FormRecognizer',
      sku: { name: 'S0' },
      identity: { type: 'SystemAssigned' },
      properties: {
        encryption: {
          keySource: 'Microsoft.KeyVault',
          keyVaultProperties: { keyName: 'cmk', keyVaultUri: `https://${vault}.vault.azure.net/` }
        }
      }
    }))
  ];
  const text = JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources }, null, 1);
  writeFileSync(path.join(dir, file), text);
  return text;
}

/** The line of the object that declares the resource named `name` (one-space indents: a resource's `{` is at two). */
function lineOf(text: string, name: string): number {
  const lines = text.split('\n');
  const at = lines.findIndex(line => line.includes(`"name": "${name}"`));
  for (let i = at; i >= 0; i--) if (lines[i] === '  {') return i + 1;
  throw new Error(`no ${name}`);
}

/** A clock that moves one second each time it is read. */
function steppingClock(): () => number {
  let now = 0;
  return () => (now += 1000);
}

/** The bundled pack's relation rule alone: its definitions would read the clock too. */
const only = { policies: bundledPolicies(), selection: { rules: ['key-vault-key-access'] } };

describe('a relation rule on a vault with many access policies and accounts', () => {
  it('names the first five principals a finding rests on and counts the rest', async () => {
    writeTemplate('rel.json', 'kv1', 30, 4);
    const document = await evaluateRepository({ cwd: dir, templates: ['rel.json'], ...only });
    expect(document.errors ?? []).toEqual([]);
    expect(document.findings.map(f => [f.resource.name, f.verdict, f.reason])).toEqual(
      [0, 1, 2, 3].map(n => [
        `kv1-acc${n}`,
        'indeterminate',
        'depends on principal o0; principal o1; principal o2; principal o3; principal o4; and 25 more'
      ])
    );
  });

  it('stops at the file’s time bound with the file’s error at the account being checked; the other files are evaluated', async () => {
    process.env[VARIABLE] = '5';
    const text = writeTemplate('rel.json', 'kv1', 30, 10);
    writeTemplate('small.json', 'kv2', 1, 1);
    const document = await evaluateRepository({
      cwd: dir,
      templates: ['rel.json', 'small.json'],
      ...only,
      clock: steppingClock()
    });
    // The file's bound is read (with the run's) before each account: the third account is checked past 5 seconds.
    expect(document.errors).toEqual([
      {
        file: 'rel.json',
        line: lineOf(text, 'kv1-acc2'),
        column: expect.any(Number),
        message:
          'evaluating the resources of this file took more than 5 seconds (CMK_GUARD_MAX_EVALUATION_SECONDS); its findings are not reported. Split the file, run fewer rules on it, or raise the limit.'
      }
    ]);
    expect(document.findings.map(f => [f.resource.file, f.resource.name])).toEqual([['small.json', 'kv2-acc0']]);
  });
});
