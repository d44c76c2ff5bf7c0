/**
 * Just enough of Bicep's syntax to point back at a `.bicep` file: where each `resource` and
 * `module` is declared (its symbolic name, type and the line), where each property of its body
 * is, where `param`, `var` and `output` are declared, which local files it names (modules,
 * `import … from`, a parameter file's `using`), and what each `load…()` function reads. The
 * Bicep CLI compiles and checks the file; this reader only has to find these places in a file
 * that compiles, and never fails on anything else it meets.
 * https://learn.microsoft.com/azure/azure-resource-manager/bicep/file
 */

import { foldCase } from '../../model/foldCase.js';
export interface Spot {
  line: number;
  column: number;
}

/** A value in a declaration's body: an object literal, an array literal, or any other expression. */
export type BicepValue =
  | { kind: 'object'; at: Spot; properties: Map<string, BicepProperty> }
  | { kind: 'array'; at: Spot; items: BicepValue[]; loopBody?: BicepValue }
  | { kind: 'expression'; at: Spot };

export interface BicepProperty {
  key: string;
  at: Spot;
  value: BicepValue;
}

export interface BicepDeclaration {
  keyword: 'resource' | 'module';
  symbolicName: string;
  at: Spot;
  /** Resources: the full type (`Microsoft.KeyVault/vaults/keys`, a nested one's parent's type joined). */
  type?: string;
  /** Modules: the path or registry reference, as written. */
  path?: string;
  existing: boolean;
  /** The body object (inside `if (…)` or `[for …: …]`), when it is an object literal. */
  body?: BicepValue;
  /** Resources declared inside this one's body. */
  children: BicepDeclaration[];
  /** `parent::child` for nested resources, as languageVersion 2.0 templates name them. */
  qualifiedName: string;
}

/** A `load…()` call: the path it reads (a string literal), or null when the path is not a literal. */
export interface LoadCall {
  function: string;
  path: string | null;
  at: Spot;
}

export interface BicepFile {
  declarations: BicepDeclaration[];
  /** `param`, `var`, `output`, `type`, `func` declarations by name (lower case). */
  named: Map<string, { keyword: string; name: string; at: Spot }>;
  /** Local files this one names: module paths, `import … from`, `using`, `extends`. */
  references: { path: string; at: Spot }[];
  loads: LoadCall[];
  /** A parameter file's `using` target, as written. */
  using?: string;
}

const LOAD_FUNCTIONS = new Set([
  'loadtextcontent',
  'loadfileasbase64',
  'loadjsoncontent',
  'loadyamlcontent',
  'loaddirectoryfileinfo'
]);

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
/** `resource child 'type@version'` inside a resource's body. */
const NESTED_RESOURCE = /resource\s+[A-Za-z_][A-Za-z0-9_]*\s+'/y;

