/**
 * `scale_1m_vs_10k`: what one resource costs when a governance team evaluates a whole tenant.
 * A snapshot (`{"value": [...]}`, as the REST API and Resource Graph return it) of 1,000,000
 * resources against one of 10,000, relation rules included: Key Vaults, the accounts, storage
 * and hubs that keep their keys in them, access policies and role assignments. Each size runs
 * in a worker process of its own, as `cmk-guard evaluate --resources FILE --format json
 * --output FILE`; the cost of starting (loading and compiling the pack) is measured on a
 * snapshot of one resource in the same worker and taken off, so the ratio compares the cost per
 * resource alone. Each cost is the least processor time of several runs (`least`; the least
 * wall-clock time is in the detail): the small side is a fraction of a second, so it takes ten
 * tries, and start-up as many. Peak memory must stay flat: each side's is measured alike, in a new
 * process that evaluates its snapshot once after the start-up runs (the small side's timing worker,
 * which evaluates it eleven times, would report the garbage of the runs before).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../src/commands/index.js';
import { THREAD_SNAPSHOT_BYTES, THREAD_YOUNG_GENERATION_MB } from '../src/commands/thread.js';
import { random } from './engine.bench.js';
import { count, least, MB, peakMemoryMB, round, runWorker, summaryOf, type Benchmark } from './framework.js';

type J = null | boolean | number | string | J[] | { [key: string]: J };

const ENCRYPTION_USER = 'e147488a-f6f5-4113-8e2d-b22465e65bf6';
const kinds = ['OpenAI', 'AIServices', 'TextAnalytics', 'FormRecognizer', 'SpeechServices', 'Face', 'ComputerVision'];

/** One group of 20 resources around one vault: what one team's resource group holds. */
function group(g: number, next: () => number): J[] {
  const sub = `/subscriptions/00000000-0000-0000-0000-${String(g % 50).padStart(12, '0')}`;
  const rg = `${sub}/resourceGroups/rg-${g}`;
  const vaultName = `kv-${g}`;
  const vaultId = `${rg}/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  const vaultUri = `https://${vaultName}.vault.azure.net/`;
  const rbac = g % 4 === 0;
  const out: J[] = [];
  const accessPolicies: J[] = [];
  const principal = (i: number) => `${String(g).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const grant = (i: number) => {
    const full = next() < 0.85;
    if (rbac) {
      out.push({
        id: `${vaultId}/providers/Microsoft.Authorization/roleAssignments/${principal(100 + i)}`,
        name: principal(100 + i),
        type: 'Microsoft.Authorization/roleAssignments',
        properties: {
          roleDefinitionId: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${full ? ENCRYPTION_USER : 'acdd72a7-3385-48ef-bd42-f606fba81ae7'}`,
          principalId: principal(i),
          scope: vaultId
        }
      });
    } else {
      accessPolicies.push({
        tenantId: '11111111-1111-1111-1111-111111111111',
        objectId: principal(i),
        permissions: { keys: full ? ['get', 'wrapKey', 'unwrapKey'] : ['get', 'list'], secrets: [] }
      });
    }
  };
  for (let i = 0; i < 8; i++) {
    const cmk = next() < 0.7;
    const name = `ai-${g}-${i}`;
    out.push({
      id: `${rg}/providers/Microsoft.CognitiveServices/accounts/${name}`,
      name,
      type: 'Microsoft.CognitiveServices/accounts',
      kind: kinds[(g + i) % kinds.length],
      location: 'westeurope',
      sku: { name: 'S0' },
      identity: { type: 'SystemAssigned', principalId: principal(i), tenantId: '11111111-1111-1111-1111-111111111111' },
      properties: {
        customSubDomainName: name,
        publicNetworkAccess: 'Disabled',
        encryption: cmk
          ? { keySource: 'Microsoft.KeyVault', keyVaultProperties: { keyName: 'cmk', keyVaultUri: vaultUri } }
          : { keySource: 'Microsoft.CognitiveServices' }
      },
      tags: { team: `team-${g % 97}` }
    });
    if (cmk && next() < 0.9) grant(i);
  }
  for (let i = 8; i < 11; i++) {
    const name = `st${g}x${i}`;
    const cmk = next() < 0.6;
    out.push({
      id: `${rg}/providers/Microsoft.Storage/storageAccounts/${name}`,
      name,
      type: 'Microsoft.Storage/storageAccounts',
      kind: 'StorageV2',
      location: 'westeurope',
      sku: { name: 'Standard_LRS' },
      identity: { type: 'SystemAssigned', principalId: principal(i) },
      properties: {
        minimumTlsVersion: 'TLS1_2',
        encryption: cmk
          ? { keySource: 'Microsoft.Keyvault', keyvaultproperties: { keyname: 'cmk', keyvaulturi: vaultUri } }
          : { keySource: 'Microsoft.Storage', services: { blob: { enabled: true } } }
      }
    });
    if (cmk) grant(i);
  }
  for (let i = 11; i < 13; i++) {
    const name = `hub-${g}-${i}`;
    const cmk = next() < 0.6;
    out.push({
      id: `${rg}/providers/Microsoft.MachineLearningServices/workspaces/${name}`,
      name,
      type: 'Microsoft.MachineLearningServices/workspaces',
      kind: 'Hub',
      location: 'westeurope',
      identity: { type: 'SystemAssigned', principalId: principal(i) },
      properties: {
        hbiWorkspace: cmk,
        keyVault: vaultId,
        ...(cmk
          ? {
              encryption: {
                status: 'Enabled',
                keyVaultProperties: { keyVaultArmId: vaultId, keyIdentifier: `${vaultUri}keys/cmk` }
              }
            }
          : {})
      }
    });
    if (cmk) grant(i);
  }
  out.unshift({
    id: vaultId,
    name: vaultName,
    type: 'Microsoft.KeyVault/vaults',
    location: 'westeurope',
    properties: {
      tenantId: '11111111-1111-1111-1111-111111111111',
      sku: { family: 'A', name: 'standard' },
      vaultUri,
      enableSoftDelete: true,
      ...(g % 5 === 0 ? {} : { enablePurgeProtection: true }),
      enableRbacAuthorization: rbac,
      accessPolicies
    }
  });
  // The rest of the group: resources the pack is not about.
  for (let i = 0; out.length < 20; i++) {
    const name = `app-${g}-${i}`;
    out.push({
      id: `${rg}/providers/Microsoft.Web/sites/${name}`,
      name,
      type: 'Microsoft.Web/sites',
      kind: 'app,linux',
      location: 'westeurope',
      properties: { httpsOnly: true, siteConfig: { minTlsVersion: '1.2' } }
    });
  }
  return out.slice(0, 20);
}

