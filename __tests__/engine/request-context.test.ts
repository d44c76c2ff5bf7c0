/**
 * requestContext().apiVersion on existing resources.
 * FUNCTIONS = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 *   "requestContext().apiVersion returns the API version of the request that triggered policy evaluation (example:
 *   2021-09-01). This value is the API version that was used in the PUT/PATCH request for evaluations on resource
 *   creation/update. The latest API version is always used during compliance evaluation on existing resources."
 *
 * Built-in 0b60c0b2 "Key vaults should have deletion protection enabled" (fixtures/engine/builtin/
 * KeyVault_Recoverable_Audit.json, byte for byte the corpus's builtin/Key Vault/Recoverable_Audit.json) counts an
 * absent enableSoftDelete as off only before api-version 2019-09-01. The resources are the fidelity review's
 * reproduction (fixtures/engine/fidelity/requestcontext-apiversion-snapshot).
 */
import { describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { LATEST_API_VERSION } from '../../src/engine/functions.js';
import type { Resource } from '../../src/model/resource.js';
import { liveResources } from '../../src/sources/live.js';
import { loadResourceSnapshot } from '../../src/sources/snapshot.js';
import { expandTemplateFile } from '../../src/sources/templates.js';
import { armResource } from '../support/arm-resource.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/engine/fidelity/requestcontext-apiversion-snapshot');
const deletionProtection = loadDefinition({
  file: 'KeyVault_Recoverable_Audit.json',
  json: JSON.parse(
    fs.readFileSync(path.resolve(here, '../fixtures/engine/builtin/KeyVault_Recoverable_Audit.json'), 'utf8')
  )
});

const verdicts = (resources: Resource[]) =>
  evaluateDefinitions([deletionProtection], resources).map(f => `${f.resource.name} ${f.verdict}`);

/** A definition whose `if` is one condition on requestContext().apiVersion. */
const onApiVersion = (condition: Record<string, unknown>) =>
  loadDefinition({
    file: null,
    json: {
      properties: {
        mode: 'All',
        policyRule: { if: { value: '[requestContext().apiVersion]', ...condition }, then: { effect: 'audit' } }
      }
    }
  });
const holds = (condition: Record<string, unknown>, resource: Resource) =>
  onApiVersion(condition).evaluate(resource).verdict === 'noncompliant';

describe('requestContext().apiVersion (FUNCTIONS)', () => {
  it('0b60c0b2: a snapshot’s vault with purge protection and no enableSoftDelete complies, as at the latest version', () => {
    expect(verdicts(loadResourceSnapshot(path.join(fixtures, 'res.json')))).toEqual(['kv3 compliant']);
  });

  it('0b60c0b2: so does a live scope’s, and one without purge protection does not', () => {
    const rows = JSON.parse(fs.readFileSync(path.join(fixtures, 'res.json'), 'utf8'));
    const without = { ...rows[0], name: 'kv5', id: rows[0].id.replace('kv3', 'kv5'), properties: { tenantId: 't' } };
    expect(verdicts(liveResources([...rows, without], 'the test scope'))).toEqual([
      'kv3 compliant',
      'kv5 noncompliant'
    ]);
  });

  it('0b60c0b2: a template’s vault is judged at the api-version it is sent with', () => {
    expect(verdicts(expandTemplateFile(path.join(fixtures, 'main.json')).resources)).toEqual([
      'kv3 compliant',
      'kv4 noncompliant'
    ]);
  });

  it('an api-version a snapshot records is not the one the compliance scan uses', () => {
    const recorded = armResource({
      name: 'kv6',
      type: 'Microsoft.KeyVault/vaults',
      apiVersion: '2018-02-14',
      location: 'westeurope',
      properties: { enablePurgeProtection: true }
    });
    expect(recorded.origin).toBe('snapshot');
    expect(deletionProtection.evaluate(recorded).verdict).toBe('compliant');
  });

  it('the latest orders after every api-version a definition names, and equals none of them', () => {
    const existing = armResource({ name: 'r', type: 'Microsoft.Test/things', properties: {} });
    expect(holds({ less: '2019-09-01' }, existing)).toBe(false);
    expect(holds({ lessOrEquals: '2021-02-01-preview' }, existing)).toBe(false);
    expect(holds({ greater: '2019-10-01' }, existing)).toBe(true);
    expect(holds({ greaterOrEquals: '2024-11-01' }, existing)).toBe(true);
    expect(holds({ greaterOrEquals: '2022-10-01-preview' }, existing)).toBe(true);
    expect(holds({ equals: '2019-09-01' }, existing)).toBe(false);
    expect(holds({ notEquals: '2019-09-01' }, existing)).toBe(true);
    // The template functions the built-ins' Modify conditions call compare the same way.
    const fn = loadDefinition({
      file: null,
      json: {
        properties: {
          mode: 'All',
          policyRule: {
            if: {
              allOf: [
                { value: "[greaterOrEquals(requestContext().apiVersion, '2021-06-01-preview')]", equals: true },
                { value: "[less(requestContext().apiVersion, '2019-04-01')]", equals: false }
              ]
            },
            then: { effect: 'audit' }
          }
        }
      }
    });
    expect(fn.evaluate(existing).verdict).toBe('noncompliant');
    expect(LATEST_API_VERSION > '2099-12-31').toBe(true);
  });
});
