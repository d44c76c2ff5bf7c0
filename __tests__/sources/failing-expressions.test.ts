/**
 * One failing expression spoils what uses it, not the file. ARM evaluates a template lazily: "When
 * the condition is True, only the true value is evaluated. When the condition is False, only the
 * false value is evaluated. With the if function, you can include expressions that are only
 * conditionally valid."
 * (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-logical#if),
 * and a variable is computed only where something reads it. A public template splits an optional
 * resource id parameter whose default is '' (`split(…)[8]`) in a variable that only some
 * resources use: those resources are indeterminate with the error and the parameter that would
 * fix it; the others are evaluated as usual.
 */
import * as path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { expandTemplateFile, TemplateError } from '../../src/sources/index.js';
import { isUnknown, type Value } from '../../src/model/value.js';
import { evaluateRepository } from '../../src/run.js';
import { SCHEMA, expandDocTemplate } from './outputs.js';
import { at, byName, fixture, fixtures } from './helpers.js';

const reasonOf = (value: Value | undefined): string => {
  expect(isUnknown(value)).toBe(true);
  return (value as { reason: string }).reason;
};

const account = (name: string, properties: object, extra: object = {}) => ({
  type: 'Microsoft.CognitiveServices/accounts',
  apiVersion: '2024-10-01',
  name,
  location: 'westus',
  kind: 'OpenAI',
  properties,
  ...extra
});

function expand(template: { parameters?: object; variables?: object; resources: object[]; outputs?: object }) {
  return expandDocTemplate({ $schema: SCHEMA, contentVersion: '1.0.0.0', ...template }).resources;
}

describe('a variable that fails for an optional parameter left at its default', () => {
  const file = fixture('failing', 'main.json');
  const expanded = expandTemplateFile(file);

  test('the resource that reads it gets an unknown value naming the error and the parameter to give', () => {
    const keySource = at(
      byName(expanded.resources, 'ai-key-source-from-workspace').json,
      '/properties/encryption/keySource'
    );
    const reason = reasonOf(keySource);
    expect(reason).toMatch(/array index '8' is out of bounds/);
    expect(reason).toMatch(/main\.json:13/);
    expect(reason).toMatch(/parameter 'existingWorkspaceId' \("", its default\): give it a value for which it works/);
  });

  test("the template's other resources are expanded as usual", () => {
    expect(expanded.resources.map(r => r.name)).toEqual([
      'ai-with-key',
      'ai-without-key',
      'ai-key-source-from-workspace'
    ]);
    expect(at(byName(expanded.resources, 'ai-with-key').json, '/properties/encryption/keySource')).toBe(
      'Microsoft.KeyVault'
    );
  });

  test('a variable nobody reads is never computed, so it fails nothing (unusedWorkspaceGroup)', () => {
    expect(expanded.errors).toHaveLength(1);
    expect(expanded.errors[0].location).toMatchObject({ file, line: 13 });
  });

  test('used by a resource that deploys whatever the unknowns are, the failure is also the template error ARM would give', () => {
    expect(expanded.errors[0]).toBeInstanceOf(TemplateError);
    expect(expanded.errors[0].message).toMatch(
      /The resources that use this value are indeterminate; the others are evaluated/
    );
  });

  test('the pipeline reports every finding: the reader indeterminate with why, the others decided, and the error', async () => {
    const document = await evaluateRepository({
      cwd: fixtures,
      policies: path.resolve(fixtures, '../../../policies'),
      templates: ['failing/main.json']
    });
    const cmk = (name: string) =>
      document.findings.find(f => f.definition === 'foundry-tools-cmk' && f.resource.name === name)!;
    expect(cmk('ai-with-key').verdict).toBe('compliant');
    expect(cmk('ai-without-key').verdict).toBe('noncompliant');
    expect(cmk('ai-key-source-from-workspace').verdict).toBe('indeterminate');
    expect(cmk('ai-key-source-from-workspace').reason).toMatch(
      /array index '8' is out of bounds.*parameter 'existingWorkspaceId'/
    );
    expect(document.errors).toHaveLength(1);
    expect(document.errors![0]).toMatchObject({ file: 'failing/main.json', line: 13 });
  });

  test('with the parameter given, nothing fails', () => {
    const given = expandTemplateFile(file, {
      parameterOverrides: {
        existingWorkspaceId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws'
      }
    });
    expect(given.errors).toEqual([]);
    expect(at(byName(given.resources, 'ai-key-source-from-workspace').json, '/properties/encryption/keySource')).toBe(
      'Microsoft.KeyVault'
    );
  });
});

