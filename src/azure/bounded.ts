/** Requests to Azure a few at a time: how many a run keeps in flight against one Resource Manager. */

export const DEFAULT_CONCURRENCY = 8;

/**
 * Runs `task` on each item with at most `limit` at once, in the items' order. Once a task fails no further
 * item is started; the first failure is thrown when the tasks in flight have settled.
 */
export async function runBounded<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await task(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
}

/**
 * Reads each id, `limit` at a time, and keeps what `keep` accepts of what was found, in the ids' order
 * (a read answering undefined, a 404, keeps nothing).
 */
export async function readEach<T>(
  ids: readonly string[],
  limit: number,
  read: (id: string) => Promise<T | undefined>,
  keep: (found: T) => boolean = () => true
): Promise<T[]> {
  const found: (T | undefined)[] = new Array<T | undefined>(ids.length);
  await runBounded(ids, limit, async (id, index) => {
    found[index] = await read(id);
  });
  return found.filter((item): item is T => item !== undefined && keep(item));
}
