/**
 * On a pull request the action reports (and judges) only the findings in the files the pull request changes.
 * A finding lies in the file that declares the resource; what makes it noncompliant may be in another file the
 * pull request changes: a parameter file, or the template that passes a linked template its values. Such a
 * pull request must not pass because its findings lie in a file it did not touch.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundledPolicies } from '../../src/paths.js';
import { evaluateRepository, widenChanged } from '../../src/run.js';
import { renderSummary } from '../../src/report/summary.js';
import { context } from '../report/fixture.js';
import { installFakeBicep } from '../support/fake-bicep.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const PARAMETERS = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#';

const account = {
  type: 'Microsoft.CognitiveServices/accounts',
  apiVersion: '2024-10-01',
  name: 'speech',
  location: 'westeurope',
  kind: 'SpeechServices',
  sku: { name: 'S0' },
  identity: { type: 'SystemAssigned' },
  properties: {
    encryption: {
      keySource: "[parameters('keySource')]",
      keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://v.vault.azure.net' }
    }
  }
};
const keySource = { keySource: { type: 'string', defaultValue: 'Microsoft.KeyVault' } };
const MICROSOFT_MANAGED = 'Microsoft.CognitiveServices';

/** A template: the schema and content version, then `body` (parameters, resources, outputs, …). */
const template = (body: object) => ({ $schema: SCHEMA, contentVersion: '1.0.0.0', ...body });
/** Parameter values as a deployment or a parameter file gives them. */
const values = (given: Record<string, string>) =>
  Object.fromEntries(Object.entries(given).map(([name, value]) => [name, { value }]));
const parameterFile = (given: Record<string, string>) => ({
  $schema: PARAMETERS,
  contentVersion: '1.0.0.0',
  parameters: values(given)
});
/** A deployment of the linked template `<name>.json` beside the template, with `properties` added. */
const linked = (name: string, properties: object = {}) => ({
  type: 'Microsoft.Resources/deployments',
  apiVersion: '2022-09-01',
  name,
  properties: { mode: 'Incremental', templateLink: { relativePath: `${name}.json` }, ...properties }
});

