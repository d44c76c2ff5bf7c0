/**
 * Reports are written as streams. What makes that safe: `jsonPieces` writes what
 * `JSON.stringify(value, null, 2)` writes, character for character, whichever parts are
 * streamed; chunks are whole lines; and on the bundled examples every streamed format is the
 * same text the whole-string renderers gave (the JSON document, the SARIF log, the text report).
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FindingsDocument } from '../../src/model/finding.js';
import { writeFileAtomic } from '../../src/report/files.js';
import { jsonReport, renderJson } from '../../src/report/json.js';
import { renderSarif, sarifReport } from '../../src/report/sarif.js';
import { joinPieces, jsonPieces, Streamed, writeChunks, type ReportPieces } from '../../src/report/stream.js';
import { renderText, textReport } from '../../src/report/text.js';
import { evaluateRepository } from '../../src/run.js';
import { hostileDocument } from './fixture.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Wraps the arrays and objects `choose` picks in `Streamed`, so any mix of streamed and whole parts is tried. */
function streamSome(value: unknown, choose: () => boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map(item => streamSome(item, choose));
    return choose() ? Streamed.array(items) : items.some(i => i instanceof Streamed) ? Streamed.array(items) : items;
  }
  if (typeof value === 'object' && value !== null) {
    const members = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, streamSome(v, choose)]));
    const inner = Object.values(members).some(v => v instanceof Streamed);
    return choose() || inner ? Streamed.object(members) : members;
  }
  return value;
}

describe('jsonPieces', () => {
  it('writes what JSON.stringify(value, null, 2) writes, whichever parts are streamed', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.infiniteStream(fc.boolean()), (value, coins) => {
        const expected = JSON.stringify(value, null, 2);
        expect(joinPieces(jsonPieces(value))).toBe(expected);
        const iterator = coins[Symbol.iterator]();
        expect(joinPieces(jsonPieces(streamSome(value, () => iterator.next().value as boolean)))).toBe(expected);
      }),
      { numRuns: 300 }
    );
  });

  it('leaves out members without a JSON form and writes such array elements as null, as JSON.stringify does', () => {
    const value = { a: undefined, b: [undefined, 1, () => 2], c: { d: undefined }, e: 'x' };
    expect(joinPieces(jsonPieces(Streamed.object({ ...value, b: Streamed.array(value.b) })))).toBe(
      JSON.stringify(value, null, 2)
    );
  });

  it('streams items as they are produced, without reading ahead', () => {
    const made: number[] = [];
    const items = (function* () {
      for (let i = 0; i < 3; i++) {
        made.push(i);
        yield { i };
      }
    })();
    const pieces = jsonPieces({ items: Streamed.array(items) })[Symbol.iterator]();
    let text = '';
    while (!text.includes('"i": 0')) text += pieces.next().value;
    expect(made).toEqual([0]);
  });

  it('refuses to be written by JSON.stringify, which would write its fields instead of its content', () => {
    expect(() => JSON.stringify({ a: Streamed.array([1]) })).toThrow(/jsonPieces/);
  });
});

describe('writeChunks', () => {
  it('writes every piece, in chunks that end at a line break (but the last), no longer than asked but for a long line, and no chunk is cut mid-line', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '\n', ':', ' ') })),
        fc.nat(40),
        (pieces, size) => {
          const chunks: string[] = [];
          writeChunks(pieces, chunk => chunks.push(chunk), size + 1);
          expect(chunks.join('')).toBe(pieces.join(''));
          for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('\n')).toBe(true);
          // A long piece is written a chunk at a time as well: only a single line is longer than a chunk.
          for (const chunk of chunks.slice(0, -1))
            expect(chunk.length <= size + 1 || chunk.indexOf('\n') === chunk.length - 1).toBe(true);
          expect(chunks.every(chunk => chunk.length > 0)).toBe(true);
        }
      ),
      { numRuns: 300 }
    );
  });
});

/**
 * `text` as pieces: cut between characters at `cuts`, each part as text or (as `asBytes` says) as its UTF-8 bytes
 * cut again anywhere, a character's bytes split between pieces. The bytes are views of one buffer, filled again
 * for every piece, as the store's are.
 */
