/**
 * The relation pass on its own: a snapshot gathered a resource at a time and its subjects checked on a second
 * reading give the findings of the rule on the whole snapshot, in its order; a rule that fails on one subject
 * has no findings on that snapshot, its problem is kept once, and it is not run again.
 */
import path from 'node:path';
import type { UserError } from '../../src/model/errors.js';
import { LIMIT_VARIABLES } from '../../src/model/limits.js';
import type { Resource } from '../../src/model/resource.js';
import { detached, RelationPass, type PullRequestCheck } from '../../src/pipeline/relationPass.js';
import { compilePullRequestChecks } from '../../src/pr/rules.js';
import { FindingStore } from '../../src/report/store.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { loadResourceSnapshot, readResourceSnapshot } from '../../src/sources/index.js';
import { generatedSnapshot } from '../support/snapshots.js';

const { rules } = loadPolicyDirectory(path.resolve('policies'));
const rule = rules.find(r => r.name === 'key-vault-key-access')!;
const [check] = compilePullRequestChecks([rule]).relations;

/** The same rule, failing on the subject named `name` (a bug in a rule, as the pass meets it). */
function failingOn(name: string): PullRequestCheck<'relations'> {
  const failing = Object.assign((resources: Resource[]) => check(resources), {
    deployment: () => {
      const relation = check.deployment();
      return {
        add: (resource: Resource) => relation.add(resource),
        get hasTargets() {
          return relation.hasTargets;
        },
        check: (subject: Resource) => {
          if (subject.name === name) throw new Error('broken rule');
          return relation.check(subject);
        }
      };
    }
  });
  return { rule, check: failing };
}

describe('RelationPass', () => {
  const snapshot = generatedSnapshot('cmk-guard-relation-pass-', 60, 3);

  it('gives on a snapshot read twice the findings of the rule on the whole snapshot', () => {
    const store = new FindingStore(10);
    const pass = new RelationPass([{ rule, check }], store, i => 3 + i);
    const gathered = pass.snapshot()!;
    for (const resource of readResourceSnapshot(snapshot.file)) gathered.add(resource);
    expect(gathered.hasTargets).toBe(true);
    pass.subjects(gathered, () => readResourceSnapshot(snapshot.file));
    const whole = check(loadResourceSnapshot(snapshot.file));
    expect(whole.length).toBeGreaterThan(100);
    expect([...store.group(3)]).toEqual(JSON.parse(JSON.stringify(whole)));
    expect(pass.problems).toEqual([[]]);
    store.dispose();
  });

  it('takes back the findings of a rule that fails on one subject, and runs it no more', () => {
    const store = new FindingStore(10);
    const resources = loadResourceSnapshot(snapshot.file);
    const whole = check(resources);
    const pass = new RelationPass([failingOn(whole[40].resource.name), { rule, check }], store, i => i);
    const gathered = pass.snapshot()!;
    for (const resource of readResourceSnapshot(snapshot.file)) gathered.add(resource);
    pass.subjects(gathered, () => readResourceSnapshot(snapshot.file));
    expect([...store.group(0)]).toEqual([]);
    expect([...store.group(1)].length).toBe(whole.length);
    expect(pass.problems[0].map(p => p.message)).toEqual([
      'cmk-guard could not evaluate the rule key-vault-key-access: internal error (a bug, please report it): broken rule.'
    ]);
    // Failed: neither a template nor the next snapshot runs it.
    pass.deployment(resources);
    expect([...store.group(0)]).toEqual([]);
    expect(pass.snapshot()!.relating[0]).toBeUndefined();
    store.dispose();
  });

  it('checks a snapshot’s subjects within a time bound for each batch: past it, the rule has no findings there, and still runs', () => {
    const variable = LIMIT_VARIABLES.evaluationSecondsPerFile;
    const saved = process.env[variable];
    process.env[variable] = '5';
    try {
      const store = new FindingStore(10);
      const pass = new RelationPass([{ rule, check }], store, i => i);
      let now = 0;
      // One second a reading: the batch's bound is read before each subject that names a vault.
      const gathered = pass.snapshot({ file: 'snapshot.json', clock: () => (now += 1000) })!;
      for (const resource of readResourceSnapshot(snapshot.file)) gathered.add(resource);
      const limits: UserError[] = [];
      pass.subjects(gathered, () => readResourceSnapshot(snapshot.file), undefined, limits);
      expect(limits.map(e => [e.constructor.name, e.location?.file, e.message.slice(0, 54)])).toEqual([
        // At the subject being checked: its own file and line.
        ['LimitError', snapshot.file, 'evaluating the resources of this file took more than 5']
      ]);
      expect([...store.group(0)]).toEqual([]);
      expect(pass.problems).toEqual([[]]);
      expect(pass.snapshot()!.relating[0]).toBeDefined();
      store.dispose();
    } finally {
      if (saved === undefined) delete process.env[variable];
      else process.env[variable] = saved;
    }
  });

  it('keeps of a target its values, copied, and no way back to the text it was read from', () => {
    for (const resource of loadResourceSnapshot(snapshot.file).slice(0, 50)) {
      const kept = detached(resource);
      expect([kept.id, kept.type, kept.name, kept.json]).toEqual([
        resource.id,
        resource.type,
        resource.name,
        resource.json
      ]);
      expect(kept.json).not.toBe(resource.json);
      expect(kept.positionOf?.('/properties')).toBeNull();
    }
  });
});