class Scanner {
  index = 0;
  line = 1;
  column = 1;
  readonly loads: LoadCall[] = [];

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.index >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.index + offset] ?? '';
  }

  spot(): Spot {
    return { line: this.line, column: this.column };
  }

  advance(): string {
    const ch = this.text[this.index++] ?? '';
    if (ch === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
    return ch;
  }

  /** Whether a sticky pattern matches at the cursor. */
  looking(pattern: RegExp): boolean {
    pattern.lastIndex = this.index;
    return pattern.test(this.text);
  }

  startsWith(word: string): boolean {
    return this.text.startsWith(word, this.index);
  }

  /** Spaces, tabs and comments; newlines too when `newlines`. A block comment may span lines. */
  skipTrivia(newlines: boolean): void {
    for (;;) {
      const ch = this.peek();
      if (ch === ' ' || ch === '\t' || ch === '\r' || (newlines && ch === '\n')) this.advance();
      else if (ch === '/' && this.peek(1) === '/') while (!this.done && this.peek() !== '\n') this.advance();
      else if (ch === '/' && this.peek(1) === '*') {
        this.advance();
        this.advance();
        while (!this.done && !(this.peek() === '*' && this.peek(1) === '/')) this.advance();
        this.advance();
        this.advance();
      } else return;
    }
  }

  identifier(): string | null {
    IDENTIFIER.lastIndex = this.index;
    const match = IDENTIFIER.exec(this.text);
    if (!match) return null;
    for (let i = 0; i < match[0].length; i++) this.advance();
    return match[0];
  }

  /** The word at the cursor, without moving. */
  peekIdentifier(): string | null {
    IDENTIFIER.lastIndex = this.index;
    return IDENTIFIER.exec(this.text)?.[0] ?? null;
  }

  /**
   * A string literal at the cursor: `'…'` with escapes and `${…}` interpolation, or `'''…'''`.
   * Returns its text when it has no interpolation (what a path or type must be), else null.
   */
  string(): string | null {
    if (this.startsWith("'''")) {
      for (let i = 0; i < 3; i++) this.advance();
      const start = this.index;
      while (!this.done && !this.startsWith("'''")) this.advance();
      const text = this.text.slice(start, this.index);
      for (let i = 0; i < 3 && !this.done; i++) this.advance();
      return text;
    }
    this.advance(); // the opening quote
    let text = '';
    let literal = true;
    while (!this.done) {
      const ch = this.peek();
      if (ch === "'") {
        this.advance();
        break;
      }
      if (ch === '\n') break; // an unterminated string: the Bicep CLI reports it
      if (ch === '\\') {
        this.advance();
        const escaped = this.advance();
        text += escaped === 'n' ? '\n' : escaped === 't' ? '\t' : escaped === 'r' ? '\r' : escaped;
      } else if (ch === '$' && this.peek(1) === '{') {
        literal = false;
        this.advance();
        this.advance();
        this.expression(['}']);
        this.advance(); // the closing brace
      } else {
        text += this.advance();
      }
    }
    return literal ? text : null;
  }

  /**
   * Skips an expression up to (not including) one of `stops` at depth 0, or a newline at depth 0
   * when `stops` includes '\n'. Brackets, parentheses, braces and strings nest. Records `load…()`
   * calls on the way.
   */
  expression(stops: string[]): void {
    let depth = 0;
    while (!this.done) {
      const ch = this.peek();
      if (depth === 0 && stops.includes(ch)) return;
      if (ch === "'") {
        this.string();
        continue;
      }
      if (ch === '/' && (this.peek(1) === '/' || this.peek(1) === '*')) {
        this.skipTrivia(false);
        continue;
      }
      if (/[A-Za-z_]/.test(ch)) {
        const at = this.spot();
        const word = this.identifier() as string;
        if (LOAD_FUNCTIONS.has(foldCase(word))) {
          this.skipTrivia(true);
          if (this.peek() === '(') this.loadCall(word, at);
        }
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') depth++;
      else if (ch === ')' || ch === ']' || ch === '}') {
        if (depth === 0) return; // the end of an enclosing container
        depth--;
      }
      this.advance();
    }
  }

  private loadCall(name: string, at: Spot): void {
    this.advance(); // (
    this.skipTrivia(true);
    let path: string | null = null;
    if (this.peek() === "'") {
      path = this.string();
      this.skipTrivia(true);
      // Only a literal argument names a file we can check: `'a' + x` is not one.
      if (this.peek() !== ',' && this.peek() !== ')') path = null;
    }
    this.loads.push({ function: name, path, at });
    this.expression([')']);
    if (this.peek() === ')') this.advance();
  }
}

/** Reads a `.bicep` or `.bicepparam` file's declarations. Never throws: what it cannot read it skips. */
export function readBicep(text: string): BicepFile {
  const s = new Scanner(text.replace(/^\uFEFF/, ''));
  const file: BicepFile = { declarations: [], named: new Map(), references: [], loads: s.loads };
  while (!s.done) {
    s.skipTrivia(true);
    if (s.done) break;
    if (s.peek() === '@') {
      skipDecorator(s);
      continue;
    }
    const at = s.spot();
    const word = s.identifier();
    if (word === null) {
      s.expression(['\n']);
      if (!s.done && s.peek() !== '\n') s.advance();
      continue;
    }
    switch (word) {
      case 'resource':
      case 'module': {
        const declared = declaration(s, at, word);
        if (!declared) break;
        file.declarations.push(declared);
        if (declared.path && isLocalPath(declared.path)) file.references.push({ path: declared.path, at });
        break;
      }
      case 'param':
      case 'var':
      case 'output':
      case 'type':
      case 'func': {
        s.skipTrivia(false);
        const name = s.identifier();
        if (name) file.named.set(foldCase(name), { keyword: word, name, at });
        s.expression(['\n']);
        break;
      }
      case 'using':
      case 'extends': {
        s.skipTrivia(false);
        if (s.peek() === "'") {
          const target = s.string();
          if (target !== null) {
            if (word === 'using') file.using = target;
            if (isLocalPath(target)) file.references.push({ path: target, at });
          }
        }
        s.expression(['\n']);
        break;
      }
      case 'import': {
        // `import {a, b} from './types.bicep'`, `import * as x from '…'`: the file is compiled in.
        s.expression(['\n']);
        const line = text.split('\n')[at.line - 1] ?? '';
        const from = /\bfrom\s+'([^'$]*)'/.exec(line);
        if (from && isLocalPath(from[1])) file.references.push({ path: from[1], at });
        break;
      }
      default:
        s.expression(['\n']);
    }
  }
  return file;
}

