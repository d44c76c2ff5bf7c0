/**
 * The engine on the pack's compiled definitions (policies/compiled) over generated resources,
 * against two baselines in the same process on the same resources:
 * - `engine_vs_handwritten`: hand-written JavaScript predicates of the same seven rules, with
 *   Azure Policy's semantics (case-insensitive types and values, applicability from type and kind);
 * - `engine_vs_ajv`: ajv validating the rules' source schemas (`appliesTo` and `schema`).
 * The sides take turns, best of several runs each, timed in processor time (see `interleaved`).
 * Every side must reach the same verdicts, or the benchmark fails instead of printing a ratio.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { loadDefinition, type CompiledDefinition } from '../src/engine/index.js';
import type { Resource } from '../src/model/resource.js';
import type { Value } from '../src/model/value.js';
import { loadPolicyDirectory } from '../src/rules/index.js';
import { count, now, round, type Benchmark, type BenchOptions } from './framework.js';

/** A small deterministic generator, so every run measures the same resources. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type J = { [key: string]: Value };

const accountKinds = [
  'OpenAI',
  'TextAnalytics',
  'ComputerVision',
  'FormRecognizer',
  'AIServices',
  'CognitiveServices',
  'Face',
  'SpeechServices',
  'Bing.Search',
  undefined
];
const identityTypes = [undefined, 'SystemAssigned', 'UserAssigned', 'SystemAssigned, UserAssigned', 'None'];
const workspaceKinds = ['Hub', 'Project', 'Default', undefined];

/**
 * Resources of the types the pack is about, in every shape its rules tell apart, and some it is
 * not about. Types vary in case (ARM compares them case-insensitively); values are spelled as the
 * rules' schemas spell them, so ajv, which compares exactly, can decide the same.
 */
export function generateResources(n: number): Resource[] {
  const next = random(42);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const chance = (p: number) => next() < p;
  const out: Resource[] = [];
  for (let i = 0; i < n; i++) {
    const shape = next();
    let type: string;
    const json: J = { name: `res${i}`, location: 'westeurope' };
    const properties: J = {};
    if (shape < 0.3) {
      type = 'Microsoft.CognitiveServices/accounts';
      const kind = pick(accountKinds);
      if (kind) json.kind = kind;
      const identity = pick(identityTypes);
      if (identity) json.identity = { type: identity };
      const keySource = next();
      if (keySource < 0.25) properties.encryption = { keySource: 'Microsoft.CognitiveServices' };
      else if (keySource < 0.75) {
        const keyVaultProperties: J = { keyName: 'cmk' };
        if (chance(0.9)) keyVaultProperties.keyVaultUri = 'https://kv.vault.azure.net/';
        if (chance(0.5)) keyVaultProperties.identityClientId = '00000000-0000-0000-0000-000000000001';
        properties.encryption = chance(0.9)
          ? { keySource: 'Microsoft.KeyVault', keyVaultProperties }
          : { keySource: 'Microsoft.KeyVault' };
      }
      properties.publicNetworkAccess = 'Disabled';
    } else if (shape < 0.45) {
      type = 'Microsoft.MachineLearningServices/workspaces';
      const kind = pick(workspaceKinds);
      if (kind) json.kind = kind;
      if (chance(0.7)) properties.hbiWorkspace = chance(0.6);
      if (chance(0.6)) {
        const encryption: J = { status: chance(0.8) ? 'Enabled' : 'Disabled' };
        if (chance(0.9)) {
          const keyVaultProperties: J = { keyVaultArmId: '/subscriptions/s/resourceGroups/rg/providers/x/y' };
          if (chance(0.9)) keyVaultProperties.keyIdentifier = 'https://kv.vault.azure.net/keys/cmk';
          encryption.keyVaultProperties = keyVaultProperties;
        }
        properties.encryption = encryption;
      }
    } else if (shape < 0.65) {
      type = 'Microsoft.Storage/storageAccounts';
      json.kind = 'StorageV2';
      const keySource = next();
      if (keySource < 0.3) properties.encryption = { keySource: 'Microsoft.Storage' };
      else if (keySource < 0.9) {
        const keyvaultproperties: J = { keyname: 'cmk' };
        if (chance(0.9)) keyvaultproperties.keyvaulturi = 'https://kv.vault.azure.net';
        properties.encryption = { keySource: 'Microsoft.Keyvault', keyvaultproperties };
      }
    } else if (shape < 0.8) {
      type = 'Microsoft.KeyVault/vaults';
      if (chance(0.7)) properties.enablePurgeProtection = chance(0.7);
      if (chance(0.7)) properties.enableSoftDelete = chance(0.8);
    } else {
      type = pick(['Microsoft.Web/sites', 'Microsoft.Network/virtualNetworks', 'Microsoft.Sql/servers']);
    }
    if (chance(0.2)) type = type.toLowerCase();
    json.type = type;
    json.properties = properties;
    out.push({
      id: `/subscriptions/s/resourceGroups/rg/providers/${type}/res${i}`,
      type,
      name: `res${i}`,
      json,
      source: null,
      origin: 'snapshot'
    });
  }
  return out;
}

