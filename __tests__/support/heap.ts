/**
 * The heap a test's run keeps, measured after forced collections: `gc` (Node's, exposed here) and `heapInUse`.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** A context made after the flag has `gc`. */
export const gc = vm.runInNewContext('gc') as () => void;

/** Heap in use once nothing unreachable is left; a WeakRef made in this turn keeps its target until the next one. */
export async function heapInUse(): Promise<number> {
  await new Promise(resolve => setImmediate(resolve));
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
