/**
 * Globs a pull request can write — a `templates` pattern in cmk-guard.yaml, an exception's `name`,
 * `type`, `id` or `file` — are matched against names a pull request also writes (file paths,
 * resource names and ids of up to millions of characters). A backtracking regular expression takes
 * exponential time on `*a*a*a…` or `**` `/**` `/**`…; the matcher runs in time linear in the text
 * whatever the pattern, and means what the glob means.
 */
import fc from 'fast-check';
import os from 'node:os';
import { globMatcher, linearGlobMatcher, MAX_GLOB_LENGTH } from '../../src/sources/glob.js';
import { loadTemplates } from '../../src/sources/discover.js';
import { covers, type Exception } from '../../src/exceptions/model.js';

/** The glob as the backtracking regular expression it used to be translated to (the reference meaning). */
function reference(pattern: string, options: { ignoreCase?: boolean; orBelow?: boolean } = {}): RegExp {
  const translate = (p: string): string => {
    let out = '';
    for (let i = 0; i < p.length; i++) {
      const ch = p[i];
      if (ch === '*' && p[i + 1] === '*') {
        const atStart = i === 0 || p[i - 1] === '/';
        if (atStart && p[i + 2] === '/') {
          out += '(?:[^/]*(?:/[^/]*)*/)?';
          i += 2;
        } else if (atStart && i + 2 === p.length) {
          out += '.*';
          i += 1;
        } else {
          out += '[^/]*';
          i += 1;
        }
      } else if (ch === '*') out += '[^/]*';
      else if (ch === '?') out += '[^/]';
      else if (ch === '{') {
        let depth = 0;
        let close = -1;
        for (let j = i; j < p.length; j++) {
          if (p[j] === '{') depth++;
          else if (p[j] === '}' && --depth === 0) {
            close = j;
            break;
          }
        }
        if (close < 0) {
          out += '\\{';
          continue;
        }
        const body = p.slice(i + 1, close);
        const parts: string[] = [];
        let level = 0;
        let start = 0;
        for (let j = 0; j < body.length; j++) {
          if (body[j] === '{') level++;
          else if (body[j] === '}') level--;
          else if (body[j] === ',' && level === 0) {
            parts.push(body.slice(start, j));
            start = j + 1;
          }
        }
        parts.push(body.slice(start));
        out += '(?:' + parts.map(translate).join('|') + ')';
        i = close;
      } else out += /[\\^$.*+?()[\]{}|]/.test(ch) ? '\\' + ch : ch;
    }
    return out;
  };
  return new RegExp('^' + translate(pattern) + (options.orBelow ? '(?:/.*)?$' : '$'), options.ignoreCase ? 'i' : '');
}

