/**
 * JSON.parse for files a pull request writes, with an error that quotes nothing of the file. V8's
 * own message quotes the text around the mistake (`Unexpected token 'r', "root:x:0:0:"... is not
 * valid JSON`), which would put a file's content in a message shown on the pull request, and it
 * gives no position for most mistakes. This one gives the line and column of the first character
 * that is not JSON and quotes only that character.
 */
import { UserError } from './errors.js';
import { setOwn } from './value.js';

/**
 * The value of `text`, the content of `file`. `what` names the file in the message ("the baseline",
 * "the definition file"); `fix` is the sentence saying what to change.
 */
export function parseJsonText(text: string, file: string, what: string, fix: string): unknown {
  try {
    return parseJson(text);
  } catch {
    const offset = firstErrorOffset(text);
    if (offset === null) throw new UserError(`${what} is not valid JSON; ${fix}`, { file });
    const before = text.slice(0, offset).split('\n');
    const found = offset < text.length ? `'${String.fromCodePoint(text.codePointAt(offset)!)}'` : 'end of file';
    throw new UserError(`${what} is not valid JSON: unexpected ${found}; ${fix}`, {
      file,
      line: before.length,
      column: before[before.length - 1].length + 1
    });
  }
}

/**
 * `JSON.parse`, with member names that hold an escape read right: JSON.parse on Node 24 (V8 12.8 to
 * 14.6) can read an escaped name as the name an object read before had at that place
 * (https://github.com/nodejs/node/issues/63785), so such text is read again, string by string.
 * Throws what JSON.parse throws. Every JSON text that comes from a pull request, a file, Azure or a
 * finding written out goes through here (or through parseJsonText), never JSON.parse alone.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return keyWithEscape(text) ? readKeysThemselves(text) : value;
}

/** Whether a member's name in JSON text (strict JSON) holds an escape. */
function keyWithEscape(text: string): boolean {
  if (text.indexOf('\\') < 0) return false;
  // In JSON, every quote outside a string opens one: read the strings one after another.
  for (let open = text.indexOf('"'); open >= 0;) {
    const close = closingQuote(text, open);
    if (close < 0) return false;
    const escape = text.indexOf('\\', open);
    if (escape >= 0 && escape < close) {
      let next = close + 1;
      while (next < text.length && ' \t\n\r'.includes(text[next])) next++;
      if (text[next] === ':') return true;
    }
    open = text.indexOf('"', close + 1);
  }
  return false;
}

/**
 * The value of strict JSON text (JSON.parse has accepted it), with every string, names included,
 * decoded as a string on its own: what JSON.parse gives, keys read right. Iterative, as JSON.parse is.
 */
function readKeysThemselves(text: string): unknown {
  const open: ({ [key: string]: unknown } | unknown[])[] = [];
  const names: (string | undefined)[] = [];
  let result: unknown;
  let i = 0;
  const place = (value: unknown): void => {
    const top = open[open.length - 1];
    if (top === undefined) result = value;
    else if (Array.isArray(top)) top.push(value);
    else setOwn(top, names[names.length - 1]!, value);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === ':') {
      i++;
    } else if (c === '{' || c === '[') {
      const container = c === '{' ? {} : [];
      place(container);
      open.push(container);
      names.push(undefined);
      i++;
    } else if (c === '}' || c === ']') {
      open.pop();
      names.pop();
      // The member the container was the value of is complete: a name comes next.
      if (names.length > 0) names[names.length - 1] = undefined;
      i++;
    } else if (c === '"') {
      const close = closingQuote(text, i);
      const value = JSON.parse(text.slice(i, close + 1)) as string;
      i = close + 1;
      const top = open[open.length - 1];
      if (top !== undefined && !Array.isArray(top) && names[names.length - 1] === undefined) {
        names[names.length - 1] = value;
      } else {
        place(value);
        if (top !== undefined && !Array.isArray(top)) names[names.length - 1] = undefined;
      }
    } else {
      NUMBER.lastIndex = i;
      const literal = LITERALS.find(word => text.startsWith(word, i));
      const token = literal ?? (NUMBER.test(text) ? text.slice(i, NUMBER.lastIndex) : text[i]);
      place(JSON.parse(token));
      i += token.length;
      const top = open[open.length - 1];
      if (top !== undefined && !Array.isArray(top)) names[names.length - 1] = undefined;
    }
  }
  return result;
}

function closingQuote(text: string, open: number): number {
  for (let at = open + 1; ;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text[quote - 1 - backslashes] === '\\') backslashes++;
    if ((backslashes & 1) === 0) return quote;
    at = quote + 1;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const LITERALS = ['true', 'false', 'null'];

/**
 * Where `text` stops being JSON (RFC 8259): the offset of the first character that cannot continue
 * it, `text.length` when it ends too early, or null when it is JSON after all. Iterative, so nesting
 * of any depth cannot overflow the stack.
 */
export function firstErrorOffset(text: string): number | null {
  const n = text.length;
  let i = 0;
  const skip = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** A string from its opening quote at `i`; false with `i` at the mistake. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c === 0x5c) {
        const escaped = text[i + 1];
        if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) i += 2;
        else if (escaped === 'u' && HEX4.test(text.slice(i + 2, i + 6))) i += 6;
        else return false;
        continue;
      }
      if (c < 0x20) return false;
      i++;
    }
    return false;
  };
  /** A member's name and its colon, at `i` after whitespace; false with `i` at the mistake. */
  const name = (): boolean => {
    skip();
    if (text[i] !== '"' || !string()) return false;
    skip();
    if (text[i] !== ':') return false;
    i++;
    return true;
  };
  const open: string[] = [];
  let wantValue = true;
  for (;;) {
    skip();
    if (wantValue) {
      if (i >= n) return n;
      const c = text[i];
      if (c === '{' || c === '[') {
        open.push(c);
        i++;
        skip();
        if (text[i] === (c === '{' ? '}' : ']')) {
          open.pop();
          i++;
          wantValue = false;
        } else if (c === '{' && !name()) return i;
        continue;
      }
      if (c === '"') {
        if (!string()) return i;
      } else {
        NUMBER.lastIndex = i;
        const literal = LITERALS.find(word => text.startsWith(word, i));
        if (literal) i += literal.length;
        else if (NUMBER.test(text)) i = NUMBER.lastIndex;
        else return i;
      }
      wantValue = false;
      continue;
    }
    if (open.length === 0) return i < n ? i : null;
    const top = open[open.length - 1];
    if (text[i] === ',') {
      i++;
      if (top === '{' && !name()) return i;
      wantValue = true;
    } else if (text[i] === (top === '{' ? '}' : ']')) {
      open.pop();
      i++;
    } else return i;
  }
}
