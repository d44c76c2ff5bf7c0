/**
 * How fast a pull request gets its verdict: the whole pipeline (`evaluateRepository`: rules
 * compiled once, discovery, expansion with positions, engine, relation rules) and the expansion
 * alone (`loadTemplates`), each against the least any tool must do with the same repository —
 * read every file and `JSON.parse` it — measured in the same process. Prints the ratios.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateRepository } from '../src/run.js';
import { loadTemplates } from '../src/sources/index.js';

const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

type J = null | boolean | number | string | J[] | { [key: string]: J };

/** A small deterministic generator, so every run measures the same repository. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const kinds = ['OpenAI', 'AIServices', 'TextAnalytics', 'ComputerVision', 'FormRecognizer', 'SpeechServices', 'Face'];

/** A Key Vault, with purge protection or not, and its access policy granting a CMK account's identity. */
function keyVault(vaultName: string, purgeProtection: boolean): J {
  return {
    type: 'Microsoft.KeyVault/vaults',
    apiVersion: '2023-07-01',
    name: vaultName,
    location: "[parameters('location')]",
    properties: {
      tenantId: '[subscription().tenantId]',
      sku: { family: 'A', name: 'standard' },
      enableSoftDelete: true,
      ...(purgeProtection ? { enablePurgeProtection: true } : {}),
      accessPolicies: []
    }
  };
}

function accessPolicy(vaultName: string, accountId: string, permissions: string[]): J {
  return {
    type: 'Microsoft.KeyVault/vaults/accessPolicies',
    apiVersion: '2023-07-01',
    name: `[concat(${vaultName.slice(1, -1)}, '/add')]`,
    dependsOn: [accountId],
    properties: {
      accessPolicies: [
        {
          tenantId: '[subscription().tenantId]',
          objectId: `[reference(${accountId.slice(1, -1)}, '2024-10-01', 'full').identity.principalId]`,
          permissions: { keys: permissions }
        }
      ]
    }
  };
}

/** Cognitive Services accounts in a copy loop; the key source is CMK, Microsoft-managed, or a parameter. */
function accountLoop(index: number, count: number, encryption: 'cmk' | 'mmk' | 'param'): J {
  const props: { [key: string]: J } = {
    publicNetworkAccess: 'Disabled',
    customSubDomainName: `[toLower(concat(variables('prefix'), 'acct${index}', copyIndex()))]`
  };
  if (encryption === 'cmk') {
    props.encryption = {
      keySource: 'Microsoft.KeyVault',
      keyVaultProperties: {
        keyName: 'cmk',
        keyVaultUri:
          "[reference(resourceId('Microsoft.KeyVault/vaults', variables('vaultName')), '2023-07-01').vaultUri]"
      }
    };
  } else if (encryption === 'param') {
    props.encryption = { keySource: "[parameters('keySource')]" };
  }
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    apiVersion: '2024-10-01',
    name: `[concat(variables('prefix'), '-acct${index}-', copyIndex())]`,
    location: "[parameters('location')]",
    kind: `[variables('kinds')[mod(copyIndex(), length(variables('kinds')))]]`,
    sku: { name: 'S0' },
    identity: { type: 'SystemAssigned' },
    copy: { name: `accounts${index}`, count },
    dependsOn: ["[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]"],
    properties: props,
    tags: { owner: "[parameters('owner')]", index: '[string(copyIndex())]' }
  };
}

function storageLoop(index: number, count: number, cmk: boolean): J {
  return {
    type: 'Microsoft.Storage/storageAccounts',
    apiVersion: '2023-05-01',
    name: `[concat('st', uniqueString(resourceGroup().id, '${index}'), copyIndex())]`,
    location: "[parameters('location')]",
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS' },
    copy: { name: `storage${index}`, count },
    properties: {
      minimumTlsVersion: 'TLS1_2',
      encryption: cmk
        ? {
            keySource: 'Microsoft.Keyvault',
            keyvaultproperties: {
              keyname: 'cmk',
              keyvaulturi: "[concat('https://', variables('vaultName'), '.vault.azure.net')]"
            }
          }
        : { keySource: 'Microsoft.Storage', services: { blob: { enabled: true } } }
    }
  };
}

