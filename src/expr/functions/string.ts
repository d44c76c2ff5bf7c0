/**
 * String functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string
 * (concat, contains, empty, first, last, indexOf, lastIndexOf, length, skip, take and join also
 * take arrays; they live in array.ts).
 */
import type { Value } from '../../model/value.js';
import { inputToken } from '../../model/errors.js';
import { LIMIT_VARIABLES, limit } from '../../model/limits.js';
import { ExpressionError } from '../errors.js';
import { defineFunction, type FunctionDefinition } from '../evaluate.js';
import { arrayArg, intArg, stringArg, toText, typeError } from './args.js';
import { formatComposite } from './format.js';
import { guid, uniqueString } from './hashing.js';
import { parseJson as parseJsonText } from '../../model/jsonText.js';
import { wildcardMatches } from '../../model/wildcard.js';
import { decodeUriComponent, hasLoneSurrogate } from '../../model/uriText.js';
import { foldCase } from '../../model/foldCase.js';

function unary(name: string, fn: (s: string) => Value): FunctionDefinition {
  return defineFunction({ name, minArgs: 1, maxArgs: 1, call: args => fn(stringArg(name, args, 0)) });
}

function decodeBase64(name: string, text: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s/g, '')) || text.replace(/\s/g, '').length % 4 === 1) {
    throw new ExpressionError(`The template function '${name}' was given '${text}', which is not valid base64.`);
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

/**
 * JSON text as ARM reads it: standard JSON, and also strings in single quotes, as the
 * documented base64ToJson example shows (`{'one': 'a', 'two': 'b'}` gives `{"one": "a", "two": "b"}`,
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-string#base64tojson),
 * and `//` and `/* *\/` comments: Azure Verified Modules pass `json(loadTextContent('naming-rules.jsonc'))`,
 * a commented file, and deploy. Other relaxations of ARM's JSON reader are not documented and stay errors.
 */
function parseJson(name: string, text: string): Value {
  try {
    const plain = text.includes('/') ? withoutComments(text) : text;
    return parseJsonText(plain.includes("'") ? requoteSingleQuoted(plain) : plain) as Value;
  } catch {
    throw new ExpressionError(
      `The template function '${name}' was given a string that is not valid JSON: '${inputToken(text)}'.`
    );
  }
}

/** The text with its `//` and `/* *\/` comments outside strings (in either quote) made white space. */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
      out += ' ';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return text;
      i = end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Rewrites every single-quoted string outside double-quoted ones as a double-quoted JSON string. */
function requoteSingleQuoted(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "'") {
      let body = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== "'"; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          body += text[j + 1] === "'" ? "'" : text.slice(j, j + 2);
          j++;
        } else {
          body += text[j] === '"' ? '\\"' : text[j];
        }
      }
      if (j >= text.length) throw new SyntaxError('unterminated string');
      out += `"${body}"`;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** .NET Uri.EscapeDataString: everything but RFC 3986 unreserved characters is escaped. */
