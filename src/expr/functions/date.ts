/**
 * Date functions: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date
 * (utcNow is context-dependent and belongs to the consumers) and Azure Policy's addDays:
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 * Times are UTC. Without a format, dateTimeAdd answers in the layout of its base value.
 */
import { ExpressionError } from '../errors.js';
import { defineFunction, type FunctionDefinition } from '../evaluate.js';
import { intArg, stringArg } from './args.js';

/** Parses ISO 8601 date-times, including the compact `yyyyMMddTHHmmssZ` utcNow() gives by default. */
export function parseDateTime(fn: string, text: string): Date {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  const iso = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}Z`
    : text.replace(' ', 'T');
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(iso) || !/T/.test(iso);
  const date = new Date(hasZone ? iso : `${iso}Z`);
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso) || Number.isNaN(date.getTime())) {
    throw new ExpressionError(`The template function '${fn}' expects an ISO 8601 date-time, not '${text}'.`);
  }
  return date;
}

/**
 * Adds an ISO 8601 duration (`P1Y2M3DT4H5M6S`, `-P9D`, `P2W`) as a fixed span of time, the
 * way .NET reads a duration into a TimeSpan: a year is 365 days and a month 30 days. The
 * documentation shows the consequence: `dateTimeAdd('2023-01-31 00:00:00Z', 'P1M')` is
 * 2023-03-02 and from 2024-01-31 it is 2024-03-01 (leap year), never the end of February
 * (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-date#datetimeadd).
 */
export function addDuration(fn: string, date: Date, duration: string): Date {
  const m = /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
    duration
  );
  if (!m || duration === 'P' || duration.endsWith('T')) {
    throw new ExpressionError(
      `The template function '${fn}' expects an ISO 8601 duration like 'P1D' or 'PT1H', not '${duration}'.`
    );
  }
  const sign = m[1] ? -1 : 1;
  const n = (i: number) => sign * Number(m[i] ?? 0);
  const days = 365 * n(2) + 30 * n(3) + 7 * n(4) + n(5);
  const seconds = ((days * 24 + n(6)) * 60 + n(7)) * 60 + n(8);
  return new Date(date.getTime() + Math.round(seconds * 1000));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The digits of a fraction of a second past the millisecond, as 100 ns ticks (`.1234567` → 4567). */
export function subMillisecondTicks(text: string): number {
  const fraction = /[T ]\d{2}:\d{2}(?::\d{2})?\.(\d+)/.exec(text)?.[1] ?? '';
  return Number(fraction.slice(3, 7).padEnd(4, '0'));
}

/**
 * .NET's standard date and time formats as the invariant culture writes them (ARM formats with it: the
 * documented utcNow('d') is `03/05/2019`). `o` keeps seven digits of the fraction; `r` is RFC 1123.
 */
const STANDARD_FORMATS: { [format: string]: string } = {
  d: 'MM/dd/yyyy',
  D: 'dddd, dd MMMM yyyy',
  f: 'dddd, dd MMMM yyyy HH:mm',
  F: 'dddd, dd MMMM yyyy HH:mm:ss',
  g: 'MM/dd/yyyy HH:mm',
  G: 'MM/dd/yyyy HH:mm:ss',
  m: 'MMMM dd',
  M: 'MMMM dd',
  o: "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'",
  O: "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'",
  r: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  R: "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
  s: "yyyy-MM-dd'T'HH:mm:ss",
  t: 'HH:mm',
  T: 'HH:mm:ss',
  u: "yyyy-MM-dd HH:mm:ss'Z'",
  U: 'dddd, dd MMMM yyyy HH:mm:ss',
  y: 'yyyy MMMM',
  Y: 'yyyy MMMM'
};

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December'
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `MMM` is the invariant culture's abbreviated month name (`Apr`), `MMMM` the full one. */
const monthName = (month: number, short: boolean): string => (short ? MONTHS[month].slice(0, 3) : MONTHS[month]);
/** `ddd` is the abbreviated day name (`Tue`), `dddd` the full one. */
const dayName = (day: number, short: boolean): string => (short ? DAYS[day].slice(0, 3) : DAYS[day]);

/**
 * .NET date formatting, UTC: the standard formats above and custom `yyyy MMMM MMM MM dddd ddd dd HH hh mm ss
 * f… F… tt M d H h`.
 * `ticks` are the 100-nanosecond units below the millisecond (0–9999), which a JS Date cannot hold.
 * `F` drops trailing zeros of the fraction, and the decimal point before it when nothing is left,
 * as .NET does: `HH:mm:ss.FFFFFFF` of 12:00:00.000 is `12:00:00`.
 */
export function formatDateTime(date: Date, format: string, ticks = 0): string {
  const fraction = pad(date.getUTCMilliseconds(), 3) + pad(ticks, 4);
  if (format.length === 1) {
    const pattern = STANDARD_FORMATS[format];
    if (pattern === undefined) {
      throw new ExpressionError(`'${format}' is not a .NET standard date and time format.`);
    }
    return formatDateTime(date, pattern, ticks);
  }
  // `%d` is the custom specifier d on its own (a single letter would be a standard format).
  if (format.length === 2 && format[0] === '%') format = format[1];
  let out = '';
  for (let i = 0; i < format.length;) {
    const c = format[i];
    if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      out += format.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    if (c === '\\') {
      out += format[i + 1] ?? '';
      i += 2;
      continue;
    }
    let run = 1;
    while (format[i + run] === c) run++;
    const hours = date.getUTCHours();
    switch (c) {
      case 'y':
        out += run <= 2 ? pad(date.getUTCFullYear() % 100, run) : pad(date.getUTCFullYear(), run);
        break;
      case 'M':
        out += run <= 2 ? pad(date.getUTCMonth() + 1, run) : monthName(date.getUTCMonth(), run === 3);
        break;
      case 'd':
        out += run <= 2 ? pad(date.getUTCDate(), run) : dayName(date.getUTCDay(), run === 3);
        break;
      case 'g':
        out += 'A.D.';
        break;
      case 'H':
        out += pad(hours, Math.min(run, 2));
        break;
      case 'h':
        out += pad(hours % 12 === 0 ? 12 : hours % 12, Math.min(run, 2));
        break;
      case 'm':
        out += pad(date.getUTCMinutes(), Math.min(run, 2));
        break;
      case 's':
        out += pad(date.getUTCSeconds(), Math.min(run, 2));
        break;
      case 'f':
        out += fraction.slice(0, run);
        break;
      case 'F': {
        const digits = fraction.slice(0, run).replace(/0+$/, '');
        if (digits === '' && out.endsWith('.')) out = out.slice(0, -1);
        out += digits;
        break;
      }
      case 't':
        out += (hours < 12 ? 'AM' : 'PM').slice(0, run === 1 ? 1 : 2);
        break;
      case 'K':
      case 'z':
        out += c === 'K' ? 'Z' : '+00:00'.slice(0, run === 1 ? 3 : 6);
        break;
      default:
        out += c.repeat(run);
    }
    i += run;
  }
  return out;
}

/** The layout of an ISO base value, to answer in kind. */
function layoutOf(text: string): string {
  if (/^\d{8}T\d{6}Z$/.test(text)) return "yyyyMMdd'T'HHmmss'Z'";
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/.test(text)) return 'u';
  const fraction = /\.(\d+)/.exec(text)?.[1].length ?? 0;
  const seconds = fraction ? `ss.${'f'.repeat(Math.min(fraction, 7))}` : 'ss';
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'yyyy-MM-dd';
  return `yyyy-MM-dd'T'HH:mm:${seconds}${/Z$/i.test(text) ? "'Z'" : ''}`;
}

export const dateFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'dateTimeAdd',
    minArgs: 2,
    maxArgs: 3,
    call: args => {
      const base = stringArg('dateTimeAdd', args, 0);
      const result = addDuration('dateTimeAdd', parseDateTime('dateTimeAdd', base), stringArg('dateTimeAdd', args, 1));
      // The base value's digits below the millisecond (100 ns ticks) are carried, as .NET keeps them.
      return formatDateTime(
        result,
        args.length > 2 ? stringArg('dateTimeAdd', args, 2) : layoutOf(base),
        subMillisecondTicks(base)
      );
    }
  }),
  defineFunction({
    name: 'dateTimeFromEpoch',
    minArgs: 1,
    maxArgs: 1,
    call: args => formatDateTime(new Date(intArg('dateTimeFromEpoch', args, 0) * 1000), "yyyy-MM-dd'T'HH:mm:ss'Z'")
  }),
  defineFunction({
    name: 'dateTimeToEpoch',
    minArgs: 1,
    maxArgs: 1,
    call: args => Math.floor(parseDateTime('dateTimeToEpoch', stringArg('dateTimeToEpoch', args, 0)).getTime() / 1000)
  }),
  defineFunction({
    name: 'addDays',
    minArgs: 2,
    maxArgs: 2,
    // Azure Policy's addDays answers in `yyyy-MM-ddTHH:mm:ss.FFFFFFFZ`: trailing zeros of the
    // fraction dropped, and the point with them (`2024-01-20T12:00:00Z`), as the policy-rule page
    // writes the format: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
    call: args => {
      const text = stringArg('addDays', args, 0);
      const date = parseDateTime('addDays', text);
      date.setUTCDate(date.getUTCDate() + intArg('addDays', args, 1));
      return formatDateTime(date, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", subMillisecondTicks(text));
    }
  })
];
