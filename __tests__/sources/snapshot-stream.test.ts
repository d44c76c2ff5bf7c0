/**
 * Snapshots are read a resource at a time from a window that moves through the file. Whatever the
 * window size, the result must be that of reading the file whole with the template reader, left to refuse a name
 * written twice as a snapshot does (a template keeps the last value): the same resources, the same position for
 * every value, and for broken files the same error at the same line and column.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../src/model/errors.js';
import { joinPointer } from '../../src/model/pointer.js';
import { readTextFile } from '../../src/model/textFile.js';
import type { Json } from '../../src/model/value.js';
import { Reader, nearestPosition, parseJsonWithPositions } from '../../src/sources/json.js';
import { readResourceSnapshot } from '../../src/sources/snapshot.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-snapshot-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every pointer into a value, the root included. */
function pointers(value: Json, base = ''): string[] {
  if (Array.isArray(value)) return [base, ...value.flatMap((v, i) => pointers(v, joinPointer(base, i)))];
  if (value !== null && typeof value === 'object') {
    return [base, ...Object.entries(value).flatMap(([k, v]) => pointers(v, joinPointer(base, k)))];
  }
  return [base];
}

type Outcome =
  { resources: { json: unknown; positions: (string | null)[] }[] } | { error: string; line?: number; column?: number };

function failure(error: unknown): Outcome {
  if (!(error instanceof UserError)) throw error;
  return { error: error.message, line: error.location?.line, column: error.location?.column };
}

/** What reading the file whole gave: the template reader over the whole text, then one resource per entry. */
function readWhole(file: string): Outcome {
  try {
    const text = readTextFile(file);
    // A template keeps the last value of a name written twice, as ARM reads it; a snapshot refuses the name at its
    // line: the reader left to refuse says where.
    new Reader(text, file).parseDocument();
    const doc = parseJsonWithPositions(text, file);
    const root = doc.value as { value?: Json; data?: Json } | Json[];
    const [items, base] = Array.isArray(root)
      ? [root, '']
      : Array.isArray(root?.value)
        ? [root.value, '/value']
        : Array.isArray(root?.data)
          ? [root.data, '/data']
          : [null, ''];
    if (!items) return { error: 'not a snapshot' };
    for (const [index, item] of items.entries()) {
      const entry = item as Record<string, unknown> | null;
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return { error: `entry ${index}` };
      if (typeof entry.type !== 'string' || typeof entry.name !== 'string') return { error: `entry ${index}` };
    }
    return {
      resources: items.map((item, index) => ({
        json: item,
        positions: pointers(item).map(p => {
          const at = nearestPosition(doc.positionOf, joinPointer(base, index) + p);
          return at && `${at.line}:${at.column}`;
        })
      }))
    };
  } catch (error) {
    return failure(error);
  }
}

function readStreamed(file: string, chunkBytes: number): Outcome {
  try {
    const resources = [...readResourceSnapshot(file, { chunkBytes })].map(r => ({
      json: r.json,
      positions: pointers(r.json as Json).map(p => {
        const at = r.positionOf!(p);
        return at && `${at.line}:${at.column}`;
      })
    }));
    return { resources };
  } catch (error) {
    const outcome = failure(error);
    // The two name shape errors in their own words; that both refuse the file is what matters.
    if ('error' in outcome && /must be a JSON array of resources/.test(outcome.error))
      return { error: 'not a snapshot' };
    const entry = 'error' in outcome ? /^snapshot entry (\d+)/.exec(outcome.error) : null;
    return entry ? { error: `entry ${entry[1]}` } : outcome;
  }
}

const text = fc.string({ unit: fc.constantFrom('a', 'é', '字', '😀', '"', '\\', '\n', '/', ' ', '~', '\ufeff') });
const resourceArb = fc.record(
  {
    type: fc.constantFrom('Microsoft.KeyVault/vaults', 'Microsoft.Storage/storageAccounts'),
    name: text,
    properties: fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
    tags: fc.dictionary(text, text, { maxKeys: 2 })
  },
  { requiredKeys: ['type', 'name'] }
);

/**
 * The snapshot as a file: any envelope, any layout ARM's reader takes (indents, CRLF, comments, trailing commas, a
 * U+FEFF as white space).
 */
const fileArb = fc
  .tuple(
    fc.array(resourceArb, { maxLength: 6 }),
    fc.constantFrom('array', 'value', 'data', 'nextLink'),
    fc.constantFrom(0, 2, '\t'),
    fc.boolean(),
    fc.boolean(),
    fc.boolean(),
    fc.boolean()
  )
  .map(([items, envelope, indent, crlf, comment, trailingComma, marks]) => {
    const root =
      envelope === 'array'
        ? items
        : envelope === 'nextLink'
          ? { nextLink: 'https://management.azure.com/…?$skiptoken=x', value: items }
          : { [envelope]: items, count: items.length };
    let body = JSON.stringify(root, null, indent);
    if (trailingComma) body = body.replace(/\}(\s*)\]/, '},$1]');
    if (comment) body = `// exported by az resource list\n/* with a\n block comment */ ${body}`;
    if (marks) body = body.replace(/\n/g, '\n\ufeff');
    if (crlf) body = body.replace(/\n/g, '\r\n');
    return body;
  });

