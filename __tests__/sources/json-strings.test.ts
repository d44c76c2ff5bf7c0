/**
 * Strings are read a run of plain characters at a time (one slice, not one character at a time);
 * these pin that the value and the positions after a string are what a character-by-character
 * reading gives.
 */
import fc from 'fast-check';
import { parseJsonWithPositions } from '../../src/sources/json.js';

/** Line and column just after `text`, starting at line 1, column 1: \r\n and lone \r or \n each break a line. */
function endOf(text: string): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
      line++;
      column = 1;
    } else if (ch !== '\r') {
      column++;
    }
  }
  return { line, column };
}

describe('parseJsonWithPositions: strings', () => {
  test('reads escapes between plain runs and counts each code unit as one column', () => {
    const text = '{"a": "x\\ty\\u0041\\"z\\\\ 😀é", "b": 1}';
    const doc = parseJsonWithPositions(text, 's.json');
    expect(doc.value).toEqual({ a: 'x\tyA"z\\ 😀é', b: 1 });
    // The key "b" starts at the code unit after `", ` that follows the string.
    expect(doc.positionOf('/b')).toEqual({ file: 's.json', line: 1, column: text.indexOf('"b"') + 1 });
  });

  test('any string value reads as JSON.parse reads it, and the next key is where it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify({ a: value, b: [value], c: 1 }, null, pretty ? 2 : undefined);
        const doc = parseJsonWithPositions(text, 'p.json');
        expect(doc.value).toEqual(JSON.parse(text));
        const at = text.lastIndexOf('"c"');
        expect(doc.positionOf('/c')).toEqual({ file: 'p.json', ...endOf(text.slice(0, at)) });
      })
    );
  });

  test('a raw line break inside a string (as ARM allows) moves the next key to the following lines', () => {
    const text = '{"a": "one\ntwo\r\nthree\rfour", "b": 1}';
    const doc = parseJsonWithPositions(text, 'm.json');
    expect(doc.value).toEqual({ a: 'one\ntwo\nthree\rfour', b: 1 });
    expect(doc.positionOf('/b')).toEqual({ file: 'm.json', line: 4, column: 8 });
  });
});
