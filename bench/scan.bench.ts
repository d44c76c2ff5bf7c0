/**
 * `scan_vs_parse`: what a pull request's check costs. A generated repository of templates (copy
 * loops, nested deployments, parameter files, in the layout teams use) run end to end as the CLI
 * runs it — read, parse with positions, expand, evaluate the pack, write the findings document —
 * against the least any tool must do with the same files: read each and `JSON.parse` it. Both are
 * timed in one worker process, in processor time (see `least`), and its peak memory is reported too
 * (the bound is 512 MB).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../src/commands/index.js';
import { loadTemplates } from '../src/sources/index.js';
import { random } from './engine.bench.js';
import { count, least, MB, peakMemoryMB, round, runWorker, summaryOf, type Benchmark } from './framework.js';

const TEMPLATE_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PARAMETERS_SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

type J = null | boolean | number | string | J[] | { [key: string]: J };

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

/**
 * A grant of `permissions` on the vault to a CMK account's identity: `vaults/accessPolicies/add`, in a nested deployment
 * of its own. ARM allows one `add` per template ("The resource ... is defined multiple times in a template"; its name
 * is the operation, `add`, `replace` or `remove`), so a template that grants several accounts declares each grant in a
 * deployment of its own, after the grant before it (`after`): two updates of one vault at once would conflict.
 */
function grantDeployment(
  index: number,
  vaultName: string,
  accountId: string,
  permissions: string[],
  after: string | null
): J {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: grantName(index),
    dependsOn: [
      "[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]",
      accountId,
      ...(after === null ? [] : [after])
    ],
    properties: {
      mode: 'Incremental',
      template: {
        $schema: TEMPLATE_SCHEMA,
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.KeyVault/vaults/accessPolicies',
            apiVersion: '2023-07-01',
            name: `[concat(${vaultName.slice(1, -1)}, '/add')]`,
            properties: {
              accessPolicies: [
                {
                  tenantId: '[subscription().tenantId]',
                  objectId: `[reference(${accountId.slice(1, -1)}, '2024-10-01', 'full').identity.principalId]`,
                  permissions: { keys: permissions }
                }
              ]
            }
          }
        ]
      }
    }
  };
}

function grantName(index: number): string {
  return `[concat(variables('prefix'), '-grant${index}')]`;
}