/** A path to a file beside this one, as opposed to a registry reference (`br:`, `br/alias:`, `ts:`). */
export function isLocalPath(path: string): boolean {
  return !/^(br|ts)(\/[^:]*)?:/i.test(path);
}

/** A parenthesised expression after a decorator's or a condition's keyword, if there is one. */
function skipParenthesised(s: Scanner): void {
  s.skipTrivia(false);
  if (s.peek() === '(') {
    s.advance();
    s.expression([')']);
    s.advance();
  }
}

function skipDecorator(s: Scanner): void {
  s.advance(); // @
  s.identifier();
  while (s.peek() === '.') {
    s.advance();
    s.identifier();
  }
  skipParenthesised(s);
}

/**
 * `resource name 'type@version' [existing] = …` or `module name 'path' = …`, after the keyword:
 * the symbolic name and the string, then the body.
 */
function declaration(
  s: Scanner,
  at: Spot,
  keyword: 'resource' | 'module',
  parent?: BicepDeclaration
): BicepDeclaration | null {
  s.skipTrivia(false);
  const name = s.identifier();
  s.skipTrivia(false);
  if (!name || s.peek() !== "'") {
    s.expression(['\n']);
    return null;
  }
  const text = s.string() ?? '';
  const declared: BicepDeclaration = {
    keyword,
    symbolicName: name,
    at,
    existing: false,
    children: [],
    qualifiedName: parent ? `${parent.qualifiedName}::${name}` : name
  };
  if (keyword === 'module') declared.path = text;
  else {
    const typeName = text.split('@')[0];
    // A nested resource names its type relative to its parent's (`keys`), unless it writes it in full.
    declared.type =
      parent?.type && !/^[A-Za-z0-9]+\.[A-Za-z0-9.]+\//.test(typeName) ? `${parent.type}/${typeName}` : typeName;
    s.skipTrivia(false);
    if (s.peekIdentifier() === 'existing') {
      s.identifier();
      declared.existing = true;
    }
  }
  s.skipTrivia(false);
  if (s.peek() !== '=') {
    s.expression(['\n']);
    return declared;
  }
  s.advance();
  declared.body = declarationValue(s, declared);
  return declared;
}

/** An `if (…)` before a body, if there is one. */
function skipCondition(s: Scanner): void {
  if (s.peekIdentifier() !== 'if') return;
  s.identifier();
  skipParenthesised(s);
  s.skipTrivia(true);
}

