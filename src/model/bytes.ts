/**
 * Byte buffers that grow: an arena that texts are appended to, a buffer that is reused from one use to the next.
 */

/** A buffer of no bytes, for a buffer not made yet. */
export const NO_BYTES: Buffer = Buffer.alloc(0);

/**
 * A buffer with room for `needed` more bytes after its first `used`: `bytes` itself, or a new one (twice as long,
 * and at least `least` bytes) with those first bytes copied into it.
 */
export function roomForBytes(bytes: Buffer, used: number, needed: number, least: number): Buffer {
  if (bytes.length - used >= needed) return bytes;
  const larger = Buffer.allocUnsafe(Math.max(2 * bytes.length, used + needed, least));
  bytes.copy(larger, 0, 0, used);
  return larger;
}
