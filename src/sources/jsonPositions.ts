/**
 * Strict JSON read at `JSON.parse`'s speed, with positions found only when asked. Most templates
 * are plain JSON, and a finding or an error asks for the position of a few of their values: the
 * text is kept, and a pointer's line and column are found by reading just the objects and arrays
 * on its way (each read once, then remembered). Files that are not strict JSON (comments,
 * trailing commas, strings across lines), that repeat a key or nest too deep go to the reader in
 * json.ts, which says what is wrong where (or, for a repeated key, keeps the last value with its position).
 */
import type { Json } from '../model/value.js';
import { escapePointerSegment } from '../model/pointer.js';
import { foldCase } from '../model/foldCase.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** The offset just past the string whose opening quote is at `open`, or -1 when it never closes. */
function stringEnd(text: string, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    at = quote + 1;
  }
}

/**
 * The number of object members the text writes (strings followed by a colon), or null when its
 * brackets open `maxDepth` levels deep, a key holds an escape or a string never closes. Meant for text `JSON.parse`
 * accepts; on anything else the count means nothing, and `JSON.parse` refuses the text anyway.
 */
function writtenMembers(text: string, maxDepth: number): number | null {
  let members = 0;
  let depth = 0;
  const n = text.length;
  // The first backslash at or after the key being read (n when none is left): looked for again only once
  // reading has passed it, so the text is searched for backslashes once in all, not from every key to its end.
  let backslash = -1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      let next = end;
      while (next < n && isSpace(text.charCodeAt(next))) next++;
      if (text.charCodeAt(next) === COLON) {
        // JSON.parse in Node 24 (V8 13) can read an escaped key as the key an object read before
        // had at that place (`{"a": 1, "\\": 2}` then `{"a": 1, "\"": 2}` gives the key `\`):
        // a key with an escape is left to the reader. https://github.com/nodejs/node/issues/63785
        if (backslash < i) {
          backslash = text.indexOf('\\', i);
          if (backslash < 0) backslash = n;
        }
        if (backslash < end) return null;
        members++;
      }
      i = next - 1;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      // The reader refuses a value inside `maxDepth` containers; stopping one level earlier leaves
      // every case at the edge to it.
      if (++depth >= maxDepth - 1) return null;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      depth--;
    }
  }
  return members;
}

/** Members of every object in a parsed value (a key `JSON.parse` met twice is counted once). */
function parsedMembers(value: Json): number {
  if (value === null || typeof value !== 'object') return 0;
  let members = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) members += parsedMembers(value[i]);
    return members;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    members += 1 + parsedMembers(value[key]);
  }
  return members;
}

/**
 * The value of `text` when it is strict JSON with no key repeated in one object, no escape in a
 * key and nesting under `maxDepth`; otherwise undefined, for the reader to read (and to refuse
 * with a position).
 */
export function parseStrictJson(text: string, maxDepth: number): Json | undefined {
  const written = writtenMembers(text, maxDepth);
  if (written === null) return undefined;
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
  // JSON.parse keeps the last of a repeated key too, but the positions found in the text would be the first's:
  // such a file goes to the reader, which records the last.
  return parsedMembers(value) === written ? value : undefined;
}

/** Where a value is in the text: its key's offset (object members; -1 otherwise) and its own. */
export interface TextSpot {
  key: number;
  value: number;
}

/**
 * Offsets of values in strict JSON text by JSON pointer, found by reading the containers on the
 * pointer's way; lines and columns from offsets, counted as the reader counts them (a `\r\n` or a
 * lone `\r` ends a line; columns count UTF-16 units from 1).
 */
export class TextPositions {
  private readonly objects = new Map<number, ReadSoFar<Map<string, TextSpot>>>();
  private readonly arrays = new Map<number, ReadSoFar<number[]>>();
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** The spot of the value `pointer` names, or null when the text has no such value. */
  locate(pointer: string): TextSpot | null {
    const text = this.text;
    let spot: TextSpot | undefined = { key: -1, value: this.skipSpace(0) };
    if (pointer === '') return spot;
    if (pointer.charCodeAt(0) !== 0x2f) return null;
    let start = 1;
    for (;;) {
      const slash = pointer.indexOf('/', start);
      const segment = slash < 0 ? pointer.slice(start) : pointer.slice(start, slash);
      const code = text.charCodeAt(spot.value);
      if (code === OPEN_OBJECT) {
        spot = this.memberAt(spot.value, segment);
        if (spot === undefined) return null;
      } else if (code === OPEN_ARRAY) {
        // Pointers name items as the reader does, in plain decimal ("0", "12"; not "012").
        const index = Number(segment);
        if (!(index >= 0) || String(index) !== segment) return null;
        const item = this.itemAt(spot.value, index);
        if (item === undefined) return null;
        spot = { key: -1, value: item };
      } else {
        return null;
      }
      if (slash < 0) return spot;
      start = slash + 1;
    }
  }