/** `{…}`, `if (…) {…}` or `[for … in …: (if (…))? {…}]`: the body object, wherever it sits. */
function declarationValue(s: Scanner, owner: BicepDeclaration): BicepValue | undefined {
  s.skipTrivia(false);
  skipCondition(s);
  if (s.peek() === '{') return object(s, owner);
  if (s.peek() === '[') {
    const array = arrayLiteral(s, owner);
    return array.kind === 'array' && array.loopBody ? array.loopBody : array;
  }
  const at = s.spot();
  s.expression(['\n']);
  return { kind: 'expression', at };
}

function object(s: Scanner, owner: BicepDeclaration | undefined): BicepValue {
  const at = s.spot();
  s.advance(); // {
  const properties = new Map<string, BicepProperty>();
  for (;;) {
    s.skipTrivia(true);
    if (s.done) break;
    const ch = s.peek();
    if (ch === '}') {
      s.advance();
      break;
    }
    if (ch === ',') {
      s.advance();
      continue;
    }
    if (ch === '@') {
      skipDecorator(s);
      continue;
    }
    const keyAt = s.spot();
    const before = s.index;
    if (owner?.keyword === 'resource' && s.looking(NESTED_RESOURCE)) {
      s.identifier();
      const child = declaration(s, keyAt, 'resource', owner);
      if (child) owner.children.push(child);
      continue;
    }
    const key = ch === "'" ? s.string() : s.identifier();
    s.skipTrivia(false);
    if (key === null || s.peek() !== ':') {
      // Not a property (a spread `...x`, say): skip to the end of the line.
      s.expression(['\n', ',']);
      if (s.peek() === ',') s.advance();
      // A `)` or `]` that closes nothing here stops the skipper where it stands: step over it, or
      // this loop would meet it again for ever.
      if (s.index === before) s.advance();
      continue;
    }
    s.advance(); // :
    const value = propertyValue(s);
    properties.set(foldCase(key), { key, at: keyAt, value });
  }
  return { kind: 'object', at, properties };
}

function propertyValue(s: Scanner): BicepValue {
  s.skipTrivia(false);
  let value: BicepValue;
  if (s.peek() === '{') value = object(s, undefined);
  else if (s.peek() === '[') value = arrayLiteral(s, undefined);
  else {
    value = { kind: 'expression', at: s.spot() };
  }
  // Whatever follows on the line (`.prop`, `[0]`, an operator and more) belongs to the same value.
  s.expression(['\n', ',', '}', ']']);
  return value;
}

function arrayLiteral(s: Scanner, owner: BicepDeclaration | undefined): BicepValue {
  const at = s.spot();
  s.advance(); // [
  s.skipTrivia(true);
  if (s.peekIdentifier() === 'for') {
    s.expression([':']);
    s.advance(); // :
    s.skipTrivia(true);
    skipCondition(s);
    const loopBody = s.peek() === '{' ? object(s, owner) : propertyValue(s);
    s.expression([']']);
    s.advance();
    return { kind: 'array', at, items: [], loopBody };
  }
  const items: BicepValue[] = [];
  for (;;) {
    s.skipTrivia(true);
    if (s.done) break;
    if (s.peek() === ']') {
      s.advance();
      break;
    }
    if (s.peek() === ',') {
      s.advance();
      continue;
    }
    const before = s.index;
    items.push(propertyValue(s));
    if (s.index === before) s.advance(); // never loop in place on something unexpected
  }
  return { kind: 'array', at, items };
}

/**
 * The position of the value at `segments` (JSON pointer segments, e.g. `properties`,
 * `encryption`, `keySource`) in a body, or of the deepest part of it that is written out.
 */
export function positionInBody(body: BicepValue | undefined, segments: string[]): Spot | null {
  let best: Spot | null = null;
  let current: BicepValue | undefined = body;
  for (const segment of segments) {
    if (!current) break;
    if (current.kind === 'object') {
      const property = current.properties.get(foldCase(segment));
      if (!property) break;
      best = property.at;
      current = property.value;
    } else if (current.kind === 'array') {
      if (!/^\d+$/.test(segment)) break;
      const item: BicepValue | undefined = current.loopBody ?? current.items[Number(segment)];
      if (!item) break;
      best = item.at;
      current = item;
    } else break;
  }
  return best;
}
