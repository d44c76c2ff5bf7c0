/** JSON pointers (RFC 6901), the addresses positions, rules and findings are recorded under. */

/** One reference token as it is written in a pointer: `~` → `~0`, `/` → `~1`. */
export function escapePointerSegment(segment: string | number): string {
  if (typeof segment === 'number') return String(segment);
  // Most segments need no escaping: a pointer is made for every value read, so look before replacing.
  if (segment.indexOf('~') < 0 && segment.indexOf('/') < 0) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** One reference token as it was before escaping (`~1` first, then `~0`, as RFC 6901 orders it). */
export function unescapePointerSegment(token: string): string {
  if (token.indexOf('~') < 0) return token;
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function joinPointer(base: string, ...segments: (string | number)[]): string {
  let pointer = base;
  for (const segment of segments) pointer += '/' + escapePointerSegment(segment);
  return pointer;
}

/** The pointer of the enclosing value, or null at the root. */
export function parentPointer(pointer: string): string | null {
  if (pointer === '') return null;
  return pointer.slice(0, pointer.lastIndexOf('/'));
}

export function splitPointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}