function workspace(index: number, cmk: boolean): J {
  return {
    type: 'Microsoft.MachineLearningServices/workspaces',
    apiVersion: '2024-04-01',
    name: `[concat(variables('prefix'), '-hub${index}')]`,
    location: "[parameters('location')]",
    kind: 'Hub',
    identity: { type: 'SystemAssigned' },
    properties: {
      hbiWorkspace: cmk,
      keyVault: "[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]",
      ...(cmk
        ? {
            encryption: {
              status: 'Enabled',
              keyVaultProperties: {
                keyVaultArmId: "[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]",
                keyIdentifier: "[format('https://{0}.vault.azure.net/keys/cmk', variables('vaultName'))]"
              }
            }
          }
        : {})
    }
  };
}

/** A nested deployment with inner scope: its own parameters, one account and one storage account. */
function nestedDeployment(index: number, cmk: boolean): J {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: `[concat('nested-', variables('prefix'), '-${index}')]`,
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: {
        accountName: { value: `[concat(variables('prefix'), '-inner${index}')]` },
        location: { value: "[parameters('location')]" }
      },
      template: {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: { accountName: { type: 'string' }, location: { type: 'string' } },
        resources: [
          {
            type: 'Microsoft.CognitiveServices/accounts',
            apiVersion: '2024-10-01',
            name: "[parameters('accountName')]",
            location: "[parameters('location')]",
            kind: 'OpenAI',
            sku: { name: 'S0' },
            identity: { type: 'SystemAssigned' },
            properties: cmk
              ? {
                  encryption: {
                    keySource: 'Microsoft.KeyVault',
                    keyVaultProperties: { keyName: 'cmk', keyVaultUri: 'https://kv.vault.azure.net' }
                  }
                }
              : {}
          },
          {
            type: 'Microsoft.Storage/storageAccounts',
            apiVersion: '2023-05-01',
            name: "[concat('st', uniqueString(parameters('accountName')))]",
            location: "[parameters('location')]",
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
            properties: {}
          }
        ]
      }
    }
  };
}

/** One template whose expansion deploys `target` resources (10–60), mixing every shape above. */
function template(t: number, target: number, next: () => number): { template: J; parameters: J | null } {
  const resources: J[] = [];
  let planned = 0;
  const cmk = next() < 0.6;
  resources.push(keyVault("[variables('vaultName')]", next() < 0.8));
  planned += 1;
  let loop = 0;
  while (planned < target) {
    const room = target - planned;
    const shape = next();
    if (shape < 0.45) {
      const count = Math.max(1, Math.min(room, 1 + Math.floor(next() * 8)));
      const encryption = next() < 0.5 ? 'cmk' : next() < 0.5 ? 'param' : 'mmk';
      resources.push(accountLoop(loop, count, encryption));
      planned += count;
      if (encryption === 'cmk' && planned < target) {
        const accountId = `[resourceId('Microsoft.CognitiveServices/accounts', concat(variables('prefix'), '-acct${loop}-0'))]`;
        const permissions = next() < 0.8 ? ['get', 'wrapKey', 'unwrapKey'] : ['get'];
        resources.push(accessPolicy("[variables('vaultName')]", accountId, permissions));
        planned += 1;
      }
    } else if (shape < 0.7) {
      const count = Math.max(1, Math.min(room, 1 + Math.floor(next() * 6)));
      resources.push(storageLoop(loop, count, cmk && next() < 0.7));
      planned += count;
    } else if (shape < 0.85 || room < 3) {
      resources.push(workspace(loop, cmk && next() < 0.7));
      planned += 1;
    } else {
      resources.push(nestedDeployment(loop, next() < 0.5));
      planned += 3; // the deployment and its two resources
    }
    loop++;
  }
  const withParameterFile = next() < 0.3;
  const doc: J = {
    $schema: TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      location: { type: 'string', defaultValue: '[resourceGroup().location]' },
      workload: { type: 'string', defaultValue: `app${t}` },
      owner: { type: 'string', defaultValue: 'platform-team' },
      keySource: {
        type: 'string',
        defaultValue: 'Microsoft.KeyVault',
        allowedValues: ['Microsoft.KeyVault', 'Microsoft.CognitiveServices']
      }
    },
    variables: {
      prefix: "[concat(parameters('workload'), '-', substring(uniqueString(resourceGroup().id), 0, 6))]",
      vaultName: "[concat('kv-', uniqueString(resourceGroup().id, parameters('workload')))]",
      kinds: kinds.slice(0, 2 + (t % (kinds.length - 1)))
    },
    resources,
    outputs: {
      vaultId: { type: 'string', value: "[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]" }
    }
  };
  const parameters: J | null = withParameterFile
    ? {
        $schema: PARAMETERS_SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: {
          workload: { value: `team${t}` },
          keySource: { value: next() < 0.5 ? 'Microsoft.KeyVault' : 'Microsoft.CognitiveServices' }
        }
      }
    : null;
  return { template: doc, parameters };
}

