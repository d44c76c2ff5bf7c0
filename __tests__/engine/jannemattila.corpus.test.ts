/** The peer evaluator's cases, read from the corpus itself (`npm run test:corpus`). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCases, runCase } from './jannemattila-cases.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');
const root = path.join(corpus, 'evaltests/jannemattila');

describe('JanneMattila peer cases (corpus)', () => {
  const cases = readCases(root);
  it.each(cases.map(c => [`${path.basename(c.resource)} × ${path.basename(path.dirname(c.policy))}`, c] as const))(
    '%s',
    (_label, c) => {
      expect(runCase(root, c).effect.toLowerCase()).toBe(c.expectedEffect.toLowerCase());
    }
  );
});
