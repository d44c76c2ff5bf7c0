import fc from 'fast-check';
import { escapePointerSegment, joinPointer, splitPointer, unescapePointerSegment } from '../../src/model/pointer.js';

const segment = fc.string({ unit: fc.constantFrom('a', '~', '/', '0', '1', 'é') });

describe('JSON pointers (RFC 6901)', () => {
  it('escape ~ as ~0 and / as ~1, and unescape ~1 before ~0', () => {
    fc.assert(
      fc.property(segment, s => {
        expect(escapePointerSegment(s)).toBe(s.replace(/~/g, '~0').replace(/\//g, '~1'));
        expect(unescapePointerSegment(s)).toBe(s.replace(/~1/g, '/').replace(/~0/g, '~'));
        expect(unescapePointerSegment(escapePointerSegment(s))).toBe(s);
      }),
      { numRuns: 300 }
    );
    expect(unescapePointerSegment('~01')).toBe('~1');
    expect(escapePointerSegment(3)).toBe('3');
  });

  it('split what join made', () => {
    fc.assert(
      fc.property(fc.array(segment), segments => {
        expect(splitPointer(joinPointer('', ...segments))).toEqual(segments);
      }),
      { numRuns: 200 }
    );
  });
});
