/**
 * Shapes the Bicep compiler writes into ARM JSON, found by expanding and evaluating the compiled
 * templates of Azure/bicep's sample baselines (main.json, main.symbolicnames.json) and the other
 * compiled templates of that repository. The fixtures (bicep-compiled/) are written here in the
 * same shapes; none is copied.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { evaluateRepository } from '../../src/run.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { UserError } from '../../src/model/errors.js';
import { at, byName, expandInline, fixture, fixtures, lineOf } from './helpers.js';

const reasonOf = (value: Value | undefined): string => {
  expect(isUnknown(value)).toBe(true);
  return (value as { reason: string }).reason;
};

const SYMBOLIC = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  languageVersion: '2.0',
  contentVersion: '1.0.0.0'
};

describe('resourceInfo() (Bicep’s resource-info code generation)', () => {
  // Bicep writes `res.id`, `res.name`, `res.type` and `res.apiVersion` of a declared resource as
  // resourceInfo('<symbol>').<property> (Bicep.Core/Emit/ExpressionConverter.cs; deployed templates
  // carried it, Azure/bicep#9361), the name in full (`vault/key` for a child), guarded by if() on
  // the resource's condition.
  const { resources, errors } = expandTemplateFile(fixture('bicep-compiled', 'resource-info.json'), {
    parameterOverrides: { searchName: 'srch-contoso' }
  });
  const first = byName(resources, 'oai-contoso-0');

  test('gives the id, full name, type and API version the template declares', () => {
    expect(errors).toEqual([]);
    expect(at(first.json, '/tags/vaultId')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-contoso'
    );
    expect(at(first.json, '/tags/keyName')).toBe('cmk');
    expect(at(first.json, '/tags/keyType')).toBe('Microsoft.KeyVault/vaults/keys');
    expect(at(first.json, '/tags/keyApi')).toBe('2023-07-01');
    expect(at(first.json, '/properties/encryption/keyVaultProperties/keyName')).toBe('cmk');
    expect(at(first.json, '/tags/search')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Search/searchServices/srch-contoso'
    );
  });

  test('a child whose name reads its parent’s resourceInfo() is declared after the parent, whatever the order of the members', () => {
    const key = byName(resources, 'kv-contoso/cmk');
    expect(key.id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-contoso/keys/cmk'
    );
    expect(resources.map(r => r.name)).toEqual([
      'kv-contoso',
      'kv-contoso/cmk',
      'srch-contoso',
      'oai-contoso-0',
      'oai-contoso-1'
    ]);
  });

  test('an index picks one instance of a resource loop', () => {
    expect(at(first.json, '/tags/self')).toBe('oai-contoso-0');
    expect(at(byName(resources, 'oai-contoso-1').json, '/tags/self')).toBe('oai-contoso-1');
  });

  test('a resource whose condition is false is not read behind its if() guard', () => {
    // tryGet(null, 'id') is null, and a null member is not part of the request.
    expect(errors).toEqual([]);
    expect(Object.keys(at(first.json, '/tags') as object)).not.toContain('logs');
  });

  test('the id of a resource whose name is unknown is unknown, saying why', () => {
    const { resources: withoutName } = expandTemplateFile(fixture('bicep-compiled', 'resource-info.json'));
    const account = byName(withoutName, 'oai-contoso-0');
    expect(reasonOf(at(account.json, '/tags/search'))).toMatch(/the id of 'search', whose name is .*searchName/);
    expect(at(account.json, '/tags/vaultId')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-contoso'
    );
  });

  test('a symbol the template does not declare, or an index past the loop, is the template’s error', () => {
    const template = (tag: string) => ({
      ...SYMBOLIC,
      resources: {
        vaults: {
          copy: { name: 'vaults', count: 2 },
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: "[format('kv-contoso-{0}', copyIndex())]",
          location: 'westus',
          tags: { other: tag }
        }
      }
    });
    expect(() => expandInline(template("[resourceInfo('vault').id]"))).toThrow(
      /resourceInfo\('vault'\) names no resource of this template/
    );
    const past = expandInline(template("[resourceInfo('vaults[2]').id]"));
    expect(past.errors.map(e => e.message).join('\n')).toMatch(
      /resourceInfo\('vaults\[2\]'\): the loop 'vaults' has 2 instance\(s\)/
    );
  });
});

describe('resources of Bicep’s az extension (`"extension": "az"`)', () => {
  // A Bicep file that declares `extension az` (or any other extension beside it) compiles to an
  // `extensions` section whose `az` alias is named AzureResourceManager, and every Azure resource
  // names it (`"extension": "az"`; older Bicep: `"imports"` with `"provider"` and `"import": "az"`).
  // ARM deploys those itself, so Azure Policy sees them.
  const file = fixture('bicep-compiled', 'az-extension.json');
  const { resources, notes, errors } = expandTemplateFile(file);

  test('are Azure resources, expanded and checked; only the other extension’s resources are left out', () => {
    // The body is what the PUT sends: not the alias, and not the deployment options Bicep writes
    // under `@options` for @onlyIfNotExists() and @retryOn().
    expect(errors).toEqual([]);
    expect(resources.map(r => `${r.type} ${r.name}`)).toEqual([
      'Microsoft.KeyVault/vaults kv-contoso',
      'Microsoft.CognitiveServices/accounts oai-contoso'
    ]);
    const account = byName(resources, 'oai-contoso');
    expect(account.json).toEqual({
      name: 'oai-contoso',
      type: 'Microsoft.CognitiveServices/accounts',
      location: 'westus',
      kind: 'OpenAI',
      sku: { name: 'S0' },
      properties: { publicNetworkAccess: 'Disabled' }
    });
    expect(notes).toEqual([
      `${file}:40: 'frontend' (apps/Deployment@v1) is deployed by the k8s extension, not by Azure Resource Manager; Azure Policy does not see it, so it is not checked.`
    ]);
  });

  test('the rules see them: an account without a customer-managed key is noncompliant', async () => {
    const document = await evaluateRepository({
      cwd: fixtures,
      policies: path.resolve(fixtures, '../../../policies'),
      templates: ['bicep-compiled/az-extension.json']
    });
    const finding = document.findings.find(
      f => f.definition === 'foundry-tools-cmk' && f.resource.type === 'Microsoft.CognitiveServices/accounts'
    );
    expect(finding?.verdict).toBe('noncompliant');
  });

  test('the older imports/provider form is read the same way', () => {
    const template = {
      ...SYMBOLIC,
      imports: { AZ: { provider: 'AzureResourceManager', version: '0.1.0' } },
      resources: {
        account: {
          import: 'az',
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2024-10-01',
          name: 'oai-contoso',
          location: 'westus',
          kind: 'OpenAI'
        }
      }
    };
    expect(expandInline(template).resources.map(r => r.id)).toEqual([
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/oai-contoso'
    ]);
  });

  test('an alias the template does not declare is refused with its line, so that no name can hide a resource', () => {
    const template = {
      ...SYMBOLIC,
      extensions: { k8s: { name: 'Kubernetes', version: '1.0.0' } },
      resources: {
        account: {
          extension: 'hidden',
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2024-10-01',
          name: 'oai-contoso',
          location: 'westus',
          kind: 'OpenAI'
        }
      }
    };
    let refused: unknown;
    try {
      expandInline(template);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(
      /The resource names the extension 'hidden', which the template does not declare/
    );
    expect((refused as UserError).location).toMatchObject({
      line: lineOf('"extension": "hidden"', JSON.stringify(template, null, 2))
    });
  });
});

describe('a parameter file compiled from a .bicepparam that reads externalInput()', () => {
  // Bicep compiles `param x = externalInput('sys.cli', 'useCmk')` to `{"expression":
  // "[externalInputs('sys_cli_0')]"}`, describing the input under `externalInputDefinitions`; the tool
  // that starts the deployment supplies it
  // (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-parameters-file#externalinput).
  const file = fixture('bicep-compiled', 'external-inputs', 'main.json');
  const { resources, errors, parameterFile } = expandTemplateFile(file);
  const account = byName(resources, 'oai-contoso');

  test('an external input is unknown, naming it; the rest of the expression is evaluated', () => {
    expect(errors).toEqual([]);
    expect(parameterFile).toBe(fixture('bicep-compiled', 'external-inputs', 'main.parameters.json'));
    expect(at(account.json, '/location')).toBe('westus');
    expect(reasonOf(at(account.json, '/properties/encryption'))).toMatch(
      /the external input sys\.cli "useCmk" of parameter 'useCustomerManagedKey', supplied by the tool that starts the deployment; give the value with --parameter useCustomerManagedKey=/
    );
    expect(at(account.json, '/tags/owner')).toBe('contoso');
    expect(reasonOf(at(account.json, '/tags/costCenter'))).toMatch(
      /the external input custom\.binding "__COST_CENTER__"/
    );
  });

  test('a value given on the command line wins, and the verdict follows it', async () => {
    const verdict = async (useCmk: boolean) => {
      const document = await evaluateRepository({
        cwd: fixtures,
        policies: path.resolve(fixtures, '../../../policies'),
        templates: ['bicep-compiled/external-inputs/main.json'],
        parameterOverrides: { useCustomerManagedKey: useCmk }
      });
      return document.findings.find(
        f => f.definition === 'foundry-tools-cmk' && f.resource.type === 'Microsoft.CognitiveServices/accounts'
      )?.verdict;
    };
    expect(await verdict(false)).toBe('noncompliant');
    expect(await verdict(true)).toBe('compliant');
  });

  test('an expression that cannot be evaluated, or an input not described, is refused with its line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bicep-compiled-'));
    fs.copyFileSync(file, path.join(dir, 'main.json'));
    const refusal = (parameters: object): UserError => {
      const text = JSON.stringify({ parameters }, null, 2);
      fs.writeFileSync(path.join(dir, 'main.parameters.json'), text);
      try {
        expandTemplateFile(path.join(dir, 'main.json'));
      } catch (error) {
        expect(error).toBeInstanceOf(UserError);
        expect((error as UserError).location).toMatchObject({ line: lineOf('"expression"', text) });
        return error as UserError;
      }
      throw new Error('the parameter file was read');
    };
    expect(refusal({ location: { expression: "[externalInputs('sys_cli_9')]" } }).message).toMatch(
      /the "expression" of parameter "location" cannot be evaluated: externalInputs\('sys_cli_9'\) names no input of "externalInputDefinitions"/
    );
    expect(refusal({ location: { expression: 'westus' } }).message).toMatch(
      /the "expression" of parameter "location" must be a template expression in square brackets/
    );
  });
});

describe('fail() and roleDefinitions() in a compiled template', () => {
  // Azure Verified Modules write `fail('…')` in the branch a wrong input reaches (a Managed HSM key
  // without a version) and `roleDefinitions('Contributor').id` for a built-in role.
  const template = (keyVersion: string | null) => ({
    ...SYMBOLIC,
    parameters: { keyVersion: { type: 'string', nullable: true, defaultValue: keyVersion } },
    resources: {
      account: {
        type: 'Microsoft.CognitiveServices/accounts',
        apiVersion: '2024-10-01',
        name: 'oai-contoso',
        location: 'westus',
        kind: 'OpenAI',
        properties: {
          encryption: {
            keySource: 'Microsoft.KeyVault',
            keyVaultProperties: {
              keyName: 'cmk',
              keyVersion:
                "[coalesce(parameters('keyVersion'), fail('Managed HSM CMK encryption requires the key version.'))]"
            }
          }
        }
      },
      contributor: {
        type: 'Microsoft.Authorization/roleAssignments',
        apiVersion: '2022-04-01',
        scope: "[format('Microsoft.CognitiveServices/accounts/{0}', 'oai-contoso')]",
        name: "[guid('oai-contoso', 'contributor')]",
        properties: {
          principalId: '11111111-1111-1111-1111-111111111111',
          roleDefinitionId: "[roleDefinitions('Contributor').id]"
        },
        dependsOn: ['account']
      }
    }
  });

  test('fail() where it is evaluated fails the deployment with its message: an error of the template', () => {
    const { resources, errors } = expandInline(template(null));
    expect(errors.map(e => e.message)).toEqual([
      expect.stringMatching(
        /The template fails the deployment here: Managed HSM CMK encryption requires the key version\..*The resources that use this value are indeterminate/
      )
    ]);
    expect(
      isUnknown(at(byName(resources, 'oai-contoso').json, '/properties/encryption/keyVaultProperties/keyVersion'))
    ).toBe(true);
    expect(expandInline(template('7c1f')).errors).toEqual([]);
  });

  test('roleDefinitions() is looked up when the template is deployed: unknown', () => {
    const { resources } = expandInline(template('7c1f'));
    const assignment = resources.find(r => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(reasonOf(at(assignment.json, '/properties/roleDefinitionId'))).toMatch(
      /the role definition "Contributor" \(roleDefinitions\(\), looked up when the template is deployed\)/
    );
  });
});

describe('names Bicep writes, in another case', () => {
  // ARM reads its template language regardless of case (see names.ts): "@Options" and "Expression"
  // are read as "@options" and "expression", as "Extension" and "Value" are.
  test('a resource’s "@Options" and a parameter file’s "Expression" are read as ARM reads them', () => {
    const account = (options: string) => ({
      ...SYMBOLIC,
      resources: {
        account: {
          [options]: { onlyIfNotExists: [] },
          type: 'Microsoft.CognitiveServices/accounts',
          apiVersion: '2024-10-01',
          name: 'oai-contoso',
          location: 'westus',
          kind: 'OpenAI'
        }
      }
    });
    const written = expandInline(account('@Options'));
    expect(written.errors).toEqual([]);
    expect(written.resources.map(r => r.json)).toEqual(expandInline(account('@options')).resources.map(r => r.json));
    expect(Object.keys(written.resources[0].json as object).map(key => key.toLowerCase())).not.toContain('@options');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bicep-compiled-'));
    fs.copyFileSync(fixture('bicep-compiled', 'external-inputs', 'main.json'), path.join(dir, 'main.json'));
    fs.writeFileSync(
      path.join(dir, 'main.parameters.json'),
      JSON.stringify({ parameters: { location: { Expression: "[toLower('WestUS')]" } } })
    );
    const { resources } = expandTemplateFile(path.join(dir, 'main.json'));
    expect(at(byName(resources, resources[0].name).json, '/location')).toBe('westus');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
