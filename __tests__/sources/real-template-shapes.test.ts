/**
 * Shapes that public templates have and ARM deploys, found by expanding the 1,127 azuredeploy.json
 * files of a public snapshot of Azure's quickstart templates and newer Bicep-compiled AI samples.
 * The fixtures are written here in the same shapes (no template is copied).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { at, byName, fixture } from './helpers.js';

const reasonOf = (value: Value | undefined): string => {
  expect(isUnknown(value)).toBe(true);
  return (value as { reason: string }).reason;
};

describe('a child declared inside its parent with the full type of another provider', () => {
  // Log Analytics solutions are declared inside the workspace as
  // `"type": "Microsoft.OperationsManagement/solutions"`; ARM deploys them as that type (the
  // quickstarts' OMS samples did so), not as `…/workspaces/Microsoft.OperationsManagement/solutions`,
  // whose name would need three segments.
  const { resources } = expandTemplateFile(fixture('real-shapes', 'oms-solution-in-workspace.json'));

  test('is a resource of its own type and name, in the same resource group', () => {
    const solution = byName(resources, 'AzureNSGAnalytics(logs-contoso)');
    expect(solution.type).toBe('Microsoft.OperationsManagement/solutions');
    expect(solution.id).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationsManagement/solutions/AzureNSGAnalytics(logs-contoso)'
    );
    expect(at(solution.json, '/plan/product')).toBe('OMSGallery/AzureNSGAnalytics');
  });

  test('a child given by its short type is still the parent’s child', () => {
    const search = byName(resources, 'logs-contoso/nsg-flows');
    expect(search.type).toBe('Microsoft.OperationalInsights/workspaces/savedSearches');
    expect(resources.map(r => r.type)).toEqual([
      'Microsoft.OperationalInsights/workspaces',
      'Microsoft.OperationsManagement/solutions',
      'Microsoft.OperationalInsights/workspaces/savedSearches'
    ]);
  });
});

describe('white space in expressions', () => {
  // ARM is a .NET service and skips white space as char.IsWhiteSpace has it; a public quickstart
  // has a no-break space after a comma (text pasted from a web page), and another indexes twice
  // with a space between `]` and `[`.
  const { resources } = expandTemplateFile(fixture('real-shapes', 'spaces-in-expressions.json'));
  const account = byName(resources, 'stcontosoevents');

  test('a no-break space between arguments separates them', () => {
    expect(at(account.json, '/tags/source')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stcontosoevents'
    );
  });

  test('spaces before an index or a property access continue the chain', () => {
    expect(at(account.json, '/tags/count')).toBe('3');
  });
});

describe('deployer() and references() in a Bicep-compiled (languageVersion 2.0) AI template', () => {
  // deployer(): "Returns the information about the current deployment principal", an object with
  // objectId, tenantId and userPrincipalName
  // (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#deployer).
  // Foundry samples grant the deploying user a role on each account with it. Bicep compiles a
  // property read across a resource loop to references('<loop>', 'full'): one reference() per instance.
  const { resources, errors } = expandTemplateFile(fixture('real-shapes', 'deployer-and-references.json'));

  test('every resource of the template is expanded', () => {
    expect(errors).toEqual([]);
    expect(resources.map(r => r.type)).toEqual([
      'Microsoft.CognitiveServices/accounts',
      'Microsoft.CognitiveServices/accounts',
      'Microsoft.Authorization/roleAssignments',
      'Microsoft.Authorization/roleAssignments',
      'Microsoft.Search/searchServices'
    ]);
  });

  test("deployer().objectId is unknown, saying whose it is; the tenant is the deployment's", () => {
    const assignment = resources.find(r => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(reasonOf(at(assignment.json, '/properties/principalId'))).toMatch(
      /the object id of the principal that runs the deployment \(deployer\(\)\)/
    );
    expect(at(assignment.json, '/properties/description')).toBe(
      'Granted in tenant 00000000-0000-0000-0000-000000000000'
    );
  });

  test('references() gives one deployed state per instance of the loop, each unknown until deployed', () => {
    const search = byName(resources, 'srch-contoso');
    expect(at(search.json, '/properties/replicaCount')).toBe(2);
    expect(reasonOf(at(search.json, '/tags/endpoints'))).toMatch(
      /the deployed state of \/subscriptions\/.*\/Microsoft\.CognitiveServices\/accounts\/oai-contoso-a \(reference\(\)\)/
    );
  });

  test('references() of a name the template does not declare is the template’s error', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      languageVersion: '2.0',
      contentVersion: '1.0.0.0',
      resources: {
        vault: {
          type: 'Microsoft.KeyVault/vaults',
          apiVersion: '2023-07-01',
          name: 'kv-contoso',
          location: 'westus',
          properties: { tenantId: "[string(length(references('vaults')))]" }
        }
      }
    };
    expect(() => expandInline(template)).toThrow(/references\('vaults'\) names no resource of this template/);
  });
});

/** Expands a template written to a temporary file, so its errors carry a file and line like any template's. */
function expandInline(template: object) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-real-shapes-'));
  const file = path.join(dir, 'main.json');
  fs.writeFileSync(file, JSON.stringify(template, null, 2));
  return expandTemplateFile(file);
}
