import type { FindingsStream } from '../model/finding.js';
import { joinPieces, jsonPieces, Streamed, type ReportPieces } from './stream.js';

/** The findings document itself, for other tools: two-space JSON, one trailing newline, a finding at a time. */
export function* jsonReport(document: FindingsStream): ReportPieces {
  yield* jsonPieces({
    ...document,
    findings: Streamed.array(document.findings),
    ...(document.errors ? { errors: Streamed.array(document.errors) } : {}),
    ...(document.skipped ? { skipped: Streamed.array(document.skipped) } : {})
  });
  yield '\n';
}

/** The JSON report as one string. */
export function renderJson(document: FindingsStream): string {
  return joinPieces(jsonReport(document));
}
