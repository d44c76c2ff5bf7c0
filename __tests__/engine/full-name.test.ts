/**
 * `fullName`: "Returns the full name of the resource. The full name of a resource is the resource name prepended by
 * any parent resource names (for example myServer/myDatabase)."
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#fields
 *
 * A resource as its GET returns it (a snapshot, a live scope) carries only its own name; its parents' names are in
 * its id. The fixture is the fidelity review's reproduction (fixtures/engine/fidelity/fullname-child-snapshot).
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { fullNameOf, nameChainOf } from '../../src/engine/fields.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { liveResources } from '../../src/sources/live.js';
import { loadResourceSnapshot } from '../../src/sources/snapshot.js';
import { expandTemplateDocument } from '../../src/sources/templates.js';
import { armResource } from '../support/arm-resource.js';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/engine/fidelity/fullname-child-snapshot'
);
const def = loadDefinition({
  file: 'def.json',
  json: JSON.parse(fs.readFileSync(path.join(fixtures, 'def.json'), 'utf8'))
});
const rg = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1';

/** A definition that audits resources whose `fullName` (or, through field(), the same) is `wanted`. */
const fullNameIs = (wanted: string, viaFunction = false) =>
  loadDefinition({
    file: null,
    json: {
      properties: {
        mode: 'All',
        policyRule: {
          if: viaFunction ? { value: "[field('fullName')]", equals: wanted } : { field: 'fullName', equals: wanted },
          then: { effect: 'audit' }
        }
      }
    }
  });

describe('fullName of a resource read from Azure', () => {
  it('a snapshot’s database named db1 has the full name srv1/db1 (the review’s reproduction)', () => {
    const snapshot = loadResourceSnapshot(path.join(fixtures, 'res.json'));
    expect(snapshot[0].name).toBe('db1');
    expect(evaluateDefinitions([def], snapshot).map(f => f.verdict)).toEqual(['noncompliant']);
  });

  it('so does a live scope’s, read through field() too, and name stays the short name', () => {
    const rows = JSON.parse(fs.readFileSync(path.join(fixtures, 'res.json'), 'utf8'));
    const live = liveResources(rows, 'the test scope');
    expect(fullNameIs('srv1/db1').evaluate(live[0]).verdict).toBe('noncompliant');
    expect(fullNameIs('srv1/db1', true).evaluate(live[0]).verdict).toBe('noncompliant');
    expect(fullNameIs('db1').evaluate(live[0]).verdict).toBe('compliant');
    const name = loadDefinition({
      file: null,
      json: {
        properties: { mode: 'All', policyRule: { if: { field: 'name', equals: 'db1' }, then: { effect: 'audit' } } }
      }
    });
    expect(name.evaluate(live[0]).verdict).toBe('noncompliant');
  });

  it('at any depth', () => {
    const container = armResource({
      id: `${rg}/providers/Microsoft.Storage/storageAccounts/st1/blobServices/default/containers/c1`,
      name: 'c1',
      type: 'Microsoft.Storage/storageAccounts/blobServices/containers'
    });
    expect(fullNameOf(container)).toBe('st1/default/c1');
    expect(fullNameIs('st1/default/c1').evaluate(container).verdict).toBe('noncompliant');
  });

  it('an extension resource’s full name is its own chain, not its scope’s', () => {
    const setting = armResource({
      id: `${rg}/providers/Microsoft.KeyVault/vaults/kv1/providers/Microsoft.Insights/diagnosticSettings/ds1`,
      name: 'ds1',
      type: 'Microsoft.Insights/diagnosticSettings'
    });
    expect(fullNameOf(setting)).toBe('ds1');
    const nested = armResource({
      id: `${rg}/providers/Microsoft.Sql/servers/srv1/providers/Microsoft.Test/things/t1/parts/p1`,
      name: 'p1',
      type: 'Microsoft.Test/things/parts'
    });
    expect(fullNameOf(nested)).toBe('t1/p1');
    expect(nameChainOf(`${rg}/providers/Microsoft.Sql/servers/providers/databases/db1`)).toEqual(['providers', 'db1']);
  });

  it('a name that already holds its parents is not doubled, as a listing (az resource list) gives it', () => {
    const listed = armResource({
      id: `${rg}/providers/Microsoft.Sql/servers/srv1/databases/db1`,
      name: 'srv1/db1',
      type: 'Microsoft.Sql/servers/databases'
    });
    expect(fullNameOf(listed)).toBe('srv1/db1');
    expect(evaluateDefinitions([def], [listed]).map(f => f.verdict)).toEqual(['noncompliant']);
  });

  it('keeps the name as given where the id does not name the resource, and for groups and subscriptions', () => {
    const odd = armResource({
      id: `${rg}/providers/Microsoft.Sql/servers/srv1/databases/other`,
      name: 'db1',
      type: 'Microsoft.Sql/servers/databases'
    });
    expect(fullNameOf(odd)).toBe('db1');
    expect(fullNameOf(armResource({ id: 'not an id', name: 'db1', type: 'Microsoft.Sql/servers/databases' }))).toBe(
      'db1'
    );
    expect(
      fullNameOf(armResource({ id: rg, name: 'rg1', type: 'Microsoft.Resources/subscriptions/resourceGroups' }))
    ).toBe('rg1');
    expect(
      fullNameOf(armResource({ id: '/subscriptions/1111', name: 'sub', type: 'Microsoft.Resources/subscriptions' }))
    ).toBe('sub');
    // The id's case is kept for the parents; the resource's own name as the resource spells it.
    const cased = armResource({
      id: `${rg}/providers/Microsoft.Sql/servers/SRV1/databases/DB1`,
      name: 'db1',
      type: 'Microsoft.Sql/servers/databases'
    });
    expect(fullNameOf(cased)).toBe('SRV1/db1');
  });

  it('a template’s child gives the same full name, declared either way', () => {
    const { resources } = expandTemplateDocument(
      parseJsonWithPositions(
        JSON.stringify({
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [
            {
              type: 'Microsoft.Sql/servers',
              apiVersion: '2023-08-01',
              name: 'srv1',
              location: 'westeurope',
              properties: {},
              resources: [
                {
                  type: 'databases',
                  apiVersion: '2023-08-01',
                  name: 'db1',
                  location: 'westeurope',
                  dependsOn: ['srv1']
                }
              ]
            },
            {
              type: 'Microsoft.Sql/servers/databases',
              apiVersion: '2023-08-01',
              name: 'srv1/db2',
              location: 'westeurope',
              dependsOn: ['srv1']
            }
          ]
        }),
        'sql.json'
      )
    );
    const databases = resources.filter(r => r.type === 'Microsoft.Sql/servers/databases');
    expect(databases.map(fullNameOf).sort()).toEqual(['srv1/db1', 'srv1/db2']);
    expect(
      evaluateDefinitions([def], databases)
        .map(f => `${f.resource.name} ${f.verdict}`)
        .sort()
    ).toEqual(['srv1/db1 noncompliant', 'srv1/db2 compliant']);
  });
});

