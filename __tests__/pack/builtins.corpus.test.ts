/**
 * Our rules against Azure's closest built-in definitions, both evaluated by the engine on the
 * same public resources: the corpus templates and the PSRule snapshots. Every resource on which
 * the two verdicts differ is listed here with a reason, and every reason is explained in the
 * section "Comparison with Azure's built-ins" of policies/README.md. A new disagreement fails
 * the test until it is understood and explained.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineAliasCatalog } from '../../src/run.js';
import { compileRule } from '../../src/compiler/index.js';
import { evaluateDefinitions, loadDefinition, type CompiledDefinition } from '../../src/engine/index.js';
import type { Verdict } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import { isObject, type Value } from '../../src/model/value.js';
import { loadPolicyDirectory, type Rule } from '../../src/rules/index.js';
import { loadResourceSnapshot, loadTemplates } from '../../src/sources/index.js';
import { armResource } from '../support/arm-resource.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');

type Outcome = Verdict | 'not applicable';

interface Comparison {
  rule: string;
  /** Under the corpus's builtin/. */
  builtin: string;
  guid: string;
  /** Assignment parameters for the built-in. */
  parameters?: Record<string, Value>;
}

const comparisons: Comparison[] = [
  {
    rule: 'foundry-tools-cmk',
    builtin: 'Cognitive Services/CustomerManagedKey_Audit.json',
    guid: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
    // Emptied so that the comparison is about the condition, not the built-in's default exclusions.
    parameters: { excludedKinds: [] }
  },
  {
    rule: 'key-vault-soft-delete',
    builtin: 'Key Vault/SoftDeleteMustBeEnabled_Audit.json',
    guid: '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d'
  },
  {
    rule: 'key-vault-purge-protection',
    builtin: 'Key Vault/Recoverable_Audit.json',
    guid: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53'
  },
  {
    rule: 'ai-hub-cmk',
    builtin: 'Machine Learning/Workspace_CMKEnabled_Audit.json',
    guid: 'ba769a63-b8cc-4b2d-abf6-ac33c7204be8'
  },
  {
    rule: 'dependent-storage-cmk',
    builtin: 'Storage/StorageAccountCustomerManagedKeyEnabled_Audit.json',
    guid: '6fac406b-40ca-413b-bf8e-0bf964659c25'
  }
];

/** One resource on which our rule and the built-in give different outcomes. */
interface Disagreement {
  rule: string;
  /** `<file> <resource name>`: the template or snapshot file's name and the resource's name in it. */
  resource: string;
  ours: Outcome;
  theirs: Outcome;
  reason: keyof typeof reasons;
}

const QS = 'Azure_azure-quickstart-templates__quickstarts_';

/** Each reason is a fact about the resource, checked on every row that names it. */
const reasons = {
  /** Our rule covers the kinds the brief names; ComputerVision and LUIS are not among them. */
  'kind-not-in-brief': (resource: Resource, rule: Rule) => {
    const kinds = (rule.appliesTo as { properties: { kind: { enum: string[] } } }).properties.kind.enum;
    const kind = resource.json.kind;
    return typeof kind === 'string' && !kinds.some(k => k.toLowerCase() === kind.toLowerCase());
  },
  /** The vault does not set enableSoftDelete: Key Vault turns it on, 1e66c121 counts it as off. */
  'soft-delete-default-on': (resource: Resource) => propertyOf(resource, 'enableSoftDelete') === undefined,
  /** The vault is created with createMode recover: the built-ins leave it out. */
  'create-mode-recover': (resource: Resource) => String(propertyOf(resource, 'createMode')).toLowerCase() === 'recover',
  /**
   * 0b60c0b2 reads soft delete through requestContext().apiVersion: absent counts as off before 2019-09-01. Only a
   * request (a template's resource) has an old api-version: an existing resource is evaluated at the latest.
   */
  'api-version-before-2019-09-01': (resource: Resource) =>
    resource.origin === 'template' && typeof resource.apiVersion === 'string' && resource.apiVersion < '2019-09-01',
  /**
   * Customer-managed keys are chosen (key source Key Vault; for workspaces, encryption status
   * Enabled) but the key is not named: the built-ins look only at the switch, ours at the key too.
   */
  'key-properties-missing': (resource: Resource) => {
    const encryption = propertyOf(resource, 'encryption');
    if (!isObject(encryption)) return false;
    const status = valueOf(encryption, 'status');
    const chosen =
      status === undefined
        ? String(valueOf(encryption, 'keySource')).toLowerCase() === 'microsoft.keyvault'
        : String(status).toLowerCase() === 'enabled';
    const keyProperties = valueOf(encryption, 'keyVaultProperties');
    const keyFields = status === undefined ? ['keyName', 'keyVaultUri'] : ['keyVaultArmId', 'keyIdentifier'];
    return chosen && (!isObject(keyProperties) || keyFields.some(k => valueOf(keyProperties, k) === undefined));
  },
  /** With its default parameters, 67121cc7 leaves out AIServices and 15 other kinds. */
  'excluded-kinds-default': (resource: Resource) => String(resource.json.kind).toLowerCase() === 'aiservices'
} satisfies Record<string, (resource: Resource, rule: Rule) => boolean>;

