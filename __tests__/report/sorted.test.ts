/**
 * Sorting a report's findings in runs written to disk and merged gives what a stable sort of all of them
 * in memory gives, and leaves no file behind once read.
 */
import fc from 'fast-check';
import type { Finding } from '../../src/model/finding.js';
import { compareFindings } from '../../src/report/findings.js';
import { sortFindings } from '../../src/report/sorted.js';
import { openFindingsFiles } from '../support/findingsFiles.js';

/** Findings that tie often (few files, lines, rules and names), so the order of equal ones is tested too. */
const findingArb: fc.Arbitrary<Finding> = fc
  .record({
    file: fc.constantFrom('a.json', 'b.json', null),
    line: fc.integer({ min: 1, max: 4 }),
    column: fc.option(fc.integer({ min: 1, max: 2 }), { nil: null }),
    definition: fc.constantFrom('rule-a', 'rule-b'),
    name: fc.constantFrom('x', 'y'),
    verdict: fc.constantFrom('compliant' as const, 'noncompliant' as const, 'indeterminate' as const),
    tag: fc.nat()
  })
  .map(f => ({
    definition: f.definition,
    displayName: f.definition,
    effect: 'Audit',
    severity: 'error' as const,
    verdict: f.verdict,
    resource: { id: `/r/${f.name}`, type: 'T/t', name: f.name, file: f.file, line: f.line, column: f.column },
    message: `tag ${f.tag}`,
    reason: null
  }));

describe('sortFindings', () => {
  it('gives the findings kept in the order a stable sort gives, in runs or not', () => {
    fc.assert(
      fc.property(fc.array(findingArb, { maxLength: 200 }), fc.integer({ min: 1, max: 30 }), (findings, runSize) => {
        const keep = (f: Finding) => f.verdict !== 'compliant';
        const expected = findings.filter(keep).sort(compareFindings);
        const sorted = sortFindings(findings, keep, runSize);
        expect(sorted.count).toBe(expected.length);
        expect([...sorted.findings]).toEqual(expected);
      }),
      { numRuns: 200 }
    );
  });

  it('closes what the runs were written to once they are read', () => {
    const opened = openFindingsFiles();
    const findings = fc.sample(findingArb, { numRuns: 600, seed: 3 });
    const sorted = sortFindings(findings, () => true, 100);
    if (opened) expect(openFindingsFiles()).toHaveLength(opened.length + 1);
    expect([...sorted.findings]).toEqual([...findings].sort(compareFindings));
    if (opened) expect(openFindingsFiles()).toEqual(opened);
  });
});
