/**
 * A location condition keeps a definition off subscriptions.
 * APPLICABILITY = https://learn.microsoft.com/azure/governance/policy/concepts/policy-applicability, the special cases
 *   of the applicability of every effect but the IfNotExists ones: "When any conditions (including deployment
 *   parameters) include a location condition | Won't be applicable to subscriptions".
 *
 * The fixture is the fidelity review's reproduction (fixtures/engine/fidelity/location-condition-subscription):
 * mode All, `location notIn [westeurope]`, audit, against a subscription.
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { hasLocationCondition } from '../../src/engine/applicability.js';
import { loadResourceSnapshot } from '../../src/sources/snapshot.js';
import { armResource } from '../support/arm-resource.js';

const fixtures = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/engine/fidelity/location-condition-subscription'
);
const json = JSON.parse(fs.readFileSync(path.join(fixtures, 'def.json'), 'utf8'));
const outsideWesteurope = loadDefinition({ file: 'def.json', json });
const sub = '/subscriptions/00000000-0000-0000-0000-000000000000';
const subscription = armResource({ id: sub, name: 'sub', type: 'Microsoft.Resources/subscriptions' });
const group = armResource({
  id: `${sub}/resourceGroups/rg1`,
  name: 'rg1',
  type: 'Microsoft.Resources/subscriptions/resourceGroups',
  location: 'eastus'
});

const withRule = (rule: unknown, then: unknown = { effect: 'audit' }) =>
  loadDefinition({ file: null, json: { properties: { mode: 'All', policyRule: { if: rule, then } } } });

describe('a location condition (APPLICABILITY)', () => {
  it('the review’s reproduction: a snapshot’s subscription is not applicable', () => {
    const snapshot = loadResourceSnapshot(path.join(fixtures, 'res.json'));
    expect(snapshot[0].type).toBe('Microsoft.Resources/subscriptions');
    expect(evaluateDefinitions([outsideWesteurope], snapshot)).toEqual([]);
  });

  it('a resource group, or any other resource, still is', () => {
    expect(outsideWesteurope.evaluate(group).verdict).toBe('noncompliant');
    const vault = armResource({ name: 'kv', type: 'Microsoft.KeyVault/vaults', location: 'westeurope' });
    expect(outsideWesteurope.evaluate(vault)).toMatchObject({ applicable: true, verdict: 'compliant' });
  });

  it('wherever the condition is in the if, under not too; for deny and the interpreter alike', () => {
    const nested = withRule({
      allOf: [{ field: 'name', like: '*' }, { not: { field: 'LOCATION', in: ['westeurope'] } }]
    });
    expect(nested.evaluate(subscription).applicable).toBe(false);
    expect(nested.evaluate(group).verdict).toBe('noncompliant');
    const deny = withRule({ field: 'location', notIn: ['westeurope'] }, { effect: 'deny' });
    expect(deny.evaluate(subscription).applicable).toBe(false);
    const interpreted = loadDefinition({ file: 'def.json', json }, { interpret: true });
    expect(interpreted.evaluate(subscription).applicable).toBe(false);
  });

  it('without one, a mode All rule still applies to subscriptions', () => {
    expect(withRule({ field: 'name', like: '*' }).evaluate(subscription).verdict).toBe('noncompliant');
    expect(
      withRule({ field: 'type', equals: 'Microsoft.Resources/subscriptions' }).evaluate(subscription).verdict
    ).toBe('noncompliant');
    expect(hasLocationCondition({ value: "[field('location')]", equals: 'x' })).toBe(false);
    expect(hasLocationCondition({ count: { field: 'Microsoft.Test/things/list[*]' }, equals: 0 })).toBe(false);
  });

  it('an IfNotExists effect keeps its own applicability, the whole if', () => {
    const aine = withRule(
      { field: 'location', notIn: ['westeurope'] },
      { effect: 'auditIfNotExists', details: { type: 'Microsoft.Insights/diagnosticSettings' } }
    );
    expect(aine.evaluate(subscription, { related: [] }).applicable).toBe(true);
  });
});
