/**
 * Which template evaluates a nested template's strings, and how often.
 *
 * An outer-scope nested template (the default) is evaluated as part of its parent: its expressions
 * read the parent's parameters, variables and scope ("Set the property to outer to resolve to the
 * scope of the parent template", and the table row "nested | outer (default) | Parent resource group",
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/scope-functions). When the parent
 * is itself an outer-scope nested template, that is its parent's, all the way up.
 *
 * The parent evaluates such a template as a whole, the templates of inner-scope deployments inside it
 * included: there `[[x]` (the escape for a string that starts with `[`,
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions#escape-characters)
 * becomes `[x]`, which the inner-scope deployment then evaluates in its own scope. Azure Landing Zones'
 * templates rely on it (fixtures/sources/real-templates/eslz-vnetPeering.json).
 */
import * as fs from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile } from '../../src/sources/index.js';
import { at, byName, expandInline, fixture, lineOf } from './helpers.js';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
const SUBSCRIPTION_SCHEMA =
  'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#';
const SUB = '00000000-0000-0000-0000-000000000000';

/** A nested deployment resource with an inline template. */
function deployment(name: string, template: object, extra: object = {}, properties: object = {}): object {
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2021-04-01',
    name,
    ...extra,
    properties: { mode: 'Incremental', ...properties, template }
  };
}

function template(resources: object[], more: object = {}, schema = SCHEMA): object {
  return { $schema: schema, contentVersion: '1.0.0.0', ...more, resources };
}

function storage(name: string, more: object = {}): object {
  return { type: 'Microsoft.Storage/storageAccounts', apiVersion: '2022-09-01', name, location: 'westus', ...more };
}

const INNER = { expressionEvaluationOptions: { scope: 'inner' } };

describe('an outer-scope nested template inside another', () => {
  test("resourceGroup() and deployment() two levels down are the top template's", () => {
    const { resources } = expandInline(
      template([
        deployment(
          'l1',
          template([
            storage("[concat('l1', resourceGroup().name, deployment().name)]"),
            deployment('l2', template([storage("[concat('l2', resourceGroup().name, deployment().name)]")]), {
              resourceGroup: 'rgB'
            })
          ]),
          { resourceGroup: 'rgA' }
        )
      ]),
      { scope: { deploymentName: 'top' } }
    );
    // The names are evaluated in the top deployment; the resources still go where their deployments do.
    expect(resources.map(r => r.id)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/rgA/providers/Microsoft.Storage/storageAccounts/l1rgtop`,
      `/subscriptions/${SUB}/resourceGroups/rgB/providers/Microsoft.Storage/storageAccounts/l2rgtop`
    ]);
  });

  test('resourceGroup() works under a subscription-level outer deployment when the top deploys to a group', () => {
    const { resources } = expandInline(
      template([
        deployment(
          'toSubscription',
          template(
            [
              deployment('toGroup', template([storage('st1', { location: '[resourceGroup().location]' })]), {
                resourceGroup: 'other'
              })
            ],
            {},
            SUBSCRIPTION_SCHEMA
          ),
          { location: 'westus', subscriptionId: '[subscription().subscriptionId]' }
        )
      ]),
      { scope: { resourceGroupLocation: 'northeurope' } }
    );
    const account = byName(resources, 'st1');
    expect(account.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/other/providers/Microsoft.Storage/storageAccounts/st1`
    );
    expect(at(account.json, '/location')).toBe('northeurope');
  });

  test('the Azure docs sample deploymentscript-keyvault-lock-group.json expands (it failed on resourceGroup())', () => {
    const file = fixture('real-templates', 'deploymentscript-keyvault-lock-group.json');
    const { resources, errors } = expandTemplateFile(file, {
      parameterFiles: [],
      parameterOverrides: { dsRgName: 'ds-rg', keyVaultName: 'kv-ds', objectId: 'o', identityId: 'i' },
      scope: { resourceGroupLocation: 'westus2' }
    });
    expect(errors ?? []).toEqual([]);
    const script = byName(resources, 'createAddCertificate');
    expect(script.id).toBe(
      `/subscriptions/${SUB}/resourceGroups/ds-rg/providers/Microsoft.Resources/deploymentScripts/createAddCertificate`
    );
    // resourceGroup() there is the top template's group (westus2), not ds-rg's.
    expect(at(script.json, '/location')).toBe('westus2');
    const text = fs.readFileSync(file, 'utf8');
    expect(script.positionOf!('/location')?.line).toBe(lineOf('"location": "[resourceGroup().location]"', text));
  });
});

