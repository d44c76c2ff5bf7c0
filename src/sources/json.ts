import { own, setOwn, type Json } from '../model/value.js';
import type { SourcePosition } from '../model/resource.js';
import { inputToken, UserError } from '../model/errors.js';
import { DEFAULT_LIMITS, LIMIT_VARIABLES, limit } from '../model/limits.js';
import { joinPointer, parentPointer } from '../model/pointer.js';
import { TextPositions, parseStrictJson } from './jsonPositions.js';
import { foldCase } from '../model/foldCase.js';

/** Templates nest a few dozen levels at most; far deeper input is refused with its position. */
export const MAX_JSON_DEPTH = DEFAULT_LIMITS.jsonDepth;

/**
 * A JSON reader that accepts what Azure Resource Manager accepts in templates and
 * parameter files: `//` and `/* *\/` comments, trailing commas, and strings that span
 * lines. It records where every value came from, keyed by JSON pointer, so a finding can
 * point at the line that set a property.
 */

export interface PositionedJson {
  value: Json;
  /** Position of the member's key (for object members) or of the value (array items, the root). */
  positionOf(pointer: string): SourcePosition | null;
  /** Position of the value itself: the opening quote of a string, the `{` of an object. */
  valuePositionOf(pointer: string): SourcePosition | null;
  file: string;
}

export interface Spot {
  line: number;
  column: number;
}

export class JsonSyntaxError extends UserError {}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t'
};

/**
 * The reader itself. `JsonStream` (jsonStream.ts) drives it a value at a time over a window of
 * a file that moves on (`retext`), and has it skip recording positions where none are needed.
 */
export class Reader {
  index = 0;
  line = 1;
  column = 1;
  keys = new Map<string, Spot>();
  values = new Map<string, Spot>();
  /** Whether positions are recorded; reading without them allocates no pointers. */
  record = true;
  /**
   * What a name written twice in one object does: `refuse` it at its line, or keep the `last` value, as
   * ARM reads templates and parameter files (see `parseJsonWithPositions`).
   */
  repeatedNames: 'refuse' | 'last' = 'refuse';
  private readonly maxDepth = limit('jsonDepth');

  constructor(
    private text: string,
    private readonly file: string
  ) {}

  /** The text now read from, and where in it reading goes on (line and column go on as they were). */
  retext(text: string, index: number): void {
    this.text = text;
    this.index = index;
  }

  get length(): number {
    return this.text.length;
  }

  /**
   * The text from `from` to where reading is now, as a string of its own: a plain slice would be a
   * view that keeps the whole window it was cut from alive, and a stream cuts one from every window.
   */
  copySince(from: number): string {
    return (' ' + this.text.slice(from, this.index)).slice(1);
  }

  /** The character reading is at, or undefined at the end of the text. */
  peek(): string | undefined {
    return this.text[this.index];
  }

  parseDocument(): Json {
    if (this.text.charCodeAt(0) === 0xfeff) this.advance();
    this.skipTrivia();
    if (this.index >= this.text.length) this.fail('The file is empty; it must hold one JSON value.');
    const value = this.parseValue('');
    this.skipTrivia();
    if (this.index < this.text.length) {
      this.fail(`Unexpected ${this.describeHere()} after the end of the JSON value; remove it.`);
    }
    return value;
  }

  here(): Spot {
    return { line: this.line, column: this.column };
  }

  fail(message: string, at: Spot = this.here()): never {
    throw new JsonSyntaxError(message, { file: this.file, line: at.line, column: at.column });
  }

  describeHere(): string {
    if (this.index >= this.text.length) return 'end of file';
    const ch = this.text[this.index];
    return ch === '\n' || ch === '\r' ? 'line break' : `'${ch}'`;
  }

  advance(): string {
    const ch = this.text[this.index++];
    if (ch === '\n') {
      this.line++;
      this.column = 1;
    } else if (ch === '\r') {
      // \r\n counts as one line break; a lone \r is one too.
      if (this.text[this.index] !== '\n') {
        this.line++;
        this.column = 1;
      }
    } else {
      this.column++;
    }
    return ch;
  }