/**
 * Every disagreement on the corpus. The corpus templates' names are long; the file names are
 * those of `corpus/templates/` and `corpus/evaltests/psrule/`.
 */
const expectedDisagreements: Disagreement[] = [
  {
    rule: 'foundry-tools-cmk',
    resource: `${QS}microsoft.cognitiveservices_cognitive-services-Computer-vision-API_azuredeploy.json computervision`,
    ours: 'not applicable',
    theirs: 'noncompliant',
    reason: 'kind-not-in-brief'
  },
  {
    rule: 'foundry-tools-cmk',
    resource: 'Resources.AI.json luis-A',
    ours: 'not applicable',
    theirs: 'noncompliant',
    reason: 'kind-not-in-brief'
  },
  {
    rule: 'foundry-tools-cmk',
    resource: 'Resources.AI.json luis-A-Authoring',
    ours: 'not applicable',
    theirs: 'noncompliant',
    reason: 'kind-not-in-brief'
  },
  ...[
    `${QS}microsoft.keyvault_key-vault-create_azuredeploy.json [parameters('keyVaultName')]`,
    `${QS}microsoft.keyvault_key-vault-secret-create_azuredeploy.json [parameters('keyVaultName')]`,
    `${QS}microsoft.keyvault_key-vault-with-logging-create_azuredeploy.json kv-dojm7b5lc3trm`,
    `${QS}microsoft.machinelearningservices_machine-learning-advanced_azuredeploy.json [parameters('keyVaultName')]`,
    `${QS}microsoft.machinelearningservices_machine-learning-create_azuredeploy.json kvdojm7b5lc3trm`,
    `${QS}microsoft.machinelearningservices_machine-learning-dataset-create-workspace-multiple-dataset-datastore_azuredeploy.json kvdojm7b5lc3trm`,
    `${QS}microsoft.machinelearningservices_machine-learning-private-ip_azuredeploy.json kvdojm7b5lc3trm`
  ].map((resource): Disagreement => ({
    rule: 'key-vault-soft-delete',
    resource,
    ours: 'compliant',
    theirs: 'noncompliant',
    reason: 'soft-delete-default-on'
  }))
];

function valueOf(object: { [key: string]: Value }, key: string): Value | undefined {
  const actual = Object.keys(object).find(k => k.toLowerCase() === key.toLowerCase());
  return actual === undefined ? undefined : object[actual];
}

function propertyOf(resource: Resource, key: string): Value | undefined {
  const properties = valueOf(resource.json, 'properties');
  return isObject(properties) ? valueOf(properties, key) : undefined;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
}

const { rules } = loadPolicyDirectory(path.join(repo, 'policies'));
const ruleNamed = (name: string): Rule => {
  const rule = rules.find(r => r.name === name);
  if (!rule) throw new Error(`the pack has no rule ${name}`);
  return rule;
};

function ourDefinition(name: string): CompiledDefinition {
  const rule = ruleNamed(name);
  return loadDefinition({ file: rule.file, json: compileRule(rule, engineAliasCatalog()) });
}

function builtinDefinition(comparison: Comparison): CompiledDefinition {
  const file = path.join(corpus, 'builtin', comparison.builtin);
  return loadDefinition({ file, json: readJson(file) });
}

/** The outcome of one definition on one resource, through the pipeline's own evaluation. */
function outcome(def: CompiledDefinition, resource: Resource, parameters?: Record<string, Value>): Outcome {
  const findings = evaluateDefinitions([def], [resource], parameters ? { parameters: { [def.name]: parameters } } : {});
  expect(findings.length).toBeLessThanOrEqual(1);
  return findings[0]?.verdict ?? 'not applicable';
}

/** The secret-create quickstart cannot deploy with its defaults (it reads `secretsObject.secrets`). */
const SECRET_CREATE = `${QS}microsoft.keyvault_key-vault-secret-create_azuredeploy.json`;

