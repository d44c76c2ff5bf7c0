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

  /**
   * The repository stands for the folder the templates are published in: a link by URI that climbs above it, or
   * starts at the host's root, names a file ARM would fetch from elsewhere on that host. URI arithmetic stops at the
   * host's root, so read naively it would name a file inside the repository (etc/passwd, nested/empty.json) that is
   * not what ARM deploys: refused at the link's line instead, and the file is never read.
   */
  test('a link by URI that climbs above the repository is refused at its line, never clamped to a file inside it', () => {
    fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'etc', 'passwd'),
      JSON.stringify({ $schema: SCHEMA, contentVersion: '1.0.0.0', resources: [] })
    );
    const refusal = (file: string, link: object): string => {
      try {
        expandTemplateFile(write(file, { mode: 'Incremental', ...link }), { root: dir });
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        return (error as UserError).describe();
      }
      throw new Error(`${file} was expanded`);
    };
    const says = (what: string, shown: string) =>
      `cmk-guard does not read ${what} the link names (${shown} from this template): it climbs above the repository, so ARM would fetch a file that is not in it from where the templates are published, and cmk-guard never reads outside the repository. Link a file inside the repository.`;
    const uri = (relative: string) => `[uri(deployment().properties.templateLink.uri, '${relative}')]`;
    expect(refusal('climb.json', { templateLink: { uri: uri('../../../../../../../etc/passwd') } })).toBe(
      `${path.join(dir, 'climb.json')}:12:11: ${says('the linked template', '../etc/passwd')}`
    );
    expect(refusal(path.join('infra', 'climb.json'), { templateLink: { uri: uri('../../etc/passwd') } })).toBe(
      `${path.join(dir, 'infra', 'climb.json')}:12:11: ${says('the linked template', '../../etc/passwd')}`
    );
    // From the host's root, as `/x.json` is.
    expect(refusal(path.join('infra', 'rooted.json'), { templateLink: { uri: uri('/nested/empty.json') } })).toBe(
      `${path.join(dir, 'infra', 'rooted.json')}:12:11: ${says('the linked template', '../../nested/empty.json')}`
    );
    expect(
      refusal(path.join('infra', 'parameters.json'), {
        templateLink: { uri: uri('../nested/empty.json') },
        parametersLink: { uri: uri('../../etc/passwd') }
      })
    ).toBe(
      `${path.join(dir, 'infra', 'parameters.json')}:14:9: ${says('the linked parameter file', '../../etc/passwd')}`
    );
    // Climbing within the repository is a link like any other.
    const inside = write(path.join('infra', 'inside.json'), {
      mode: 'Incremental',
      templateLink: { uri: uri('../nested/empty.json') }
    });
    expect(() => expandTemplateFile(inside, { root: dir })).not.toThrow();
  });
});