/** Writes a snapshot of `resources` resources (a multiple of 20), one resource a line, without holding it. */
export function writeSnapshot(file: string, resources: number): number {
  const next = random(11);
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  try {
    const write = (text: string) => {
      bytes += fs.writeSync(fd, text);
    };
    write('{\n  "value": [\n');
    let chunk = '';
    for (let g = 0; g * 20 < resources; g++) {
      const items = group(g, next).slice(0, resources - g * 20);
      chunk += items.map(item => `    ${JSON.stringify(item)}`).join(',\n');
      chunk += (g + 1) * 20 < resources ? ',\n' : '\n';
      if (chunk.length > 4 * MB) {
        write(chunk);
        chunk = '';
      }
    }
    write(`${chunk}  ]\n}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}

interface ScaleMeasurement {
  resources: number;
  /** Processor time. */
  startMs: number;
  runMs: number;
  perResourceUs: number;
  /** The same from the least wall-clock times. */
  perResourceWallUs: number;
  peakMemoryMB: number;
  summary: Record<string, number>;
}

/** In a worker: the start-up cost on a one-resource snapshot, then the snapshot, the least of `tries` runs each. */
export async function scaleWorker([dir, file, resourcesText, triesText, cli]: string[]): Promise<ScaleMeasurement> {
  const resources = Number(resourcesText);
  const tries = Number(triesText);
  const output = path.join(dir, `findings-${resources}.json`);
  let stderr = '';
  // As the CLI runs: a large snapshot is evaluated in a worker thread started from the CLI's bundle
  // (src/commands/thread.ts), whose processor time and memory are this process's.
  const io = {
    cwd: dir,
    env: {},
    threadEntry: pathToFileURL(cli),
    stdout: () => {},
    stderr: (text: string) => void (stderr += text)
  };
  const evaluate = async (snapshot: string) => {
    const code = await runCli(['evaluate', '--resources', snapshot, '--format', 'json', '--output', output], io);
    if (code > 1) throw new Error(`cmk-guard evaluate exited with ${code}: ${stderr}`);
  };
  const tiny = path.join(dir, 'one.json');
  const start = await least(10, () => evaluate(tiny));
  // The code is warm from the runs before: a run of a million resources is made once.
  const run = await least(tries, () => evaluate(file), false);
  const summary = summaryOf(output);
  return {
    resources,
    startMs: start.ms,
    runMs: run.ms,
    perResourceUs: ((run.ms - start.ms) / resources) * 1000,
    perResourceWallUs: ((run.wallMs - start.wallMs) / resources) * 1000,
    peakMemoryMB: peakMemoryMB(),
    summary
  };
}

/** Which side the CLI evaluated in a worker thread of its own (src/commands/thread.ts), as it decides by size. */
function threadNote(smallBytes: number, largeBytes: number): string {
  const inThread = (bytes: number) => bytes > THREAD_SNAPSHOT_BYTES;
  const sides = inThread(smallBytes) ? 'both' : inThread(largeBytes) ? 'the large one' : 'neither';
  return `snapshots past ${THREAD_SNAPSHOT_BYTES / MB} MB are evaluated in a worker thread with a ${THREAD_YOUNG_GENERATION_MB} MB young generation: ${sides}`;
}

export const scale: Benchmark = {
  name: 'scale_1m_vs_10k',
  target: 1.3,
  compares: 'cost per resource at 1,000,000 ÷ at 10,000 (one snapshot, relation rules included)',
  async run(options) {
    const small = options.quick ? 5_000 : 10_000;
    const large = options.quick ? 100_000 : 1_000_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bench-scale-'));
    try {
      writeSnapshot(path.join(dir, 'one.json'), 1);
      const smallFile = path.join(dir, `snapshot-${small}.json`);
      const largeFile = path.join(dir, `snapshot-${large}.json`);
      const smallBytes = writeSnapshot(smallFile, small);
      const largeBytes = writeSnapshot(largeFile, large);
      const s = await runWorker<ScaleMeasurement>(options, 'scale', [dir, smallFile, String(small), '10', options.cli]);
      // Flat memory needs a fraction of this (at most twice the small run's peak); a run whose memory grows with the
      // snapshot stops at this bound instead of thrashing for many minutes near the machine's limit.
      const heapMB = Math.max(2048, Math.ceil(s.peakMemoryMB * 4));
      const heap = [`--max-old-space-size=${heapMB}`];
      // Peak memory is each snapshot's alone, measured the same way for both: a new process evaluates it once after
      // the start-up runs. The timing worker's peak would not do for the small side: it evaluates it eleven times,
      // and the garbage each run leaves for the collector raises the next one's peak (on Node 24 almost to twice a
      // single run's, far less on Node 20), which made the large side look flatter than it is, and flatter on Node 24.
      const once = (file: string, resources: number) =>
        runWorker<ScaleMeasurement>(options, 'scale', [dir, file, String(resources), '1', options.cli], heap);
      const sMemory = (await once(smallFile, small)).peakMemoryMB;
      let l: ScaleMeasurement;
      let lMemory: number;
      try {
        l = await runWorker<ScaleMeasurement>(
          options,
          'scale',
          [dir, largeFile, String(large), options.quick ? '3' : '1', options.cli],
          heap
        );
        // A full run evaluates the large snapshot once: its worker is measured as the small side's memory worker is.
        lMemory = options.quick ? (await once(largeFile, large)).peakMemoryMB : l.peakMemoryMB;
      } catch (error) {
        return {
          failed:
            `the snapshot of ${count(large)} resources (${(largeBytes / MB).toFixed(0)} MB) did not finish within a ` +
            `${heapMB} MB heap (${count(small)} resources peaked at ${sMemory.toFixed(0)} MB, ` +
            `${s.perResourceUs.toFixed(1)} µs a resource): memory grows with the snapshot (${(error as Error).message.split('\n')[0]})`
        };
      }
      const ratio = l.perResourceUs / s.perResourceUs;
      const memoryGrowth = lMemory / sMemory;
      const findings = (m: ScaleMeasurement) =>
        `${count(m.summary.noncompliant)} non-compliant, ${count(m.summary.indeterminate)} indeterminate, ${count(m.summary.compliant)} compliant`;
      return {
        ratio: round(ratio),
        peakMemoryMB: lMemory,
        // Flat: the large snapshot's peak within twice the small one's, whatever its size.
        boundsMet: memoryGrowth <= 2,
        detail:
          `snapshot of ${count(large)} resources (${(largeBytes / MB).toFixed(0)} MB; ${findings(l)} findings): ` +
          `${l.perResourceUs.toFixed(1)} µs of processor time a resource (${l.perResourceWallUs.toFixed(1)} µs wall-clock), ` +
          `peak memory ${lMemory.toFixed(0)} MB; ${count(small)} resources: ${s.perResourceUs.toFixed(1)} µs ` +
          `(${s.perResourceWallUs.toFixed(1)} µs wall-clock), peak memory ${sMemory.toFixed(0)} MB ` +
          `(start-up ${s.startMs.toFixed(0)} ms taken off both; wall-clock ratio ${(l.perResourceWallUs / s.perResourceWallUs).toFixed(2)}×; ` +
          `memory ${memoryGrowth.toFixed(2)}× for ${count(large / small)}× the resources, bound 2×, each peak a run of ` +
          `its snapshot alone in a new process; ${threadNote(smallBytes, largeBytes)}; Node ${process.version})`
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
};