  /** Line and column (from 1) of an offset. */
  lineAndColumn(offset: number): { line: number; column: number } {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low] + 1 };
  }

  private skipSpace(at: number): number {
    const text = this.text;
    while (at < text.length && isSpace(text.charCodeAt(at))) at++;
    return at;
  }

  /**
   * The member of the object whose `{` is at `open` that a pointer segment (its key, escaped) names:
   * the member of that name, else the first whose name differs only in case, as ARM reads names (a
   * template's "Resources" is read, and pointed at, as "resources").
   */
  private memberAt(open: number, segment: string): TextSpot | undefined {
    const exact = this.exactMemberAt(open, segment);
    if (exact !== undefined) return exact;
    const lower = foldCase(segment);
    for (const [key, spot] of this.objects.get(open)!.found) if (foldCase(key) === lower) return spot;
    return undefined;
  }

  /** The member named exactly `segment`. Members are read up to the one asked for, and remembered. */
  private exactMemberAt(open: number, segment: string): TextSpot | undefined {
    let read = this.objects.get(open);
    if (!read)
      this.objects.set(open, (read = { found: new Map(), at: this.skipSpace(open + 1), inValue: false, done: false }));
    const known = read.found.get(segment);
    if (known || read.done) return known;
    const text = this.text;
    for (;;) {
      if (read.inValue) this.passValue(read);
      if (text.charCodeAt(read.at) !== QUOTE) break;
      const keyAt = read.at;
      const keyEnd = stringEnd(text, keyAt);
      const raw = text.slice(keyAt + 1, keyEnd - 1);
      const key = escapePointerSegment(raw.indexOf('\\') < 0 ? raw : (JSON.parse(text.slice(keyAt, keyEnd)) as string));
      const spot = { key: keyAt, value: this.skipSpace(this.skipSpace(keyEnd) + 1) };
      read.found.set(key, spot);
      // The value is passed over only when a member after it is asked for.
      read.at = spot.value;
      read.inValue = true;
      if (key === segment) return spot;
    }
    read.done = true;
    return undefined;
  }

  /** The offset of item `index` of the array whose `[` is at `open`: items are read up to it, and remembered. */
  private itemAt(open: number, index: number): number | undefined {
    let read = this.arrays.get(open);
    if (!read) this.arrays.set(open, (read = { found: [], at: this.skipSpace(open + 1), inValue: false, done: false }));
    const text = this.text;
    while (read.found.length <= index && !read.done) {
      if (read.inValue) this.passValue(read);
      if (read.at >= text.length || text.charCodeAt(read.at) === CLOSE_ARRAY) {
        read.done = true;
        break;
      }
      read.found.push(read.at);
      read.inValue = true;
    }
    return read.found[index];
  }

  /** Moves reading past the value at `read.at` and the comma after it. */
  private passValue(read: ReadSoFar<unknown>): void {
    const text = this.text;
    let at = this.skipSpace(valueEnd(text, read.at));
    if (text.charCodeAt(at) === COMMA) at = this.skipSpace(at + 1);
    read.at = at;
    read.inValue = false;
  }
}

/**
 * What has been read of one object or array: what was found, where reading goes on (at the value
 * last found when `inValue`, else at the next key or item), whether it ended.
 */
interface ReadSoFar<T> {
  found: T;
  at: number;
  inValue: boolean;
  done: boolean;
}

/** The offset just past the value that starts at `at` (strict JSON). */
function valueEnd(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code === QUOTE) return stringEnd(text, at);
  if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) i = stringEnd(text, i) - 1;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i + 1;
    }
    return text.length;
  }
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break;
    i++;
  }
  return i;
}

/** Offsets where lines start: 0, and after each `\n` and each `\r` not followed by `\n`. */
function lineStartsOf(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') < 0) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) starts.push(i + 1);
  }
  return starts;
}
