import * as path from 'node:path';
import { loadTemplates } from '../../src/sources/index.js';
import { fixtures } from './helpers.js';

describe('loadTemplates', () => {
  const result = loadTemplates(['discovery'], { cwd: fixtures });
  const rel = (f: string) => path.relative(fixtures, f);

  test('expands every template under a folder, skipping node_modules', () => {
    expect(result.templates.map(t => rel(t.file))).toEqual(['discovery/infra/main.json', 'discovery/infra/vault.json']);
  });

  test('skips JSON that is not a template, saying why', () => {
    expect(result.skipped.map(s => [rel(s.file), s.reason])).toEqual([
      ['discovery/infra/main.parameters.json', 'a parameter file'],
      ['discovery/package.json', 'not a deployment template: it has no $schema']
    ]);
  });

  test('an error in one template does not stop the others, and names file and line', () => {
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].location).toMatchObject({
      file: path.join(fixtures, 'discovery/infra/broken.json'),
      line: 8
    });
  });

  test('a parameter file paired by name is used', () => {
    const main = result.templates.find(t => t.file.endsWith('main.json'))!;
    expect(main.parameterFile).toBe(path.join(fixtures, 'discovery/infra/main.parameters.json'));
    const account = main.resources.find(r => r.name === 'ai-maybe')!;
    expect(account.conditionUnknown).toBeUndefined();
  });

  test('explicit parameter files go to the template they are named after', () => {
    const explicit = loadTemplates(['discovery/infra'], {
      cwd: fixtures,
      parameterFiles: ['discovery/infra/main.parameters.json'],
      parameterOverrides: {}
    });
    expect(explicit.templates.find(t => t.file.endsWith('main.json'))!.parameterFile).toBe(
      path.join(fixtures, 'discovery/infra/main.parameters.json')
    );
    expect(explicit.templates.find(t => t.file.endsWith('vault.json'))!.parameterFile).toBeNull();
  });

  test('a pattern matching nothing is an error', () => {
    const none = loadTemplates(['nothing/**/*.json'], { cwd: fixtures });
    expect(none.errors[0].message).toMatch(/no files match 'nothing\/\*\*\/\*\.json'/);
  });
});
