/**
 * Regular expressions written in input — a rule's `pattern`, `patternProperties`, a definition
 * parameter's schema — run against values a pull request writes. A backtracking engine takes
 * exponential time on `^(a+)+$` against a long run of `a`s followed by `!`, so these run on RE2
 * (re2js, a pure-JavaScript port), whose time is linear in the input whatever the pattern. What
 * RE2 cannot run in linear time — lookahead, lookbehind, backreferences — is refused when the
 * schema is compiled, with RE2's reason.
 */
import { RE2JS } from 're2js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';

function compileLinear(source: string, flags: string): { test(text: string): boolean; toString(): string } {
  const re = RE2JS.compile(RE2JS.translateRegExp(source), flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
  // ajv keeps one compiled pattern per `toString()`: it must tell patterns apart.
  return { test: text => re.test(text), toString: () => `/${source}/${flags}` };
}

/** ajv's `code.regExp`: every pattern a schema holds runs in linear time. */
export const linearRegExp: RegExpEngine = Object.assign(compileLinear, { code: 'linearRegExp' });
