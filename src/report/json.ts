import type { Finding, FindingsStream } from '../model/finding.js';
import {
  indentedJson,
  joinPieces,
  jsonless,
  jsonPieces,
  Streamed,
  type ItemText,
  type ReportPieces
} from './stream.js';

/** How deep the findings document writes each finding: in the root's `findings` array. */
export const FINDING_DEPTH = 2;

/** Findings that can also be given as the findings document writes them (`findingJson` at `FINDING_DEPTH`). */
export interface WrittenFindings extends Iterable<Finding> {
  /** The findings' text, in order: one finding or several a piece (as text or bytes), as `Streamed.texts` takes them. */
  jsonTexts(): Iterable<ItemText>;
}

function isWritten(findings: Iterable<Finding>): findings is WrittenFindings {
  return typeof (findings as Partial<WrittenFindings>).jsonTexts === 'function';
}

/** The findings document itself, for other tools: two-space JSON, one trailing newline, a finding at a time. */
export function* jsonReport(document: FindingsStream): ReportPieces {
  const findings = document.findings;
  yield* jsonPieces({
    ...document,
    findings: Streamed.texts(isWritten(findings) ? findings.jsonTexts() : findingTexts(findings)),
    ...(document.errors ? { errors: Streamed.array(document.errors) } : {}),
    ...(document.skipped ? { skipped: Streamed.array(document.skipped) } : {})
  });
  yield '\n';
}

function* findingTexts(findings: Iterable<Finding>): Generator<string> {
  for (const finding of findings) yield findingJson(finding, FINDING_DEPTH);
}

/** The JSON report as one string. */
export function renderJson(document: FindingsStream): string {
  return joinPieces(jsonReport(document));
}

/** A reported finding's members, in the order findings are made and given their rule's fields. */
export const FINDING_MEMBERS = [
  'definition',
  'displayName',
  'effect',
  'severity',
  'verdict',
  'resource',
  'message',
  'reason',
  'remediation',
  'helpUri',
  'enforcement'
] as const;
/** Its resource's members, in order. */
export const RESOURCE_MEMBERS = ['id', 'type', 'name', 'file', 'line', 'column'] as const;
/** Where the resource stands among a finding's members: the members before it, then its own, then the rest. */
const RESOURCE_AT = FINDING_MEMBERS.indexOf('resource');

/** What comes before each member's value and after the last, `depth` levels down. */
interface Frame {
  finding: string[];
  resource: string[];
  resourceEnd: string;
  end: string;
}
const frames: Frame[] = [];

function frameAt(depth: number): Frame {
  const lead = (names: readonly string[], at: number) =>
    names.map((name, i) => `${i === 0 ? '{' : ','}\n${'  '.repeat(at)}${JSON.stringify(name)}: `);
  return (frames[depth] ??= {
    finding: lead(FINDING_MEMBERS, depth + 1),
    resource: lead(RESOURCE_MEMBERS, depth + 2),
    resourceEnd: `\n${'  '.repeat(depth + 1)}}`,
    end: `\n${'  '.repeat(depth)}}`
  });
}

/** The JSON of values many findings share (a rule's names and texts, a type, a file), made once. */
const shared = new Map<string, string>();

/** The JSON of a value that is not an object or array, or undefined for anything else. */
function scalarJson(value: unknown, keep: boolean): string | undefined {
  switch (typeof value) {
    case 'string': {
      if (!keep) return JSON.stringify(value);
      let text = shared.get(value);
      if (text === undefined) {
        if (shared.size >= 4096) shared.clear();
        shared.set(value, (text = JSON.stringify(value)));
      }
      return text;
    }
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : undefined;
    default:
      return undefined;
  }
}

function plainWith(value: unknown, names: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  let i = 0;
  for (const key in value) if (key !== names[i++]) return false;
  return i === names.length;
}

/**
 * A finding as `jsonPieces` writes it `depth` levels down: `JSON.stringify(finding, null, 2)`, each line
 * after the first indented, character for character. A finding with exactly a reported finding's members
 * (rule fields included, no exception or baseline mark: most findings) and plain values is written member by
 * member, the text of values findings share made once; any other through `JSON.stringify`.
 */
export function findingJson(finding: Finding, depth: number): string {
  const f: unknown = finding;
  if (plainWith(f, FINDING_MEMBERS)) {
    const r = f.resource;
    if (plainWith(r, RESOURCE_MEMBERS)) {
      const values = [
        scalarJson(f.definition, true),
        scalarJson(f.displayName, true),
        scalarJson(f.effect, true),
        scalarJson(f.severity, true),
        scalarJson(f.verdict, true),
        scalarJson(r.id, false),
        scalarJson(r.type, true),
        scalarJson(r.name, false),
        scalarJson(r.file, true),
        scalarJson(r.line, false),
        scalarJson(r.column, false),
        scalarJson(f.message, false),
        scalarJson(f.reason, false),
        scalarJson(f.remediation, true),
        scalarJson(f.helpUri, true),
        scalarJson(f.enforcement, true)
      ];
      if (!values.includes(undefined)) {
        const { finding: m, resource: n, resourceEnd, end } = frameAt(depth);
        const v = values as string[];
        let text = '';
        for (let i = 0; i < RESOURCE_AT; i++) text += m[i] + v[i];
        text += m[RESOURCE_AT];
        for (let i = 0; i < RESOURCE_MEMBERS.length; i++) text += n[i] + v[RESOURCE_AT + i];
        text += resourceEnd;
        for (let i = RESOURCE_AT + 1; i < FINDING_MEMBERS.length; i++)
          text += m[i] + v[i - 1 + RESOURCE_MEMBERS.length];
        return text + end;
      }
    }
  }
  return jsonless(finding) ? 'null' : indentedJson(finding, depth);
}
