/**
 * The generated condition against the compiled closures, at length: the properties of
 * generate.test.ts over thousands of random conditions and resources (npm run test:corpus).
 */
import { checkEvaluations, checkTruths } from './generate-cases.js';

describe('a generated condition, at length', () => {
  it('gives the closures’ truth and applicability', () => {
    checkTruths(4000, 6);
  });

  it('gives the closures’ evaluations in a loaded definition', () => {
    checkEvaluations(4000, 6, ['Audit', 'Deny', 'AuditIfNotExists', 'Disabled', 'Manual']);
  });
});
