/**
 * Checkov's ARM checks that overlap the pack, restated as cmk-guard's own cases: bridgecrewio/checkov
 * (Apache-2.0; snapshot 03d5fdad8d6154b1565799a7b1fb8070c158866f), `checkov/arm/checks/resource/` and
 * `tests/arm/checks/resource/example_<Check>/` with the PASS/FAIL per resource its
 * `test_<Check>.py` states. No file is copied: each case writes the vault or account the peer's
 * fixture declares (the properties that decide the check, and its apiVersion).
 *
 * - CKV_AZURE_111 KeyVaultEnablesSoftDelete: enableSoftDelete false fails; true or absent passes.
 * - CKV_AZURE_110 KeyVaultEnablesPurgeProtection: enablePurgeProtection must be true.
 * - CKV_AZURE_42 KeyvaultRecoveryEnabled: both must be written and true.
 * - CKV_AZURE_238 CognitiveServicesConfigureIdentity: identity.type must be set.
 *
 * Each is also evaluated with Microsoft's own built-in definitions (fixtures/engine/builtin), which
 * decide where the peer and the pack differ.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { FindingsDocument, Verdict } from '../../src/model/finding.js';
import { expandTemplateFile } from '../../src/sources/index.js';
import { UserError } from '../../src/model/errors.js';
import { evaluateRepository } from '../../src/run.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const builtin = (name: string): string => path.join(repo, '__tests__', 'fixtures', 'engine', 'builtin', name);
const RECOVERABLE = '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53'; // Key vaults should have deletion protection enabled
const MANAGED_IDENTITY = 'fe3fd216-4f83-4fc1-8984-2bbec80a3418'; // Cognitive Services accounts should use a managed identity

let workspace: string;
beforeAll(() => {
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-peer-checkov-'));
  fs.cpSync(path.join(repo, 'policies'), path.join(workspace, 'policies'), { recursive: true });
  fs.mkdirSync(path.join(workspace, 'definitions'));
  for (const name of ['KeyVault_Recoverable_Audit.json', 'CognitiveServices_ManagedIdentity_Audit.json'])
    fs.copyFileSync(builtin(name), path.join(workspace, 'definitions', name));
});
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

function vault(name: string, apiVersion: string, properties: Record<string, unknown>): object {
  return {
    type: 'Microsoft.KeyVault/vaults',
    apiVersion,
    name,
    location: 'westeurope',
    properties: {
      tenantId: '[subscription().tenantId]',
      sku: { family: 'A', name: 'standard' },
      accessPolicies: [],
      ...properties
    }
  };
}

/** Writes one template per resource into a folder of the workspace, evaluates it, and gives each verdict by rule and resource. */
async function verdicts(folder: string, templates: Record<string, object>): Promise<Record<string, Verdict>> {
  const dir = path.join(workspace, folder);
  fs.mkdirSync(dir);
  for (const [file, template] of Object.entries(templates))
    fs.writeFileSync(path.join(dir, `${file}.json`), JSON.stringify(template, null, 2));
  const document: FindingsDocument = await evaluateRepository({
    cwd: workspace,
    policies: 'policies',
    definitions: ['definitions'],
    templates: [`${folder}/*.json`]
  });
  const out: Record<string, Verdict> = {};
  for (const finding of document.findings) out[`${finding.definition} ${finding.resource.name}`] = finding.verdict;
  return out;
}

const template = (...resources: object[]): object => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources });

describe('Key Vault soft delete and purge protection (CKV_AZURE_111, CKV_AZURE_110, CKV_AZURE_42)', () => {
  let found: Record<string, Verdict>;
  beforeAll(async () => {
    found = await verdicts('keyvault', {
      // example_KeyVaultEnablesSoftDelete: fail.json, pass.json (from a parameter default), pass2.json (absent)
      'soft-delete-fail': template(vault('fail', '2018-02-14', { enableSoftDelete: false })),
      'soft-delete-pass': {
        $schema: SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: { enableSoftDelete: { type: 'bool', defaultValue: true } },
        resources: [vault('pass', '2018-02-14', { enableSoftDelete: "[parameters('enableSoftDelete')]" })]
      },
      'soft-delete-pass2': template(vault('pass2', '2018-02-14', {})),
      // example_KeyVaultEnablesPurgeProtection (2019-09-01): fail1/fail2 false, pass true
      'purge-fail1': template(vault('fail1', '2019-09-01', { enablePurgeProtection: false })),
      'purge-pass': template(vault('purge-pass', '2019-09-01', { enablePurgeProtection: true })),
      // example_KeyvaultRecoveryEnabled (2018-02-14): neither; purge "true" only; both "true" (strings)
      'recovery-failed': template(vault('recovery-failed', '2018-02-14', {})),
      'recovery-failed2': template(vault('recovery-failed2', '2018-02-14', { enablePurgeProtection: 'true' })),
      'recovery-passed': template(
        vault('recovery-passed', '2018-02-14', {
          enableSoftDelete: 'true',
          enablePurgeProtection: 'true',
          softDeleteRetentionInDays: '30'
        })
      ),
      // The same vault as recovery-failed2 at an api-version where soft delete is on when not written.
      'recovery-failed2-2019': template(vault('recovery-failed2-2019', '2019-09-01', { enablePurgeProtection: true }))
    });
  });

  test('soft delete: the pack agrees with CKV_AZURE_111 on every fixture', () => {
    expect(found['key-vault-soft-delete fail']).toBe('noncompliant');
    expect(found['key-vault-soft-delete pass']).toBe('compliant');
    expect(found['key-vault-soft-delete pass2']).toBe('compliant');
  });

  test('purge protection: the pack agrees with CKV_AZURE_110', () => {
    expect(found['key-vault-purge-protection fail1']).toBe('noncompliant');
    expect(found['key-vault-purge-protection purge-pass']).toBe('compliant');
  });

  test('recovery: the pack and the built-in agree with CKV_AZURE_42 where the vault has no purge protection or both', () => {
    expect(found['key-vault-purge-protection recovery-failed']).toBe('noncompliant');
    expect(found[`${RECOVERABLE} recovery-failed`]).toBe('noncompliant');
    // "true" as a string: Azure Policy compares it with true as the same value (the built-in's
    // `equals "false"` is false and `exists` true), and the Key Vault API reads it as the boolean.
    expect(found['key-vault-purge-protection recovery-passed']).toBe('compliant');
    expect(found['key-vault-soft-delete recovery-passed']).toBe('compliant');
    expect(found[`${RECOVERABLE} recovery-passed`]).toBe('compliant');
  });

  // Where the peer and the pack differ. CKV_AZURE_42 fails a vault that does not write enableSoftDelete;
  // CKV_AZURE_111 passes the same vault. Microsoft's built-in 0b60c0b2 decides by api-version
  // (requestContext().apiVersion): before 2019-09-01 an absent enableSoftDelete is non-compliant, from
  // 2019-09-01 it is not: the API turns soft delete on when the property is not set ("If it's not set
  // to any value (true or false) when creating new key vault, it will be set to true by default",
  // https://learn.microsoft.com/dotnet/api/azure.provisioning.keyvault.keyvaultproperties.enablesoftdelete).
  // The pack's soft-delete rule asks only that the template does not turn it off, whatever the
  // api-version (policies/key-vault-soft-delete.yaml); recorded here so a change to either is seen.
  test('a vault that does not write enableSoftDelete: the built-in follows the api-version, the pack does not ask', () => {
    expect(found[`${RECOVERABLE} recovery-failed2`]).toBe('noncompliant');
    expect(found[`${RECOVERABLE} recovery-failed2-2019`]).toBe('compliant');
    expect(found[`${RECOVERABLE} pass2`]).toBe('noncompliant');
    expect(found['key-vault-soft-delete recovery-failed2']).toBe('compliant');
    expect(found['key-vault-purge-protection recovery-failed2']).toBe('compliant');
  });
});

