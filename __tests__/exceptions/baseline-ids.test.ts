/**
 * A finding's id (rule, resource type and name, file) must not depend on where the deployment goes. Three
 * public quickstarts name resources from their location (`vNet1-<location>`, `shared.gallery.<location>`,
 * a storage account whose uniqueString reads it). cmk-guard once placed every group in the made-up westus;
 * since the location is unknown unless given, those names became unknown, and a baseline written before
 * counted their findings as new.
 *
 * baseline-06fb4be.json was written by `cmk-guard baseline` built at 06fb4be (westus for every group);
 * baseline-d63bd5b.json by the build at d63bd5b (location unknown, the names written as their expressions).
 * The definition is Azure's built-in Allowed locations (e56962a6) with a default list.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/commands/index.js';
import { FINGERPRINT_KEY } from '../../src/model/fingerprint.js';
import type { FindingsDocument } from '../../src/model/finding.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';

const fixture = path.resolve('__tests__/fixtures/exceptions/baselines-before-unknown-location');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-baseline-ids-'));
  cpSync(fixture, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { cwd: dir, env: {}, stdout: t => (stdout += t), stderr: t => (stderr += t) });
  return { code, stdout, stderr };
}

async function evaluate(...flags: string[]): Promise<FindingsDocument> {
  const run = await cli('evaluate', '-t', 'infra', '--definitions', 'defs', '--config', 'none', '-f', 'json', ...flags);
  if (!run.stdout) throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as FindingsDocument;
}

const NAMED_BY_LOCATION = ['sqlvae5fgo42djezya', 'vNet1-westus', 'vNet2-westus', 'shared.gallery.westus'];

describe('finding ids do not depend on where the deployment goes', () => {
  it('a baseline written before the location was unknown holds every finding, with or without a location given', async () => {
    for (const flags of [[], ['--resource-group-location', 'eastus'], ['--resource-group-location', 'westus']]) {
      const document = await evaluate('--baseline', 'baseline-06fb4be.json', ...flags);
      const counted = document.findings.filter(f => f.verdict !== 'compliant' && !f.baselined);
      expect(counted.map(f => f.resource.name)).toEqual([]);
      expect(document.summary.baselined).toBe(11);
      expect(document.baseline).toMatchObject({ entries: 11, matched: 11 });
    }
  });

  it('the name reports show is the one computed; the one ids are made with is kept beside it', async () => {
    const unknown = await evaluate();
    const given = await evaluate('--resource-group-location', 'eastus');
    const stable = (document: FindingsDocument) =>
      document.findings
        .filter(f => f.resource.stableName !== undefined)
        .map(f => [f.resource.name, f.resource.stableName]);
    expect(stable(unknown)).toEqual([
      ["[variables('storageName')]", 'sqlvae5fgo42djezya'],
      ["[variables('vNet1').name]", 'vNet1-westus'],
      ["[variables('vNet2').name]", 'vNet2-westus'],
      ["[parameters('galleryName')]", 'shared.gallery.westus']
    ]);
    expect(stable(given)).toEqual([
      [expect.stringMatching(/^sqlva[a-z0-9]+$/), 'sqlvae5fgo42djezya'],
      ['vNet1-eastus', 'vNet1-westus'],
      ['vNet2-eastus', 'vNet2-westus'],
      ['shared.gallery.eastus', 'shared.gallery.westus']
    ]);
    expect(stable(given)[0][0]).not.toBe('sqlvae5fgo42djezya');
    // Every other name is computed without the location: no expression, no region.
    const others = unknown.findings.filter(f => f.resource.stableName === undefined).map(f => f.resource.name);
    expect(others).toHaveLength(7);
    for (const name of others) expect(name).not.toMatch(/^\[|westus/);
  });

  it('SARIF gives a finding one fingerprint whether the location is given or not', async () => {
    const prints = async (...flags: string[]) => {
      const run = await cli(
        'evaluate',
        '-t',
        'infra',
        '--definitions',
        'defs',
        '--config',
        'none',
        '-f',
        'sarif',
        ...flags
      );
      const log = JSON.parse(run.stdout) as {
        runs: {
          results: {
            partialFingerprints: Record<string, string>;
            locations: { physicalLocation: { region: { startLine: number } } }[];
          }[];
        }[];
      };
      return log.runs[0].results.map(r => r.partialFingerprints[FINGERPRINT_KEY]).sort();
    };
    const unknown = await prints();
    expect(unknown).toHaveLength(11);
    expect(await prints('--resource-group-location', 'eastus')).toEqual(unknown);
    expect(await prints('--resource-group-location', 'North Central US')).toEqual(unknown);
  });

  it('a baseline written now matches the same findings when a location is given later, but accepts those it held indeterminate only while they are', async () => {
    const written = await cli('baseline', '-t', 'infra', '--definitions', 'defs', '--config', 'none', '-o', 'now.json');
    expect(written.code).toBe(0);
    const entries = (JSON.parse(readFileSync(path.join(dir, 'now.json'), 'utf8')) as FindingsDocument).findings;
    expect(entries.filter(f => f.resource.stableName).map(f => f.resource.stableName)).toEqual(NAMED_BY_LOCATION);
    expect(entries.map(f => f.verdict)).toEqual(Array(11).fill('indeterminate'));
    // Allowed locations on `[resourceGroup().location]`: unknown when written, noncompliant in eastus. The entries
    // are found (the ids do not move), but an unknown verdict accepted is not a noncompliant one accepted.
    const document = await evaluate('--baseline', 'now.json', '--resource-group-location', 'eastus');
    expect(document.summary).toMatchObject({ noncompliant: 11, indeterminate: 0, baselined: 0 });
    expect(document.skipped).toContainEqual({
      file: 'now.json',
      reason: expect.stringMatching(
        /^11 findings are noncompliant now where the baseline accepted them indeterminate .*Write the baseline again/
      )
    });
    // Where the location is one the definition allows, nothing is new; unknown, the entries still accept them.
    expect((await evaluate('--baseline', 'now.json', '--resource-group-location', 'westeurope')).summary).toMatchObject(
      { noncompliant: 0, indeterminate: 0 }
    );
    expect((await evaluate('--baseline', 'now.json')).summary).toMatchObject({ indeterminate: 0, baselined: 11 });
  });

  it('a baseline written while the names were unknown holds them while they are; given a location, the run says why they are new', async () => {
    const unknown = await evaluate('--baseline', 'baseline-d63bd5b.json');
    expect(unknown.summary).toMatchObject({ noncompliant: 0, indeterminate: 0, baselined: 11 });
    expect(unknown.skipped ?? []).toEqual([
      expect.objectContaining({ reason: 'a parameter file' }),
      expect.objectContaining({ reason: 'a parameter file' }),
      expect.objectContaining({ reason: 'a parameter file' })
    ]);

    const given = await evaluate('--baseline', 'baseline-d63bd5b.json', '--resource-group-location', 'eastus');
    // Every entry was written indeterminate: in eastus, which the definition does not allow, none accepts its
    // finding. Those named by a computed name are found and said to be noncompliant now; the four named by the
    // expression of their name are not found at all, and said so.
    expect(given.summary).toMatchObject({ noncompliant: 11, baselined: 0 });
    expect(given.skipped).toContainEqual({
      file: 'baseline-d63bd5b.json',
      reason: expect.stringMatching(/^7 findings are noncompliant now where the baseline accepted them indeterminate/)
    });
    expect(given.skipped).toContainEqual({
      file: 'baseline-d63bd5b.json',
      reason:
        "4 entries name their resource by the expression of its name, written while the name could not be computed, and match no finding now: where the name is computed now (a location given with `resource-group-location` or `deployment-location`), the resource's findings count as new. Write the baseline again with `cmk-guard baseline` to accept them."
    });
  });
});

describe('the placeholder deployment', () => {
  const expand = (template: object, scope = {}) =>
    expandTemplateDocument(parseJsonWithPositions(JSON.stringify(template), path.join(dir, 'main.json')), {
      root: dir,
      scope,
      stableNames: true
    }).resources.map(r => [r.name, r.stableName]);

  const nested = (resourceGroup: string | undefined) => ({
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: `to-${resourceGroup ?? 'same'}`,
    ...(resourceGroup ? { resourceGroup } : {}),
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      template: {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        resources: [
          {
            type: 'Microsoft.Network/virtualNetworks',
            apiVersion: '2023-04-01',
            name: "[concat('vnet-', resourceGroup().location)]",
            location: '[resourceGroup().location]'
          }
        ]
      }
    }
  });
  const template = {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources: [nested(undefined), nested('rg-other')]
  };

  it('places every group in westus, another group too, whatever the run is told', () => {
    expect(expand(template)).toEqual([
      ["[concat('vnet-', resourceGroup().location)]", 'vnet-westus'],
      ["[concat('vnet-', resourceGroup().location)]", 'vnet-westus']
    ]);
    expect(expand(template, { resourceGroupLocation: 'eastus' })).toEqual([
      ['vnet-eastus', 'vnet-westus'],
      // The run does not know rg-other's location; ARM would not give it this group's.
      ["[concat('vnet-', resourceGroup().location)]", 'vnet-westus']
    ]);
  });

  it('gives no name of its own unless asked, nor where the names do not read the location', () => {
    const file = path.join(dir, 'main.json');
    const plain = expandTemplateDocument(parseJsonWithPositions(JSON.stringify(template), file), { root: dir });
    expect(plain.resources.map(r => r.stableName)).toEqual([undefined, undefined]);
    const known = { ...template, resources: [{ ...nested(undefined), name: 'fixed' }] };
    known.resources[0].properties.template.resources[0].name = 'vnet';
    expect(expand(known)).toEqual([['vnet', undefined]]);
  });
});
