/**
 * YAML (and JSON, which is YAML) parsed together with where each value sits: a map from
 * JSON pointer to the offset of the value and, for mapping members, of its key. Built from
 * js-yaml's event stream, which carries source offsets.
 */
import type { Event } from 'js-yaml';
import type { SourcePosition } from '../model/resource.js';
import { UserError } from '../model/errors.js';
import { DEFAULT_LIMITS, LIMIT_VARIABLES, limit } from '../model/limits.js';
import { escapePointerSegment } from '../model/pointer.js';
import { tooling } from '../model/tooling.js';
import { parsedTexts } from './ruleTextCache.generated.js';

export interface NodeOffsets {
  value: number;
  key?: number;
}

export interface ParsedDocument {
  file: string;
  value: unknown;
  offsets: Map<string, NodeOffsets>;
  /** Where the value at `pointer` starts (its key's position when `key` is set and it has one). */
  positionOf(pointer: string, key?: boolean): SourcePosition | null;
  /** Where an offset is, counting lines and columns from 1. */
  positionAt(offset: number): SourcePosition;
}

function nodeStart(source: string, event: Event): number {
  const { EVENT_ID } = tooling.get();
  const candidates: number[] = [];
  if ('anchorStart' in event && event.anchorStart >= 0) candidates.push(event.anchorStart - 1);
  if ('tagStart' in event && event.tagStart >= 0) candidates.push(event.tagStart);
  if (event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE) candidates.push(event.start);
  if (event.type === EVENT_ID.SCALAR) {
    const quoted = source[event.valueStart - 1] === '"' || source[event.valueStart - 1] === "'";
    candidates.push(quoted && event.style !== 1 ? event.valueStart - 1 : event.valueStart);
  }
  return Math.max(0, Math.min(...candidates));
}

type Frame =
  | { kind: 'mapping'; pointer: string; key: string | null; keyOffset: number; complexDepth: number }
  | { kind: 'sequence'; pointer: string; index: number }
  | { kind: 'ignored' };

function indexOffsets(source: string, events: Event[]): Map<string, NodeOffsets> {
  const { EVENT_ID, getScalarValue } = tooling.get();
  const offsets = new Map<string, NodeOffsets>();
  const stack: Frame[] = [];
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) continue;
    if (event.type === EVENT_ID.POP) {
      const frame = stack.pop();
      const parent = stack[stack.length - 1];
      // A complex key (a mapping or sequence used as a key) just ended: its value comes next.
      if (frame?.kind === 'ignored' && parent?.kind === 'mapping' && parent.complexDepth > 0) {
        parent.complexDepth -= 1;
        if (parent.complexDepth === 0) parent.key = '?';
      }
      continue;
    }
    const top = stack[stack.length - 1];
    const start = nodeStart(source, event);
    const isCollection = event.type === EVENT_ID.MAPPING || event.type === EVENT_ID.SEQUENCE;
    let pointer: string | null = null;
    let keyOffset: number | undefined;
    if (!top) pointer = '';
    else if (top.kind === 'ignored') pointer = null;
    else if (top.kind === 'sequence') pointer = `${top.pointer}/${top.index++}`;
    else if (top.key === null) {
      // This node is a key.
      if (event.type === EVENT_ID.SCALAR) {
        top.key = getScalarValue(source, event);
        top.keyOffset = start;
      } else if (isCollection) {
        top.complexDepth += 1;
        top.keyOffset = start;
        stack.push({ kind: 'ignored' });
      } else {
        top.key = '?';
        top.keyOffset = start;
      }
      continue;
    } else {
      pointer = `${top.pointer}/${escapePointerSegment(top.key)}`;
      keyOffset = top.keyOffset;
      top.key = null;
    }
    if (pointer !== null && !offsets.has(pointer)) offsets.set(pointer, { value: start, key: keyOffset });
    if (event.type === EVENT_ID.MAPPING) {
      stack.push(
        pointer === null ? { kind: 'ignored' } : { kind: 'mapping', pointer, key: null, keyOffset: 0, complexDepth: 0 }
      );
    } else if (event.type === EVENT_ID.SEQUENCE) {
      stack.push(pointer === null ? { kind: 'ignored' } : { kind: 'sequence', pointer, index: 0 });
    }
  }
  return offsets;
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

/**
 * Parses a rule or pack file; a syntax error is a `UserError` at the line and column it is on. A text of
 * the bundled pack was parsed when it was built (ruleTextCache.generated.ts, which a test keeps current):
 * with the default limits, its value and positions are taken from there.
 */
