/**
 * Reports as streams: every format renders a findings document as a sequence of pieces of text
 * (`ReportPieces`), and writers hand them on in chunks, so no report is ever held as one string
 * and the number of findings is limited by the disk, not by the largest string a JavaScript
 * engine can make (about 512 MB in V8).
 *
 * A new format is a generator function from the document to pieces; `writeChunks` (standard
 * output) and `writeFileAtomic` (files) write any format.
 */
import { StringDecoder } from 'node:string_decoder';

/**
 * A piece of a report: text, or text already encoded as UTF-8 (findings copied from where they were written
 * out). A character's bytes may be split between two byte pieces that follow each other, and a byte piece may
 * be a view of a buffer that is filled again for the next piece: use it before asking for the next.
 */
export type ReportPiece = string | Uint8Array;

/** A report, a piece at a time. Joined, the pieces are the report. */
export type ReportPieces = Iterable<ReportPiece>;

/** One item's text or several items' (`Streamed.texts`): a string, or the text's UTF-8 bytes in pieces. */
export type ItemText = string | Iterable<Uint8Array>;

/** The pieces as text: bytes decoded, a character split between byte pieces put together. */
export function* textPieces(pieces: ReportPieces): Generator<string> {
  let decoder: StringDecoder | undefined;
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      if (decoder) {
        const rest = decoder.end();
        decoder = undefined;
        if (rest) yield rest;
      }
      if (piece) yield piece;
    } else {
      const text = (decoder ??= new StringDecoder('utf8')).write(piece);
      if (text) yield text;
    }
  }
  const rest = decoder?.end();
  if (rest) yield rest;
}

/** How much text `writeChunks` gathers before it writes. */
export const CHUNK_SIZE = 64 * 1024;

/**
 * Hands `pieces` to `write` in chunks of about `chunkSize` characters, each cut just after a
 * line break (a line longer than a chunk is kept whole). Whole lines matter: run in a workflow
 * step, each chunk is checked for lines that start a workflow command, and a cut mid-line
 * could hide one.
 */
export function writeChunks(pieces: ReportPieces, write: (chunk: string) => void, chunkSize = CHUNK_SIZE): void {
  // Pieces are gathered in a list and joined once a chunk's worth is there: adding to one string
  // piece by piece builds a rope of millions of small strings that has to be flattened to be written.
  let parts: string[] = [];
  let length = 0;
  for (const piece of textPieces(pieces)) {
    parts.push(piece);
    length += piece.length;
    if (length >= chunkSize && piece.includes('\n')) {
      const text = parts.join('');
      // A long piece (a block of findings) goes out a chunk at a time too, not as one write.
      let from = 0;
      for (let cut = chunkEnd(text, from, chunkSize); cut > from; cut = chunkEnd(text, from, chunkSize)) {
        write(text.slice(from, cut));
        from = cut;
      }
      const rest = text.slice(from);
      parts = rest ? [rest] : [];
      length = rest.length;
    }
  }
  if (length > 0) write(parts.join(''));
}

/**
 * Where the chunk of `text` from `from` ends: just after the last line break before `from + size`, or after
 * the first one past it (a longer line is kept whole); `from` when what is left holds no line break or is
 * shorter than `size`.
 */
function chunkEnd(text: string, from: number, size: number): number {
  if (text.length - from < size) return text.lastIndexOf('\n') + 1 > from ? text.lastIndexOf('\n') + 1 : from;
  const before = text.lastIndexOf('\n', from + size - 1);
  if (before >= from) return before + 1;
  const after = text.indexOf('\n', from + size);
  return after < 0 ? from : after + 1;
}

/** The whole report as one string: for tests and for small reports (a PR comment, say). */
export function joinPieces(pieces: ReportPieces): string {
  let text = '';
  for (const piece of textPieces(pieces)) text += piece;
  return text;
}

/**
 * A value `jsonPieces` writes a member or an element at a time instead of all at once: an array
 * whose items may be produced as they are written, or an object holding one.
 */