export interface GeneratedRepository {
  root: string;
  files: string[];
  templates: number;
}

/** Writes `count` templates (and some parameter files) into `root/infra/<area>/`, in the layout teams use. */
export function generateRepository(root: string, count = 200): GeneratedRepository {
  const next = random(7);
  const files: string[] = [];
  for (let t = 0; t < count; t++) {
    const area = path.join(root, 'infra', `area${t % 12}`);
    fs.mkdirSync(area, { recursive: true });
    const target = 10 + Math.floor(next() * 51);
    const { template: doc, parameters } = template(t, target, next);
    const file = path.join(area, `service${t}.json`);
    // Indented like a hand-written template, so positions span many lines.
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    files.push(file);
    if (parameters) {
      const parameterFile = path.join(area, `service${t}.parameters.json`);
      fs.writeFileSync(parameterFile, JSON.stringify(parameters, null, 2) + '\n');
      files.push(parameterFile);
    }
  }
  return { root, files, templates: count };
}

function time<T>(run: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function timeAsync<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export interface PipelineBenchResult {
  baselineMs: number;
  expansionMs: number;
  pipelineMs: number;
  resources: number;
}

/**
 * Copies the policy pack beside the generated templates (so discovery and the repository
 * boundary behave as in a real checkout) and measures the three, best of `runs` after a warm-up.
 */
export async function runPipelineBench(root: string = process.cwd(), runs = 5): Promise<PipelineBenchResult> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bench-'));
  try {
    fs.cpSync(path.join(root, 'policies'), path.join(workspace, 'policies'), { recursive: true });
    const repo = generateRepository(workspace);
    const patterns = ['infra/**/*.json'];

    const baseline = () => {
      let n = 0;
      for (const file of repo.files) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { resources?: unknown[] };
        n += json.resources?.length ?? 0;
      }
      return n;
    };
    const expansion = () => {
      const result = loadTemplates(patterns, { cwd: workspace });
      if (result.errors.length) {
        throw new Error(`the generated repository does not expand: ${result.errors[0].describe()}`);
      }
      return result.templates.reduce((n, t) => n + t.resources.length, 0);
    };
    const pipeline = () => evaluateRepository({ cwd: workspace, policies: 'policies', templates: patterns });

    // Warm up all three (the pipeline's alias catalog and rule compilation included), then take the best of each.
    baseline();
    const resources = expansion();
    const warm = await pipeline();
    if (warm.errors?.length) throw new Error(`the pipeline reported errors: ${warm.errors[0].message}`);
    let baselineMs = Infinity;
    let expansionMs = Infinity;
    let pipelineMs = Infinity;
    // The baseline takes milliseconds, so one slow run on a shared machine would swing the ratios: it gets more tries.
    for (let i = 0; i < runs; i++) {
      for (let j = 0; j < 4; j++) baselineMs = Math.min(baselineMs, time(baseline).ms);
      for (let j = 0; j < 2; j++) expansionMs = Math.min(expansionMs, time(expansion).ms);
      pipelineMs = Math.min(pipelineMs, (await timeAsync(pipeline)).ms);
    }
    const { summary } = warm;
    console.log(
      `pipeline: ${repo.templates} generated templates (${repo.files.length - repo.templates} parameter files), ` +
        `${resources} resources; ${summary.noncompliant} non-compliant, ${summary.compliant} compliant, ` +
        `${summary.indeterminate} indeterminate findings from ${summary.definitions} rules`
    );
    console.log(`  read + JSON.parse        ${baselineMs.toFixed(1)} ms (baseline)`);
    console.log(
      `  expansion (loadTemplates) ${expansionMs.toFixed(1)} ms  ${(expansionMs / baselineMs).toFixed(1)}× baseline`
    );
    console.log(
      `  pipeline (evaluateRepository) ${pipelineMs.toFixed(1)} ms  ${(pipelineMs / baselineMs).toFixed(1)}× baseline`
    );
    return { baselineMs, expansionMs, pipelineMs, resources };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
