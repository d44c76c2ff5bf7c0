/**
 * The compiled engine against a hand-written JavaScript predicate of the same rule: built-in
 * 67121cc7 (Azure AI Services should encrypt data at rest with a customer-managed key), on
 * 100,000 generated resources, in one process. Prints the ratio; the target is within 3×.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadDefinition } from '../src/engine/index.js';
import type { Resource } from '../src/model/resource.js';
import type { Value } from '../src/model/value.js';

const definitionFile = '__tests__/fixtures/engine/builtin/CognitiveServices_CustomerManagedKey_Audit.json';

/** A small deterministic generator, so every run measures the same resources. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const kinds = [
  'OpenAI',
  'TextAnalytics',
  'ComputerVision',
  'FormRecognizer',
  'AIServices',
  'CognitiveServices',
  'Face',
  'SpeechServices'
];
const types = [
  'Microsoft.CognitiveServices/accounts',
  'microsoft.cognitiveservices/accounts',
  'Microsoft.Storage/storageAccounts'
];
const keySources = [undefined, 'Microsoft.KeyVault', 'microsoft.keyvault', 'Microsoft.CognitiveServices'];

export function generateResources(n: number): Resource[] {
  const next = random(42);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const out: Resource[] = [];
  for (let i = 0; i < n; i++) {
    const type = pick(types);
    const keySource = pick(keySources);
    const properties: { [key: string]: Value } = { publicNetworkAccess: 'Disabled' };
    if (keySource !== undefined) properties.encryption = { keySource };
    const json = { name: `acct${i}`, type, kind: pick(kinds), location: 'westeurope', properties };
    out.push({
      id: `/subscriptions/s/resourceGroups/rg/providers/${type}/acct${i}`,
      type,
      name: `acct${i}`,
      json,
      source: null,
      origin: 'snapshot'
    });
  }
  return out;
}

type Outcome = 'not applicable' | 'compliant' | 'noncompliant';

/**
 * The same rule, written by hand as Azure Policy's semantics require: case-insensitive compares,
 * a missing keySource is not Microsoft.KeyVault, and (as Azure decides applicability from the
 * type and kind conditions) an account of an excluded kind is not reported at all while one of
 * another kind is compliant or not.
 */
function handWritten(excludedKinds: string[]): (r: Resource) => Outcome {
  const excluded = new Set(excludedKinds.map(k => k.toLowerCase()));
  return r => {
    if (r.type.toLowerCase() !== 'microsoft.cognitiveservices/accounts') return 'not applicable';
    const kind = r.json.kind;
    if (typeof kind === 'string' && excluded.has(kind.toLowerCase())) return 'not applicable';
    const props = r.json.properties as { encryption?: { keySource?: string } } | undefined;
    const keySource = props?.encryption?.keySource;
    return typeof keySource === 'string' && keySource.toLowerCase() === 'microsoft.keyvault'
      ? 'compliant'
      : 'noncompliant';
  };
}

function time(run: () => number): { ms: number; hits: number } {
  const start = process.hrtime.bigint();
  const hits = run();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, hits };
}

export function runEngineBench(root: string = process.cwd()): { engineMs: number; handMs: number; ratio: number } {
  const json = JSON.parse(fs.readFileSync(path.join(root, definitionFile), 'utf8').replace(/^\uFEFF/, ''));
  const def = loadDefinition({ file: definitionFile, json });
  const excluded = (def.parameters.excludedKinds.defaultValue as string[]) ?? [];
  const predicate = handWritten(excluded);
  const resources = generateResources(100_000);
  // Both sides count non-compliant and compliant resources (as a signed tally), so both must tell all three outcomes apart.
  const engineOnce = () => {
    let n = 0;
    for (const r of resources) {
      const e = def.evaluate(r);
      if (e.applicable) n += e.verdict === 'noncompliant' ? 1_000_000 : 1;
    }
    return n;
  };
  const engine = engineOnce;
  const hand = () => {
    let n = 0;
    for (const r of resources) {
      const outcome = predicate(r);
      if (outcome !== 'not applicable') n += outcome === 'noncompliant' ? 1_000_000 : 1;
    }
    return n;
  };
  // Warm up both, then take the best of five runs each.
  engine();
  hand();
  let engineMs = Infinity;
  let handMs = Infinity;
  let engineHits = 0;
  let handHits = 0;
  for (let i = 0; i < 5; i++) {
    const e = time(engineOnce);
    const h = time(hand);
    engineMs = Math.min(engineMs, e.ms);
    handMs = Math.min(handMs, h.ms);
    engineHits = e.hits;
    handHits = h.hits;
  }
  if (engineHits !== handHits)
    throw new Error(`engine tallied ${engineHits} (non-compliant × 1e6 + compliant), hand-written ${handHits}`);
  const ratio = engineMs / handMs;
  const noncompliant = Math.floor(engineHits / 1_000_000);
  console.log(
    `engine: built-in 67121cc7 on 100,000 resources (${noncompliant} non-compliant, ${engineHits % 1_000_000} compliant)`
  );
  console.log(`  compiled engine   ${engineMs.toFixed(1)} ms`);
  console.log(`  hand-written JS   ${handMs.toFixed(1)} ms`);
  console.log(`  ratio             ${ratio.toFixed(2)}× (target: within 3×)`);
  return { engineMs, handMs, ratio };
}
