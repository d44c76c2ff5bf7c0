import { NO_BYTES, roomForBytes } from '../../src/model/bytes.js';

describe('roomForBytes', () => {
  it('gives the same buffer while it has room', () => {
    const bytes = Buffer.alloc(16);
    expect(roomForBytes(bytes, 10, 6, 8)).toBe(bytes);
  });

  it('gives a larger buffer with the bytes used copied, twice as long or as long as needed, at least `least`', () => {
    const bytes = Buffer.from('abcdefgh');
    const grown = roomForBytes(bytes, 5, 4, 0);
    expect(grown).not.toBe(bytes);
    expect(grown.length).toBe(16);
    expect(grown.toString('latin1', 0, 5)).toBe('abcde');
    expect(roomForBytes(bytes, 8, 100, 0).length).toBe(108);
    expect(roomForBytes(NO_BYTES, 0, 3, 64).length).toBe(64);
  });
});
