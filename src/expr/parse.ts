/**
 * Parser for template language expressions: `"[concat(parameters('a'), '-x')]"`.
 *
 * Grammar (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions):
 *   expression := '[' ws chain ws ']'
 *   chain      := primary ( ws '.' identifier | ws '[' ws chain ws ']' )*
 *   primary    := string | integer | call
 *   call       := identifier ( '.' identifier )? ws '(' ws ( chain ( ws ',' ws chain )* )? ws ')'
 *   string     := "'" ( any character except "'" | "''" )* "'"
 *   integer    := '-'? digit+
 * A namespaced name (`contoso.uniqueName(...)`) calls a user-defined function. ARM has no
 * safe-dereference operator (`.?`, `[?`): Bicep compiles its `a.?b` to `tryGet(a, 'b')`, so
 * `.?` is reported as a syntax error that says so.
 */
import type { Expr } from './ast.js';
import { ExpressionError } from './errors.js';
import { DEFAULT_LIMITS, LIMIT_VARIABLES, limit } from '../model/limits.js';

export { ExpressionError } from './errors.js';

/** A malformed expression; `offset` is the character (0-based, counting the leading `[`) at fault. */
export class ExpressionSyntaxError extends ExpressionError {
  declare readonly offset: number;
  declare readonly expression: string;

  constructor(reason: string, expression: string, offset: number) {
    super(reason, { expression, offset, invalid: true });
    this.name = 'ExpressionSyntaxError';
  }
}

/**
 * Whether a template string is an expression: it starts with `[` and ends with `]`, and does not
 * start with `[[` (the escape for a literal string that starts with a bracket).
 */
export function isExpression(text: string): boolean {
  return (
    text.length >= 2 &&
    text.charCodeAt(0) === LBRACKET &&
    text.charCodeAt(text.length - 1) === RBRACKET &&
    text.charCodeAt(1) !== LBRACKET
  );
}

/**
 * An expression, or the literal string it stands for. A string that would otherwise be an
 * expression but starts with `[[` loses one bracket (`"[[x]"` is the string `"[x]"`); every
 * other string is returned unchanged.
 */
export function parseTemplateString(text: string): Expr | string {
  if (isExpression(text)) return parseExpression(text);
  if (text.length >= 3 && text.startsWith('[[') && text.endsWith(']')) return text.slice(1);
  return text;
}

const sources = new WeakMap<Expr, string>();

/** The full `[...]` text an expression tree was parsed from, when it came from `parseExpression`. */
export function sourceOf(expr: Expr): string | undefined {
  return sources.get(expr);
}

/** Parses the full `"[...]"` string; throws `ExpressionSyntaxError` naming the offset at fault. */
export function parseExpression(text: string): Expr {
  if (!isExpression(text)) {
    throw new ExpressionSyntaxError(
      text.startsWith('[[')
        ? 'A string starting with "[[" is an escaped literal, not an expression.'
        : 'An expression must start with "[" and end with "]".',
      text,
      0
    );
  }
  const parser = new Parser(text, text.length - 1);
  parser.skipSpace();
  if (parser.pos === parser.limit) {
    throw new ExpressionSyntaxError('The expression is empty: write a function call between "[" and "]".', text, 1);
  }
  const expr = parser.chain();
  parser.skipSpace();
  if (parser.pos !== parser.limit) {
    throw parser.error(`Unexpected "${text[parser.pos]}" after the end of the expression; did you miss a "," or ")"?`);
  }
  sources.set(expr, text);
  return expr;
}

const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LPAREN = 0x28;
const RPAREN = 0x29;
const COMMA = 0x2c;
const DOT = 0x2e;
const QUOTE = 0x27;
const MINUS = 0x2d;
const QUESTION = 0x3f;

/**
 * White space as .NET's `char.IsWhiteSpace` has it (ARM is a .NET service): besides space, tab and
 * line ends, the no-break space and the other Unicode space separators that text copied from a web
 * page brings into templates (a public quickstart has `'…storageAccounts',\u00a0parameters(…)`).
 */
function isSpace(c: number): boolean {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || isDigit(c);
}

/** Deeper than this, an expression is refused rather than risking the parser's stack on hostile input (`limit('expressionDepth')`). */
export const MAX_EXPRESSION_DEPTH = DEFAULT_LIMITS.expressionDepth;

class Parser {
  pos = 1;
  depth = 0;
  readonly maxDepth = limit('expressionDepth');

  constructor(
    readonly text: string,
    /** Offset of the closing `]` of the whole expression. */
    readonly limit: number
  ) {}

  error(reason: string, offset = this.pos): ExpressionSyntaxError {
    return new ExpressionSyntaxError(reason, this.text, offset);
  }

  peek(): number {
    return this.pos < this.limit ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.limit && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }

  chain(): Expr {
    if (++this.depth > this.maxDepth) {
      throw this.error(
        `The expression nests more than ${this.maxDepth} levels deep (${LIMIT_VARIABLES.expressionDepth}).`
      );
    }
    try {
      return this.chainAt();
    } finally {
      this.depth--;
    }
  }