export function parseDocument(file: string, source: string): ParsedDocument {
  const parsed = parsedAtBuild(source);
  if (parsed === undefined) return parseYaml(file, source);
  const [json, entries] = parsed;
  const offsets = new Map<string, NodeOffsets>(
    entries.map(([pointer, value, key]) => [pointer, { value, key: key < 0 ? undefined : key }])
  );
  return parsedDocument(file, source, JSON.parse(json) as unknown, offsets);
}

/** The build-time parse of `source`, if it is a bundled text and the limits are the defaults it was made with. */
function parsedAtBuild(source: string): [string, [string, number, number][]] | undefined {
  const parsed = parsedTexts().get(source);
  if (parsed === undefined) return undefined;
  const defaults = limit('jsonDepth') === DEFAULT_LIMITS.jsonDepth && limit('yamlValues') === DEFAULT_LIMITS.yamlValues;
  return defaults ? parsed : undefined;
}

/** Whether `parseDocument` takes `source` as parsed at build time (without js-yaml). */
export function isParsedAtBuild(source: string): boolean {
  return parsedAtBuild(source) !== undefined;
}

/** A parsed text as ruleTextCache.generated.ts keeps it: the value's JSON, each pointer's offsets (-1: no key). */
export function parsedText(doc: ParsedDocument): [string, [string, number, number][]] {
  return [JSON.stringify(doc.value), [...doc.offsets].map(([pointer, at]) => [pointer, at.value, at.key ?? -1])];
}

/** Parses a YAML text now. */
export function parseYaml(file: string, source: string): ParsedDocument {
  const { constructFromEvents, parseEvents, YAMLException } = tooling.get();
  let value: unknown;
  let events: Event[];
  try {
    const maxDepth = limit('jsonDepth');
    events = parseEvents(source, { filename: file, maxDepth });
    // What `load` does, from the events already parsed (it would parse the text again to make them).
    const documents = constructFromEvents(events, { filename: file, source });
    if (documents.length === 0) throw new YAMLException('expected a document, but the input is empty');
    if (documents.length > 1) throw new YAMLException('expected a single document in the stream, but found more');
    value = documents[0];
  } catch (error) {
    if (error instanceof YAMLException) {
      const mark = error.mark;
      throw new UserError(
        `the file is not valid YAML: ${error.reason}; fix the syntax here.`,
        mark ? { file, line: mark.line + 1, column: mark.column + 1 } : { file, line: 1, column: 1 }
      );
    }
    throw error;
  }
  // Aliases share nodes; expanded, a few of them can make a document of billions (the "billion laughs").
  const most = limit('yamlValues');
  if (expandedSize(value, most) > most) {
    throw new UserError(
      `the file expands to more than ${most} values once its YAML aliases (*name) are followed (${LIMIT_VARIABLES.yamlValues}); write the values out or use fewer aliases.`,
      { file, line: 1, column: 1 }
    );
  }
  return parsedDocument(file, source, value, indexOffsets(source, events));
}

function parsedDocument(
  file: string,
  source: string,
  value: unknown,
  offsets: Map<string, NodeOffsets>
): ParsedDocument {
  // Found when a position is first asked for: most documents are read without one being asked.
  let lines: number[] | undefined;
  const positionAt = (offset: number): SourcePosition => {
    const starts = (lines ??= lineStarts(source));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, column: offset - starts[lo] + 1 };
  };
  return {
    file,
    value,
    offsets,
    positionAt,
    positionOf(pointer, key = false) {
      // The nearest enclosing node that has a position.
      let p = pointer;
      for (;;) {
        const found = offsets.get(p);
        if (found) return positionAt(key && found.key !== undefined ? found.key : found.value);
        if (p === '') return null;
        p = p.slice(0, p.lastIndexOf('/'));
      }
    }
  };
}

/** How many values a document holds with every alias expanded, counted up to `limit` (shared nodes once each, memoised). */
function expandedSize(value: unknown, limit: number, memo = new Map<object, number>()): number {
  if (value === null || typeof value !== 'object') return 1;
  const known = memo.get(value);
  if (known !== undefined) return known;
  let size = 1;
  for (const inner of Array.isArray(value) ? value : Object.values(value)) {
    size += expandedSize(inner, limit, memo);
    if (size > limit) break;
  }
  memo.set(value, size);
  return size;
}
