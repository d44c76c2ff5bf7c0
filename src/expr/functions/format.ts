/**
 * .NET composite formatting for format(): `{index[,alignment][:formatString]}`, with `{{` and `}}`
 * as literal braces, and the standard numeric format specifiers C, D, E, F, G, N, P, X plus
 * custom `0`/`#` patterns, all in the invariant culture (the doc's `{2:N0}` of 8175133 is 8,175,133).
 * https://learn.microsoft.com/dotnet/standard/base-types/composite-formatting
 */
import type { Value } from '../../model/value.js';
import { ExpressionError } from '../errors.js';
import { toText } from './args.js';

function formatError(reason: string): ExpressionError {
  return new ExpressionError(`The template function 'format' has an invalid format string: ${reason}.`);
}

/** The widest alignment .NET formats (`{0,999999}`): StringBuilder.AppendFormat's WidthLimit. */
const WIDTH_LIMIT = 1_000_000;

export function formatComposite(template: string, args: Value[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i];
    if (c === '}') {
      if (template[i + 1] !== '}') throw formatError(`a "}" at ${i} has no "{" (write "}}" for a brace)`);
      out += '}';
      i += 2;
      continue;
    }
    if (c !== '{') {
      out += c;
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      out += '{';
      i += 2;
      continue;
    }
    const close = template.indexOf('}', i);
    if (close < 0) throw formatError(`the "{" at ${i} is not closed`);
    const item = /^\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::(.*))?$/s.exec(template.slice(i + 1, close));
    if (!item) throw formatError(`"${template.slice(i, close + 1)}" is not a format item like {0} or {0:N2}`);
    const index = Number(item[1]);
    if (index >= args.length) {
      throw formatError(`{${index}} refers to an argument that was not given (there are ${args.length})`);
    }
    let text = formatValue(args[index], item[3]);
    if (item[2] !== undefined) {
      const width = Number(item[2]);
      // .NET's composite formatting refuses an alignment of a million or more (WidthLimit), and so must this:
      // padding to 2,147,483,647 characters would end the run for want of memory.
      if (Math.abs(width) >= WIDTH_LIMIT)
        throw formatError(`the alignment ${item[2]} is not below ${WIDTH_LIMIT} characters either way`);
      text = width < 0 ? text.padEnd(-width) : text.padStart(width);
    }
    out += text;
    i = close + 1;
  }
  return out;
}

function formatValue(value: Value, spec: string | undefined): string {
  if (value !== null && typeof value === 'object') return singleQuotedJson(value);
  if (typeof value !== 'number' || spec === undefined || spec === '') return toText(value);
  const standard = /^([CcDdEeFfGgNnPpXx])(\d{0,2})$/.exec(spec);
  if (!standard) return customNumber(value, spec);
  const letter = standard[1].toUpperCase();
  const precision = standard[2] === '' ? undefined : Number(standard[2]);
  switch (letter) {
    case 'C':
      return (value < 0 ? '(¤' : '¤') + grouped(Math.abs(value), precision ?? 2) + (value < 0 ? ')' : '');
    case 'D':
      requireInteger(value, spec);
      return (value < 0 ? '-' : '') + String(Math.abs(value)).padStart(precision ?? 0, '0');
    case 'E': {
      const [mantissa, exponent] = Math.abs(value)
        .toExponential(precision ?? 6)
        .split('e');
      const exp = Number(exponent);
      const text = `${mantissa}${standard[1]}${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(3, '0')}`;
      return (value < 0 ? '-' : '') + text;
    }
    case 'F':
      return value.toFixed(precision ?? 2);
    case 'G':
      return general(value, precision, standard[1] === 'g' ? 'e' : 'E');
    case 'N':
      return (value < 0 ? '-' : '') + grouped(Math.abs(value), precision ?? 2);
    case 'P':
      return (value < 0 ? '-' : '') + grouped(Math.abs(value) * 100, precision ?? 2) + ' %';
    case 'X': {
      requireInteger(value, spec);
      // ARM's integers are 64-bit (Int64): a negative one is written in 16 digits of two's complement.
      const hex = (value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value)).toString(16);
      return (standard[1] === 'X' ? hex.toUpperCase() : hex).padStart(precision ?? 0, '0');
    }
  }
  return toText(value);
}

/**
 * An object or array argument of format() as ARM writes it: compact JSON with its strings, names
 * included, in single quotes. Bicep compiles `'>${obj}<>${arr}<'` to format(), and ARM's own engine
 * evaluates it to `>{'a':'b','!c':2}<>[true,2893,'abc']<` (Azure/bicep,
 * src/Bicep.Core.IntegrationTests/EvaluationTests.cs, "String_expressions_are_evaluated_successfully").
 * Inside a string, `'` and `\` are escaped with a backslash, as a JSON writer quoting with `'` does.
 */
function singleQuotedJson(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'string')
    return `'${JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(singleQuotedJson).join(',')}]`;
  return `{${Object.entries(value)
    .map(([key, item]) => `${singleQuotedJson(key)}:${singleQuotedJson(item)}`)
    .join(',')}}`;
}

/**
 * The general format with a precision: at most that many significant digits, in fixed-point notation when
 * the exponent in scientific notation is greater than -5 and less than the precision, otherwise in
 * scientific notation with an exponent of at least two digits (`{0:G2}` of 12345 is `1.2E+04`; of 42, `42`).
 * Without a precision (or 0) an integer is written whole.
 * https://learn.microsoft.com/dotnet/standard/base-types/standard-numeric-format-strings#general-format-specifier-g
 */
function general(value: number, precision: number | undefined, e: 'E' | 'e'): string {
  if (precision === undefined || precision === 0) return String(value);
  const [mantissa, exponentText] = Math.abs(value)
    .toExponential(Math.min(precision, 100) - 1)
    .split('e');
  const exponent = Number(exponentText);
  const sign = value < 0 ? '-' : '';
  if (exponent > -5 && exponent < precision) return sign + String(Number(`${mantissa}e${exponent}`));
  const digits = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
  return `${sign}${digits}${e}${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function requireInteger(value: number, spec: string): void {
  if (!Number.isInteger(value)) throw formatError(`"${spec}" formats integers only, not ${value}`);
}

function grouped(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split('.');
  const withSeparators = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? withSeparators : `${withSeparators}.${fraction}`;
}

/** Custom numeric formats made of `0` (digit or zero), `#` (digit if any), `,` (grouping) and `.`. */
function customNumber(value: number, spec: string): string {
  if (!/^[0#,.]+$/.test(spec)) throw formatError(`"${spec}" is not a supported number format`);
  const [intPart, fracPart = ''] = spec.split('.');
  const minInt = (intPart.match(/0/g) ?? []).length;
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = fracPart.replace(/,/g, '').length;
  let [whole, fraction = ''] = Math.abs(value).toFixed(maxFrac).split('.');
  fraction = fraction.replace(/0+$/, '').padEnd(minFrac, '0');
  if (whole === '0' && minInt === 0) whole = '';
  whole = whole.padStart(minInt, '0');
  if (intPart.includes(',')) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const text = fraction ? `${whole}.${fraction}` : whole;
  return (value < 0 && /[1-9]/.test(text) ? '-' : '') + text;
}
