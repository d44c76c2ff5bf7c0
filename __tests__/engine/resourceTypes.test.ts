import { typesOfRule } from '../../src/engine/resourceTypes.js';

const rule = (ifCondition: unknown, then: unknown = { effect: 'audit' }) => ({ if: ifCondition, then });
const types = (r: Record<string, unknown>) => {
  const set = typesOfRule(r);
  return set === null ? null : [...set].sort();
};

describe('the resource types a policy rule can apply to', () => {
  it.each([
    [
      'a type in an allOf',
      {
        allOf: [
          { field: 'type', equals: 'Microsoft.KeyVault/vaults' },
          { field: 'x', exists: true }
        ]
      },
      ['microsoft.keyvault/vaults']
    ],
    [
      'a type list',
      { field: 'TYPE', in: ['Microsoft.Storage/storageAccounts', 'Microsoft.Web/sites'] },
      ['microsoft.storage/storageaccounts', 'microsoft.web/sites']
    ],
    [
      'every branch of an anyOf',
      { anyOf: [{ field: 'type', equals: 'A.B/c' }, { allOf: [{ field: 'type', equals: 'A.B/d' }] }] },
      ['a.b/c', 'a.b/d']
    ],
    [
      'two type conditions in one allOf: what both allow',
      {
        allOf: [
          { field: 'type', in: ['A.B/c', 'A.B/d'] },
          { field: 'type', equals: 'a.b/d' }
        ]
      },
      ['a.b/d']
    ],
    ['a child type', { field: 'type', equals: 'Microsoft.KeyVault/vaults/keys' }, ['microsoft.keyvault/vaults/keys']]
  ])('reads %s', (_name, condition, expected) => {
    expect(types(rule(condition))).toEqual(expected);
  });

  it.each([
    ['no type condition', { field: 'location', equals: 'westeurope' }],
    ['a like', { field: 'type', like: 'Microsoft.KeyVault/*' }],
    ['a parameter', { field: 'type', in: "[parameters('types')]" }],
    ['a not', { not: { field: 'type', equals: 'A.B/c' } }],
    [
      'an anyOf with a branch of any type',
      {
        anyOf: [
          { field: 'type', equals: 'A.B/c' },
          { field: 'name', equals: 'x' }
        ]
      }
    ]
  ])('answers "any type" for %s', (_name, condition) => {
    expect(types(rule(condition))).toBeNull();
  });

  it('adds the type an existence effect looks for, or any type when it is not a literal', () => {
    const applies = { field: 'type', equals: 'Microsoft.Sql/servers' };
    expect(
      types(rule(applies, { effect: 'auditIfNotExists', details: { type: 'Microsoft.Sql/servers/auditingSettings' } }))
    ).toEqual(['microsoft.sql/servers', 'microsoft.sql/servers/auditingsettings']);
    expect(types(rule(applies, { effect: 'auditIfNotExists', details: { type: "[parameters('t')]" } }))).toBeNull();
  });
});