let repo: string;
beforeEach(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-changed-'));
  mkdirSync(path.join(repo, 'infra'));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

const write = (file: string, value: object) => writeFileSync(path.join(repo, file), JSON.stringify(value, null, 2));

async function noncompliantWhenChanged(changedFiles: string[]): Promise<number> {
  const document = await evaluateRepository({
    cwd: repo,
    policies: bundledPolicies(),
    templates: ['infra/main.json'],
    changedFiles
  });
  return document.summary.noncompliant;
}

describe('a pull request that changes what a template deploys from another file', () => {
  it('a parameter file it deletes or renames away: the template now deploys its defaults, and is reported', async () => {
    // At the base, main.parameters.json chose the customer-managed key; the pull request deletes it (or renames
    // it, so it no longer pairs), and the template's own default, Microsoft-managed, is what deploys.
    write(
      'infra/main.json',
      template({ parameters: { keySource: { type: 'string', defaultValue: MICROSOFT_MANAGED } }, resources: [account] })
    );
    expect(await noncompliantWhenChanged(['infra/main.parameters.json'])).toBe(1);
    write('infra/main.params.json', parameterFile({ keySource: 'Microsoft.KeyVault' }));
    expect(await noncompliantWhenChanged(['infra/main.params.json', 'infra/main.parameters.json'])).toBe(1);
    expect(await noncompliantWhenChanged(['infra/other.parameters.json'])).toBe(0);
  });

  it('a parameter file: the template’s findings are reported and fail', async () => {
    write('infra/main.json', template({ parameters: keySource, resources: [account] }));
    write('infra/main.parameters.json', parameterFile({ keySource: MICROSOFT_MANAGED }));
    expect(await noncompliantWhenChanged(['infra/main.parameters.json'])).toBe(1);
    // A change elsewhere still reports nothing of this template.
    expect(await noncompliantWhenChanged(['README.md'])).toBe(0);
  });

  it('the template that passes a linked template its values: the linked template’s findings are reported', async () => {
    write('infra/child.json', template({ parameters: keySource, resources: [account] }));
    write(
      'infra/main.json',
      template({ resources: [linked('child', { parameters: values({ keySource: MICROSOFT_MANAGED }) })] })
    );
    expect(await noncompliantWhenChanged(['infra/main.json'])).toBe(1);
  });

  it('a linked template with no resource whose outputs the template reads: the template’s findings are reported', async () => {
    write(
      'infra/helper.json',
      template({ resources: [], outputs: { keySource: { type: 'string', value: MICROSOFT_MANAGED } } })
    );
    write(
      'infra/main.json',
      template({
        resources: [
          linked('helper'),
          {
            ...account,
            dependsOn: ['helper'],
            properties: {
              encryption: {
                ...account.properties.encryption,
                keySource: "[reference('helper').outputs.keySource.value]"
              }
            }
          }
        ]
      })
    );
    expect(await noncompliantWhenChanged(['infra/helper.json'])).toBe(1);
  });

  it('a parameter file a nested deployment links to: the findings it makes are reported', async () => {
    write('infra/child.json', template({ parameters: { keySource: { type: 'string' } }, resources: [account] }));
    write('infra/child.parameters.json', parameterFile({ keySource: MICROSOFT_MANAGED }));
    const parametersLink = { uri: "[uri(deployment().properties.templateLink.uri, 'child.parameters.json')]" };
    write('infra/main.json', template({ resources: [linked('child', { parametersLink })] }));
    expect(await noncompliantWhenChanged(['infra/child.parameters.json'])).toBe(1);
  });

  it('a file a Bicep template loads with loadJsonContent(): the template’s findings are reported', async () => {
    const fake = installFakeBicep('bicep');
    try {
      writeFileSync(
        path.join(repo, 'infra', 'main.bicep'),
        [
          "var values = loadJsonContent('values.json')",
          "resource speech 'Microsoft.CognitiveServices/accounts@2024-10-01' = {",
          "  name: 'speech'",
          "  location: 'westeurope'",
          "  kind: 'SpeechServices'",
          "  sku: { name: 'S0' }",
          "  identity: { type: 'SystemAssigned' }",
          '  properties: {',
          '    encryption: {',
          '      keySource: values.keySource',
          "      keyVaultProperties: { keyName: 'k', keyVaultUri: 'https://v.vault.azure.net' }",
          '    }',
          '  }',
          '}',
          ''
        ].join('\n')
      );
      write('infra/values.json', { keySource: MICROSOFT_MANAGED });
      // What the Bicep CLI compiles it to with those values (the fake CLI prints main.build).
      write(
        'infra/main.build',
        template({
          metadata: { _generator: { name: 'bicep', version: '0.30.0' } },
          resources: [
            {
              ...account,
              properties: { encryption: { ...account.properties.encryption, keySource: MICROSOFT_MANAGED } }
            }
          ]
        })
      );
      const document = await evaluateRepository({
        cwd: repo,
        policies: bundledPolicies(),
        templates: ['infra/main.bicep'],
        changedFiles: ['infra/values.json'],
        env: fake.env
      });
      expect(document.errors ?? []).toEqual([]);
      expect(document.summary.noncompliant).toBe(1);
    } finally {
      fake.dispose();
    }
  });

  it('widenChanged adds the files of every template that read a changed file, and only those', () => {
    const sets = [new Set(['a.json', 'a.parameters.json']), new Set(['b.json', 'shared.json']), new Set(['c.json'])];
    expect(widenChanged(['a.parameters.json'], sets).sort()).toEqual(['a.json', 'a.parameters.json']);
    expect(widenChanged(['shared.json', 'x.md'], sets).sort()).toEqual(['b.json', 'shared.json', 'x.md']);
    expect(widenChanged([], sets)).toEqual([]);
  });
});

describe('a pull request that turns its template into a Bicep file no pattern matches', () => {
  it('lists the Bicep file among the skipped files in the summary, and the outcome does not change', async () => {
    // main.json became main.bicep; another template still matches the default pattern.
    write('infra/other.json', template({ parameters: keySource, resources: [account] }));
    writeFileSync(
      path.join(repo, 'infra', 'main.bicep'),
      "resource speech 'Microsoft.CognitiveServices/accounts@2024-10-01' = {}\n"
    );
    const document = await evaluateRepository({
      cwd: repo,
      policies: bundledPolicies(),
      templates: ['**/*.json'],
      changedFiles: ['infra/main.bicep', 'infra/main.json']
    });
    expect(document.errors).toEqual([]);
    expect(document.summary.noncompliant).toBe(0);
    expect(document.skipped).toContainEqual({
      file: path.join('infra', 'main.bicep'),
      reason: 'a Bicep file: add `**/*.bicep` to `templates` to check it (needs the Bicep CLI)'
    });
    const summary = renderSummary(document, context, { hiddenAnnotations: 0, annotationsPerLevel: 10 });
    expect(summary).toContain('1 file passed over');
    expect(summary).toMatch(
      /\| `infra\/main\.bicep` \| a Bicep file: add .*bicep.* to .*templates.* \(needs the Bicep CLI\) \|/
    );
  });
});