type Outcome = 'not applicable' | 'compliant' | 'noncompliant';

const lower = (v: unknown): string | undefined => (typeof v === 'string' ? v.toLowerCase() : undefined);
const obj = (v: unknown): J | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as J) : undefined;
const props = (r: Resource) => obj(r.json.properties) ?? {};

const foundryKinds = new Set(
  [
    'OpenAI',
    'CustomVision.Training',
    'CustomVision.Prediction',
    'ContentSafety',
    'Face',
    'FormRecognizer',
    'TextTranslation',
    'TextAnalytics',
    'SpeechServices',
    'ContentModerator',
    'Personalizer',
    'AIServices',
    'CognitiveServices'
  ].map(k => k.toLowerCase())
);
const anyIdentity = new Set([
  'systemassigned',
  'userassigned',
  'systemassigned, userassigned',
  'systemassigned,userassigned'
]);
const systemIdentity = new Set(['systemassigned', 'systemassigned, userassigned', 'systemassigned,userassigned']);

/**
 * The pack's policy rules written by hand, as Azure Policy decides them: a resource of the rule's
 * type is reported unless its kind excludes it (only type and kind conditions decide
 * applicability); strings compare case-insensitively; a missing value is not the wanted one.
 */
const handWritten: Record<string, (r: Resource, type: string) => Outcome> = {
  'foundry-tools-cmk': (r, type) => {
    if (type !== 'microsoft.cognitiveservices/accounts') return 'not applicable';
    const kind = lower(r.json.kind);
    if (kind === undefined || !foundryKinds.has(kind)) return 'not applicable';
    const encryption = obj(props(r).encryption);
    const kvp = obj(encryption?.keyVaultProperties);
    const ok =
      lower(encryption?.keySource) === 'microsoft.keyvault' &&
      kvp !== undefined &&
      kvp.keyName !== undefined &&
      kvp.keyVaultUri !== undefined;
    return ok ? 'compliant' : 'noncompliant';
  },
  'foundry-tools-cmk-identity': (r, type) => {
    if (type !== 'microsoft.cognitiveservices/accounts') return 'not applicable';
    const encryption = obj(props(r).encryption);
    if (lower(encryption?.keySource) !== 'microsoft.keyvault') return 'compliant';
    const identity = lower(obj(r.json.identity)?.type);
    if (identity === undefined || !anyIdentity.has(identity)) return 'noncompliant';
    if (lower(r.json.kind) === 'openai' && !systemIdentity.has(identity)) return 'noncompliant';
    if (identity === 'userassigned' && obj(encryption?.keyVaultProperties)?.identityClientId === undefined)
      return 'noncompliant';
    return 'compliant';
  },
  'key-vault-soft-delete': (r, type) => {
    if (type !== 'microsoft.keyvault/vaults') return 'not applicable';
    return props(r).enableSoftDelete === false ? 'noncompliant' : 'compliant';
  },
  'key-vault-purge-protection': (r, type) => {
    if (type !== 'microsoft.keyvault/vaults') return 'not applicable';
    return props(r).enablePurgeProtection === true ? 'compliant' : 'noncompliant';
  },
  'ai-hub-cmk': (r, type) => {
    if (type !== 'microsoft.machinelearningservices/workspaces') return 'not applicable';
    if (lower(r.json.kind) === 'project') return 'not applicable';
    const encryption = obj(props(r).encryption);
    const kvp = obj(encryption?.keyVaultProperties);
    const ok =
      lower(encryption?.status) === 'enabled' &&
      kvp !== undefined &&
      kvp.keyVaultArmId !== undefined &&
      kvp.keyIdentifier !== undefined;
    return ok ? 'compliant' : 'noncompliant';
  },
  'ai-hub-hbi': (r, type) => {
    if (type !== 'microsoft.machinelearningservices/workspaces') return 'not applicable';
    if (lower(r.json.kind) === 'project') return 'not applicable';
    return props(r).hbiWorkspace === true ? 'compliant' : 'noncompliant';
  },
  'dependent-storage-cmk': (r, type) => {
    if (type !== 'microsoft.storage/storageaccounts') return 'not applicable';
    const encryption = obj(props(r).encryption);
    const kvp = obj(encryption?.keyvaultproperties);
    const ok =
      lower(encryption?.keySource) === 'microsoft.keyvault' &&
      kvp !== undefined &&
      kvp.keyname !== undefined &&
      kvp.keyvaulturi !== undefined;
    return ok ? 'compliant' : 'noncompliant';
  }
};

