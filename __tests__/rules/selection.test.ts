import fc from 'fast-check';
import { isUserError } from '../../src/model/errors.js';
import { applySelection, namePattern, splitNames } from '../../src/rules/selection.js';

const pack = [
  { name: 'foundry-tools-cmk', severity: 'error' as const },
  { name: 'key-vault-soft-delete', severity: 'error' as const },
  { name: 'key-vault-purge-protection', severity: 'error' as const },
  { name: 'ai-hub-hbi', severity: 'warning' as const },
  { name: '67121cc7-9fa8-4ed5-8d8b-2b1e1f8c2c2b' }
];

function names(selection: Parameters<typeof applySelection>[1]): string[] {
  return applySelection(pack, selection).selected.map(c => c.name);
}

function message(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isUserError(error)) return error.message;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('rule selection', () => {
  it('runs everything when nothing is chosen', () => {
    expect(names(undefined)).toEqual(pack.map(c => c.name));
    expect(applySelection(pack, {}).leftOut).toEqual([]);
  });

  it('takes names and globs, comma-separated or repeated, in any case', () => {
    expect(names({ rules: ['KEY-VAULT-*'] })).toEqual(['key-vault-soft-delete', 'key-vault-purge-protection']);
    expect(names({ rules: ['ai-hub-hbi, foundry-tools-cmk'] })).toEqual(['foundry-tools-cmk', 'ai-hub-hbi']);
    expect(names({ rules: ['67121cc7-*', 'ai-hub-???'] })).toEqual([
      'ai-hub-hbi',
      '67121cc7-9fa8-4ed5-8d8b-2b1e1f8c2c2b'
    ]);
  });

  it('leaves out what --skip-rules names, and says why for the report', () => {
    const result = applySelection(pack, { rules: ['key-vault-*'], skipRules: ['*soft*'] });
    expect(result.selected.map(c => c.name)).toEqual(['key-vault-purge-protection']);
    expect(result.leftOut).toEqual([
      {
        names: ['foundry-tools-cmk', 'ai-hub-hbi', '67121cc7-9fa8-4ed5-8d8b-2b1e1f8c2c2b'],
        reason: 'not named by --rules'
      },
      { names: ['key-vault-soft-delete'], reason: 'left out by --skip-rules' }
    ]);
  });

  it('does not run rules below --min-severity; definitions of unknown severity run', () => {
    expect(names({ minSeverity: 'error' })).toEqual([
      'foundry-tools-cmk',
      'key-vault-soft-delete',
      'key-vault-purge-protection',
      '67121cc7-9fa8-4ed5-8d8b-2b1e1f8c2c2b'
    ]);
  });

  it('refuses a pattern that matches nothing, naming the option as the user spelt it', () => {
    expect(message(() => applySelection(pack, { rules: ['key-vault-softdelete'] }))).toBe(
      "--rules 'key-vault-softdelete' matches no rule or definition; run 'cmk-guard rules' for the names, or fix the pattern."
    );
    expect(
      message(() =>
        applySelection(pack, { skipRules: ['nope', 'neither'], spelling: { skipRules: 'the `skip-rules` input' } })
      )
    ).toBe(
      "the `skip-rules` input 'nope' (and 'neither') matches no rule or definition; run 'cmk-guard rules' for the names, or fix the pattern."
    );
  });

  it('refuses a selection that leaves nothing to run', () => {
    expect(message(() => applySelection(pack, { skipRules: ['*'] }))).toBe(
      "--skip-rules leaves no rule or definition to run; choose at least one rule (run 'cmk-guard rules' for the list)."
    );
    expect(
      message(() =>
        applySelection(
          pack.slice(0, 4).map(c => ({ ...c, severity: 'note' as const })),
          { minSeverity: 'warning' }
        )
      )
    ).toBe(
      "--min-severity warning leaves no rule to run; choose at least one rule (run 'cmk-guard rules' for the list)."
    );
  });

  it('splits lists on commas and drops blanks', () => {
    expect(splitNames(['a, b', '', ' c ,'])).toEqual(['a', 'b', 'c']);
  });

  it('a name without wildcards matches itself and nothing else, whatever characters it holds', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, other) => {
        const literal = name.replace(/[*?]/g, '');
        expect(namePattern(literal).test(literal)).toBe(true);
        if (other.toLowerCase() !== literal.toLowerCase()) expect(namePattern(literal).test(other)).toBe(false);
      }),
      { numRuns: 300 }
    );
  });

  it('a pattern with many wildcards against a long name a pull request writes ends at once', () => {
    // As a backtracking regular expression (^.*a.*a….*!$), this takes time to the power of the stars.
    const name = 'a'.repeat(5_000);
    expect(namePattern('*a'.repeat(20) + '*!').test(name)).toBe(false);
    expect(namePattern('*a'.repeat(20) + '*').test(name)).toBe(true);
  });

  it('means what the regular expression meant: * any run, ? one character, regardless of case', () => {
    const reference = (pattern: string) =>
      new RegExp(
        `^${[...pattern].map(ch => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))).join('')}$`,
        'is'
      );
    fc.assert(
      fc.property(fc.stringMatching(/^[aAb*?.{/]{0,10}$/), fc.stringMatching(/^[aAb.{/\n]{0,10}$/), (pattern, name) => {
        expect(namePattern(pattern).test(name)).toBe(reference(pattern).test(name));
      }),
      { numRuns: 300, seed: 20261206 }
    );
  });
});