describe('an inner-scope deployment inside an outer-scope nested template', () => {
  const escaped = (name: string, tag: string) =>
    template([
      deployment(
        'outerScoped',
        template([
          deployment(
            'innerScoped',
            template([storage(name, { tags: { escaped: tag } })], {
              parameters: { storageName: { type: 'string' } }
            }),
            {},
            { ...INNER, parameters: { storageName: { value: 'stinner01' } } }
          )
        ])
      )
    ]);

  test('a string escaped with [[ is evaluated by the inner deployment', () => {
    const { resources } = expandInline(escaped("[[parameters('storageName')]", "[[concat('a', 'b')]"));
    const account = byName(resources, 'stinner01');
    expect(at(account.json, '/tags/escaped')).toBe('ab');
  });

  test('an unescaped expression is evaluated by the template that evaluates the outer one first', () => {
    const top = escaped("[parameters('storageName')]", "[[parameters('storageName')]") as { parameters?: object };
    top.parameters = { storageName: { type: 'string', defaultValue: 'sttop' } };
    const account = byName(expandInline(top).resources, 'sttop');
    expect(at(account.json, '/tags/escaped')).toBe('stinner01');
  });

  test('[[[ leaves one [ to the inner deployment, as a literal', () => {
    const { resources } = expandInline(escaped("[[parameters('storageName')]", '[[[literal]'));
    expect(at(byName(resources, 'stinner01').json, '/tags/escaped')).toBe('[literal]');
  });

  test('a property name escaped with [[ is evaluated by the inner deployment', () => {
    const top = escaped("[[parameters('storageName')]", 'x') as { resources: object[] };
    const json = JSON.stringify(top).replace('"escaped":"x"', `"[[parameters('storageName')]":"x"`);
    const account = byName(expandInline(JSON.parse(json) as object).resources, 'stinner01');
    expect(at(account.json, '/tags/stinner01')).toBe('x');
  });

  test('the enclosing evaluation runs in the copy loop of the outer deployment', () => {
    const { resources } = expandInline(
      template([
        deployment(
          "[concat('outer', copyIndex())]",
          template([
            deployment(
              "[concat('inner', copyIndex())]",
              template([storage("[concat('st', copyIndex())]", { tags: { suffix: "[[parameters('suffix')]" } })], {
                parameters: { suffix: { type: 'string' } }
              }),
              {},
              { ...INNER, parameters: { suffix: { value: 'x' } } }
            )
          ]),
          { copy: { name: 'outers', count: 2 } }
        )
      ])
    );
    // copyIndex() there is the outer deployment's, evaluated before the inner deployment sees the text.
    expect(resources.map(r => r.name)).toEqual(['st0', 'st1']);
    expect(resources.map(r => at(r.json, '/tags/suffix'))).toEqual(['x', 'x']);
  });

  test('a template nested in inner-scope deployments only is evaluated once: [[ stays a literal', () => {
    const { resources } = expandInline(
      template([
        deployment('innerOnly', template([storage('st1', { tags: { literal: "[[parameters('x')]" } })]), {}, INNER)
      ])
    );
    expect(at(byName(resources, 'st1').json, '/tags/literal')).toBe("[parameters('x')]");
  });

  test('an inner deployment two inner levels below an outer one: the outer evaluation, then its own', () => {
    const { resources } = expandInline(
      template([
        deployment(
          'outerScoped',
          template([
            deployment(
              'inner1',
              template([
                deployment(
                  'inner2',
                  template([storage("[[parameters('name')]", { tags: { kept: "[[[parameters('name')]" } })], {
                    parameters: { name: { type: 'string' } }
                  }),
                  {},
                  { ...INNER, parameters: { name: { value: 'stlevel3' } } }
                )
              ]),
              {},
              INNER
            )
          ])
        )
      ])
    );
    // inner1 does not evaluate inner2's template (its own resources skip it): two evaluations, not three.
    expect(at(byName(resources, 'stlevel3').json, '/tags/kept')).toBe("[parameters('name')]");
  });

  test('Azure Landing Zones vnetPeering.json: the hub peering is named from the inner parameters', () => {
    const { resources, errors } = expandTemplateFile(fixture('real-templates', 'eslz-vnetPeering.json'), {
      parameterFiles: [],
      parameterOverrides: {
        vNetRgName: 'spoke-rg',
        vNetName: 'spoke',
        vNetLocation: 'westeurope',
        vNetCidrRange: '10.1.0.0/16',
        hubResourceId:
          '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/hub-rg/providers/Microsoft.Network/virtualNetworks/hub'
      }
    });
    expect(errors ?? []).toEqual([]);
    const peering = byName(resources, 'hub/spoke');
    expect(peering.id).toBe(
      '/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/hub-rg/providers/Microsoft.Network/virtualNetworks/hub/virtualNetworkPeerings/spoke'
    );
    expect(at(peering.json, '/properties/remoteVirtualNetwork/id')).toBe(
      `/subscriptions/${SUB}/resourceGroups/spoke-rg/providers/Microsoft.Network/virtualNetworks/spoke`
    );
  });
});
