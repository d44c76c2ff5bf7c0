/** Lists grown in place. */

/**
 * Adds `items` to the end of `into`, one by one: `into.push(...items)` passes every item as an argument, and a
 * list of some hundred thousand items (findings, skipped files, definitions) overflows the call stack.
 */
export function append<T>(into: T[], items: readonly T[]): void {
  for (const item of items) into.push(item);
}