function* mixedPieces(text: string, cuts: number[], asBytes: boolean[]): Generator<string | Uint8Array> {
  const at = (n: number) => [...new Set([0, ...cuts.map(c => c % (n + 1)), n])].sort((a, b) => a - b);
  const chars = [...text];
  const reused = Buffer.alloc(Buffer.byteLength(text, 'utf8'));
  const parts = at(chars.length);
  for (let i = 0; i + 1 < parts.length; i++) {
    const part = chars.slice(parts[i], parts[i + 1]).join('');
    if (!asBytes[i % asBytes.length]) {
      yield part;
      continue;
    }
    const bytes = Buffer.from(part, 'utf8');
    const cut = at(bytes.length);
    for (let j = 0; j + 1 < cut.length; j++) {
      bytes.copy(reused, 0, cut[j], cut[j + 1]);
      yield reused.subarray(0, cut[j + 1] - cut[j]);
      reused.fill(0);
    }
  }
}

describe('pieces given as bytes', () => {
  const text = fc
    .array(fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('\n', 'a\nb', '“é”\n', '\u{1F600}\n')))
    .map(parts => parts.join(''))
    .filter(t => Buffer.from(t, 'utf8').toString('utf8') === t);

  it('are the text their bytes encode, to joinPieces, writeChunks (whole lines) and writeFileAtomic, wherever a character is split', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-bytes-'));
    try {
      fc.assert(
        fc.property(
          text,
          fc.array(fc.nat(), { maxLength: 30 }),
          fc.array(fc.boolean(), { minLength: 1 }),
          fc.nat(40),
          (whole, cuts, asBytes, size) => {
            const pieces = () => mixedPieces(whole, cuts, asBytes);
            expect(joinPieces(pieces())).toBe(whole);
            const chunks: string[] = [];
            writeChunks(pieces(), chunk => chunks.push(chunk), size + 1);
            expect(chunks.join('')).toBe(whole);
            for (const chunk of chunks.slice(0, -1)) expect(chunk.endsWith('\n')).toBe(true);
            const file = path.join(dir, 'report');
            writeFileAtomic(file, pieces());
            expect(readFileSync(file)).toEqual(Buffer.from(whole, 'utf8'));
          }
        ),
        { numRuns: 100 }
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('streamed reports', () => {
  let examples: FindingsDocument;
  let dir: string;

  beforeAll(async () => {
    examples = await evaluateRepository({ cwd: repo, policies: 'policies', templates: ['examples'] });
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-stream-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('between them, the two documents hold every verdict, input errors and skipped files', () => {
    const all = [examples, hostileDocument()];
    const verdicts = new Set(all.flatMap(d => d.findings.map(f => f.verdict)));
    expect([...verdicts].sort()).toEqual(['compliant', 'indeterminate', 'noncompliant']);
    expect(all.some(d => (d.errors ?? []).length > 0)).toBe(true);
    expect(all.some(d => (d.skipped ?? []).length > 0)).toBe(true);
  });

  it.each([
    ['the examples', () => examples],
    ['a hostile document', hostileDocument]
  ])('on %s, each format written to a file in small chunks is the whole-string report', (_what, document) => {
    const doc = document();
    const context = { workspace: repo };
    const cases: [string, ReportPieces, string][] = [
      ['json', jsonReport(doc), JSON.stringify(doc, null, 2) + '\n'],
      ['sarif', sarifReport(doc, context), JSON.stringify(renderSarif(doc, context), null, 2) + '\n'],
      ['text', textReport(doc), renderText(doc)]
    ];
    for (const [format, pieces, whole] of cases) {
      const file = path.join(dir, `report.${format}`);
      // Chunks far smaller than a report: many writes, each cut after a line break.
      const chunks: string[] = [];
      writeChunks(pieces, chunk => chunks.push(chunk), 256);
      expect(chunks.length).toBeGreaterThan(1);
      writeFileAtomic(file, chunks);
      expect(readFileSync(file, 'utf8')).toBe(whole);
    }
    expect(renderJson(doc)).toBe(JSON.stringify(doc, null, 2) + '\n');
  });
});