describe('the related resource of an existence condition, found by full names', () => {
  // Built-in a6fb4358 "Auditing on SQL server should be enabled" (AuditIfNotExists, related
  // Microsoft.Sql/servers/auditingSettings named 'default', byte for byte the corpus's builtin/SQL/
  // SqlServerAuditing_Audit.json), against a snapshot whose children carry their short names as their GET answers.
  const dir = path.resolve(fixtures, '../related-child-snapshot');
  const auditing = loadDefinition({
    file: 'SqlServerAuditing_Audit.json',
    json: JSON.parse(fs.readFileSync(path.join(dir, 'SqlServerAuditing_Audit.json'), 'utf8'))
  });
  const parameters = { [auditing.name]: { setting: 'enabled' } };

  it('finds each server’s own auditing settings: srv1 enabled complies, srv2 disabled does not', () => {
    const snapshot = loadResourceSnapshot(path.join(dir, 'res.json'));
    const findings = evaluateDefinitions([auditing], snapshot, { parameters });
    expect(findings.map(f => `${f.resource.name} ${f.verdict}`)).toEqual(['srv1 compliant', 'srv2 noncompliant']);
  });

  it('and a server without its own settings is not judged by another server’s', () => {
    const snapshot = loadResourceSnapshot(path.join(dir, 'res.json')).filter(r => !r.id.includes('srv1/'));
    const findings = evaluateDefinitions([auditing], snapshot, { parameters });
    expect(findings.map(f => `${f.resource.name} ${f.verdict}`)).toEqual(['srv1 indeterminate', 'srv2 noncompliant']);
  });
});
