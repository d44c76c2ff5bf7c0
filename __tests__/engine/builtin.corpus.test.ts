/**
 * Every Azure built-in and Azure Landing Zones definition loads; every built-in evaluates against
 * every exported live resource of the PSRule corpus without a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDefinitionsFromDirectory, type CompiledDefinition } from '../../src/engine/index.js';
import type { Value } from '../../src/model/value.js';
import { armResource, fromPowerShellExport } from '../support/arm-resource.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = process.env.CMK_GUARD_CORPUS ?? path.resolve(repo, '../shared/corpus');

describe('built-in and ALZ definitions', () => {
  let builtins: CompiledDefinition[] = [];

  it('loads every built-in definition', () => {
    const { loaded, failures } = loadDefinitionsFromDirectory(path.join(corpus, 'builtin'));
    expect(failures).toEqual([]);
    expect(loaded).toHaveLength(5009);
    builtins = loaded;
  });

  it('loads every ALZ definition', () => {
    const { loaded, failures } = loadDefinitionsFromDirectory(path.join(corpus, 'alz'));
    expect(failures).toEqual([]);
    expect(loaded).toHaveLength(451);
  });

  it('evaluates every built-in against every PSRule resource without a crash', () => {
    const dir = path.join(corpus, 'evaltests/psrule');
    const resources = fs
      .readdirSync(dir)
      .filter(f => /^Resources\..*\.json$/.test(f))
      .flatMap(f => {
        const items = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8').replace(/^\uFEFF/, '')) as {
          [key: string]: Value;
        }[];
        return items.flatMap(item => fromPowerShellExport(item)).map(json => armResource(json, f));
      });
    expect(resources.length).toBeGreaterThan(30);
    let evaluations = 0;
    const verdicts = { compliant: 0, noncompliant: 0, indeterminate: 0 };
    for (const def of builtins) {
      for (const resource of resources) {
        const e = def.evaluate(resource, { related: resources });
        evaluations++;
        if (e.applicable) verdicts[e.verdict]++;
      }
    }
    expect(evaluations).toBe(builtins.length * resources.length);
    expect(verdicts.noncompliant).toBeGreaterThan(0);
  });
});
