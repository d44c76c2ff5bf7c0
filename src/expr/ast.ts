/**
 * The syntax tree of a template language expression, as written between `[` and `]` in ARM
 * templates and Azure Policy rules. Offsets (`start`, `end`) count characters of the original
 * string, including its leading `[`, so errors can point at the part at fault.
 */
export type Expr =
  /** A `'string'` (with `''` unescaped to `'`) or an integer literal. */
  | { kind: 'literal'; value: string | number; start: number; end: number }
  /** A function call; `name` is kept as written (function names are case-insensitive). */
  | { kind: 'call'; name: string; args: Expr[]; start: number; end: number }
  /** Property access `a.b`. */
  | { kind: 'property'; target: Expr; name: string; start: number; end: number }
  /** Index access `a[0]` or `a['x']`. */
  | { kind: 'index'; target: Expr; index: Expr; start: number; end: number };

export type LiteralExpr = Extract<Expr, { kind: 'literal' }>;
export type CallExpr = Extract<Expr, { kind: 'call' }>;
export type PropertyExpr = Extract<Expr, { kind: 'property' }>;
export type IndexExpr = Extract<Expr, { kind: 'index' }>;
