/**
 * What a relation rule keeps of a snapshot it reads a resource at a time is what subjects are checked
 * against (each vault's id, name and switch, each grant's principal and answer), never the resources
 * nor the text they were read from. A string cut from the text keeps the whole window it was cut from
 * alive, so one kept slice per window would hold the file: the heap left after a forced
 * collection is compared with the size of the file. What is kept is kept outside V8's heap (texts in a byte
 * arena, numbers in typed arrays: src/pr/texts.ts), where V8's growing factor does not multiply it: the heap
 * it leaves is a few percent of the file (as strings and objects it was about 26%, with Node 20 and 24).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { compilePullRequestChecks } from '../../src/pr/rules.js';
import { loadPolicyDirectory } from '../../src/rules/index.js';
import { readResourceSnapshot } from '../../src/sources/index.js';
import { heapInUse } from '../support/heap.js';
import { generatedSnapshot } from '../support/snapshots.js';

const { rules } = loadPolicyDirectory(path.resolve('policies'));
const [check] = compilePullRequestChecks([rules.find(r => r.name === 'key-vault-key-access')!]).relations;

describe('what a relation rule keeps of a snapshot', () => {
  const snapshot = generatedSnapshot('cmk-guard-relation-memory-', 2_500, 5);

  it('is a small part of the file, and none of its resources', async () => {
    const bytes = statSync(snapshot.file).size;
    expect(bytes).toBeGreaterThan(8 * 1024 * 1024);
    const before = await heapInUse();
    const relation = check.deployment();
    const given: WeakRef<object>[] = [];
    let count = 0;
    for (const resource of readResourceSnapshot(snapshot.file)) {
      relation.add(resource);
      if (count++ % 50 === 0) given.push(new WeakRef(resource), new WeakRef(resource.json));
    }
    const kept = (await heapInUse()) - before;
    expect(given.filter(ref => ref.deref() !== undefined)).toHaveLength(0);
    // 5 to 7% of the file with Node 24 and 20 (2,500 vaults and their grants kept as strings and objects: 26%; a
    // window of text kept per vault would be all of it).
    expect(kept).toBeLessThan(bytes / 8);
    // Still what the rule needs: the subjects find their vaults.
    expect(relation.hasTargets).toBe(true);
    let found = 0;
    for (const subject of readResourceSnapshot(snapshot.file)) if (relation.check(subject) && ++found === 500) break;
    expect(found).toBe(500);
  });
});
