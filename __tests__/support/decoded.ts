/**
 * How long the longest string decoded from a Buffer (`Buffer.prototype.toString`) was while `run` ran: what the
 * findings store reads back from its file is decoded this way, so a reading that decodes a whole block of findings
 * at once shows here as a string as long as the block.
 */
export function longestDecoded<T>(run: () => T): { result: T; longest: number } {
  const original = Buffer.prototype.toString;
  let longest = 0;
  Buffer.prototype.toString = function (this: Buffer, ...args: Parameters<Buffer['toString']>): string {
    const text = original.apply(this, args);
    longest = Math.max(longest, text.length);
    return text;
  };
  try {
    return { result: run(), longest };
  } finally {
    Buffer.prototype.toString = original;
  }
}
