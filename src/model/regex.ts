/**
 * Regular expressions written in input — a rule's `pattern`, `patternProperties`, a definition
 * parameter's schema — run against values a pull request writes. A backtracking engine takes
 * exponential time on `^(a+)+$` against a long run of `a`s followed by `!`, so these run on RE2
 * (re2js, a pure-JavaScript port), whose time is linear in the input whatever the pattern. What
 * RE2 cannot run in linear time — lookahead, lookbehind, backreferences — is refused when the
 * schema is compiled, with RE2's reason.
 */
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { tooling } from './tooling.js';

/** Letters, digits and `-` `_` `/` `:` `,` and space: characters that stand for themselves in a pattern. */
const LITERAL = /^(\^?)([A-Za-z0-9_\-/:, ]*)(\$?)$/;

function compileLinear(source: string, flags: string): { test(text: string): boolean; toString(): string } {
  const toString = () => `/${source}/${flags}`;
  // A pattern of plain characters, anchored or not (the bundled rules' role ids: `e147…bf6$`), is a
  // comparison of strings (unless a flag changes what the characters or anchors match): RE2 is loaded only for a
  // pattern that needs it.
  const literal = /[im]/.test(flags) ? null : LITERAL.exec(source);
  if (literal) {
    const [, start, text, end] = literal;
    const test =
      start && end
        ? (value: string) => value === text
        : start
          ? (value: string) => value.startsWith(text)
          : end
            ? (value: string) => value.endsWith(text)
            : (value: string) => value.includes(text);
    return { test, toString };
  }
  const { RE2JS } = tooling.get();
  const re = RE2JS.compile(RE2JS.translateRegExp(source), flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  // ajv keeps one compiled pattern per `toString()`: it must tell patterns apart.
  return { test: text => re.test(text), toString };
}

/** ajv's `code.regExp`: every pattern a schema holds runs in linear time. */
export const linearRegExp: RegExpEngine = Object.assign(compileLinear, { code: 'linearRegExp' });
