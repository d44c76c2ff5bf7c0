/**
 * What the finding store keeps of the findings it holds is their text, outside V8's heap: not the finding objects,
 * nor the strings they point into. A finding about a snapshot's resource names it with strings cut from the text it
 * was read with (the reader's window), so findings kept as objects kept the windows too; and an object held for
 * thousands of findings outlives the young generation's collections and dies in the old one. The heap left after a
 * forced collection is compared with the size of the snapshot, and the findings added are watched with WeakRefs.
 */
import { statSync } from 'node:fs';
import type { Finding } from '../../src/model/finding.js';
import { FindingStore } from '../../src/report/store.js';
import { readResourceSnapshot } from '../../src/sources/index.js';
import { heapInUse } from '../support/heap.js';
import { generatedSnapshot } from '../support/snapshots.js';

describe('what the finding store keeps of the findings it holds', () => {
  const snapshot = generatedSnapshot('cmk-guard-store-memory-', 2_500, 7);

  it('is their text outside the heap: neither the findings nor the text of the snapshot they name', async () => {
    const bytes = statSync(snapshot.file).size;
    expect(bytes).toBeGreaterThan(8 * 1024 * 1024);
    // Every finding held: the store's bound is never reached, so nothing goes to the file.
    const store = new FindingStore(1_000_000);
    try {
      const before = await heapInUse();
      const added: WeakRef<object>[] = [];
      let count = 0;
      for (const resource of readResourceSnapshot(snapshot.file)) {
        const finding: Finding = {
          definition: 'rule',
          displayName: 'Rule',
          effect: 'Audit',
          severity: 'error',
          verdict: count % 2 === 0 ? 'noncompliant' : 'compliant',
          // Strings read from the snapshot, as the engine's findings name their resources.
          resource: { id: resource.id, type: resource.type, name: resource.name, file: null, line: 1, column: 1 },
          message: `${count}: ${resource.name} of ${resource.type}`,
          reason: null
        };
        store.add(count % 3, finding);
        if (count++ % 50 === 0) added.push(new WeakRef(finding), new WeakRef(finding.resource));
      }
      const kept = (await heapInUse()) - before;
      expect(store.writtenOut).toBe(false);
      expect(store.size).toBe(count);
      expect(added.filter(ref => ref.deref() !== undefined)).toHaveLength(0);
      // Held as objects, the findings and the windows their strings were cut from were about all of the file.
      expect(kept).toBeLessThan(bytes / 8);
      // And they are still there, as they were added: group 0 holds every third, in order.
      const read = [...store.group(0)];
      expect(read).toHaveLength(Math.ceil(count / 3));
      const numbers = read.map(f => Number(f.message.split(':')[0]));
      expect(numbers).toEqual(Array.from({ length: read.length }, (_, i) => 3 * i));
    } finally {
      store.dispose();
    }
  });
});