  skipTrivia(): void {
    for (;;) {
      const ch = this.text[this.index];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\ufeff') {
        this.advance();
      } else if (ch === '/' && this.text[this.index + 1] === '/') {
        while (this.index < this.text.length && this.text[this.index] !== '\n') this.advance();
      } else if (ch === '/' && this.text[this.index + 1] === '*') {
        const start = this.here();
        this.advance();
        this.advance();
        while (!(this.text[this.index] === '*' && this.text[this.index + 1] === '/')) {
          if (this.index >= this.text.length) this.fail('This /* comment is never closed; add */.', start);
          this.advance();
        }
        this.advance();
        this.advance();
      } else {
        return;
      }
    }
  }

  depth = 0;

  parseValue(pointer: string): Json {
    const start = this.here();
    // A JSON document nested this deep is hostile or broken; refusing it keeps the parser's stack safe.
    if (this.depth >= this.maxDepth) {
      this.fail(`The JSON nests more than ${this.maxDepth} levels deep (${LIMIT_VARIABLES.jsonDepth}).`);
    }
    if (this.record) this.values.set(pointer, start);
    const ch = this.text[this.index];
    if (ch === '{' || ch === '[') {
      this.depth++;
      try {
        return ch === '{' ? this.parseObject(pointer) : this.parseArray(pointer);
      } finally {
        this.depth--;
      }
    }
    if (ch === '"') return this.parseString();
    if (ch === '-' || (ch >= '0' && ch <= '9')) return this.parseNumber();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null]
    ] as const) {
      if (this.text.startsWith(word, this.index)) {
        for (let i = 0; i < word.length; i++) this.advance();
        return value;
      }
    }
    if (ch === "'") this.fail('Strings must be in double quotes ("), not single quotes.');
    this.fail(`Expected a JSON value but found ${this.describeHere()}.`);
  }

  private parseObject(pointer: string): Json {
    const open = this.here();
    this.advance();
    const result: { [key: string]: Json } = {};
    const seen = new Set<string>();
    this.skipTrivia();
    while (this.text[this.index] !== '}') {
      if (this.index >= this.text.length) this.fail("This object is never closed; add '}'.", open);
      if (this.text[this.index] !== '"') {
        this.fail(`Expected a property name in double quotes but found ${this.describeHere()}.`);
      }
      const keyAt = this.here();
      const key = this.parseString();
      const memberPointer = this.record ? joinPointer(pointer, key) : pointer;
      if (seen.has(key)) {
        if (this.repeatedNames === 'refuse')
          this.fail(`The property "${inputToken(key)}" appears twice in this object; keep one.`, keyAt);
        // The earlier value is dropped: nothing points into it any more.
        if (this.record) this.forget(memberPointer, own(result, key)!);
      }
      seen.add(key);
      if (this.record) this.keys.set(memberPointer, keyAt);
      this.skipTrivia();
      if (this.text[this.index] !== ':')
        this.fail(`Expected ':' after "${inputToken(key)}" but found ${this.describeHere()}.`);
      this.advance();
      this.skipTrivia();
      // An own member even for "__proto__", which a plain assignment would take for the prototype.
      setOwn(result, key, this.parseValue(memberPointer));
      this.skipTrivia();
      if (this.text[this.index] === ',') {
        this.advance();
        this.skipTrivia();
      } else if (this.text[this.index] !== '}') {
        this.fail(`Expected ',' or '}' after the value of "${inputToken(key)}" but found ${this.describeHere()}.`);
      }
    }
    this.advance();
    return result;
  }

  /**
   * Drops the positions recorded for `value`, read at `pointer`, and for every value inside it: found from the
   * value itself, so the work is that of reading it once more, however many names a file repeats.
   */
  private forget(pointer: string, value: Json): void {
    this.keys.delete(pointer);
    this.values.delete(pointer);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.forget(joinPointer(pointer, i), value[i]);
    } else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) this.forget(joinPointer(pointer, key), value[key]);
    }
  }

  private parseArray(pointer: string): Json {
    const open = this.here();
    this.advance();
    const result: Json[] = [];
    this.skipTrivia();
    while (this.text[this.index] !== ']') {
      if (this.index >= this.text.length) this.fail("This array is never closed; add ']'.", open);
      result.push(this.parseValue(this.record ? joinPointer(pointer, result.length) : pointer));
      this.skipTrivia();
      if (this.text[this.index] === ',') {
        this.advance();
        this.skipTrivia();
      } else if (this.text[this.index] !== ']') {
        this.fail(`Expected ',' or ']' after an array item but found ${this.describeHere()}.`);
      }
    }
    this.advance();
    return result;
  }

  parseString(): string {
    const open = this.here();
    this.advance();
    let out = '';
    const text = this.text;
    for (;;) {
      // Copy a run of plain characters in one slice: a string built a character at a time is a
      // rope that every later read (each expression check, each compare) has to flatten first.
      let end = this.index;
      for (; end < text.length; end++) {
        const code = text.charCodeAt(end);
        if (code === 0x22 /* " */ || code === 0x5c /* \ */ || code === 0x0a || code === 0x0d) break;
      }
      if (end > this.index) {
        out += text.slice(this.index, end);
        this.column += end - this.index;
        this.index = end;
      }
      if (this.index >= this.text.length) this.fail('This string is never closed; add the closing ".', open);
      const ch = this.text[this.index];
      if (ch === '"') {
        this.advance();
        return out;
      }
      if (ch === '\\') {
        const escapeAt = this.here();
        this.advance();
        const e = this.text[this.index];
        const simple = e === undefined ? undefined : own(SIMPLE_ESCAPES, e);
        if (simple !== undefined) {
          out += simple;
          this.advance();
        } else if (e === 'u') {
          this.advance();
          const hex = this.text.slice(this.index, this.index + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('A \\u escape needs four hex digits.', escapeAt);
          out += String.fromCharCode(parseInt(hex, 16));
          for (let i = 0; i < 4; i++) this.advance();
        } else {
          this.fail(`Unknown escape \\${e ?? ''} in a string; write \\\\ for a backslash.`, escapeAt);
        }
        continue;
      }
      // ARM keeps line breaks inside strings (multi-line strings); a \r\n reads as \n.
      if (ch === '\r' && this.text[this.index + 1] === '\n') {
        this.advance();
        continue;
      }
      out += this.advance();
    }
  }

  private parseNumber(): number {
    const start = this.here();
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.index, this.index + 400));
    if (!match || match[0] === '-') this.fail(`Expected a number but found ${this.describeHere()}.`, start);
    for (let i = 0; i < match[0].length; i++) this.advance();
    return Number(match[0]);
  }
}

