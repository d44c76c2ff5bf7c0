/**
 * Shapes that public templates have and ARM deploys, found by expanding the 1,127 azuredeploy.json
 * files of a public snapshot of Azure's quickstart templates and newer Bicep-compiled AI samples.
 * The fixtures are written here in the same shapes (no template is copied).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { evaluateRepository } from '../../src/run.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { at, byName, expandInline, fixture, fixtures, lineOf } from './helpers.js';
import { bundledPolicies } from '../../src/paths.js';

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

describe('resources a Bicep extension deploys (Microsoft Graph) beside Azure resources', () => {
  // "Bicep extensions … enabling Bicep files to reference resources beyond the scope of Azure Resource
  // Manager" (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-extension): an app
  // registration has no ARM name or id and Azure Policy never sees it.
  const file = fixture('real-shapes', 'graph-extension.json');
  const { resources, notes, errors } = expandTemplateFile(file);

  test('are left out with a note, and the Azure resources are expanded', () => {
    expect(errors).toEqual([]);
    expect(resources.map(r => r.type)).toEqual([
      'Microsoft.CognitiveServices/accounts',
      'Microsoft.Authorization/roleAssignments'
    ]);
    expect(notes).toEqual([
      `${file}:12: 'app' (Microsoft.Graph/applications@v1.0) is deployed by the microsoftGraph extension, not by Azure Resource Manager; Azure Policy does not see it, so it is not checked.`,
      `${file}:17: 'appPrincipal' (Microsoft.Graph/servicePrincipals@v1.0) is deployed by the microsoftGraph extension, not by Azure Resource Manager; Azure Policy does not see it, so it is not checked.`
    ]);
  });

  test('what Azure resources read from them is unknown until deployed', () => {
    const assignment = resources.find(r => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(reasonOf(at(assignment.json, '/properties/principalId'))).toMatch(/the deployed state of appPrincipal/);
    expect(reasonOf(at(byName(resources, 'oai-contoso-chat').json, '/tags/appId'))).toMatch(
      /the deployed state of app/
    );
  });
});

describe("an azd template's main.parameters.json with ${VAR} placeholders", () => {
  // azd fills `${NAME}` / `${NAME=default}` from its environment when it provisions
  // (https://learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables); the
  // literal text would fail the parameters' types, lengths and allowed values.
  const file = fixture('real-shapes', 'azd', 'main.json');

  test('the placeholders are unknown, naming the variable and its default, and the file expands', () => {
    const { resources, errors, parameterFile } = expandTemplateFile(file);
    expect(errors).toEqual([]);
    expect(parameterFile).toBe(fixture('real-shapes', 'azd', 'main.parameters.json'));
    const account = resources.find(r => r.type === 'Microsoft.CognitiveServices/accounts')!;
    const encryption = reasonOf(at(account.json, '/properties/encryption'));
    expect(encryption).toMatch(
      /the azd environment variable USE_CMK \(default "false"\) in parameter 'useCustomerManagedKey'/
    );
    expect(encryption).toMatch(/give the value with --parameter useCustomerManagedKey=/);
    expect(reasonOf(at(account.json, '/sku/capacity'))).toMatch(/OPENAI_CAPACITY \(default "30"\)/);
    // A placeholder inside a longer string makes the whole string unknown.
    expect(reasonOf(at(account.json, '/location'))).toMatch(/AZURE_LOCATION in parameter 'location'/);
  });

  test('a value given on the command line wins, and the verdict follows it', async () => {
    const run = (useCmk: boolean) =>
      evaluateRepository({
        cwd: fixtures,
        policies: path.resolve(fixtures, '../../../policies'),
        templates: ['real-shapes/azd/main.json'],
        parameterOverrides: { useCustomerManagedKey: useCmk, environmentName: 'dev', location: 'eastus' }
      });
    const verdict = async (useCmk: boolean) => {
      const document = await run(useCmk);
      expect(document.errors ?? []).toEqual([]);
      return document.findings.find(
        f => f.definition === 'foundry-tools-cmk' && f.resource.type === 'Microsoft.CognitiveServices/accounts'
      )!.verdict;
    };
    expect(await verdict(false)).toBe('noncompliant');
    expect(await verdict(true)).toBe('compliant');
  });

  test('without a value, the rule is indeterminate and says which azd variable decides', async () => {
    const document = await evaluateRepository({
      cwd: fixtures,
      policies: path.resolve(fixtures, '../../../policies'),
      templates: ['real-shapes/azd/main.json']
    });
    const finding = document.findings.find(
      f => f.definition === 'foundry-tools-cmk' && f.resource.type === 'Microsoft.CognitiveServices/accounts'
    )!;
    expect(finding.verdict).toBe('indeterminate');
    expect(finding.reason).toMatch(/azd environment variable USE_CMK/);
  });
});

describe('a module whose template is an expression (Bicep loadJsonContent), and list()', () => {
  // Bicep compiles a module loaded with loadJsonContent() to `"template": "[variables('$fxv#0')]"`, the
  // variable holding the template with its expressions escaped (`[[parameters('scope')]`). The value is
  // computed in the parent, so the escapes fall away, and then deployed as a template of its own that
  // reads the parameters the deployment passes ("Outer" scope or not). Public AVM-based AI accelerators
  // grant their role assignments this way.
  const file = fixture('real-shapes', 'module-template-from-variable.json');
  const { resources, notes, errors } = expandTemplateFile(file);

  test('the resources of the computed template are expanded with the parameters passed', () => {
    expect(errors).toEqual([]);
    expect(notes).toEqual([]);
    const assignment = resources.find(r => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(assignment.id).toMatch(
      /\/providers\/Microsoft\.CognitiveServices\/accounts\/ais-contoso\/providers\/Microsoft\.Authorization\/roleAssignments\/[0-9a-f-]{36}$/
    );
    expect(at(assignment.json, '/properties/principalId')).toBe('00000000-0000-0000-0000-00000000abcd');
  });

  test('its resources are placed where the variable writes them', () => {
    const assignment = resources.find(r => r.type === 'Microsoft.Authorization/roleAssignments')!;
    expect(assignment.source).toMatchObject({ file, line: 20 });
  });

  test("list() (Bicep's `existing.list()`) is a list function: unknown until deployed", () => {
    const settings = byName(resources, 'app-contoso/appsettings');
    expect(reasonOf(at(settings.json, '/properties'))).toMatch(
      /list\(\) of \/subscriptions\/.*\/Microsoft\.Web\/sites\/app-contoso\/config\/appsettings, known only after deployment/
    );
  });

  test('a template expression whose value is unknown leaves the deployment unchecked, saying why', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2023-07-01',
          name: 'from-storage',
          properties: { mode: 'Incremental', template: "[reference('other').outputs.template.value]" }
        }
      ]
    };
    const expanded = expandInline(template);
    expect(expanded.notes.join('\n')).toMatch(
      /what deployment 'from-storage' deploys is not checked: its template is given by an expression that is unknown before deployment \(the deployed state of other/
    );
  });
});

describe('a module parameter given by a for expression (a property loop named "value")', () => {
  // Bicep compiles `deployments: [for m in modelNames: {...}]` on a module to the parameter entry
  // {"copy": [{"name": "value", "count": …, "input": …}]}: a property iteration that makes the entry's
  // "value" (https://learn.microsoft.com/azure/azure-resource-manager/templates/copy-properties). AVM's AI
  // patterns pass model deployments and subnets this way.
  const { resources, errors } = expandTemplateFile(fixture('real-shapes', 'module-parameter-loop.json'));

  test('the module receives the array the loop makes', () => {
    expect(errors).toEqual([]);
    expect(resources.map(r => r.name)).toEqual([
      'ais-contoso',
      'ais-contoso/gpt-4o',
      'ais-contoso/text-embedding-3-large'
    ]);
    expect(at(byName(resources, 'ais-contoso/gpt-4o').json, '/properties/model')).toEqual({
      format: 'OpenAI',
      name: 'gpt-4o'
    });
  });
});

describe('a nested template that refuses the value it is passed', () => {
  // AVM modules pass an optional (nullable) parameter on to a module whose parameter is a plain string:
  // left null, ARM fails that nested deployment when it validates it, not the parent's other resources.
  const file = fixture('real-shapes', 'module-refuses-null.json');
  const { resources, errors, notes } = expandTemplateFile(file);

  test("the parent's other resources are expanded", () => {
    expect(resources.map(r => r.name)).toEqual(['ais-contoso', 'grant-contributor', 'grant-maybe']);
    expect(byName(resources, 'grant-contributor').unresolved).toMatch(
      /its template refuses the parameters it is given: The value null of parameter 'principalId' is not of type string/
    );
  });

  test('it is an error of the template where the deployment runs for certain, a note where it may not', () => {
    expect(errors.map(e => e.message)).toEqual([
      "The value null of parameter 'principalId' is not of type string; give a value of that type."
    ]);
    expect(notes).toHaveLength(2);
    expect(notes[1]).toMatch(/module-refuses-null\.json:46: what deployment 'grant-maybe' deploys is not checked/);
  });
});

describe('names of the template language written in another case, as deployed quickstarts write them', () => {
  // ARM reads "dependson", "apiversion", "Properties", "templatelink", "defaultvalue", "minvalue" and a
  // passed parameter's "Value" as their documented names: 15 templates of the quickstart snapshot
  // (CI-deployed) write one of them. They are read as ARM reads them, not refused.
  const file = fixture('real-shapes', 'names-in-other-case.json');
  const { resources, errors } = expandTemplateFile(file);

  test('every resource is expanded, the linked template’s included, with the values those names give', () => {
    expect(errors).toEqual([]);
    expect(resources.map(r => `${r.type} ${r.name}`)).toEqual([
      'Microsoft.Storage/storageAccounts stalertscontoso',
      'Microsoft.Insights/components appi-contoso',
      'Microsoft.Insights/metricAlerts failed-requests'
    ]);
    const account = byName(resources, 'stalertscontoso');
    expect(at(account.json, '/properties/encryption/keySource')).toBe('Microsoft.Storage');
    expect(account.apiVersion).toBe('2021-04-01');
    expect(at(byName(resources, 'failed-requests').json, '/properties/scopes/0')).toBe(
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Insights/components/appi-contoso'
    );
  });

  test('a parameter\'s "minvalue" is checked, and the refusal points at the parameter’s declaration', () => {
    const text = fs.readFileSync(file, 'utf8');
    let refusal: unknown;
    try {
      expandTemplateFile(file, { parameterOverrides: { retentionDays: 3 } });
    } catch (error) {
      refusal = error;
    }
    expect((refusal as Error).message).toMatch(/retentionDays/);
    expect((refusal as { location: { line: number } }).location.line).toBe(lineOf('"retentionDays": {', text));
  });

  test('the rules see the storage account\'s "Properties": its key source is a finding, not a pass', async () => {
    const root = path.dirname(file);
    const document = await evaluateRepository({
      cwd: root,
      policies: bundledPolicies(),
      templates: ['names-in-other-case.json']
    });
    expect(document.errors ?? []).toEqual([]);
    expect(
      document.findings.filter(f => f.definition === 'dependent-storage-cmk').map(f => [f.resource.name, f.verdict])
    ).toEqual([['stalertscontoso', 'noncompliant']]);
  });

  test('a finding under a name written in another case points at its line, as under the documented name', async () => {
    // "Properties" is read as "properties", and the finding's line is found the same way: the key
    // source's line, not the resource's nor line 1.
    const text = fs.readFileSync(file, 'utf8');
    const document = await evaluateRepository({
      cwd: path.dirname(file),
      policies: bundledPolicies(),
      templates: ['names-in-other-case.json']
    });
    const finding = document.findings.find(f => f.definition === 'dependent-storage-cmk');
    expect([finding?.resource.line, finding?.resource.column]).toEqual([
      lineOf('"keySource": "Microsoft.Storage"', text),
      text.split(/\r?\n/)[lineOf('"keySource": "Microsoft.Storage"', text) - 1].indexOf('"keySource"') + 1
    ]);
  });
});
