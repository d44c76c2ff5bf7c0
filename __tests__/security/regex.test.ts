/**
 * Regular expressions from input run in linear time: every ajv that checks a pattern written in a
 * rule or definition against values a pull request writes uses RE2 (re2js). Patterns that
 * backtrack catastrophically in JavaScript finish at once; what RE2 cannot run in linear time
 * (lookaround, backreferences) is refused when the schema is compiled.
 */
import fc from 'fast-check';
import { linearRegExp } from '../../src/model/regex.js';
import { azureComparable, compileSchemaCheck } from '../../src/pr/azureCompare.js';
import { compilePullRequestChecks } from '../../src/pr/rules.js';
import type { Rule } from '../../src/rules/index.js';

const EVIL = 'a'.repeat(100_000) + '!';

describe('patterns that backtrack catastrophically in JavaScript finish in linear time', () => {
  it.each(['^(a+)+$', '^(a|a)*$', '^(a|aa)+$', '^(a*)*b$', '^(\\w+\\s?)*$', '^([a-z]+)*[0-9]$'])('%s', pattern => {
    expect(linearRegExp(pattern, 'u').test(EVIL)).toBe(false);
    expect(linearRegExp(pattern, 'u').test('a')).toBe(new RegExp(pattern, 'u').test('a'));
  });

  it('through a PR-only rule: a pattern on a resource value a pull request writes', () => {
    const check = compileSchemaCheck({
      type: 'object',
      properties: { properties: { properties: { keyName: { type: 'string', pattern: '^(a+)+$' } } } }
    });
    expect(check(azureComparable({ properties: { keyName: EVIL } })).verdict).toBe(false);
    expect(check(azureComparable({ properties: { keyName: 'aaaa' } })).verdict).toBe(true);
  });
});

describe('patterns RE2 cannot run in linear time are refused when compiled', () => {
  it.each(['(?=a)a', '(?!a)b', '(?<=a)b', '(?<!a)b', '(a)\\1'])('%s', pattern => {
    expect(() => linearRegExp(pattern, 'u')).toThrow(/error parsing regexp/);
  });

  it('a transition rule using one is that rule’s error, at its schema', () => {
    const rule = {
      name: 'lookahead',
      kind: 'transition',
      file: 'policies/lookahead.yaml',
      displayName: 'Lookahead',
      severity: 'error',
      resourceType: 'Microsoft.KeyVault/vaults',
      references: [],
      schema: { properties: { after: { properties: { name: { pattern: '^(?!prod).*$' } } } } },
      positionOf: () => ({ file: 'policies/lookahead.yaml', line: 9, column: 3 })
    } as unknown as Rule;
    expect(() => compilePullRequestChecks([rule])).toThrow(
      /^policies\/lookahead\.yaml:9:3: the transition rule's schema is not valid JSON Schema: .*error parsing regexp/
    );
  });
});

describe('patterns that run in linear time mean what they mean in JavaScript', () => {
  const patterns = [
    '^[a-z]+$',
    '^key-\\p{Nd}{2}$',
    '^\\p{L}[\\p{L}\\d-]*$',
    '^(Microsoft\\.KeyVault|Microsoft\\.Storage)/[a-z]+$',
    'vault',
    '^$',
    '^.{2,4}$',
    '^[^/]+/[^/]+$',
    '(?<word>ab)+c'
  ];
  it.each(patterns)('%s agrees with RegExp on random text', pattern => {
    const linear = linearRegExp(pattern, 'u');
    const native = new RegExp(pattern, 'u');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...'abkey-0123/.MicrosftKVlSgé9 '), maxLength: 30 }),
          fc.constantFrom('key-12', 'Microsoft.KeyVault/vaults', 'a/b', 'ababc', '', 'ab', 'abcd')
        ),
        text => linear.test(text) === native.test(text)
      ),
      { numRuns: 300 }
    );
  });
});
