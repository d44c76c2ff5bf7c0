/**
 * The work of `count` inside one definition on one resource is bounded: a value count iterates at most
 * VALUE_COUNT_ITERATIONS times with the value counts around it, as Azure Policy's limits say (a definition
 * past it is refused, at load when its array is written out, else when it is evaluated), and every count,
 * nested or not, calls the caller's checkpoint (the file's time bound) every COUNT_STEPS iterations, so a field
 * count nested in another over large arrays ends with the caller's error. Nothing here reads a clock.
 */
import { evaluateDefinitions, loadDefinition as loadWithCatalog } from '../../src/engine/index.js';
import { COUNT_STEPS, VALUE_COUNT_ITERATIONS } from '../../src/engine/count.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';
import { withTestAliases } from '../support/test-aliases.js';

const loadDefinition = withTestAliases(loadWithCatalog);

const definition = (condition: Value) => ({
  name: 'counts',
  properties: {
    displayName: 'counts',
    mode: 'All',
    policyRule: {
      if: { allOf: [{ field: 'type', equals: 'Microsoft.KeyVault/vaults' }, condition] },
      then: { effect: 'audit' }
    }
  }
});

/** A value count of `name` over `value`, whose `where` is `where`, compared with "greater": -1 (always true). */
const valueCount = (name: string, value: Value, where: Value): Value => ({
  count: { value, name, where },
  greater: -1
});

const vault = (ipRules: number, accessPolicies: number) =>
  armResource(
    {
      type: 'Microsoft.KeyVault/vaults',
      name: 'kv1',
      properties: {
        networkAcls: { ipRules: Array.from({ length: ipRules }, (_, i) => ({ value: `10.0.0.${i}` })) },
        accessPolicies: Array.from({ length: accessPolicies }, (_, i) => ({ tenantId: `t${i}`, objectId: 'o' }))
      }
    },
    'main.json'
  );

describe('value count iterations (Azure: at most 100, the parents’ included)', () => {
  it('is 100, as Azure documents', () => {
    expect(VALUE_COUNT_ITERATIONS).toBe(100);
  });

  it('refuses at load a value count over an array of more than 100 items written out', () => {
    const items = Array.from({ length: 101 }, (_, i) => i);
    expect(() =>
      loadDefinition({
        file: 'defs/big.json',
        json: definition(valueCount('a', items, { value: "[current('a')]", greater: -1 }))
      })
    ).toThrow(
      /at properties\.policyRule\.if\.allOf\[1\]\.count\.value: this value count iterates 101 times.*at most 100/
    );
  });

  it('accepts nested value counts of 10 × 10 iterations, and refuses 10 × 11 when the resource is evaluated', () => {
    const nested = (inner: number) =>
      definition(
        valueCount(
          'a',
          '[range(0, 10)]',
          valueCount('b', `[range(0, ${inner})]`, { value: "[current('b')]", greater: -1 })
        )
      );
    const ok = loadDefinition({ file: 'defs/ok.json', json: nested(10) });
    expect(evaluateDefinitions([ok], [vault(1, 1)]).map(f => f.verdict)).toEqual(['noncompliant']);
    const over = loadDefinition({ file: 'defs/over.json', json: nested(11) });
    expect(() => evaluateDefinitions([over], [vault(1, 1)])).toThrow(
      /at properties\.policyRule\.if\.allOf\[1\]\.count\.where\.count\.value: this value count iterates 110 times/
    );
  });

  it('refuses the repro’s three value counts over range(0, 1000) at once, without iterating', () => {
    const where = valueCount(
      'b',
      '[range(0, 1000)]',
      valueCount('c', '[range(0, 1000)]', { value: "[current('c')]", greater: -1 })
    );
    const def = loadDefinition({ file: 'defs/v.json', json: definition(valueCount('a', '[range(0, 1000)]', where)) });
    let calls = 0;
    expect(() => evaluateDefinitions([def], [vault(1, 1)], { checkpoint: () => calls++ })).toThrow(
      /iterates 1000 times/
    );
    expect(calls).toBeLessThan(5);
  });
});

describe('field counts nested over large arrays', () => {
  const nestedCount: Value = {
    count: {
      field: 'Microsoft.KeyVault/vaults/networkAcls.ipRules[*]',
      where: {
        count: {
          field: 'Microsoft.KeyVault/vaults/accessPolicies[*]',
          where: {
            field: 'Microsoft.KeyVault/vaults/accessPolicies[*].tenantId',
            equals: "[current('Microsoft.KeyVault/vaults/networkAcls.ipRules[*].value')]"
          }
        },
        greater: 0
      }
    },
    greater: 0
  };
  const nested = loadDefinition({ file: 'defs/nested.json', json: definition(nestedCount) });

  it('call the checkpoint every COUNT_STEPS iterations, inner ones included', () => {
    let calls = 0;
    const findings = evaluateDefinitions([nested], [vault(200, 200)], { checkpoint: () => calls++ });
    expect(findings.map(f => f.verdict)).toEqual(['compliant']);
    // 200 × 200 inner iterations and 200 outer ones; the checkpoint is also called before the resource.
    expect(calls).toBeGreaterThanOrEqual(Math.floor((200 * 200 + 200) / COUNT_STEPS));
  });

  it('call the checkpoint from the counts of an existence condition on a related resource', () => {
    const audit = loadDefinition({
      file: 'defs/related.json',
      json: {
        name: 'related',
        properties: {
          displayName: 'related',
          mode: 'All',
          policyRule: {
            if: { field: 'type', equals: 'Microsoft.Storage/storageAccounts' },
            then: {
              effect: 'auditIfNotExists',
              details: {
                type: 'Microsoft.KeyVault/vaults',
                existenceCondition: nestedCount
              }
            }
          }
        }
      }
    });
    const account = armResource({ type: 'Microsoft.Storage/storageAccounts', name: 'sa1', properties: {} });
    let calls = 0;
    evaluateDefinitions([audit], [account, vault(200, 200)], { checkpoint: () => calls++ });
    // Two resources are checkpointed before their evaluation; the rest are the related vault's counts.
    expect(calls).toBeGreaterThanOrEqual(Math.floor((200 * 200 + 200) / COUNT_STEPS));
  });

  it('stop with the checkpoint’s error (the file’s time bound) in the middle of the counting', () => {
    let calls = 0;
    const stop = new Error('time is up');
    expect(() =>
      evaluateDefinitions([nested], [vault(200, 200)], {
        checkpoint: () => {
          if (++calls === 10) throw stop;
        }
      })
    ).toThrow(stop);
    expect(calls).toBe(10);
  });
});
