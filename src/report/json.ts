import type { FindingsDocument } from '../model/finding.js';

/** The findings document itself, for other tools: two-space JSON, one trailing newline. */
export function renderJson(document: FindingsDocument): string {
  return JSON.stringify(document, null, 2) + '\n';
}