function corpusResources(): Resource[] {
  const templates = loadTemplates(['templates'], { cwd: corpus });
  const secretCreate = loadTemplates([`templates/${SECRET_CREATE}`], {
    cwd: corpus,
    parameterOverrides: { secretsObject: { secrets: [{ secretName: 's1', secretValue: 'v1' }] } }
  });
  expect(templates.errors.map(e => path.basename(e.location?.file ?? ''))).toEqual([SECRET_CREATE]);
  expect(secretCreate.errors).toEqual([]);
  const snapshots = path.join(corpus, 'evaltests/psrule');
  return [
    // Its resources as deployed come from the load with the secret given.
    ...templates.templates.filter(t => path.basename(t.file) !== SECRET_CREATE).flatMap(t => t.resources),
    ...secretCreate.templates.flatMap(t => t.resources),
    ...readdirSync(snapshots)
      .filter(f => /^Resources\..*\.json$/.test(f))
      .sort()
      .flatMap(f => loadResourceSnapshot(path.join(snapshots, f)))
  ].filter(r => !r.existing);
}

const resourceKey = (r: Resource) => `${path.basename(r.source?.file ?? '(no file)')} ${r.name}`;

function readmeSection(): string {
  const readme = readFileSync(path.join(repo, 'policies', 'README.md'), 'utf8');
  const start = readme.indexOf("## Comparison with Azure's built-ins");
  expect(start).toBeGreaterThan(-1);
  return readme.slice(start);
}

describe("our rules against Azure's built-ins on the corpus", () => {
  const resources = corpusResources();

  it.each(comparisons)('$builtin is $guid and the engine loads it', comparison => {
    const def = builtinDefinition(comparison);
    expect(def.name).toBe(comparison.guid);
    expect(def.notes).toEqual([]);
  });

  it('lists exactly the resources on which the verdicts differ, each with a reason that holds', () => {
    const found: Omit<Disagreement, 'reason'>[] = [];
    let compared = 0;
    for (const comparison of comparisons) {
      const ours = ourDefinition(comparison.rule);
      const theirs = builtinDefinition(comparison);
      const types = [ruleNamed(comparison.rule).resourceType].flat().map(t => t.toLowerCase());
      const ofType = resources.filter(r => types.includes(r.type.toLowerCase()));
      const keys = ofType.map(resourceKey);
      expect(new Set(keys).size).toBe(keys.length);
      for (const resource of ofType) {
        const pair = { ours: outcome(ours, resource), theirs: outcome(theirs, resource, comparison.parameters) };
        if (pair.ours === 'not applicable' && pair.theirs === 'not applicable') continue;
        compared++;
        if (pair.ours !== pair.theirs) found.push({ rule: comparison.rule, resource: resourceKey(resource), ...pair });
      }
    }
    // Every type is there in numbers: a corpus that lost its resources would agree vacuously.
    expect(compared).toBeGreaterThan(60);
    const sort = (rows: Omit<Disagreement, 'reason'>[]) =>
      [...rows].sort((a, b) => `${a.rule} ${a.resource}`.localeCompare(`${b.rule} ${b.resource}`));
    expect(sort(found)).toEqual(sort(expectedDisagreements.map(({ reason: _reason, ...row }) => row)));

    for (const row of expectedDisagreements) {
      const resource = resources.find(r => resourceKey(r) === row.resource) as Resource;
      expect({ row: row.resource, holds: reasons[row.reason](resource, ruleNamed(row.rule)) }).toEqual({
        row: row.resource,
        holds: true
      });
    }
  });

  it('explains every reason in the README section', () => {
    const section = readmeSection();
    const used = new Set<string>([
      ...expectedDisagreements.map(d => d.reason),
      ...constructed.map(c => c.reason).filter((r): r is keyof typeof reasons => r !== null)
    ]);
    expect([...used].sort()).toEqual(Object.keys(reasons).sort());
    for (const reason of used) expect(section).toContain(`\`${reason}\``);
    for (const comparison of comparisons) expect(section).toContain(comparison.guid.slice(0, 8));
  });
});

/** Differences the corpus has no resource for, shown on small resources written for the purpose. */
interface Constructed {
  title: string;
  rule: string;
  guid: string;
  parameters?: Record<string, Value>;
  resource: { [key: string]: Value };
  /** A request (a template's resource) rather than the existing resource armResource makes. */
  request?: true;
  ours: Outcome;
  theirs: Outcome;
  /** Why they differ, or null where they agree. */
  reason: keyof typeof reasons | null;
}

const vault = (properties: { [key: string]: Value }, apiVersion = '2023-07-01') => ({
  type: 'Microsoft.KeyVault/vaults',
  name: 'kv',
  apiVersion,
  properties: {
    tenantId: '00000000-0000-0000-0000-000000000000',
    sku: { family: 'A', name: 'standard' },
    ...properties
  }
});
const account = (kind: string, encryption?: { [key: string]: Value }): { [key: string]: Value } => ({
  type: 'Microsoft.CognitiveServices/accounts',
  name: 'acct',
  kind,
  properties: encryption ? { encryption } : {}
});

