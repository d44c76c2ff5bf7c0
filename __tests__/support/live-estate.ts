/**
 * A generated Azure estate for live-evaluation tests: the resource types the pack covers in
 * every compliant and noncompliant variant, plus types it does not cover (which must never be
 * read), spread over subscriptions, from a seeded generator so every run sees the same estate.
 */
import { seeded } from './arm-server.js';

export const SUBSCRIPTIONS = [
  '11111111-1111-1111-1111-111111111111',
  '22222222-2222-2222-2222-222222222222',
  '33333333-3333-3333-3333-333333333333'
];
/** A subscription outside the management group: its resources must never be read. */
export const OUTSIDE = '44444444-4444-4444-4444-444444444444';

type Json = Record<string, unknown>;

const KINDS = ['OpenAI', 'FormRecognizer', 'TextAnalytics', 'SpeechServices', 'Face', 'AIServices', 'Bing.Search.v7'];

function account(pick: () => number, name: string): Json {
  const kind = KINDS[Math.floor(pick() * KINDS.length)];
  const variant = Math.floor(pick() * 4);
  const properties: Json = { provisioningState: 'Succeeded' };
  const identity = variant === 3 ? undefined : { type: variant === 2 ? 'UserAssigned' : 'SystemAssigned' };
  if (variant === 0) properties.encryption = { keySource: 'Microsoft.CognitiveServices' };
  if (variant >= 1)
    properties.encryption = {
      keySource: 'Microsoft.KeyVault',
      keyVaultProperties: {
        keyName: 'cmk',
        keyVersion: '',
        keyVaultUri: `https://kv-${name}.vault.azure.net/`,
        ...(pick() < 0.5 ? { identityClientId: '00000000-0000-0000-0000-00000000abcd' } : {})
      }
    };
  return {
    type: 'Microsoft.CognitiveServices/accounts',
    kind,
    location: 'westeurope',
    sku: { name: 'S0' },
    ...(identity ? { identity } : {}),
    properties
  };
}

function vault(pick: () => number): Json {
  return {
    type: 'Microsoft.KeyVault/vaults',
    location: 'westeurope',
    properties: {
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      sku: { family: 'A', name: 'standard' },
      enableSoftDelete: pick() < 0.8,
      ...(pick() < 0.6 ? { enablePurgeProtection: true } : {}),
      softDeleteRetentionInDays: 90
    }
  };
}

function storage(pick: () => number): Json {
  const cmk = pick() < 0.5;
  return {
    type: 'Microsoft.Storage/storageAccounts',
    kind: 'StorageV2',
    location: 'westeurope',
    sku: { name: 'Standard_LRS' },
    tags: { 'cmk-guard:dependent-of': pick() < 0.5 ? 'foundry' : 'none' },
    properties: {
      encryption: cmk
        ? {
            keySource: 'Microsoft.Keyvault',
            keyvaultproperties: { keyname: 'cmk', keyvaulturi: 'https://kv.vault.azure.net/' }
          }
        : { keySource: 'Microsoft.Storage' }
    }
  };
}

function workspace(pick: () => number): Json {
  const variant = Math.floor(pick() * 3);
  return {
    type: 'Microsoft.MachineLearningServices/workspaces',
    kind: variant === 2 ? 'Project' : 'Hub',
    location: 'westeurope',
    identity: { type: 'SystemAssigned' },
    properties: {
      hbiWorkspace: pick() < 0.5,
      ...(variant === 0
        ? {
            encryption: {
              status: 'Enabled',
              keyVaultProperties: {
                keyVaultArmId:
                  '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
                keyIdentifier: 'https://kv.vault.azure.net/keys/cmk/1'
              }
            }
          }
        : {})
    }
  };
}

function other(pick: () => number): Json {
  return pick() < 0.5
    ? {
        type: 'Microsoft.Network/virtualNetworks',
        location: 'westeurope',
        properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] } }
      }
    : { type: 'Microsoft.Web/sites', kind: 'app', location: 'westeurope', properties: { httpsOnly: true } };
}

const PROVIDER: Record<string, string> = {
  'Microsoft.CognitiveServices/accounts': 'Microsoft.CognitiveServices/accounts',
  'Microsoft.KeyVault/vaults': 'Microsoft.KeyVault/vaults',
  'Microsoft.Storage/storageAccounts': 'Microsoft.Storage/storageAccounts',
  'Microsoft.MachineLearningServices/workspaces': 'Microsoft.MachineLearningServices/workspaces',
  'Microsoft.Network/virtualNetworks': 'Microsoft.Network/virtualNetworks',
  'Microsoft.Web/sites': 'Microsoft.Web/sites'
};

/**
 * `count` resources the pack covers over `subscriptions` (round robin, three resource groups
 * each), plus `uncovered` resources of other types; ARM-shaped, with ids.
 */
export function generateEstate(options: {
  count: number;
  uncovered?: number;
  subscriptions?: readonly string[];
  seed?: number;
}): Json[] {
  const pick = seeded(options.seed ?? 12);
  const subscriptions = options.subscriptions ?? SUBSCRIPTIONS;
  const out: Json[] = [];
  const make = (index: number, body: Json) => {
    const sub = subscriptions[index % subscriptions.length];
    const rg = `rg-${index % 3}`;
    const name = `r${String(index).padStart(5, '0')}`;
    out.push({
      id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/${PROVIDER[body.type as string]}/${name}`,
      name,
      ...body
    });
  };
  for (let i = 0; i < options.count; i++) {
    const r = pick();
    const name = `r${String(i).padStart(5, '0')}`;
    make(i, r < 0.4 ? account(pick, name) : r < 0.65 ? vault(pick) : r < 0.85 ? storage(pick) : workspace(pick));
  }
  for (let i = 0; i < (options.uncovered ?? 0); i++) make(options.count + i, other(pick));
  return out;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in this process as a user would, against the loopback ARM. */
export async function runCliAgainst(
  server: { url: string; token: string },
  cwd: string,
  args: string[],
  env: Record<string, string> = {}
): Promise<CliRun> {
  const { runCli } = await import('../../src/commands/index.js');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    cwd,
    env: { CMK_GUARD_AZURE_TOKEN: server.token, CMK_GUARD_AZURE_RETRY_DELAY_MS: '1', ...env },
    stdout: t => void out.push(t),
    stderr: t => void err.push(t)
  });
  return { code, out: out.join(''), err: err.join('') };
}

/** What a finding says, without where it was read from (a snapshot has a file and line; a live scope has none). */
export function findingEssence(f: {
  definition: string;
  resource: { id: string; type: string; name: string };
  verdict: string;
  effect: string;
  message: string;
  reason: string | null;
}): string {
  return [f.definition, f.resource.id, f.resource.type, f.resource.name, f.verdict, f.effect, f.message, f.reason].join(
    '\u0000'
  );
}

/** The types the bundled pack does not cover, as generated above. */
export function isUncovered(row: Record<string, unknown>): boolean {
  return /^microsoft\.(network\/virtualnetworks|web\/sites)$/i.test(String(row.type));
}
