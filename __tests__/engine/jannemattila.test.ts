/**
 * The peer evaluator's cases (JanneMattila/azure-policy-evaluator, copied into fixtures): each
 * policy × resource gives the recorded effect; `None` means the rule does not apply.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCases, runCase } from './jannemattila-cases.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/engine/jannemattila');

describe('JanneMattila peer cases (fixture copy)', () => {
  const cases = readCases(root);
  it('has all 15 cases', () => expect(cases).toHaveLength(15));
  it.each(cases.map(c => [`${path.basename(c.resource)} × ${path.basename(path.dirname(c.policy))}`, c] as const))(
    '%s',
    (_label, c) => {
      expect(runCase(root, c).effect.toLowerCase()).toBe(c.expectedEffect.toLowerCase());
    }
  );
});