/** Cognitive Services accounts in a copy loop; the key source is CMK, Microsoft-managed, or a parameter. */
function accountLoop(index: number, count: number, encryption: 'cmk' | 'mmk' | 'param'): J {
  const props: { [key: string]: J } = {
    publicNetworkAccess: 'Disabled',
    customSubDomainName: `[toLower(concat(variables('prefix'), 'acct${index}', copyIndex()))]`,
    disableLocalAuth: true,
    restrictOutboundNetworkAccess: true,
    allowedFqdnList: ['contoso.com', 'api.contoso.com', "[concat(variables('prefix'), '.contoso.com')]"],
    networkAcls: {
      defaultAction: 'Deny',
      bypass: 'AzureServices',
      ipRules: [0, 1, 2, 3, 4, 5, 6, 7].map(i => ({ value: `203.0.${index % 250}.${i * 16}/28` })),
      virtualNetworkRules: ['apps', 'data'].map(subnet => ({
        id: `[resourceId(parameters('networkResourceGroup'), 'Microsoft.Network/virtualNetworks/subnets', parameters('virtualNetworkName'), '${subnet}')]`,
        ignoreMissingVnetServiceEndpoint: false
      }))
    }
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
    tags: {
      owner: "[parameters('owner')]",
      index: '[string(copyIndex())]',
      costCenter: "[parameters('costCenter')]",
      environment: "[parameters('environment')]",
      dataClassification: 'confidential'
    }
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
      allowBlobPublicAccess: false,
      supportsHttpsTrafficOnly: true,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices',
        ipRules: [0, 1, 2, 3, 4, 5].map(i => ({ value: `198.51.${index % 250}.${i * 32}/27`, action: 'Allow' }))
      },
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

/** A parameter declaration with the description a reviewed template carries. */
function described(parameter: { [key: string]: J }, description: string): J {
  return { ...parameter, metadata: { description } };
}

/** One template whose expansion deploys `target` resources (10–60), mixing every shape above. */
function template(t: number, target: number, next: () => number): { template: J; parameters: J | null } {
  const resources: J[] = [];
  let planned = 0;
  const cmk = next() < 0.6;
  resources.push(keyVault("[variables('vaultName')]", next() < 0.8));
  planned += 1;
  let loop = 0;
  // The last grant's deployment: the next one runs after it.
  let lastGrant: string | null = null;
  const outputs: { [key: string]: J } = {};
  while (planned < target) {
    const room = target - planned;
    const shape = next();
    if (shape < 0.45) {
      const count = Math.max(1, Math.min(room, 1 + Math.floor(next() * 8)));
      const encryption = next() < 0.5 ? 'cmk' : next() < 0.5 ? 'param' : 'mmk';
      resources.push(accountLoop(loop, count, encryption));
      outputs[`accounts${loop}`] = {
        type: 'array',
        copy: {
          count,
          input: {
            name: `[concat(variables('prefix'), '-acct${loop}-', copyIndex())]`,
            endpoint: `[concat('https://', toLower(concat(variables('prefix'), 'acct${loop}', copyIndex())), '.cognitiveservices.azure.com/')]`
          }
        }
      };
      planned += count;
      if (encryption === 'cmk' && planned < target) {
        const accountId = `[resourceId('Microsoft.CognitiveServices/accounts', concat(variables('prefix'), '-acct${loop}-0'))]`;
        const permissions = next() < 0.8 ? ['get', 'wrapKey', 'unwrapKey'] : ['get'];
        resources.push(grantDeployment(loop, "[variables('vaultName')]", accountId, permissions, lastGrant));
        lastGrant = `[resourceId('Microsoft.Resources/deployments', ${grantName(loop).slice(1, -1)})]`;
        // Counted as one, as when the grant was declared in the template itself: the templates drawn stay the same.
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
      location: described(
        { type: 'string', defaultValue: '[resourceGroup().location]' },
        'The region of every resource.'
      ),
      workload: described({ type: 'string', defaultValue: `app${t}` }, 'The workload name, the start of every name.'),
      owner: described({ type: 'string', defaultValue: 'platform-team' }, 'The team that owns these resources.'),
      costCenter: described({ type: 'string', defaultValue: `cc-${1000 + (t % 50)}` }, 'Charged for the resources.'),
      environment: described(
        { type: 'string', defaultValue: 'prod', allowedValues: ['dev', 'test', 'prod'] },
        'Which environment this deployment is.'
      ),
      networkResourceGroup: described(
        { type: 'string', defaultValue: 'rg-network' },
        'The resource group of the shared virtual network.'
      ),
      virtualNetworkName: described({ type: 'string', defaultValue: 'vnet-hub' }, 'The shared virtual network.'),
      keySource: described(
        {
          type: 'string',
          defaultValue: 'Microsoft.KeyVault',
          allowedValues: ['Microsoft.KeyVault', 'Microsoft.CognitiveServices']
        },
        'Where the accounts keep the key that encrypts their data: Microsoft.KeyVault for a customer-managed key.'
      )
    },
    variables: {
      prefix: "[concat(parameters('workload'), '-', substring(uniqueString(resourceGroup().id), 0, 6))]",
      vaultName: "[concat('kv-', uniqueString(resourceGroup().id, parameters('workload')))]",
      kinds: kinds.slice(0, 2 + (t % (kinds.length - 1)))
    },
    resources,
    outputs: {
      vaultId: { type: 'string', value: "[resourceId('Microsoft.KeyVault/vaults', variables('vaultName'))]" },
      ...outputs
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

/** Writes `templates` templates (and some parameter files) into `root/infra/<area>/`, in the layout teams use. */
export function generateRepository(root: string, templates: number): GeneratedRepository {
  const next = random(7);
  const files: string[] = [];
  for (let t = 0; t < templates; t++) {
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
  return { root, files, templates };
}

interface ScanMeasurement {
  templates: number;
  files: number;
  megabytes: number;
  resources: number;
  /** Processor time, the least of several runs. */
  baselineMs: number;
  expansionMs: number;
  pipelineMs: number;
  /** Wall-clock time, the least of the same runs. */
  baselineWallMs: number;
  pipelineWallMs: number;
  peakMemoryMB: number;
  findings: string;
}

/** In the worker: the repository at `dir` (with the pack in `dir/policies`), timed three ways. */
export async function scanWorker([dir, triesText]: string[]): Promise<ScanMeasurement> {
  const tries = Number(triesText);
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.json')) files.push(file);
    }
  };
  walk(path.join(dir, 'infra'));
  const patterns = ['infra/**/*.json'];
  let bytes = 0;
  const baseline = least(15, () => {
    let n = 0;
    bytes = 0;
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      bytes += text.length;
      const json = JSON.parse(text) as { resources?: unknown[] };
      n += json.resources?.length ?? 0;
    }
    return n;
  });
  const { ms: baselineMs, wallMs: baselineWallMs } = await baseline;
  // Each template is let go once counted, as the pipeline lets it go once evaluated: holding them all would
  // make this measurement, not the pipeline's, the worker's peak memory.
  const expansion = await least(tries, () => {
    let resources = 0;
    const result = loadTemplates(patterns, { cwd: dir, onTemplate: t => void (resources += t.resources.length) });
    if (result.errors.length)
      throw new Error(`the generated repository does not expand: ${result.errors[0].describe()}`);
    return resources;
  });
  const output = path.join(dir, 'findings.json');
  let stderr = '';
  const io = { cwd: dir, env: {}, stdout: () => {}, stderr: (text: string) => void (stderr += text) };
  const pipeline = await least(tries, async () => {
    const code = await runCli(
      ['evaluate', '--policies', 'policies', '--templates', patterns[0], '--format', 'json', '--output', output],
      io
    );
    if (code > 1) throw new Error(`cmk-guard evaluate exited with ${code}: ${stderr}`);
  });
  const summary = summaryOf(output);
  return {
    templates: files.filter(f => !f.endsWith('.parameters.json')).length,
    files: files.length,
    megabytes: bytes / MB,
    resources: expansion.value,
    baselineMs,
    expansionMs: expansion.ms,
    pipelineMs: pipeline.ms,
    baselineWallMs,
    pipelineWallMs: pipeline.wallMs,
    peakMemoryMB: peakMemoryMB(),
    findings: `${count(summary.noncompliant)} non-compliant, ${count(summary.indeterminate)} indeterminate, ${count(summary.compliant)} compliant`
  };
}

export const scanVsParse: Benchmark = {
  name: 'scan_vs_parse',
  target: 5,
  compares: 'cmk-guard evaluate ÷ read + JSON.parse of the same files',
  async run(options) {
    const templates = options.quick ? 200 : 2000;
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bench-scan-'));
    try {
      fs.cpSync(path.join(options.root, 'policies'), path.join(workspace, 'policies'), { recursive: true });
      generateRepository(workspace, templates);
      const m = await runWorker<ScanMeasurement>(options, 'scan', [workspace, options.quick ? '2' : '2']);
      const ratio = m.pipelineMs / m.baselineMs;
      return {
        ratio: round(ratio),
        peakMemoryMB: m.peakMemoryMB,
        boundsMet: m.peakMemoryMB < 512,
        detail:
          `${count(m.templates)} templates and ${count(m.files - m.templates)} parameter files (${m.megabytes.toFixed(1)} MB), ` +
          `${count(m.resources)} resources, ${m.findings} findings: read + JSON.parse ${m.baselineMs.toFixed(0)} ms; ` +
          `expansion alone ${m.expansionMs.toFixed(0)} ms (${(m.expansionMs / m.baselineMs).toFixed(1)}×); ` +
          `whole evaluate with the JSON report ${m.pipelineMs.toFixed(0)} ms (processor time, the least of several runs; ` +
          `wall-clock ${m.pipelineWallMs.toFixed(0)} ms against ${m.baselineWallMs.toFixed(0)} ms, ${(m.pipelineWallMs / m.baselineWallMs).toFixed(1)}×); ` +
          `peak memory ${m.peakMemoryMB.toFixed(0)} MB (bound 512 MB)`
      };
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  }
};
