/**
 * Azure Policy's limits on what one pack compiles to, checked before Azure is asked anything.
 * (What a scope would hold after a deploy is checked end to end in publish.test.ts.)
 */
import type { CompilablePack, CompilableRule } from '../../src/compiler/index.js';
import type { DesiredItem, DesiredState } from '../../src/azure/desired.js';
import { AZURE_POLICY_LIMITS, checkPackLimits } from '../../src/azure/limits.js';
import { parseScope } from '../../src/azure/scope.js';
import { UserError } from '../../src/model/errors.js';
import type { Json } from '../../src/model/value.js';

const scope = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const pack = { name: 'p', file: '/repo/policies/pack.yaml', rules: [] } as unknown as CompilablePack;
const rule = { name: 'big', file: '/repo/policies/big.yaml' } as unknown as CompilableRule;

const item = (kind: DesiredItem['kind'], name: string, properties: { [key: string]: Json }): DesiredItem => ({
  kind,
  name,
  id: `${scope.id}/providers/Microsoft.Authorization/x/${name}`,
  scope,
  body: { properties },
  source: `policies/${name}.yaml`
});
const parameters = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { type: 'String' }])) as { [key: string]: Json };
const members = (n: number) => Array.from({ length: n }, (_, i) => ({ policyDefinitionId: `d${i}` }));

function desired(definitionParameters: number, initiativeParameters: number, memberCount: number): DesiredState {
  return {
    definitions: [item('definition', 'big', { parameters: parameters(definitionParameters) })],
    initiative: item('initiative', 'p', {
      parameters: parameters(initiativeParameters),
      policyDefinitions: members(memberCount)
    }),
    assignment: item('assignment', 'p', {}),
    effects: [],
    notes: []
  };
}

describe('Azure Policy limits on the pack', () => {
  it('accepts a pack at the limits', () => {
    const { parametersPerDefinition, parametersPerInitiative, membersPerInitiative } = AZURE_POLICY_LIMITS;
    expect(() =>
      checkPackLimits(desired(parametersPerDefinition, parametersPerInitiative, membersPerInitiative), pack, [rule])
    ).not.toThrow();
  });

  it('refuses one past each limit, every one at once, naming the file to change', () => {
    let error: unknown;
    try {
      checkPackLimits(desired(21, 401, 1001), pack, [rule]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const text = (error as UserError).describe().split('\n');
    expect(text).toEqual([
      '/repo/policies/big.yaml: the policy definition big has 21 parameters; Azure allows at most 20 per definition. Give the rule fewer parameters.',
      "/repo/policies/pack.yaml: the pack's initiative has 1001 policy definitions; Azure allows at most 1000 per initiative. Split the pack.",
      "/repo/policies/pack.yaml: the pack's initiative has 401 parameters (one effect per rule, and the rules' own); Azure allows at most 400 per initiative. Split the pack."
    ]);
  });
});
