import { Unknown, findUnknown, type Value } from '../../model/value.js';

/** The first unknown in either side, which makes a plain comparison unknown. */
export function unknownIn(actual: Value | undefined, expected: Value): Unknown | undefined {
  if (actual instanceof Unknown) return actual;
  if (expected instanceof Unknown) return expected;
  if (actual !== undefined && actual !== null && typeof actual === 'object') {
    const u = findUnknown(actual);
    if (u) return u;
  }
  if (expected !== null && typeof expected === 'object') return findUnknown(expected);
  return undefined;
}
