/**
 * Linked templates by URI. "You can also use deployment() to get the base URL for the current
 * template, and use that to get the URL for other templates in the same location"
 * (`[uri(deployment().properties.templateLink.uri, 'shared-resources.json')]`), and a quickstart's
 * `_artifactsLocation` parameter defaults to that URI; with relativePath, "the child deployment URI is
 * a combination of the parent and relativePath"
 * (https://learn.microsoft.com/azure/azure-resource-manager/templates/linked-templates). The
 * repository stands for where the templates are published: such a link names the file beside the
 * template, inside the repository. An absolute URI elsewhere is not fetched (no network): what it
 * deploys is indeterminate, and says so.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { isUnknown } from '../../src/model/value.js';
import { UserError } from '../../src/model/errors.js';
import { evaluateRepository } from '../../src/run.js';
import { at, byName, fixture, fixtures } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const main = fixture('linked-uri', 'azuredeploy.json');

describe('the quickstart patterns resolve to the files beside the template', () => {
  const expanded = expandTemplateFile(main, { root: fixtures });

  test("uri(parameters('_artifactsLocation'), concat('nested/vault.json', _artifactsLocationSasToken)), with parametersLink beside it", () => {
    const vault = byName(expanded.resources, 'kv-from-linked-parameters');
    expect(vault.source).toEqual({ file: fixture('linked-uri', 'nested', 'vault.json'), line: 6, column: 5 });
    expect(at(vault.json, '/properties/enablePurgeProtection')).toBe(true);
  });

  test("uri(deployment().properties.templateLink.uri, 'nested/account.json')", () => {
    const account = byName(expanded.resources, 'ai-linked-by-uri');
    expect(account.source?.file).toBe(fixture('linked-uri', 'nested', 'account.json'));
  });

  test("a linked template's own deployment() URI is its own location: '../shared/identity.json' from nested/", () => {
    const identity = byName(expanded.resources, 'id-linked-from-nested');
    expect(identity.source?.file).toBe(fixture('linked-uri', 'shared', 'identity.json'));
  });

  test('a relative URI is resolved against the template that links it', () => {
    expect(byName(expanded.resources, 'stlinkedrelative').source?.file).toBe(
      fixture('linked-uri', 'nested', 'storage.json')
    );
  });

  test('a SAS token in the query string is not part of the file name', () => {
    const withToken = expandTemplateFile(main, {
      root: fixtures,
      parameterOverrides: { _artifactsLocationSasToken: '?sv=2022-11-02&sig=abc' }
    });
    expect(byName(withToken.resources, 'kv-from-linked-parameters').type).toBe('Microsoft.KeyVault/vaults');
  });

  test('in a resource property, a URI beside the template is unknown: ARM knows it only at deployment', () => {
    const script = at(byName(expanded.resources, 'ai-linked-by-uri').json, '/tags/setupScript');
    expect(isUnknown(script)).toBe(true);
    expect((script as { reason: string }).reason).toMatch(/a URI beside the template \(\.\.\/scripts\/setup\.sh\)/);
  });
});

describe('a remote URI is not fetched, and what it deploys is indeterminate', () => {
  test('the deployment stands for what it deploys, on the line of its templateLink', () => {
    const expanded = expandTemplateFile(main, { root: fixtures });
    const remote = expanded.resources.find(r => r.name === 'remote')!;
    expect(remote.unresolved).toMatch(
      /linked template https:\/\/raw\.githubusercontent\.com\/.*storage-account-create\/azuredeploy\.json is not fetched \(cmk-guard reads no network/
    );
    expect(remote.source?.line).toBe(
      fs
        .readFileSync(main, 'utf8')
        .split('\n')
        .findIndex(l => l.includes('"name": "remote"')) + 4
    );
    expect(expanded.notes.join('\n')).toMatch(/what deployment 'remote' deploys is not checked/);
  });

  test('every rule of the pack is indeterminate on it, saying why', async () => {
    const document = await evaluateRepository({
      cwd: fixtures,
      policies: path.resolve(fixtures, '../../../policies'),
      templates: ['linked-uri/azuredeploy.json']
    });
    const onRemote = document.findings.filter(f => f.resource.name === 'remote');
    expect(onRemote.length).toBe(7); // the pack's policy rules
    for (const finding of onRemote) {
      expect(finding.verdict).toBe('indeterminate');
      expect(finding.reason).toMatch(/is not fetched \(cmk-guard reads no network/);
    }
    // The linked files beside it are evaluated.
    expect(
      document.findings.find(f => f.definition === 'foundry-tools-cmk' && f.resource.name === 'ai-linked-by-uri')
        ?.verdict
    ).toBe('noncompliant');
  });

  test('a URI not known before deployment is unresolved too, with what it depends on', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-link-'));
    try {
      const file = path.join(dir, 'main.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          $schema: SCHEMA,
          contentVersion: '1.0.0.0',
          parameters: { templateUri: { type: 'string' } },
          resources: [
            {
              type: 'Microsoft.Resources/deployments',
              apiVersion: '2022-09-01',
              name: 'somewhere',
              properties: { mode: 'Incremental', templateLink: { uri: "[parameters('templateUri')]" } }
            }
          ]
        })
      );
      const expanded = expandTemplateFile(file, { root: dir });
      expect(expanded.resources[0].unresolved).toMatch(/not known before deployment \(parameter 'templateUri'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what ARM refuses about links', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-link-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, properties: object): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          $schema: SCHEMA,
          contentVersion: '1.0.0.0',
          resources: [{ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: 'linked', properties }]
        },
        null,
        2
      )
    );
    return file;
  };
  fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'nested', 'empty.json'),
    JSON.stringify({ $schema: SCHEMA, contentVersion: '2.0.0.0', resources: [] })
  );

  test('"If you provide a value for content version, it must match the version in the linked template"', () => {
    const file = write('version.json', {
      mode: 'Incremental',
      templateLink: {
        uri: "[uri(deployment().properties.templateLink.uri, 'nested/empty.json')]",
        contentVersion: '1.0.0.0'
      }
    });
    expect(() => expandTemplateFile(file, { root: dir })).toThrow(
      /has contentVersion '2\.0\.0\.0', not '1\.0\.0\.0'; ARM fails the deployment/
    );
  });

  test('"The deployment fails with an error when both parametersLink and parameters are specified"', () => {
    const file = write('both.json', {
      mode: 'Incremental',
      templateLink: { uri: "[uri(deployment().properties.templateLink.uri, 'nested/empty.json')]" },
      parameters: {},
      parametersLink: { uri: "[uri(deployment().properties.templateLink.uri, 'nested/empty.parameters.json')]" }
    });
    expect(() => expandTemplateFile(file, { root: dir })).toThrow(/both "parameters" and "parametersLink"/);
  });

  test('URI arithmetic cannot climb above the repository: ../../../etc/passwd names a file inside it', () => {
    const file = write('climb.json', {
      mode: 'Incremental',
      templateLink: { uri: "[uri(deployment().properties.templateLink.uri, '../../../../../../../etc/passwd')]" }
    });
    let error: unknown;
    try {
      expandTemplateFile(file, { root: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const message = (error as UserError).message;
    // The file the link names is etc/passwd inside the repository (not there), not /etc/passwd.
    expect(message).toContain(`(${path.join('etc', 'passwd')} in the repository) does not exist`);
    expect(message).not.toMatch(/root:/);
  });
});