export class Streamed {
  private constructor(
    readonly items: Iterable<unknown> | null,
    readonly members: Record<string, unknown> | null,
    readonly texts: Iterable<ItemText> | null = null
  ) {}

  static array(items: Iterable<unknown>): Streamed {
    return new Streamed(items, null);
  }

  static object(members: Record<string, unknown>): Streamed {
    return new Streamed(null, members);
  }

  /**
   * An array given as its items' text, already written as `jsonPieces` writes them one level below
   * the array: each piece is one item's text or several, separated as `jsonPieces` separates items
   * (a comma, a line break and the items' indentation), as a string or as its UTF-8 bytes. No piece is empty.
   */
  static texts(texts: Iterable<ItemText>): Streamed {
    return new Streamed(null, null, texts);
  }

  /** Only `jsonPieces` can write it: `JSON.stringify` would write its fields, not its content. */
  toJSON(): never {
    throw new Error('a streamed value can only be written by jsonPieces');
  }
}

/**
 * `JSON.stringify(value, null, 2)`, as pieces: the root (an object or array) and every
 * `Streamed` value are written a member or an element at a time; every other value in one
 * piece. The text is the same as `JSON.stringify`'s, character for character, for plain JSON
 * data (objects, arrays, strings, numbers, booleans, null; undefined members left out).
 */
export function* jsonPieces(value: unknown, depth = 0): Generator<ReportPiece> {
  if (value instanceof Streamed) {
    if (value.texts) yield* itemTextPieces(value.texts, depth);
    else if (value.items) yield* arrayPieces(value.items, depth);
    else yield* objectPieces(value.members as Record<string, unknown>, depth);
  } else if (depth === 0 && Array.isArray(value)) {
    yield* arrayPieces(value, depth);
  } else if (depth === 0 && typeof value === 'object' && value !== null) {
    yield* objectPieces(value as Record<string, unknown>, depth);
  } else {
    yield indentedJson(value, depth);
  }
}

/** `JSON.stringify(value, null, 2)` written `depth` levels down: every line after the first indented. */
export function indentedJson(value: unknown, depth: number): string {
  const text = JSON.stringify(value, null, 2);
  return depth === 0 || !text.includes('\n') ? text : text.replace(/\n/g, `\n${indent(depth)}`);
}

/** What separates an array's items `depth` levels down (the array itself at `depth - 1`). */
export function itemSeparator(depth: number): string {
  return `,\n${indent(depth)}`;
}

function indent(depth: number): string {
  return '  '.repeat(depth);
}

function* arrayPieces(items: Iterable<unknown>, depth: number): Generator<ReportPiece> {
  const inner = `\n${indent(depth + 1)}`;
  let first = true;
  for (const item of items) {
    yield first ? `[${inner}` : `,${inner}`;
    first = false;
    // As JSON.stringify does: an element that has no JSON form is written as null.
    yield* jsonless(item) ? ['null'] : jsonPieces(item, depth + 1);
  }
  yield first ? '[]' : `\n${indent(depth)}]`;
}

function* itemTextPieces(texts: Iterable<ItemText>, depth: number): Generator<ReportPiece> {
  let first = true;
  for (const text of texts) {
    yield first ? `[\n${indent(depth + 1)}` : itemSeparator(depth + 1);
    first = false;
    if (typeof text === 'string') yield text;
    else yield* text;
  }
  yield first ? '[]' : `\n${indent(depth)}]`;
}

function* objectPieces(members: Record<string, unknown>, depth: number): Generator<ReportPiece> {
  const inner = `\n${indent(depth + 1)}`;
  let first = true;
  for (const key of Object.keys(members)) {
    const member = members[key];
    // As JSON.stringify does: a member that has no JSON form is left out.
    if (jsonless(member)) continue;
    yield `${first ? '{' : ','}${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* jsonPieces(member, depth + 1);
  }
  yield first ? '{}' : `\n${indent(depth)}}`;
}

/** What JSON has no form for: left out as a member, written as null as an array's element. */
export function jsonless(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