  private chainAt(): Expr {
    let expr = this.primary();
    for (;;) {
      // Tokens may be separated by white space: `variables('a')[0] ['b']` indexes twice.
      const before = this.pos;
      this.skipSpace();
      const c = this.peek();
      if (c !== DOT && c !== LBRACKET) this.pos = before;
      if (c === DOT) {
        this.pos++;
        if (this.peek() === QUESTION) {
          throw this.error('Template expressions have no ".?" operator; use tryGet(object, \'property\') instead.');
        }
        const name = this.identifier('a property name after "."');
        expr = { kind: 'property', target: expr, name, start: expr.start, end: this.pos };
      } else if (c === LBRACKET) {
        this.pos++;
        this.skipSpace();
        if (this.peek() === QUESTION) {
          throw this.error('Template expressions have no "[?" operator; use tryGet(array, index) instead.');
        }
        if (this.peek() === RBRACKET) throw this.error('Expected an index between "[" and "]".');
        const index = this.chain();
        this.skipSpace();
        this.expect(RBRACKET, '"]" to close the index');
        expr = { kind: 'index', target: expr, index, start: expr.start, end: this.pos };
      } else {
        return expr;
      }
    }
  }

  primary(): Expr {
    const c = this.peek();
    if (c === QUOTE) return this.string();
    if (c === MINUS || isDigit(c)) return this.integer();
    if (isIdentifierStart(c)) return this.call();
    if (c === -1) throw this.error('The expression ends too early: expected a value.');
    throw this.error(`Unexpected "${this.text[this.pos]}": expected a function call, a 'string' or a number.`);
  }

  string(): Expr {
    const start = this.pos;
    this.pos++;
    let value = '';
    let from = this.pos;
    for (;;) {
      if (this.pos >= this.limit) throw this.error('The string is not closed: add a "\'".', start);
      if (this.text.charCodeAt(this.pos) === QUOTE) {
        if (this.pos + 1 < this.limit && this.text.charCodeAt(this.pos + 1) === QUOTE) {
          value += this.text.slice(from, this.pos + 1);
          this.pos += 2;
          from = this.pos;
          continue;
        }
        value += this.text.slice(from, this.pos);
        this.pos++;
        return { kind: 'literal', value, start, end: this.pos };
      }
      this.pos++;
    }
  }

  integer(): Expr {
    const start = this.pos;
    if (this.peek() === MINUS) this.pos++;
    if (!isDigit(this.peek())) throw this.error('Expected a digit after "-".');
    while (isDigit(this.peek())) this.pos++;
    if (this.peek() === DOT && isDigit(this.text.charCodeAt(this.pos + 1))) {
      throw this.error("Template expressions have only integer literals; write json('1.5') for a decimal number.");
    }
    if (isIdentifierStart(this.peek())) throw this.error('Unexpected letter after a number.');
    return { kind: 'literal', value: Number(this.text.slice(start, this.pos)), start, end: this.pos };
  }

  call(): Expr {
    const start = this.pos;
    let name = this.identifier('a function name');
    if (this.peek() === DOT && isIdentifierStart(this.text.charCodeAt(this.pos + 1))) {
      this.pos++;
      name += '.' + this.identifier('a function name');
    }
    this.skipSpace();
    if (this.peek() !== LPAREN) {
      throw this.error(
        `Expected "(" after '${name}': values other than strings and numbers are function calls, like ${name}().`
      );
    }
    this.pos++;
    const args: Expr[] = [];
    this.skipSpace();
    if (this.peek() === RPAREN) {
      this.pos++;
      return { kind: 'call', name, args, start, end: this.pos };
    }
    for (;;) {
      this.skipSpace();
      args.push(this.chain());
      this.skipSpace();
      const c = this.peek();
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c === RPAREN) {
        this.pos++;
        return { kind: 'call', name, args, start, end: this.pos };
      }
      if (c === -1) throw this.error(`The call to '${name}' is not closed: add a ")".`);
      throw this.error(`Expected "," or ")" in the arguments of '${name}'.`);
    }
  }

  identifier(what: string): string {
    const start = this.pos;
    if (!isIdentifierStart(this.peek())) throw this.error(`Expected ${what}.`);
    this.pos++;
    while (isIdentifierPart(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  expect(c: number, what: string): void {
    if (this.peek() !== c) throw this.error(`Expected ${what}.`);
    this.pos++;
  }
}

/** Source text of an expression, without the surrounding brackets: `concat(parameters('a'), '-x')`. */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return typeof expr.value === 'number' ? String(expr.value) : `'${expr.value.replace(/'/g, "''")}'`;
    case 'call':
      return `${expr.name}(${expr.args.map(formatExpr).join(', ')})`;
    case 'property':
      return `${formatExpr(expr.target)}.${expr.name}`;
    case 'index':
      return `${formatExpr(expr.target)}[${formatExpr(expr.index)}]`;
  }
}