const constructed: Constructed[] = [
  {
    // https://learn.microsoft.com/azure/key-vault/general/key-vault-recovery: recovering a deleted vault is a PUT with createMode recover.
    title: 'a vault recovered with createMode recover and soft delete off',
    rule: 'key-vault-soft-delete',
    guid: '1e66c121-a66a-4b1f-9b83-0fd99bf0fc2d',
    resource: vault({ createMode: 'recover', enableSoftDelete: false, enablePurgeProtection: true }),
    ours: 'noncompliant',
    theirs: 'compliant',
    reason: 'create-mode-recover'
  },
  {
    title: 'a vault recovered with createMode recover and no purge protection',
    rule: 'key-vault-purge-protection',
    guid: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53',
    resource: vault({ createMode: 'recover' }),
    ours: 'noncompliant',
    theirs: 'compliant',
    reason: 'create-mode-recover'
  },
  {
    title: 'a vault with purge protection, no enableSoftDelete, at api-version 2018-02-14',
    rule: 'key-vault-purge-protection',
    guid: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53',
    resource: vault({ enablePurgeProtection: true }, '2018-02-14'),
    // Sent at that api-version: the compliance scan of an existing vault uses the latest one.
    request: true,
    ours: 'compliant',
    theirs: 'noncompliant',
    reason: 'api-version-before-2019-09-01'
  },
  {
    title: 'the same vault at api-version 2023-07-01',
    rule: 'key-vault-purge-protection',
    guid: '0b60c0b2-2dc2-4e1c-b5c9-abbed971de53',
    resource: vault({ enablePurgeProtection: true }),
    ours: 'compliant',
    theirs: 'compliant',
    reason: null
  },
  {
    title: 'an account with key source Key Vault and no keyVaultProperties',
    rule: 'foundry-tools-cmk',
    guid: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
    parameters: { excludedKinds: [] },
    resource: account('OpenAI', { keySource: 'Microsoft.KeyVault' }),
    ours: 'noncompliant',
    theirs: 'compliant',
    reason: 'key-properties-missing'
  },
  {
    title: 'an AIServices account without a customer-managed key, built-in with its default parameters',
    rule: 'foundry-tools-cmk',
    guid: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
    resource: account('AIServices'),
    ours: 'noncompliant',
    theirs: 'not applicable',
    reason: 'excluded-kinds-default'
  },
  {
    title: 'the same account with excludedKinds emptied',
    rule: 'foundry-tools-cmk',
    guid: '67121cc7-ff39-4ab8-b7e3-95b84dab487d',
    parameters: { excludedKinds: [] },
    resource: account('AIServices'),
    ours: 'noncompliant',
    theirs: 'noncompliant',
    reason: null
  },
  {
    title: 'a storage account with key source Microsoft.Keyvault and no keyvaultproperties',
    rule: 'dependent-storage-cmk',
    guid: '6fac406b-40ca-413b-bf8e-0bf964659c25',
    resource: {
      type: 'Microsoft.Storage/storageAccounts',
      name: 'st',
      kind: 'StorageV2',
      properties: { encryption: { keySource: 'Microsoft.Keyvault' } }
    },
    ours: 'noncompliant',
    theirs: 'compliant',
    reason: 'key-properties-missing'
  },
  {
    title: 'a hub with encryption status Enabled and no keyVaultProperties',
    rule: 'ai-hub-cmk',
    guid: 'ba769a63-b8cc-4b2d-abf6-ac33c7204be8',
    resource: {
      type: 'Microsoft.MachineLearningServices/workspaces',
      name: 'hub',
      kind: 'Hub',
      properties: { encryption: { status: 'Enabled' } }
    },
    ours: 'noncompliant',
    theirs: 'compliant',
    reason: 'key-properties-missing'
  },
  {
    title: 'a hub project (kind Project) without encryption',
    rule: 'ai-hub-cmk',
    guid: 'ba769a63-b8cc-4b2d-abf6-ac33c7204be8',
    resource: { type: 'Microsoft.MachineLearningServices/workspaces', name: 'proj', kind: 'Project', properties: {} },
    ours: 'not applicable',
    theirs: 'not applicable',
    reason: null
  }
];

describe('differences the corpus does not exercise, on resources written for them', () => {
  it.each(constructed)('$rule vs $guid: $title', c => {
    const comparison = comparisons.find(x => x.guid === c.guid) as Comparison;
    const existing = armResource(c.resource, 'constructed.json');
    const resource: Resource = c.request ? { ...existing, origin: 'template' } : existing;
    expect({
      ours: outcome(ourDefinition(c.rule), resource),
      theirs: outcome(builtinDefinition(comparison), resource, c.parameters)
    }).toEqual({ ours: c.ours, theirs: c.theirs });
    if (c.reason) expect(reasons[c.reason](resource, ruleNamed(c.rule))).toBe(true);
  });
});
