/** The report formats of the CLI, by name, and the one place that renders a findings document in any of them. */
import { UserError } from '../model/errors.js';
import type { FindingsStream } from '../model/finding.js';
import { ansi, plain } from './colour.js';
import { compactReport } from './compact.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';
import { sarifReport } from './sarif.js';
import type { ReportPieces } from './stream.js';
import { textReport } from './text.js';
import { foldCase } from '../model/foldCase.js';

export const reportFormats = ['text', 'compact', 'json', 'sarif', 'junit'] as const;
export type ReportFormat = (typeof reportFormats)[number];

/** A format by name, in any case (`SARIF`, `Json`); anything else is a UserError naming the choices. */
export function parseFormat(value: unknown, option = '--format'): ReportFormat {
  const wanted = typeof value === 'string' ? foldCase(value.trim()) : '';
  const found = reportFormats.find(f => f === wanted);
  if (found) return found;
  throw new UserError(`${option} must be one of ${reportFormats.join(', ')}; got '${String(value)}'.`);
}

export interface RenderOptions {
  /** Paths in SARIF are relative to this folder. */
  cwd: string;
  /** Colour for the formats people read (text, compact). */
  colour?: boolean;
  /** Indeterminate findings count as failures (JUnit). */
  failOnIndeterminate?: boolean;
}

/** The report in `format`, a piece at a time: never one string, however many findings there are. */
export function renderReport(document: FindingsStream, format: ReportFormat, options: RenderOptions): ReportPieces {
  const paint = options.colour ? ansi : plain;
  switch (format) {
    case 'json':
      return jsonReport(document);
    case 'sarif':
      return sarifReport(document, { workspace: options.cwd });
    case 'junit':
      return junitReport(document, { failOnIndeterminate: options.failOnIndeterminate });
    case 'compact':
      return compactReport(document, { paint });
    default:
      return textReport(document, { paint });
  }
}

/** Whether a format already shows input errors to a person reading it (so they are not printed twice). */
export function showsErrorsToReader(format: ReportFormat): boolean {
  return format === 'text' || format === 'compact';
}
