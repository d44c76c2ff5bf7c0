/**
 * Requests a few at a time (src/azure/bounded.ts): never more than the limit in flight, results in the
 * order asked whatever order the answers come in, and nothing new started once one has failed.
 */
import { readEach, runBounded } from '../../src/azure/bounded.js';

/** Tasks that finish only when the test says so: what is in flight, and each one's release. */
function gate() {
  const waiting = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const started: string[] = [];
  let most = 0;
  const task = (id: string) =>
    new Promise<void>((resolve, reject) => {
      started.push(id);
      waiting.set(id, { resolve, reject });
      most = Math.max(most, waiting.size);
    }).finally(() => waiting.delete(id));
  return { waiting, started, task, most: () => most };
}

/** Lets every settled promise's callbacks run. */
const drain = () => new Promise(resolve => setImmediate(resolve));

describe('runBounded', () => {
  it('keeps at most `limit` tasks in flight and starts the next as one ends', async () => {
    const g = gate();
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const done = runBounded(ids, 2, id => g.task(id));
    await drain();
    expect(g.started).toEqual(['a', 'b']);
    g.waiting.get('b')!.resolve();
    await drain();
    expect(g.started).toEqual(['a', 'b', 'c']);
    while (g.waiting.size) {
      for (const entry of [...g.waiting.values()]) entry.resolve();
      await drain();
    }
    await done;
    expect(g.started).toEqual(ids);
    expect(g.most()).toBe(2);
  });

  it('starts nothing new once a task fails, and throws that failure when the others in flight have settled', async () => {
    const g = gate();
    const done = runBounded(['a', 'b', 'c', 'd'], 2, id => g.task(id));
    let outcome: unknown = 'pending';
    done.then(
      () => (outcome = 'resolved'),
      (error: Error) => (outcome = error.message)
    );
    await drain();
    g.waiting.get('a')!.reject(new Error('a failed'));
    await drain();
    expect(g.started).toEqual(['a', 'b']);
    // b is still in flight: the run has not ended.
    expect(outcome).toBe('pending');
    g.waiting.get('b')!.resolve();
    await drain();
    expect(outcome).toBe('a failed');
    expect(g.started).toEqual(['a', 'b']);
  });

  it('runs nothing for no items', async () => {
    const seen: string[] = [];
    await runBounded([], 8, async (id: string) => void seen.push(id));
    expect(seen).toEqual([]);
  });
});

describe('readEach', () => {
  it('gives what was found in the order of the ids, leaving out 404s and what `keep` refuses', async () => {
    const g = gate();
    const answers: Record<string, { id: string; mine: boolean } | undefined> = {
      '/x/1': { id: '/x/1', mine: true },
      '/x/2': undefined,
      '/x/3': { id: '/x/3', mine: false },
      '/x/4': { id: '/x/4', mine: true }
    };
    const reading = readEach(
      Object.keys(answers),
      4,
      async id => {
        await g.task(id);
        return answers[id];
      },
      found => found.mine
    );
    await drain();
    // The answers come back last first.
    for (const id of ['/x/4', '/x/3', '/x/2', '/x/1']) {
      g.waiting.get(id)!.resolve();
      await drain();
    }
    expect((await reading).map(found => found.id)).toEqual(['/x/1', '/x/4']);
  });
});