function escapeDataString(text: string): string {
  // .NET refuses a lone surrogate ("an invalid sequence in the string"), and so does encodeURIComponent.
  if (hasLoneSurrogate(text))
    throw new ExpressionError(
      `The template function 'uriComponent' was given text with a lone surrogate (${inputToken(text)}), which a URI cannot hold.`
    );
  return encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function hashInputs(name: string, args: Value[]): string[] {
  return args.map((arg, i) => {
    if (typeof arg !== 'string') throw typeError(name, i, 'a string', arg);
    return arg;
  });
}

export const stringFunctions: FunctionDefinition[] = [
  unary('base64', s => Buffer.from(s, 'utf8').toString('base64')),
  unary('base64ToString', s => decodeBase64('base64ToString', s)),
  unary('base64ToJson', s => parseJson('base64ToJson', decodeBase64('base64ToJson', s))),
  // json('null') is how templates write a null value (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-object#json).
  unary('json', s => parseJson('json', s)),
  unary('dataUri', s => `data:text/plain;charset=utf8;base64,${Buffer.from(s, 'utf8').toString('base64')}`),
  unary('dataUriToString', s => {
    const match = /^data:([^,]*),(.*)$/s.exec(s);
    if (!match)
      throw new ExpressionError(`The template function 'dataUriToString' was given '${s}', which is not a data URI.`);
    return /;base64$/i.test(match[1]) ? decodeBase64('dataUriToString', match[2]) : decodeUriComponent(match[2]);
  }),
  defineFunction({
    name: 'endsWith',
    minArgs: 2,
    maxArgs: 2,
    call: args => foldCase(stringArg('endsWith', args, 0)).endsWith(foldCase(stringArg('endsWith', args, 1)))
  }),
  // Bicep's like() (Bicep.Core SystemNamespaceType): "Performs pattern based matching and returns true
  // if input string matches the pattern and supports '*' as a wildcard. The comparison is
  // case-insensitive." The whole input must match; every other character stands for itself.
  defineFunction({
    name: 'like',
    minArgs: 2,
    maxArgs: 2,
    call: args => wildcardMatches(foldCase(stringArg('like', args, 0)), foldCase(stringArg('like', args, 1)))
  }),
  defineFunction({
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    call: args => foldCase(stringArg('startsWith', args, 0)).startsWith(foldCase(stringArg('startsWith', args, 1)))
  }),
  defineFunction({
    name: 'format',
    minArgs: 1,
    maxArgs: Infinity,
    call: args => formatComposite(stringArg('format', args, 0), args.slice(1))
  }),
  defineFunction({ name: 'guid', minArgs: 1, maxArgs: Infinity, call: args => guid(hashInputs('guid', args)) }),
  defineFunction({
    name: 'uniqueString',
    minArgs: 1,
    maxArgs: Infinity,
    call: args => uniqueString(hashInputs('uniqueString', args))
  }),
  defineFunction({
    name: 'padLeft',
    minArgs: 2,
    maxArgs: 3,
    call: args => {
      const value = args[0];
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        throw typeError('padLeft', 0, 'a string or an integer', value);
      }
      const total = intArg('padLeft', args, 1);
      // A deployment template is at most 4 MB: no real value is longer, and a hostile one must not exhaust memory.
      const most = limit('stringLength');
      if (total > most) {
        throw new ExpressionError(
          `The template function 'padLeft' was asked for ${total} characters; the most cmk-guard holds is ${most} (${LIMIT_VARIABLES.stringLength}).`
        );
      }
      const pad = args.length > 2 ? stringArg('padLeft', args, 2) : ' ';
      if (pad.length !== 1) {
        throw new ExpressionError(`The template function 'padLeft' expects a single padding character, not '${pad}'.`);
      }
      return String(value).padStart(total, pad);
    }
  }),
  defineFunction({
    name: 'replace',
    minArgs: 3,
    maxArgs: 3,
    call: args => {
      const text = stringArg('replace', args, 0);
      const from = stringArg('replace', args, 1);
      const to = stringArg('replace', args, 2);
      if (from === '') throw new ExpressionError("The template function 'replace' cannot replace an empty string.");
      const pieces = text.split(from);
      // Each occurrence grows the text by what replaces it: a hostile template must not exhaust memory.
      const total = text.length + (pieces.length - 1) * (to.length - from.length);
      const most = limit('stringLength');
      if (total > most) {
        throw new ExpressionError(
          `The template function 'replace' would build ${total} characters; the most cmk-guard holds is ${most} (${LIMIT_VARIABLES.stringLength}).`
        );
      }
      return pieces.join(to);
    }
  }),
  defineFunction({
    name: 'split',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const text = stringArg('split', args, 0);
      const delimiters = typeof args[1] === 'string' ? [args[1]] : arrayArg('split', args, 1);
      const strings = delimiters.map(d => {
        if (typeof d !== 'string') throw typeError('split', 1, 'a string or an array of strings', args[1]);
        return d;
      });
      return splitAny(
        text,
        strings.filter(d => d !== '')
      );
    }
  }),
  defineFunction({
    name: 'string',
    minArgs: 1,
    maxArgs: 1,
    call: args => (args[0] === null ? 'null' : toText(args[0]))
  }),
  defineFunction({
    name: 'substring',
    minArgs: 1,
    maxArgs: 3,
    call: args => {
      const text = stringArg('substring', args, 0);
      const start = args.length > 1 ? intArg('substring', args, 1) : 0;
      const length = args.length > 2 ? intArg('substring', args, 2) : text.length - start;
      if (start < 0 || length < 0 || start + length > text.length) {
        throw new ExpressionError(
          `The index and length parameters must refer to a location within the string. The index parameter: '${start}', the length parameter: '${length}', the length of the string parameter: '${text.length}'.`
        );
      }
      return text.substr(start, length);
    }
  }),
  unary('toLower', s => s.toLowerCase()),
  unary('toUpper', s => s.toUpperCase()),
  unary('trim', s => s.trim()),
  defineFunction({
    name: 'uri',
    minArgs: 2,
    maxArgs: 2,
    call: args => {
      const base = stringArg('uri', args, 0);
      const relative = stringArg('uri', args, 1);
      try {
        return new URL(relative, base).toString();
      } catch {
        throw new ExpressionError(
          `The template function 'uri' cannot combine '${base}' and '${relative}': the base is not an absolute URI.`
        );
      }
    }
  }),
  unary('uriComponent', escapeDataString),
  unary('uriComponentToString', s => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ExpressionError(
        `The template function 'uriComponentToString' was given '${s}', which is not URI-encoded text.`
      );
    }
  })
];

/** .NET String.Split(string[], None): splits at the earliest (then longest-listed-first) delimiter. */
function splitAny(text: string, delimiters: string[]): string[] {
  if (delimiters.length === 0) return [text];
  const parts: string[] = [];
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const match = delimiters.find(d => text.startsWith(d, i));
    if (match !== undefined) {
      parts.push(text.slice(from, i));
      i += match.length;
      from = i;
    } else {
      i++;
    }
  }
  parts.push(text.slice(from));
  return parts;
}