/**
 * Parses JSON as ARM reads it, keeping positions; syntax errors are `UserError`s with line and column. A name
 * written twice in one object keeps its last value, as ARM reads a template or a parameter file (Newtonsoft's
 * default; Azure/azure-quickstart-templates#8319: "ARM silently drops duplicate keys"), and positions point at that
 * value. Names that differ only in case are another matter (arm/names.ts refuses them).
 */
export function parseJsonWithPositions(text: string, file: string): PositionedJson {
  const strict = parseStrictJson(text, limit('jsonDepth'));
  if (strict !== undefined) {
    // Positions are found in the text when asked, as the reader would have recorded them.
    const positions = new TextPositions(text);
    const at = (offset: number): SourcePosition => ({ file, ...positions.lineAndColumn(offset) });
    return {
      value: strict,
      file,
      positionOf: pointer => {
        const spot = positions.locate(pointer);
        return spot ? at(spot.key >= 0 ? spot.key : spot.value) : null;
      },
      valuePositionOf: pointer => {
        const spot = positions.locate(pointer);
        return spot ? at(spot.value) : null;
      }
    };
  }
  const reader = new Reader(text, file);
  reader.repeatedNames = 'last';
  const value = reader.parseDocument();
  const toPosition = (spot: Spot | undefined): SourcePosition | null =>
    spot ? { file, line: spot.line, column: spot.column } : null;
  const recorded = (pointer: string) => reader.values.has(pointer);
  let members: Map<string, string[]> | undefined;
  const written = (pointer: string): string =>
    recorded(pointer) ? pointer : asWritten(pointer, recorded, (members ??= membersOf(reader.values.keys())));
  return {
    value,
    file,
    positionOf: pointer => {
      const at = written(pointer);
      return toPosition(reader.keys.get(at) ?? reader.values.get(at));
    },
    valuePositionOf: pointer => toPosition(reader.values.get(written(pointer)))
  };
}

/** The pointers of each object's members, by the object's pointer, in the order they are written. */
function membersOf(pointers: Iterable<string>): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const pointer of pointers) {
    const parent = parentPointer(pointer);
    if (parent === null) continue;
    let list = members.get(parent);
    if (!list) members.set(parent, (list = []));
    list.push(pointer);
  }
  return members;
}

/**
 * The pointer as the document writes it: each segment names the member of that name, else the first whose
 * name differs only in case, as ARM reads names (a template's "Resources" is pointed at as "resources").
 * The pointer itself when nothing in the document answers to it.
 */
function asWritten(pointer: string, recorded: (pointer: string) => boolean, members: Map<string, string[]>): string {
  if (!pointer.startsWith('/')) return pointer;
  let at = '';
  for (const segment of pointer.slice(1).split('/')) {
    const exact = `${at}/${segment}`;
    if (recorded(exact)) {
      at = exact;
      continue;
    }
    const lower = foldCase(exact);
    const folded = members.get(at)?.find(member => foldCase(member) === lower);
    if (folded === undefined) return pointer;
    at = folded;
  }
  return at;
}

/** The position recorded for a pointer or, failing that, for its nearest enclosing value. */
export function nearestPosition(
  positionOf: (pointer: string) => SourcePosition | null,
  pointer: string
): SourcePosition | null {
  for (let p: string | null = pointer; p !== null; p = parentPointer(p)) {
    const found = positionOf(p);
    if (found) return found;
  }
  return null;
}