describe('where ARM may never evaluate it, a failure is noted, not an error', () => {
  test('a resource whose condition is unknown', () => {
    const { resources, notes, errors } = (() => {
      const template = {
        $schema: SCHEMA,
        contentVersion: '1.0.0.0',
        parameters: { id: { type: 'string', defaultValue: '' }, useExisting: { type: 'bool' } },
        variables: { name: "[split(parameters('id'), '/')[8]]" },
        resources: [
          {
            ...account('ai-conditional', { customSubDomainName: "[variables('name')]" }),
            condition: "[parameters('useExisting')]"
          }
        ]
      };
      const result = expandDocTemplate(template);
      return { resources: result.resources, notes: result.notes, errors: result.errors };
    })();
    expect(reasonOf(at(byName(resources, 'ai-conditional').json, '/properties/customSubDomainName'))).toMatch(
      /out of bounds/
    );
    expect(errors).toEqual([]);
    expect(notes.join('\n')).toMatch(/out of bounds.*only where it is used/);
  });
});

describe('names, conditions, copy counts and outputs that fail', () => {
  const variables = { parts: "[split('just-one', '/')]" };

  test('a name: the resource is kept under the name as written', () => {
    const resources = expand({
      variables,
      resources: [account("[variables('parts')[3]]", { publicNetworkAccess: 'Disabled' }), account('ai-b', {})]
    });
    expect(resources.map(r => r.name)).toEqual(["[variables('parts')[3]]", 'ai-b']);
    expect(reasonOf(resources[0].json.name)).toMatch(/array index '3' is out of bounds/);
    expect(at(resources[0].json, '/properties/publicNetworkAccess')).toBe('Disabled');
  });

  test('a condition: the resource deploys only if it would hold, and says why not known', () => {
    const resources = expand({
      variables,
      resources: [{ ...account('ai-a', {}), condition: "[equals(variables('parts')[3], 'x')]" }, account('ai-b', {})]
    });
    expect(byName(resources, 'ai-a').conditionUnknown).toMatch(/its condition holds \(an expression that fails/);
    expect(byName(resources, 'ai-b').conditionUnknown).toBeUndefined();
  });

  test('a copy count: one instance stands for the loop', () => {
    const resources = expand({
      variables,
      resources: [
        {
          ...account("[concat('ai-', copyIndex())]", {}),
          copy: { name: 'accounts', count: "[int(variables('parts')[0])]" }
        }
      ]
    });
    expect(resources).toHaveLength(1);
    expect(resources[0].conditionUnknown).toMatch(
      /copy loop 'accounts' deploys at least once \(an expression that fails/
    );
  });

  test("a nested deployment's output read by a later deployment spoils only the value that reads it", () => {
    const inner = (resources: object[], parameters: object = {}, outputs: object = {}) => ({
      $schema: SCHEMA,
      contentVersion: '1.0.0.0',
      parameters,
      resources,
      outputs
    });
    const resources = expand({
      resources: [
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'first',
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            template: inner([], {}, { workspace: { type: 'string', value: "[split('a/b', '/')[8]]" } })
          }
        },
        {
          type: 'Microsoft.Resources/deployments',
          apiVersion: '2022-09-01',
          name: 'second',
          dependsOn: ['first'],
          properties: {
            mode: 'Incremental',
            expressionEvaluationOptions: { scope: 'inner' },
            parameters: { workspace: { value: "[reference('first').outputs.workspace.value]" } },
            template: inner(
              [
                account('ai-reads-output', { customSubDomainName: "[parameters('workspace')]" }),
                account('ai-other', {})
              ],
              { workspace: { type: 'string' } }
            )
          }
        }
      ]
    });
    expect(reasonOf(at(byName(resources, 'ai-reads-output').json, '/properties/customSubDomainName'))).toMatch(
      /array index '8' is out of bounds/
    );
    expect(byName(resources, 'ai-other').json.properties).toEqual({});
  });
});

describe('what ARM refuses whatever the values is still the template error', () => {
  test('an unknown function read by a resource stops the template', () => {
    expect(() =>
      expand({ variables: { used: "[notAFunction('x')]" }, resources: [account("[variables('used')]", {})] })
    ).toThrow(/notAFunction.*is not valid/);
  });

  test('a parameter that is not declared', () => {
    expect(() => expand({ resources: [account("[parameters('nope')]", {})] })).toThrow(
      /template parameter 'nope' is not found/
    );
  });
});