describe('globs that backtrack catastrophically as regular expressions end at once', () => {
  const longName = 'a'.repeat(200) + 'b';
  const deepPath = Array(400).fill('a').join('/') + '/y.json';
  it.each([
    ['*a'.repeat(30) + '*.json', longName, false],
    ['*a'.repeat(30) + '*', 'a'.repeat(30), true],
    [Array(30).fill('**').join('/') + '/x.json', deepPath, false],
    [Array(30).fill('**').join('/') + '/y.json', deepPath, true],
    ['**/' + '*a'.repeat(30) + '*/x', 'a/'.repeat(3_000) + 'a'.repeat(2_000) + '/y', false],
    ['{a,{a,{a,{a,{a,aa}}}}}'.repeat(20) + 'b', 'a'.repeat(60), false],
    ['*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*{a,a}*!', 'a'.repeat(100), false]
  ])('%s', (pattern, text, expected) => {
    expect(globMatcher(pattern).test(text)).toBe(expected);
  });

  it('an exception whose name glob backtracks, against a resource name a pull request made long', () => {
    const exception = {
      kind: 'external',
      rules: ['key-vault-purge-protection'],
      resources: [{ name: '*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-*-x' }],
      reason: 'r',
      owner: 'o',
      expires: null
    } as unknown as Exception;
    const resource = { id: '/x', name: '-'.repeat(5_000), type: 'Microsoft.KeyVault/vaults', file: 'main.json' };
    expect(covers(exception, 'key-vault-purge-protection', resource as never)).toBe(false);
  });

  it('an exception whose glob is longer than any path, or a name longer than ARM writes, matches nothing (the finding stays)', () => {
    const exception = (name: string) =>
      ({ kind: 'external', rules: ['r'], resources: [{ name }], reason: 'r', owner: 'o' }) as unknown as Exception;
    const resource = (name: string) => ({ id: '/x', name, type: 't', file: 'main.json' }) as never;
    expect(covers(exception('*'.repeat(MAX_GLOB_LENGTH)), 'r', resource('kv'))).toBe(true);
    expect(covers(exception('*'.repeat(MAX_GLOB_LENGTH + 1)), 'r', resource('kv'))).toBe(false);
    expect(covers(exception('*'), 'r', resource('k'.repeat(4 * MAX_GLOB_LENGTH)))).toBe(true);
    expect(covers(exception('*'), 'r', resource('k'.repeat(4 * MAX_GLOB_LENGTH + 1)))).toBe(false);
  });

  it('a templates pattern longer than any path is that pattern’s error', async () => {
    const pattern = '{a,b}'.repeat(1_000);
    const { errors, templates } = loadTemplates([pattern, 'nothing-else'], { cwd: os.tmpdir() });
    expect(templates).toEqual([]);
    expect(errors.map(e => e.message)).toEqual([
      'this pattern is 5000 characters long; the longest cmk-guard matches is 4096, as no path is longer.',
      "no files match 'nothing-else'; check the pattern or folder."
    ]);
  });
});

describe('the matcher means what the glob meant as a regular expression', () => {
  const glob = fc.stringMatching(/^[ab/*?{},.]{0,12}$/);
  const text = fc.stringMatching(/^[abAB/.{},*?]{0,12}$/);
  it.each([
    ['the machine', linearGlobMatcher],
    ['the machine or, for short texts and globs of a safe shape, a regular expression', globMatcher]
  ])('%s, for every glob, text and option (small enough for the regular expression to finish)', (_, matcher) => {
    fc.assert(
      fc.property(glob, text, fc.boolean(), fc.boolean(), (pattern, candidate, ignoreCase, orBelow) => {
        const options = { ignoreCase, orBelow };
        expect(matcher(pattern, options).test(candidate)).toBe(reference(pattern, options).test(candidate));
      }),
      { numRuns: 300, seed: 20261206 }
    );
  });

  it('on texts longer than a regular expression is given, the same', () => {
    const long = 'infra/' + 'a/'.repeat(600) + 'main.json';
    for (const pattern of ['**/*.json', 'infra/**/main.json', 'infra/*/main.json', 'infra/**'])
      expect(globMatcher(pattern).test(long)).toBe(reference(pattern).test(long));
  });

  it.each([
    ['**/*.json', 'a/b/c/main.json', true],
    ['infra/**', 'infra', false],
    ['infra/**', 'infra/a/b', true],
    ['/subscriptions/*', '/subscriptions/s/resourceGroups/g', false]
  ])('%s and %s: %s', (pattern, candidate, expected) => {
    expect(globMatcher(pattern).test(candidate)).toBe(expected);
    expect(reference(pattern).test(candidate)).toBe(expected);
  });

  it('orBelow matches what lies under a match; ignoreCase compares regardless of case', () => {
    expect(globMatcher('/subscriptions/*', { orBelow: true }).test('/subscriptions/s/resourceGroups/g')).toBe(true);
    expect(globMatcher('KV-*', { ignoreCase: true }).test('kv-prod')).toBe(true);
    expect(globMatcher('KV-*').test('kv-prod')).toBe(false);
  });
});
