/**
 * `Indexed` evaluates "only resource types that support tags and location" (definition-structure-basics#
 * resource-manager-modes); which types support tags is Microsoft Learn's "Tag support for Azure resources"
 * page, kept as Markdown in scripts/tag-support/ and turned into src/engine/tagSupport.data.ts by
 * scripts/build-tag-support.js, with the verified additions of scripts/tag-support/additions.json. Where the page and the shape-based rule it replaced disagree, the page wins;
 * the built-ins agree with it (Azure's five ML-compute built-ins are All-mode, and Indexed built-ins gate on
 * Microsoft.Cdn/profiles/endpoints and Microsoft.HealthcareApis/workspaces/fhirservices).
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, isIndexedType, loadDefinition } from '../../src/engine/index.js';
import { TAG_SUPPORT_SOURCE } from '../../src/engine/tagSupport.data.js';
import type { Finding } from '../../src/model/finding.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
// @ts-expect-error: a plain JavaScript build script, without declarations
import * as script from '../../scripts/build-tag-support.js';

const { parseTagSupportPage, tagSupportModule, pagePath, sourcePath, additionsPath, outPath } = script as {
  parseTagSupportPage: (text: string, file?: string) => { msDate: string; rows: { type: string; tags: boolean }[] };
  tagSupportModule: (text: string, source: unknown, additionsText: string) => string;
  pagePath: string;
  sourcePath: string;
  additionsPath: string;
  outPath: string;
};

const page = fs.readFileSync(pagePath, 'utf8');
const source = JSON.parse(fs.readFileSync(sourcePath, 'utf8')) as { sha256: string; characters: number };
const additions = fs.readFileSync(additionsPath, 'utf8');

describe('the tag-support table', () => {
  it('is what scripts/build-tag-support.js makes from the committed page (not stale)', () => {
    expect(fs.readFileSync(outPath, 'utf8')).toBe(tagSupportModule(page, source, additions));
    expect(page.length).toBe(source.characters);
    expect(TAG_SUPPORT_SOURCE.msDate).toBe('2026-02-09');
    expect(TAG_SUPPORT_SOURCE.types).toBeGreaterThan(2500);
  });

  it('refuses a copy of the page that source.json does not record', () => {
    expect(() => tagSupportModule(`${page}\n`, source, additions)).toThrow(
      /SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} that scripts\/tag-support\/source\.json records/
    );
  });

  const table = (rows: string, heading = '## Microsoft.Example') =>
    [
      '---',
      'ms.date: 02/09/2026',
      '---',
      heading,
      '',
      '> [!div class="mx-tableFixed"]',
      '> | Resource type | Supports tags | Tag in cost report |',
      '> | ------------- | ----------- | ----------- |',
      rows
    ].join('\n');

  it('reads a row’s type below its namespace, nested segments joined, and its answer', () => {
    const { msDate, rows } = parseTagSupportPage(
      table('> | things / parts / bits | Yes | No |\n> | other | No | No |')
    );
    expect(msDate).toBe('2026-02-09');
    expect(rows.map(r => [r.type, r.tags])).toEqual([
      ['Microsoft.Example/things/parts/bits', true],
      ['Microsoft.Example/other', false]
    ]);
  });

  it('stops at a row it cannot read, naming the line', () => {
    expect(() => parseTagSupportPage(table('> | things | Maybe | No |'), 'p.md')).toThrow(
      /^p\.md:9: "Supports tags" is "Maybe"/
    );
    expect(() => parseTagSupportPage(table('> | things | Yes |'), 'p.md')).toThrow(/^p\.md:9: a row of 2 cells/);
    expect(() => parseTagSupportPage(table('> | thi ngs | Yes | Yes |'), 'p.md')).toThrow(/not a resource type/);
    expect(() => parseTagSupportPage(table('> | things | Yes | Yes |', '## Next steps'), 'p.md')).toThrow(
      /^p\.md:7: a table row outside a resource provider section/
    );
    expect(() => parseTagSupportPage(table('').replace('ms.date: 02/09/2026', ''), 'p.md')).toThrow(/ms\.date/);
  });

  // An additions.json of these entries, one key a line, as the committed file is laid out.
  const withAdditions = (...entries: Record<string, unknown>[]) =>
    tagSupportModule(page, source, JSON.stringify({ types: entries }, null, 2));
  const tracked = {
    type: 'Microsoft.Example/things/parts',
    tags: true,
    location: true,
    source: 'https://learn.microsoft.com/azure/templates/microsoft.example/things/parts',
    reason: 'Its template reference gives it a location and tags.'
  };

  it('lists each addition with its source and reason, and puts it in the table', () => {
    const module = withAdditions(tracked, {
      ...tracked,
      type: 'Microsoft.KeyVault/vaults/secrets',
      location: false,
      reason: 'No location in its template reference.'
    });
    expect(module).toContain(
      '//  - Microsoft.Example/things/parts: tags, location; https://learn.microsoft.com/azure/templates/microsoft.example/things/parts\n//    Its template reference gives it a location and tags.\n'
    );
    expect(module).toContain('["microsoft.example", "+things/parts"]');
    expect(module).toMatch(/"microsoft\.keyvault", "[^"]* ~vaults\/secrets"/);
    expect(tagSupportModule(page, source, additions)).toMatch(/"microsoft\.keyvault", "[^"]* ~vaults\/secrets"/);
    expect(withAdditions()).toMatch(/"microsoft\.keyvault", "[^"]* \+vaults\/secrets"/);
  });

  it('refuses an addition that disagrees with the page, adds nothing to it, or comes twice, naming its line', () => {
    expect(() => withAdditions({ ...tracked, type: 'Microsoft.KeyVault/vaults/secrets' })).toThrow(
      /^additions\.json:4: Microsoft\.KeyVault\/vaults\/secrets: adds nothing to the page's answer/
    );
    expect(() =>
      withAdditions({ ...tracked, type: 'Microsoft.MachineLearningServices/workspaces/computes', location: false })
    ).toThrow(/^additions\.json:4: .*computes: the page says it does not support tags; "tags" must agree/);
    expect(() => withAdditions(tracked, { ...tracked, type: 'microsoft.example/THINGS/parts' })).toThrow(
      /^additions\.json:11: microsoft\.example\/THINGS\/parts is listed again \(first at line 4\)/
    );
  });

  it('refuses an addition without both answers, a source or a reason, naming its line', () => {
    expect(() => withAdditions({ ...tracked, location: 'yes' })).toThrow(
      /^additions\.json:4: entry 1 \(Microsoft\.Example\/things\/parts\): "location" is not true or false/
    );
    expect(() => withAdditions(tracked, { ...tracked, type: 'Microsoft.Example/other', source: 'the docs' })).toThrow(
      /^additions\.json:11: entry 2 \(Microsoft\.Example\/other\): "source" is not an https address/
    );
    expect(() => withAdditions({ ...tracked, reason: ' ' })).toThrow(/^additions\.json:4: entry 1 .*: no "reason"/);
    expect(() => withAdditions({ ...tracked, type: 'things' })).toThrow(/"type" is "things", not a resource type/);
    expect(() => withAdditions({ ...tracked, because: 'x' })).toThrow(/: unknown "because"/);
    expect(() => withAdditions(tracked, { ...tracked, type: 'microsoft.example/things/parts' })).toThrow(
      /^additions\.json:11: microsoft\.example\/things\/parts is listed again \(first at line 4\)/
    );
    expect(() => tagSupportModule(page, source, '{"types": [null]}')).toThrow(
      /^additions\.json:1: entry 1 is not an object/
    );
    expect(() => tagSupportModule(page, source, '{"types": [}')).toThrow(/^additions\.json: .*JSON/);
  });
});

describe('Indexed mode and the tag-support page', () => {
  it('evaluates types the old rule skipped that the page says support tags', () => {
    for (const type of [
      'Microsoft.CognitiveServices/accounts/projects',
      'Microsoft.Cdn/profiles/endpoints',
      'Microsoft.HealthcareApis/workspaces/fhirservices',
      'Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments',
      'Microsoft.Compute/virtualMachines/runCommands'
    ])
      expect([type, isIndexedType(type)]).toEqual([type, true]);
  });

  it('skips types the old rule evaluated that the page says do not support tags', () => {
    for (const type of [
      'Microsoft.MachineLearningServices/workspaces/computes',
      'Microsoft.Kusto/clusters/databases',
      'Microsoft.Compute/virtualMachineScaleSets/virtualMachines',
      'Microsoft.AppPlatform/Spring/apps',
      'Microsoft.KubernetesConfiguration/extensions',
      'Microsoft.ClassicCompute/virtualMachines'
    ])
      expect([type, isIndexedType(type)]).toEqual([type, false]);
  });

  it('skips a type with tags but no location', () => {
    expect(isIndexedType('Microsoft.KeyVault/vaults/secrets')).toBe(false);
    expect(isIndexedType('Microsoft.KeyVault/vaults')).toBe(true);
  });

  it('still skips resource groups and subscriptions, which the page says take tags', () => {
    expect(isIndexedType('Microsoft.Resources/resourceGroups')).toBe(false);
    expect(isIndexedType('Microsoft.Resources/subscriptions')).toBe(false);
    expect(isIndexedType('Microsoft.Resources/deploymentScripts')).toBe(true);
  });

  it('compares type names ignoring case', () => {
    expect(isIndexedType('MICROSOFT.COGNITIVESERVICES/ACCOUNTS/PROJECTS')).toBe(true);
    expect(isIndexedType('microsoft.machinelearningservices/WORKSPACES/Computes')).toBe(false);
    // The page spells this namespace `microsoft.insights` and this type `actiongroups`.
    expect(isIndexedType('Microsoft.Insights/actionGroups')).toBe(true);
  });

  it('decides a type the page does not list by its shape: top-level evaluated, children not', () => {
    expect(isIndexedType('Microsoft.Network/applicationGateways')).toBe(true);
    expect(isIndexedType('Microsoft.Network/routeTables/routes')).toBe(false);
    expect(isIndexedType('Microsoft.Storage/storageAccounts/blobServices/containers')).toBe(false);
    expect(isIndexedType('Microsoft.Resources/deployments')).toBe(false);
    expect(isIndexedType('Microsoft.Media/mediaservices/liveEvents')).toBe(true);
    expect(isIndexedType('Microsoft.EventGrid/namespaces/topics')).toBe(false);
  });

  it('evaluates the unlisted child types whose template reference gives them a location and tags', () => {
    for (const type of [
      'Microsoft.HealthcareApis/workspaces/iotconnectors',
      'Microsoft.Network/networkManagers/ipamPools',
      'Microsoft.TimeSeriesInsights/environments/eventSources'
    ])
      expect([type, isIndexedType(type)]).toEqual([type, true]);
    // A proxy an Indexed built-in also gates on: no location or tags in its template reference.
    expect(isIndexedType('Microsoft.Cache/redisEnterprise/databases')).toBe(false);
  });
});

describe('an Indexed definition that can apply to nothing', () => {
  const definition = (mode: string | undefined, types: string[]) =>
    loadDefinition({
      file: 'd.json',
      json: {
        properties: {
          ...(mode === undefined ? {} : { mode }),
          policyRule: {
            if: {
              allOf: [
                types.length === 1 ? { field: 'type', equals: types[0] } : { field: 'type', in: types },
                { field: 'location', notEquals: 'westeurope' }
              ]
            },
            then: { effect: 'deny' }
          }
        }
      }
    });
  const warned = (mode: string | undefined, types: string[]) =>
    definition(mode, types).notes.filter(n => n.startsWith('mode Indexed'));

  it('loads with a note naming the types: Azure accepts it and, by its docs, never applies it', () => {
    const [note] = warned('Indexed', ['Microsoft.MachineLearningServices/workspaces/computes']);
    expect(note).toMatch(
      /^mode Indexed evaluates only resource types that support tags and location, and by the tag-support page none of the types the "if" requires does \(microsoft\.machinelearningservices\/workspaces\/computes\): the definition applies to no resource here/
    );
    expect(warned('indexed', ['Microsoft.KeyVault/vaults/secrets', 'Microsoft.Resources/resourceGroups'])).toHaveLength(
      1
    );
  });

  it('says nothing when one of the types is evaluated, under All, or when the definition names no mode', () => {
    expect(
      warned('Indexed', [
        'Microsoft.MachineLearningServices/workspaces/computes',
        'Microsoft.MachineLearningServices/workspaces'
      ])
    ).toEqual([]);
    expect(warned('All', ['Microsoft.MachineLearningServices/workspaces/computes'])).toEqual([]);
    // Azure's regulatory "Static" definitions leave mode out and are not evaluated at all.
    expect(warned(undefined, ['Microsoft.Resources/subscriptions'])).toEqual([]);
  });
});

describe('Indexed "Allowed locations" and nested child resources', () => {
  const builtins = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/engine/modes');
  const allowedLocations = loadDefinition({
    file: 'General_AllowedLocations_Deny.json',
    json: JSON.parse(fs.readFileSync(path.join(builtins, 'General_AllowedLocations_Deny.json'), 'utf8'))
  });
  const parameters = { [allowedLocations.name]: { listOfAllowedLocations: ['westeurope'] } };
  const verdicts = (findings: Finding[]) => findings.map(f => `${f.resource.name} ${f.verdict}`).sort();

  // Parents in the allowed region; each child, declared inside its parent, in another.
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [
      {
        type: 'Microsoft.CognitiveServices/accounts',
        apiVersion: '2025-06-01',
        name: 'foundry',
        location: 'westeurope',
        kind: 'AIServices',
        sku: { name: 'S0' },
        properties: { allowProjectManagement: true },
        resources: [
          {
            type: 'projects',
            apiVersion: '2025-06-01',
            name: 'proj',
            location: 'eastus',
            dependsOn: ['foundry'],
            properties: {}
          }
        ]
      },
      {
        type: 'Microsoft.MachineLearningServices/workspaces',
        apiVersion: '2024-10-01',
        name: 'hub',
        location: 'westeurope',
        properties: {},
        resources: [
          {
            type: 'computes',
            apiVersion: '2024-10-01',
            name: 'cpu',
            location: 'eastus',
            dependsOn: ['hub'],
            properties: { computeType: 'AmlCompute' }
          }
        ]
      }
    ]
  };

  it('judges a Foundry project (tags) and leaves an ML compute (no tags) alone', () => {
    const { resources } = expandTemplateDocument(parseJsonWithPositions(JSON.stringify(template, null, 2), 'ai.json'));
    expect(resources.map(r => r.type).sort()).toEqual([
      'Microsoft.CognitiveServices/accounts',
      'Microsoft.CognitiveServices/accounts/projects',
      'Microsoft.MachineLearningServices/workspaces',
      'Microsoft.MachineLearningServices/workspaces/computes'
    ]);
    expect(verdicts(evaluateDefinitions([allowedLocations], resources, { parameters }))).toEqual([
      'foundry compliant',
      'foundry/proj noncompliant',
      'hub compliant'
    ]);
  });
});
