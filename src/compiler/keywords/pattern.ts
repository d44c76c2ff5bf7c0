/**
 * `pattern`: compiled to Azure's case-sensitive `match` when the regular expression says
 * exactly what a match pattern can: anchored at both ends (`^…$`), made of literal
 * characters, `\p{Nd}` (a digit: match's `#`), `\p{L}` (a letter: match's `?`), `[\s\S]`
 * (any character: match's `.`), each optionally repeated `{n}` times.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#conditions
 */
import { FALSE, field } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

const classes: [string, string][] = [
  ['\\p{Nd}', '#'],
  ['\\p{L}', '?'],
  ['[\\s\\S]', '.'],
  ['[^]', '.']
];
const regexSyntax = new Set([...'\\^$.|?*+()[]{}']);
const matchWildcards = new Set(['#', '?', '.']);

/** The match pattern equal to `regex`, or why there is none. */
export function regexToMatchPattern(regex: string): { pattern: string } | { refused: string } {
  if (!regex.startsWith('^') || !regex.endsWith('$') || regex.endsWith('\\$') || regex.length < 2) {
    return { refused: "Azure's `match` compares the whole value, so the pattern must be anchored with `^` and `$`" };
  }
  const body = regex.slice(1, -1);
  let out = '';
  let i = 0;
  while (i < body.length) {
    let atom: string | null = null;
    const cls = classes.find(([source]) => body.startsWith(source, i));
    if (cls) {
      atom = cls[1];
      i += cls[0].length;
    } else if (body[i] === '\\') {
      const escaped = body[i + 1];
      if (escaped === undefined || (!regexSyntax.has(escaped) && escaped !== '/' && escaped !== '-')) {
        return {
          refused: `\`\\${escaped ?? ''}\` has no exact equivalent in Azure's \`match\` (write \`\\p{Nd}\` for a digit, \`\\p{L}\` for a letter)`
        };
      }
      atom = escaped;
      i += 2;
      if (matchWildcards.has(atom)) {
        return { refused: `a literal \`${atom}\` cannot be written in Azure's \`match\`, where it is a wildcard` };
      }
    } else if (regexSyntax.has(body[i])) {
      return {
        refused: `\`${body[i]}\` at offset ${i + 1} has no exact equivalent in Azure's \`match\`; use literal characters, \`\\p{Nd}\`, \`\\p{L}\`, \`[\\s\\S]\` and \`{n}\`, or the \`like\`/\`match\` keywords`
      };
    } else {
      atom = body[i];
      i += 1;
      if (matchWildcards.has(atom)) {
        return { refused: `a literal \`${atom}\` cannot be written in Azure's \`match\`, where it is a wildcard` };
      }
    }
    const repeat = /^\{(\d+)\}/.exec(body.slice(i));
    if (repeat) {
      out += atom.repeat(Number(repeat[1]));
      i += repeat[0].length;
    } else {
      out += atom;
    }
  }
  return { pattern: out };
}

export const patternKeyword: KeywordDefinition = {
  keywords: ['pattern'],
  compile(schema, context) {
    if (typeof schema.pattern !== 'string') return FALSE;
    const translated = regexToMatchPattern(schema.pattern);
    if ('refused' in translated) return context.refuse('pattern', translated.refused);
    return field(context.field('pattern')).notMatch(translated.pattern);
  }
};
