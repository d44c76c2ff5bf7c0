/**
 * The date functions of a policy rule answer in the layouts the policy-rule page gives, so that
 * string comparisons with their results match Azure's:
 * - "addDays(dateTime, numberOfDaysToAdd) … String in the Universal ISO 8601 DateTime format
 *   yyyy-MM-ddTHH:mm:ss.FFFFFFFZ": `F` drops trailing zeros of the fraction, and the point with
 *   them (`2024-01-20T12:00:00Z`, not `…00.0000000Z`).
 * - "utcNow() … Returns a string that is set to the current date and time in Universal ISO 8601
 *   DateTime format yyyy-MM-ddTHH:mm:ss.fffffffZ": seven digits always.
 * RULE = https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 */
import { loadDefinition } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource } from '../support/arm-resource.js';

type Obj = { [key: string]: Value };

function holds(condition: Obj, properties: Obj = {}, type = 'Microsoft.KeyVault/vaults'): string {
  const def = loadDefinition({
    file: null,
    json: {
      properties: {
        mode: 'All',
        policyRule: {
          if: { allOf: [{ field: 'type', equals: type }, condition] },
          then: { effect: 'audit' }
        }
      }
    }
  });
  const e = def.evaluate(armResource({ type, name: 'kv', properties }));
  return e.verdict === 'noncompliant' ? 'true' : e.verdict === 'compliant' ? 'false' : e.verdict;
}

describe('addDays answers yyyy-MM-ddTHH:mm:ss.FFFFFFFZ (RULE)', () => {
  it.each([
    ['2024-01-19T12:00:00Z', 1, '2024-01-20T12:00:00Z'],
    ['2024-01-19T12:00:00.0000000Z', 1, '2024-01-20T12:00:00Z'],
    ['2024-01-19T12:00:00.5Z', 1, '2024-01-20T12:00:00.5Z'],
    ['2024-01-19T12:00:00.1230000Z', 1, '2024-01-20T12:00:00.123Z'],
    ['2024-01-19T12:00:00.1234567Z', 1, '2024-01-20T12:00:00.1234567Z'],
    ['2024-01-19T12:00:00.0000001Z', 1, '2024-01-20T12:00:00.0000001Z'],
    ['2024-02-28T23:59:59Z', 1, '2024-02-29T23:59:59Z'],
    ['2023-12-31T00:00:00Z', 1, '2024-01-01T00:00:00Z'],
    ['2024-03-01T08:30:00Z', -1, '2024-02-29T08:30:00Z'],
    ['2024-01-19', 30, '2024-02-18T00:00:00Z']
  ])('addDays(%j, %d) is %j, and compares equal to it as a string', (date, days, expected) => {
    expect(holds({ value: `[addDays('${date}', ${days})]`, equals: expected })).toBe('true');
    expect(holds({ value: `[equals(addDays('${date}', ${days}), '${expected}')]`, equals: true })).toBe('true');
  });

  it('a date read from the resource, as the key-expiry built-ins read theirs', () => {
    const key = (created: string) => ({ attributes: { created } });
    const oneDayLater = {
      value: "[addDays(field('Microsoft.KeyVault/vaults/keys/attributes.created'), 1)]",
      equals: '2024-01-20T12:00:00Z'
    };
    expect(holds(oneDayLater, key('2024-01-19T12:00:00Z'), 'Microsoft.KeyVault/vaults/keys')).toBe('true');
    expect(holds(oneDayLater, key('2024-01-19T12:00:00.000Z'), 'Microsoft.KeyVault/vaults/keys')).toBe('true');
    expect(holds(oneDayLater, key('2024-01-19T13:00:00Z'), 'Microsoft.KeyVault/vaults/keys')).toBe('false');
  });
});

describe('utcNow answers yyyy-MM-ddTHH:mm:ss.fffffffZ (RULE)', () => {
  it('with seven fraction digits, and orders with addDays as time', () => {
    expect(holds({ value: '[utcNow()]', match: '####-##-##T##:##:##.#######Z' })).toBe('true');
    expect(holds({ value: '[utcNow()]', greater: "[addDays('2000-01-01T00:00:00Z', 30)]" })).toBe('true');
  });
});
