/**
 * .NET composite formatting for format(): `{index[,alignment][:formatString]}`, with `{{` and `}}`
 * as literal braces, and the standard numeric format specifiers C, D, E, F, G, N, P, X plus
 * custom formats (see `customNumber`), all in the invariant culture (the doc's `{2:N0}` of 8175133 is
 * 8,175,133).
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
  // A letter with digits is a standard format ("Any numeric format string that contains more than one
  // alphabetic character … is interpreted as a custom numeric format string"); one it does not know fails.
  if (!standard && /^[A-Za-z]\d*$/.test(spec)) throw formatError(`"${spec}" is not a supported number format`);
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

/**
 * .NET custom numeric formats (https://learn.microsoft.com/dotnet/standard/base-types/custom-numeric-format-strings):
 * `0` (digit or zero) and `#` (digit if any) placeholders, `.` (the first one), `,` between integer
 * placeholders (grouping) or just before the point (dividing by 1,000 each), `%` and `‰` (times 100 and
 * 1,000), `\` escapes, `'…'` and `"…"` literals, other characters written as they are, and `;` sections
 * (positive;negative;zero; a negative value in its own section is written without a minus sign).
 * Exponents (`E0`) and grouping among literals are refused rather than guessed.
 */
function customNumber(value: number, spec: string): string {
  const sections = splitSections(spec);
  if (sections.length > 3) throw formatError(`"${spec}" has more than three sections`);
  let section = sections[0];
  let signed = value < 0;
  if (value < 0 && sections.length >= 2 && sections[1].length > 0) {
    section = sections[1];
    signed = false;
  }
  if (value === 0 && sections.length === 3 && sections[2].length > 0) return customSection(0, sections[2], spec);
  const text = customSection(Math.abs(value), section, spec);
  return (signed && /[1-9]/.test(text) ? '-' : '') + text;
}

type Item =
  | { kind: 'digit'; zero: boolean; fraction: boolean }
  | { kind: 'point' }
  | { kind: 'comma' }
  | { kind: 'text'; text: string };

/** The sections of a custom format, split at each `;` that is not escaped or quoted. */
function splitSections(spec: string): Item[][] {
  const sections: Item[][] = [[]];
  let fraction = false;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    const items = sections[sections.length - 1];
    if (c === ';') {
      sections.push([]);
      fraction = false;
    } else if (c === '\\') {
      items.push({ kind: 'text', text: spec[++i] ?? '' });
    } else if (c === "'" || c === '"') {
      const end = spec.indexOf(c, i + 1);
      if (end < 0) throw formatError(`the quote at ${i} of "${spec}" is not closed`);
      items.push({ kind: 'text', text: spec.slice(i + 1, end) });
      i = end;
    } else if (c === '0' || c === '#') {
      items.push({ kind: 'digit', zero: c === '0', fraction });
    } else if (c === '.') {
      if (!fraction) items.push({ kind: 'point' });
      fraction = true;
    } else if (c === ',') {
      items.push({ kind: 'comma' });
    } else if ((c === 'E' || c === 'e') && /^[+-]?0/.test(spec.slice(i + 1))) {
      throw formatError(`"${spec}" uses an exponent, which is not a supported number format`);
    } else {
      items.push({ kind: 'text', text: c });
    }
  }
  return sections;
}

function customSection(value: number, items: Item[], spec: string): string {
  const digits = items.filter((item): item is Extract<Item, { kind: 'digit' }> => item.kind === 'digit');
  const integer = digits.filter(d => !d.fraction);
  const fractional = digits.filter(d => d.fraction);
  const firstZero = integer.findIndex(d => d.zero);
  const minInt = firstZero < 0 ? 0 : integer.length - firstZero;
  const lastZero = fractional.map(d => d.zero).lastIndexOf(true);
  const minFrac = lastZero + 1;
  // Commas right before the point (or the end of the integer placeholders) divide by 1,000; a comma
  // between integer placeholders groups the digits.
  const pointAt = items.findIndex(item => item.kind === 'point');
  const integerEnd = pointAt < 0 ? items.length : pointAt;
  let lastIntDigit = -1;
  let firstIntDigit = -1;
  for (let i = 0; i < integerEnd; i++) {
    if (items[i].kind === 'digit') {
      lastIntDigit = i;
      if (firstIntDigit < 0) firstIntDigit = i;
    }
  }
  let scale = 0;
  for (let i = lastIntDigit + 1; i < integerEnd && items[i].kind === 'comma'; i++) scale++;
  const grouping = items.some((item, i) => item.kind === 'comma' && i > firstIntDigit && i < lastIntDigit);
  let scaled = value / 1000 ** scale;
  for (const item of items) {
    if (item.kind === 'text' && item.text === '%') scaled *= 100;
    if (item.kind === 'text' && item.text === '‰') scaled *= 1000;
  }
  let [whole, fraction = ''] = scaled.toFixed(fractional.length).split('.');
  fraction = fraction.replace(/0+$/, '').padEnd(minFrac, '0');
  if (whole === '0' && minInt === 0) whole = '';
  whole = whole.padStart(minInt, '0');
  if (grouping) {
    const literalInside = items.some((item, i) => item.kind === 'text' && i > firstIntDigit && i < lastIntDigit);
    if (literalInside)
      throw formatError(`"${spec}" groups digits around a literal, which is not a supported number format`);
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  // The integer digits fill the integer placeholders from the right; the first one takes any extra.
  const slots: string[] = integer.map(() => '');
  if (grouping) {
    if (slots.length > 0) slots[0] = whole;
  } else {
    for (let k = 0; k < slots.length; k++) {
      const from = whole.length - slots.length + k;
      slots[k] = k === 0 ? whole.slice(0, Math.max(from + 1, 0)) : from >= 0 ? whole[from] : '';
    }
  }
  let out = '';
  let intIndex = 0;
  let fracIndex = 0;
  for (const item of items) {
    if (item.kind === 'digit') {
      if (!item.fraction) out += slots[intIndex++] ?? '';
      else out += fraction[fracIndex++] ?? '';
    } else if (item.kind === 'point') {
      if (fraction) out += '.';
    } else if (item.kind === 'text') {
      out += item.text;
    }
  }
  if (integer.length === 0 && whole) out = whole + out;
  return out;
}
