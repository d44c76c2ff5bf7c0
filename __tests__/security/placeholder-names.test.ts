/**
 * A template has no resource group before it is deployed: cmk-guard calls it 'rg' (README, "Accepting an
 * exception"). A template that names a group 'rg' itself — a nested deployment's `resourceGroup`, `resourceId()`'s
 * group — names another group, which ARM keeps apart from the one the pipeline deploys to. Found by a hostile-input
 * review: a nested deployment to 'rg' that ran after the template's own vault wrote a compliant vault of the same name
 * over it, so the vault without purge protection ARM deploys passed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';

const vault = (protectedVault: boolean) => ({
  type: 'Microsoft.KeyVault/vaults',
  apiVersion: '2023-07-01',
  name: 'kv-prod',
  location: 'westeurope',
  properties: {
    tenantId: '[subscription().tenantId]',
    sku: { family: 'A', name: 'standard' },
    enableSoftDelete: protectedVault,
    enablePurgeProtection: protectedVault
  }
});

/** The template's own vault without protection, and a nested deployment, after it, of a protected one to `group`. */
const template = (group: string) => ({
  $schema: SCHEMA,
  contentVersion: '1.0.0.0',
  resources: [
    vault(false),
    {
      type: 'Microsoft.Resources/deployments',
      apiVersion: '2022-09-01',
      name: 'decoy',
      resourceGroup: group,
      dependsOn: ["[resourceId('Microsoft.KeyVault/vaults', 'kv-prod')]"],
      properties: {
        mode: 'Incremental',
        expressionEvaluationOptions: { scope: 'inner' },
        template: { $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [vault(true)] }
      }
    }
  ]
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-placeholder-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function evaluate(value: object, ...flags: string[]): Promise<FindingsDocument> {
  writeFileSync(path.join(dir, 'main.json'), JSON.stringify(value, null, 2));
  let stdout = '';
  await runCli(['evaluate', '-t', 'main.json', '--config', 'none', '-f', 'json', ...flags], {
    cwd: dir,
    env: {},
    stdout: t => (stdout += t),
    stderr: () => undefined
  });
  return JSON.parse(stdout) as FindingsDocument;
}

const unprotected = (document: FindingsDocument) =>
  document.findings
    .filter(f => f.verdict === 'noncompliant' && /^key-vault-(purge-protection|soft-delete)$/.test(f.definition))
    .map(f => [f.definition, f.resource.id])
    .sort();

describe("a group the template names 'rg' is not the template's own", () => {
  it("a nested deployment to 'rg' does not write over the template's own vault, as one to any other group does not", async () => {
    const other = await evaluate(template('other'));
    expect(unprotected(other).map(([rule]) => rule)).toEqual(['key-vault-purge-protection', 'key-vault-soft-delete']);
    for (const group of ['rg', 'RG', "[toLower('RG')]"]) {
      const named = await evaluate(template(group));
      expect(unprotected(named)).toEqual([
        [
          'key-vault-purge-protection',
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg./providers/Microsoft.KeyVault/vaults/kv-prod'
        ],
        [
          'key-vault-soft-delete',
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg./providers/Microsoft.KeyVault/vaults/kv-prod'
        ]
      ]);
    }
  });

  it('a nested deployment to its own group by resourceGroup().name is the same group, and the later write wins as before', async () => {
    const own = await evaluate(template('[resourceGroup().name]'));
    expect(unprotected(own)).toEqual([]);
    // The ids keep the placeholder: baselines and exceptions written with them still match.
    expect(own.findings.map(f => f.resource.id)).toContain(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-prod'
    );
    expect(own.findings.some(f => f.resource.id?.includes('/resourceGroups/rg./'))).toBe(false);
  });

  it("resourceId() of a group named 'rg' is not an id of the template's own; without the name, ids keep the placeholder", () => {
    const ids = (value: object) =>
      expandTemplateDocument(parseJsonWithPositions(JSON.stringify(value), path.join(dir, 'main.json')), {
        root: dir
      }).resources.map(r => [r.id, (r.json.properties as { elsewhere?: string }).elsewhere ?? null]);
    const account = (elsewhere?: string) => ({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-01-01',
          name: 'st',
          location: 'westeurope',
          properties: elsewhere === undefined ? {} : { elsewhere }
        }
      ]
    });
    expect(ids(account())).toEqual([
      [
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
        null
      ]
    ]);
    expect(ids(account("[resourceId(resourceGroup().name, 'Microsoft.KeyVault/vaults', 'kv')]"))).toEqual([
      [
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st',
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv'
      ]
    ]);
    expect(ids(account("[resourceId('rg', 'Microsoft.KeyVault/vaults', 'kv')]"))).toEqual([
      [
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg./providers/Microsoft.Storage/storageAccounts/st',
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv'
      ]
    ]);
  });

  it('a group given to the run is not a placeholder: naming it is naming the same group', async () => {
    const expanded = expandTemplateDocument(
      parseJsonWithPositions(JSON.stringify(template('prod')), path.join(dir, 'main.json')),
      { root: dir, scope: { resourceGroup: 'prod' } }
    );
    expect(expanded.resources.map(r => r.id)).toEqual([
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/prod/providers/Microsoft.KeyVault/vaults/kv-prod'
    ]);
  });
});