/**
 * The encodings a snapshot may come in: UTF-8, or UTF-16 with its byte order mark (Windows PowerShell 5 writes
 * `az resource list > snapshot.json` as UTF-16LE). A window of an odd number of bytes cuts UTF-16 code units and
 * surrogate pairs in two.
 */
const encodingArb = fc.constantFrom('utf-8', 'utf-16le', 'utf-16be');

function encoded(body: string, encoding: 'utf-8' | 'utf-16le' | 'utf-16be'): Buffer {
  if (encoding === 'utf-8') return Buffer.from(body, 'utf8');
  const little = Buffer.from(`\ufeff${body}`, 'utf16le');
  return encoding === 'utf-16le' ? little : little.swap16();
}

/**
 * A file broken in one place: cut short, a character in, or bytes that are not text in its encoding (a byte 0xFF in
 * UTF-8, a lone surrogate in UTF-16).
 */
const brokenArb = fc
  .tuple(
    fileArb,
    encodingArb,
    fc.nat(),
    fc.constantFrom('cut', 'insert', 'byte'),
    fc.constantFrom('{', '}', ']', ',', '"', 'x', '\n')
  )
  .map(([body, encoding, at, how, ch]) => {
    const bytes = encoded(body, encoding);
    const cut = bytes.length === 0 ? 0 : at % bytes.length;
    if (how === 'cut') return bytes.subarray(0, cut);
    // In UTF-16, between two code units after the byte order mark.
    const at16 = Math.max(2, cut - (cut % 2));
    if (encoding === 'utf-8') {
      const middle = how === 'byte' ? Buffer.from([0xff]) : Buffer.from(ch, 'utf8');
      return Buffer.concat([bytes.subarray(0, cut), middle, bytes.subarray(cut)]);
    }
    const little = how === 'byte' ? Buffer.from([0x00, 0xd8]) : Buffer.from(ch, 'utf16le');
    const middle = encoding === 'utf-16le' ? little : Buffer.from(little).swap16();
    return Buffer.concat([bytes.subarray(0, at16), middle, bytes.subarray(at16)]);
  });

describe('readResourceSnapshot', () => {
  it('gives the resources and positions of reading the file whole, whatever the window and the encoding', () => {
    let n = 0;
    fc.assert(
      fc.property(fileArb, fc.integer({ min: 1, max: 64 }), encodingArb, (body, chunk, encoding) => {
        const file = path.join(dir, `s${n++}.json`);
        writeFileSync(file, encoded(body, encoding));
        const whole = readWhole(file);
        expect('resources' in whole).toBe(true);
        expect(readStreamed(file, chunk)).toEqual(whole);
      }),
      { numRuns: 300 }
    );
  });

  it('refuses a broken file with the error reading it whole gives, at the same line and column', () => {
    let n = 0;
    fc.assert(
      fc.property(brokenArb, fc.integer({ min: 1, max: 64 }), (bytes, chunk) => {
        const file = path.join(dir, `b${n++}.json`);
        writeFileSync(file, bytes);
        expect(readStreamed(file, chunk)).toEqual(readWhole(file));
      }),
      { numRuns: 500 }
    );
  });

  it('reads a snapshot larger than the 16 MB a template may be, holding one resource at a time', () => {
    const file = path.join(dir, 'large.json');
    const entry = (i: number) =>
      JSON.stringify({ type: 'Microsoft.Web/sites', name: `app${i}`, properties: { pad: 'x'.repeat(900) } });
    const count = 20_000;
    writeFileSync(file, `[\n${Array.from({ length: count }, (_, i) => entry(i)).join(',\n')}\n]\n`);
    let read = 0;
    let last = '';
    for (const resource of readResourceSnapshot(file)) {
      read++;
      last = resource.name;
    }
    expect([read, last]).toEqual([count, `app${count - 1}`]);
  });

  it('reads the file into one buffer, kept from chunk to chunk, not a new one for every chunk', () => {
    const file = path.join(dir, 'chunks.json');
    const entry = (i: number) => JSON.stringify({ type: 'Microsoft.Web/sites', name: `app${i}`, pad: 'é'.repeat(300) });
    writeFileSync(file, `[\n${Array.from({ length: 5_000 }, (_, i) => entry(i)).join(',\n')}\n]\n`);
    const chunkBytes = 64 * 1024;
    const original = Buffer.allocUnsafe;
    const sizes: number[] = [];
    Buffer.allocUnsafe = (size: number) => {
      sizes.push(size);
      return original(size);
    };
    let read = 0;
    try {
      for (const resource of readResourceSnapshot(file, { chunkBytes }))
        read += resource.name.startsWith('app') ? 1 : 0;
    } finally {
      Buffer.allocUnsafe = original;
    }
    expect(read).toBe(5_000);
    // More than fifty chunks (3 MB), read into the one buffer of a chunk's size, and joined to what was left of the
    // window before in one other buffer, of about two.
    const large = sizes.filter(size => size >= chunkBytes);
    expect(large).toHaveLength(2);
    expect(large[0]).toBe(chunkBytes);
    expect(large[1]).toBeLessThan(3 * chunkBytes);
  });

  it('refuses a snapshot with both a "data" and a "value" array, which reading a resource at a time cannot choose between', () => {
    const file = path.join(dir, 'both.json');
    writeFileSync(file, JSON.stringify({ data: [], value: [] }));
    expect(() => [...readResourceSnapshot(file)]).toThrow(/both a "data" and a "value" array/);
  });
});
