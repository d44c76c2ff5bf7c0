import * as path from 'node:path';
import { expandPattern, globMatcher } from '../../src/sources/glob.js';
import { fixtures } from './helpers.js';

describe('globMatcher', () => {
  test.each([
    ['*.json', 'main.json', true],
    ['*.json', 'infra/main.json', false],
    ['**/*.json', 'main.json', true],
    ['**/*.json', 'a/b/c/main.json', true],
    ['infra/**', 'infra/a/b.json', true],
    ['infra/**/main.json', 'infra/main.json', true],
    ['infra/**/main.json', 'infra/x/y/main.json', true],
    ['main.?son', 'main.json', true],
    ['main.?son', 'main/json', false],
    ['{infra,modules}/*.json', 'modules/a.json', true],
    ['{infra,modules}/*.json', 'other/a.json', false],
    ['*.{json,jsonc}', 'a.jsonc', true],
    ['a{b,{c,d}}e', 'ade', true],
    ['a.b+(c)', 'a.b+(c)', true]
  ])('%s matches %s: %s', (pattern, candidate, expected) => {
    expect(globMatcher(pattern).test(candidate)).toBe(expected);
  });
});

describe('expandPattern', () => {
  test('walks folders in name order and skips node_modules', () => {
    const files = expandPattern('discovery', fixtures).map(f => path.relative(fixtures, f));
    expect(files).toEqual([
      'discovery/infra/broken.json',
      'discovery/infra/main.json',
      'discovery/infra/main.parameters.json',
      'discovery/infra/vault.json',
      'discovery/package.json'
    ]);
  });

  test('matches globs relative to cwd, and absolute ones', () => {
    expect(expandPattern('discovery/**/main.json', fixtures)).toEqual([
      path.join(fixtures, 'discovery/infra/main.json')
    ]);
    expect(expandPattern(path.join(fixtures, 'discovery/*/m*.json'), '/')).toEqual([
      path.join(fixtures, 'discovery/infra/main.json'),
      path.join(fixtures, 'discovery/infra/main.parameters.json')
    ]);
  });

  test('the folders before the first glob are a path relative to cwd: ../, ./ and .. inside it work', () => {
    const main = path.join(fixtures, 'discovery/infra/main.json');
    const infra = path.join(fixtures, 'discovery/infra');
    expect(expandPattern('../infra/m*.json', path.join(fixtures, 'discovery/infra'))).toEqual([
      main,
      path.join(infra, 'main.parameters.json')
    ]);
    expect(expandPattern('../../discovery/**/main.json', infra)).toEqual([main]);
    expect(expandPattern('./discovery/*/main.json', fixtures)).toEqual([main]);
    expect(expandPattern('copy/../discovery/*/main.json', fixtures)).toEqual([main]);
  });

  test('a plain file names itself; a missing one names nothing', () => {
    expect(expandPattern('copy/main.json', fixtures)).toEqual([path.join(fixtures, 'copy/main.json')]);
    expect(expandPattern('nope.json', fixtures)).toEqual([]);
  });
});