describe("a management group the template names 'mg' is not the template's own", () => {
  const MG_SCHEMA = 'https://schema.management.azure.com/schemas/2019-08-01/managementGroupDeploymentTemplate.json#';
  const assignment = (enforcementMode: string) => ({
    type: 'Microsoft.Authorization/policyAssignments',
    apiVersion: '2022-06-01',
    name: 'require-cmk',
    properties: {
      policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/0a15ec92-a229-4763-bb14-0ea34a568f8d',
      enforcementMode
    }
  });
  /** The template's own assignment not enforced, and after it a nested deployment of an enforced one scoped to `group`. */
  const template = (group: string, resources: object[] = []) => ({
    $schema: MG_SCHEMA,
    contentVersion: '1.0.0.0',
    resources: [
      assignment('DoNotEnforce'),
      {
        type: 'Microsoft.Resources/deployments',
        apiVersion: '2022-09-01',
        name: 'decoy',
        location: 'westeurope',
        scope: `[format('Microsoft.Management/managementGroups/{0}', '${group}')]`,
        dependsOn: [
          "[extensionResourceId(managementGroup().id, 'Microsoft.Authorization/policyAssignments', 'require-cmk')]"
        ],
        properties: {
          mode: 'Incremental',
          expressionEvaluationOptions: { scope: 'inner' },
          template: { $schema: MG_SCHEMA, contentVersion: '1.0.0.0', resources: [assignment('Default')] }
        }
      },
      ...resources
    ]
  });
  const expand = (value: object) =>
    expandTemplateDocument(parseJsonWithPositions(JSON.stringify(value), path.join(dir, 'main.json')), { root: dir });
  const modes = (value: object) =>
    expand(value)
      .resources.filter(r => r.type === 'Microsoft.Authorization/policyAssignments')
      .map(r => [r.id, (r.json.properties as { enforcementMode: string }).enforcementMode]);
  const at = (group: string) =>
    `/providers/Microsoft.Management/managementGroups/${group}/providers/Microsoft.Authorization/policyAssignments/require-cmk`;

  it("a nested deployment scoped to 'mg' does not write over the template's own assignment, as one to any other does not", () => {
    expect(modes(template('other'))).toEqual([
      [at('mg'), 'DoNotEnforce'],
      [at('other'), 'Default']
    ]);
    for (const group of ['mg', 'MG']) {
      expect(modes(template(group))).toEqual([
        [at('mg.'), 'DoNotEnforce'],
        [at(group), 'Default']
      ]);
    }
    expect(expand(template('mg')).notes).toContainEqual(expect.stringMatching(/names a management group 'mg'/));
  });

  it('one scoped to its own management group by managementGroup().name is the same, and the later write wins as before', () => {
    const own = template('x');
    (own.resources[1] as { scope: string }).scope =
      "[format('Microsoft.Management/managementGroups/{0}', managementGroup().name)]";
    expect(modes(own)).toEqual([[at('mg'), 'Default']]);
  });

  it("an id in a management group named 'mg' is not in the template's own", () => {
    const naming = (expression: string) => ({
      $schema: MG_SCHEMA,
      contentVersion: '1.0.0.0',
      resources: [
        { ...assignment('Default'), properties: { ...assignment('Default').properties, elsewhere: expression } }
      ]
    });
    for (const expression of [
      "[managementGroupResourceId('mg', 'Microsoft.Authorization/policyDefinitions', 'd')]",
      "[extensionResourceId('/providers/Microsoft.Management/managementGroups/mg', 'Microsoft.Authorization/policyDefinitions', 'd')]",
      "[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]"
    ])
      expect(modes(naming(expression))).toEqual([[at('mg.'), 'Default']]);
    expect(
      modes(
        naming("[managementGroupResourceId(managementGroup().name, 'Microsoft.Authorization/policyDefinitions', 'd')]")
      )
    ).toEqual([[at('mg'), 'Default']]);
  });
});