/** Per rule: non-compliant × 1e6 + compliant, so two sides agree only if they tell all three outcomes apart alike. */
type Tally = Record<string, number>;

function packDefinitions(root: string): CompiledDefinition[] {
  const dir = path.join(root, 'policies/compiled/policyDefinitions');
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.json'))
    .sort()
    .map(f => loadDefinition({ file: f, json: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

/** As a run evaluates a resource nothing changes (`evaluateInOrder`): the type first, as ajv's side does too. */
function engineRun(defs: CompiledDefinition[], resources: Resource[]): Tally {
  const tally = new Array<number>(defs.length).fill(0);
  for (const resource of resources) {
    for (let d = 0; d < defs.length; d++) {
      const def = defs[d];
      if (!def.mayApply(resource.type)) continue;
      const e = def.evaluate(resource);
      if (e.applicable) tally[d] += e.verdict === 'noncompliant' ? 1_000_000 : 1;
    }
  }
  return Object.fromEntries(defs.map((d, i) => [d.name, tally[i]]));
}

function handRun(names: string[], resources: Resource[]): Tally {
  const predicates = names.map(n => handWritten[n]);
  const tally = new Array<number>(names.length).fill(0);
  for (const resource of resources) {
    const type = resource.type.toLowerCase();
    for (let d = 0; d < predicates.length; d++) {
      const outcome = predicates[d](resource, type);
      if (outcome !== 'not applicable') tally[d] += outcome === 'noncompliant' ? 1_000_000 : 1;
    }
  }
  return Object.fromEntries(names.map((n, i) => [n, tally[i]]));
}

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;

interface AjvRule {
  name: string;
  types: Set<string>;
  appliesTo: ((data: unknown) => boolean) | null;
  schema: (data: unknown) => boolean;
}

function ajvRules(root: string, names: string[]): AjvRule[] {
  const { rules } = loadPolicyDirectory(path.join(root, 'policies'));
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  return names.map(name => {
    const rule = rules.find(r => r.name === name);
    if (!rule) throw new Error(`the pack has no rule ${name}`);
    const types = Array.isArray(rule.resourceType) ? rule.resourceType : [rule.resourceType];
    return {
      name,
      types: new Set(types.map(t => t.toLowerCase())),
      appliesTo: rule.appliesTo === undefined ? null : ajv.compile(rule.appliesTo as object),
      schema: ajv.compile(rule.schema as object)
    };
  });
}

/** Per rule, the non-compliant resources: where a rule's `appliesTo` fails, ajv has no verdict to count. */
function ajvRun(rules: AjvRule[], resources: Resource[]): Tally {
  const noncompliant = new Array<number>(rules.length).fill(0);
  for (const resource of resources) {
    const type = resource.type.toLowerCase();
    for (let d = 0; d < rules.length; d++) {
      const rule = rules[d];
      if (!rule.types.has(type)) continue;
      if (rule.appliesTo && !rule.appliesTo(resource.json)) continue;
      if (!rule.schema(resource.json)) noncompliant[d]++;
    }
  }
  return Object.fromEntries(rules.map((r, i) => [r.name, noncompliant[i]]));
}

const nonCompliantOnly = (tally: Tally): Tally =>
  Object.fromEntries(Object.entries(tally).map(([k, v]) => [k, Math.floor(v / 1_000_000)]));

function sameTally(what: string, a: Tally, b: Tally): void {
  const text = (t: Tally) => JSON.stringify(t, Object.keys(t).sort());
  if (text(a) !== text(b)) throw new Error(`${what} disagree: ${text(a)} against ${text(b)}`);
}

interface EngineMeasurement {
  resources: number;
  definitions: number;
  /** Processor time, the least of several runs. */
  engineMs: number;
  handMs: number;
  ajvMs: number;
  /** Wall-clock time, the least of the same runs. */
  engineWallMs: number;
  handWallMs: number;
  ajvWallMs: number;
  noncompliant: number;
  compliant: number;
}

let measured: Promise<EngineMeasurement> | undefined;

/** Processor time of this process so far (every thread: the garbage collector's helpers count too), in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The least processor time of `tries` runs of each side (after one warm-up run each), the sides
 * taking turns, with the least wall-clock time beside it. The ratios come from processor time: on
 * a shared machine the least wall-clock time of several depends on how busy the machine was during
 * each side's runs, and a longer run is less likely to find a quiet spell; processor time counts the
 * work each side does, whatever else runs.
 */
function interleaved(tries: number, sides: (() => Tally)[]): { ms: number; wallMs: number; value: Tally }[] {
  const out = sides.map(run => ({ ms: Infinity, wallMs: Infinity, value: run() }));
  for (let i = 0; i < tries; i++) {
    sides.forEach((run, s) => {
      const start = now();
      const cpuStart = cpuMs();
      out[s].value = run();
      out[s].ms = Math.min(out[s].ms, cpuMs() - cpuStart);
      out[s].wallMs = Math.min(out[s].wallMs, now() - start);
    });
  }
  return out;
}

/** Both entries share one measurement: the same resources, the three sides timed in turns. */
function measure(options: BenchOptions): Promise<EngineMeasurement> {
  measured ??= (async () => {
    const n = options.quick ? 20_000 : 100_000;
    const tries = options.quick ? 40 : 20;
    const defs = packDefinitions(options.root);
    const names = defs.map(d => d.name);
    for (const name of names) if (!handWritten[name]) throw new Error(`no hand-written predicate for ${name}`);
    const rules = ajvRules(options.root, names);
    const resources = generateResources(n);
    const [engine, hand, ajv] = interleaved(tries, [
      () => engineRun(defs, resources),
      () => handRun(names, resources),
      () => ajvRun(rules, resources)
    ]);
    sameTally('the engine and the hand-written predicates', engine.value, hand.value);
    sameTally('the engine and ajv (non-compliant resources per rule)', nonCompliantOnly(engine.value), ajv.value);
    const total = Object.values(engine.value).reduce((a, b) => a + b, 0);
    return {
      resources: n,
      definitions: defs.length,
      engineMs: engine.ms,
      handMs: hand.ms,
      ajvMs: ajv.ms,
      engineWallMs: engine.wallMs,
      handWallMs: hand.wallMs,
      ajvWallMs: ajv.wallMs,
      noncompliant: Math.floor(total / 1_000_000),
      compliant: total % 1_000_000
    };
  })();
  return measured;
}

function describe(m: EngineMeasurement, other: string, otherMs: number, otherWallMs: number): string {
  return (
    `${m.definitions} compiled pack definitions × ${count(m.resources)} generated resources ` +
    `(${count(m.noncompliant)} non-compliant, ${count(m.compliant)} compliant findings): ` +
    `engine ${m.engineMs.toFixed(1)} ms, ${other} ${otherMs.toFixed(1)} ms of processor time ` +
    `(wall-clock ${m.engineWallMs.toFixed(1)} ms and ${otherWallMs.toFixed(1)} ms, ` +
    `${(m.engineWallMs / otherWallMs).toFixed(2)}×; least of several runs taking turns in one process)`
  );
}

export const engineVsHandwritten: Benchmark = {
  name: 'engine_vs_handwritten',
  target: 3,
  compares: 'engine ÷ hand-written JS predicates',
  async run(options) {
    const m = await measure(options);
    return { ratio: round(m.engineMs / m.handMs), detail: describe(m, 'hand-written', m.handMs, m.handWallMs) };
  }
};

export const engineVsAjv: Benchmark = {
  name: 'engine_vs_ajv',
  target: 1.5,
  compares: "engine ÷ ajv on the rules' source schemas",
  async run(options) {
    const m = await measure(options);
    return { ratio: round(m.engineMs / m.ajvMs), detail: describe(m, 'ajv', m.ajvMs, m.ajvWallMs) };
  }
};
