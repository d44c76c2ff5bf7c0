/**
 * JSON.parse for files a pull request writes, with an error that quotes nothing of the file. V8's
 * own message quotes the text around the mistake (`Unexpected token 'r', "root:x:0:0:"... is not
 * valid JSON`), which would put a file's content in a message shown on the pull request, and it
 * gives no position for most mistakes. This one gives the line and column of the first character
 * that is not JSON and quotes only that character.
 */
import { UserError } from './errors.js';

/**
 * The value of `text`, the content of `file`. `what` names the file in the message ("the baseline",
 * "the definition file"); `fix` is the sentence saying what to change.
 */
export function parseJsonText(text: string, file: string, what: string, fix: string): unknown {
  try {
    return JSON.parse(text);
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