describe('Cognitive Services managed identity (CKV_AZURE_238)', () => {
  const account = (name: string, identity: object | null, cmk: boolean): object => ({
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2023-05-01',
    name,
    location: 'westeurope',
    sku: { name: 'S0' },
    kind: 'Face',
    ...(identity ? { identity } : {}),
    properties: {
      publicNetworkAccess: 'Disabled',
      disableLocalAuth: false,
      ...(cmk
        ? {
            encryption: {
              keySource: 'Microsoft.KeyVault',
              keyVaultProperties: {
                keyName: 'key',
                keyVersion: '',
                keyVaultUri: 'https://kv.vault.azure.net/'
              }
            }
          }
        : {})
    }
  });
  let found: Record<string, Verdict>;
  beforeAll(async () => {
    found = await verdicts('cognitive', {
      // example_CognitiveServicesConfigureIdentity: fail.json (no identity), pass.json (SystemAssigned)
      fail: template(account('fail', null, false)),
      pass: template(account('pass', { type: 'SystemAssigned' }, false)),
      // The same accounts encrypted with a customer-managed key.
      'fail-cmk': template(account('fail-cmk', null, true)),
      'pass-cmk': template(account('pass-cmk', { type: 'SystemAssigned' }, true))
    });
  });

  test('Microsoft\u2019s built-in agrees with the peer', () => {
    expect(found[`${MANAGED_IDENTITY} fail`]).toBe('noncompliant');
    expect(found[`${MANAGED_IDENTITY} pass`]).toBe('compliant');
  });

  // The pack asks for the identity only of an account that reads a customer-managed key with it; an
  // account without one is compliant with that rule (as in Azure Policy, its "if" does not match) and
  // is faulted by foundry-tools-cmk instead.
  test('the pack agrees on accounts with a customer-managed key, and does not ask the others', () => {
    expect(found['foundry-tools-cmk-identity fail-cmk']).toBe('noncompliant');
    expect(found['foundry-tools-cmk-identity pass-cmk']).toBe('compliant');
    expect(found['foundry-tools-cmk-identity fail']).toBe('compliant');
    expect(found['foundry-tools-cmk-identity pass']).toBe('compliant');
    expect(found['foundry-tools-cmk fail']).toBe('noncompliant');
    expect(found['foundry-tools-cmk pass-cmk']).toBe('compliant');
  });
});

// example_KeyVaultEnablesPurgeProtection's fixtures set tenantId to "[data.azure_client_config.current.tenantId]",
// a Terraform reference. Checkov reads the vault all the same; ARM refuses the template (a template
// expression calls functions, and `data` is none), so cmk-guard stops at that line.
test('a vault whose tenantId is a Terraform reference in brackets is refused at that line', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-peer-checkov-tf-'));
  try {
    const file = path.join(dir, 'fail1.json');
    const text = JSON.stringify(
      template(vault('fail1', '2019-09-01', { tenantId: '[data.azure_client_config.current.tenantId]' })),
      null,
      2
    );
    fs.writeFileSync(file, text);
    const line = text.split('\n').findIndex(l => l.includes('data.azure_client_config')) + 1;
    let thrown: unknown;
    let result: ReturnType<typeof expandTemplateFile> | undefined;
    try {
      result = expandTemplateFile(file);
    } catch (error) {
      thrown = error;
    }
    const error = thrown ?? result?.errors[0];
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).location?.file).toBe(file);
    expect((error as UserError).location?.line).toBe(line);
    expect((error as UserError).message).toMatch(/data\.azure_client_config/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
