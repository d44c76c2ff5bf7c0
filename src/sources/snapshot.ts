import type { Json, Value } from '../model/value.js';
import { hasOwn, isObject, own, setOwn } from '../model/value.js';
import { policyResourceType, type Resource, type SourcePosition } from '../model/resource.js';
import { UserError } from '../model/errors.js';
import { JsonSyntaxError, nearestPosition, Reader, type Spot } from './json.js';
import { JsonStream } from './jsonStream.js';
import { joinPointer, splitPointer } from '../model/pointer.js';
import { foldCase } from '../model/foldCase.js';

/**
 * Resource snapshots: what `az resource list`, `az graph query`, the REST API or
 * PowerShell's `Get-AzResource | ConvertTo-Json` print. PowerShell names the top-level
 * fields in PascalCase (`Name`, `ResourceType`, `Properties`); they are renamed to the
 * ARM names Azure Policy aliases address.
 */

const PASCAL_FIELDS: Record<string, string> = {
  Name: 'name',
  ResourceName: 'name',
  ResourceType: 'type',
  Type: 'type',
  Properties: 'properties',
  Sku: 'sku',
  Identity: 'identity',
  Kind: 'kind',
  Location: 'location',
  Tags: 'tags',
  ResourceId: 'id',
  Id: 'id',
  Plan: 'plan',
  ManagedBy: 'managedBy',
  Zones: 'zones',
  ExtendedLocation: 'extendedLocation'
};

/** PowerShell-only fields that are not part of the ARM resource. */
const POWERSHELL_EXTRAS = new Set([
  'ResourceGroupName',
  'SubscriptionId',
  'ParentResource',
  'ChangedTime',
  'CreatedTime'
]);

function camelKeys(value: Json): Json {
  if (!isObject(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [key, inner] of Object.entries(value as { [key: string]: Json })) {
    setOwn(out, foldCase(key.charAt(0)) + key.slice(1), inner);
  }
  return out;
}

/**
 * The resource an entry of a snapshot (or a row of Resource Graph) describes, in ARM's names;
 * or what it lacks, as the end of a sentence.
 */
export function describeResource(entry: {
  [key: string]: Json;
}): { json: { [key: string]: Json }; renamed: Map<string, string>; id: string; type: string; name: string } | string {
  const { json, renamed } = normalise(entry);
  const type = json.type;
  const name = json.name;
  if (typeof type !== 'string' || typeof name !== 'string')
    return 'needs string "type" and "name" fields to be evaluated.';
  const id = typeof json.id === 'string' ? json.id : `/providers/${type}/${name}`;
  return { json, renamed, id, type: policyResourceType(type), name };
}

function normalise(entry: { [key: string]: Json }): { json: { [key: string]: Json }; renamed: Map<string, string> } {
  const isPascal =
    hasOwn(entry, 'ResourceType') || hasOwn(entry, 'ResourceId') || (hasOwn(entry, 'Name') && !hasOwn(entry, 'name'));
  const renamed = new Map<string, string>();
  if (!isPascal) return { json: entry, renamed };
  const json: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(entry)) {
    if (POWERSHELL_EXTRAS.has(key)) continue;
    const target = own(PASCAL_FIELDS, key) ?? key;
    if (hasOwn(json, target) && key === 'ResourceName') continue;
    setOwn(json, target, target === 'sku' || target === 'identity' || target === 'plan' ? camelKeys(value) : value);
    renamed.set(target, key);
  }
  return { json, renamed };
}

/** Every resource of a snapshot, read whole: for callers that hold them all anyway (tests, the corpus). */
export function loadResourceSnapshot(file: string): Resource[] {
  return [...readResourceSnapshot(file)];
}

/**
 * The resources of a snapshot one at a time, as they are read: the file is never held whole, so
 * a snapshot of a whole tenant (gigabytes) is read in the memory of one resource. Each resource
 * keeps the positions of its own values. The syntax, the errors and the positions are those of
 * reading the file whole.
 */
export function* readResourceSnapshot(file: string, options: { chunkBytes?: number } = {}): Generator<Resource> {
  const stream = new JsonStream(file, options.chunkBytes);
  try {
    yield* snapshotResources(stream, file);
  } finally {
    stream.close();
  }
}

function* snapshotResources(stream: JsonStream, file: string): Generator<Resource> {
  stream.step(r => {
    r.skipTrivia();
    if (r.peek() === undefined) r.fail('The file is empty; it must hold one JSON value.');
  });
  const first = stream.reader.peek();
  const deferred: UserError[] = [];
  let found = false;
  if (first === '[') {
    yield* arrayResources(stream, file, 1, deferred);
    found = true;
  } else if (first === '{') {
    found = yield* envelopeResources(stream, file, deferred);
  } else {
    skipValue(stream, 0);
  }
  stream.step(r => {
    r.skipTrivia();
    if (r.peek() !== undefined) r.fail(`Unexpected ${r.describeHere()} after the end of the JSON value; remove it.`);
  });
  if (deferred.length) throw deferred[0];
  if (!found) {
    throw new UserError(
      'a resource snapshot must be a JSON array of resources, or an object with a "value" array (as az resource list and the REST API return).',
      { file, line: 1, column: 1 }
    );
  }
}

/** Reads a value and lets it go: members of the snapshot's object that hold no resources. */
function skipValue(stream: JsonStream, depth: number): void {
  stream.step(r => {
    r.depth = depth;
    r.record = false;
    try {
      r.parseValue('');
    } finally {
      r.record = true;
    }
  });
}

/**
 * The resources of `{"value": [...]}` (the REST API, az) or `{"data": [...]}` (Resource Graph),
 * "value" first where both are arrays. Whether a resource array was found.
 */
function* envelopeResources(stream: JsonStream, file: string, deferred: UserError[]): Generator<Resource, boolean> {
  const open = stream.reader.here();
  stream.step(r => {
    r.advance();
    r.skipTrivia();
  });
  const seen = new Set<string>();
  let streamed: 'value' | 'data' | undefined;
  for (;;) {
    const done = stream.step(r => {
      const ch = r.peek();
      if (ch === '}') return true;
      if (ch === undefined) r.fail("This object is never closed; add '}'.", open);
      if (ch !== '"') r.fail(`Expected a property name in double quotes but found ${r.describeHere()}.`);
      return false;
    });
    if (done) break;
    const key = stream.step(r => {
      const keyAt = r.here();
      const name = r.parseString();
      if (seen.has(name)) r.fail(`The property "${name}" appears twice in this object; keep one.`, keyAt);
      r.skipTrivia();
      if (r.peek() !== ':') r.fail(`Expected ':' after "${name}" but found ${r.describeHere()}.`);
      r.advance();
      r.skipTrivia();
      return name;
    });
    seen.add(key);
    const isArray = stream.reader.peek() === '[';
    if (isArray && (key === 'value' || key === 'data') && streamed === undefined) {
      yield* arrayResources(stream, file, 2, deferred);
      streamed = key;
    } else if (isArray && key === 'value' && streamed === 'data') {
      // Read whole, "value" would have won; streamed, the resources of "data" are already evaluated.
      throw new UserError(
        'the snapshot has both a "data" and a "value" array of resources; keep the one that holds the resources.',
        { file, ...stream.reader.here() }
      );
    } else {
      skipValue(stream, 1);
    }
    stream.step(r => {
      r.skipTrivia();
      if (r.peek() === ',') {
        r.advance();
        r.skipTrivia();
      } else if (r.peek() !== '}') {
        r.fail(`Expected ',' or '}' after the value of "${key}" but found ${r.describeHere()}.`);
      }
    });
  }
  stream.step(r => r.advance());
  return streamed !== undefined;
}

/** The resources of the snapshot's array, whose items are at `depth`, one at a time. */
function* arrayResources(stream: JsonStream, file: string, depth: number, deferred: UserError[]): Generator<Resource> {
  let refused: UserError | undefined;
  const open = stream.reader.here();
  stream.step(r => {
    r.advance();
    r.skipTrivia();
  });
  for (let index = 0; ; index++) {
    const done = stream.step(r => {
      if (r.peek() === ']') return true;
      if (r.peek() === undefined) r.fail("This array is never closed; add ']'.", open);
      return false;
    });
    if (done) break;
    // Read without positions, keeping the resource's text: its positions are found again from the text
    // when a finding asks for one. Recording them all as it is read cost ten times the memory of the text.
    const item = stream.step(r => {
      r.depth = depth;
      r.record = false;
      try {
        const start = { index: r.index, line: r.line, column: r.column };
        const value = r.parseValue('');
        return { value, text: r.copySince(start.index), start };
      } finally {
        r.record = true;
      }
    }, 'a resource');
    stream.step(r => {
      r.skipTrivia();
      if (r.peek() === ',') {
        r.advance();
        r.skipTrivia();
      } else if (r.peek() !== ']') {
        r.fail(`Expected ',' or ']' after an array item but found ${r.describeHere()}.`);
      }
    });
    if (refused) continue;
    const positionOf = (pointer: string): SourcePosition | null => {
      if (pointer === '') return { file, line: item.start.line, column: item.start.column };
      const { keys, values } = positionsOf(item.text, item.start, depth, file);
      const spot = keys.get(pointer) ?? values.get(pointer);
      return spot ? { file, line: spot.line, column: spot.column } : null;
    };
    try {
      yield snapshotResource(item.value, index, positionOf, file);
    } catch (error) {
      // Read whole, a syntax error anywhere came first: read on, and give this error only if there is none.
      if (!(error instanceof UserError) || error instanceof JsonSyntaxError) throw error;
      refused = error;
    }
  }
  stream.step(r => r.advance());
  if (refused) deferred.push(refused);
}

/** The positions of the resource read last: a finding's pointers are looked up one after another. */
let lastPositions: { start: object; keys: Map<string, Spot>; values: Map<string, Spot> } | undefined;

/** The positions of every key and value of a resource's text, read again from where it started in the file. */
function positionsOf(
  text: string,
  start: { line: number; column: number },
  depth: number,
  file: string
): { keys: Map<string, Spot>; values: Map<string, Spot> } {
  if (lastPositions?.start === start) return lastPositions;
  const reader = new Reader(text, file);
  reader.line = start.line;
  reader.column = start.column;
  reader.depth = depth;
  reader.parseValue('');
  lastPositions = { start, keys: reader.keys, values: reader.values };
  return lastPositions;
}

/** One snapshot entry as a resource; `positionOf` takes pointers into the entry. */
function snapshotResource(
  item: Json,
  index: number,
  positionOf: (pointer: string) => SourcePosition | null,
  file: string
): Resource {
  const at = positionOf('') ?? { file, line: 1, column: 1 };
  if (!isObject(item)) throw new UserError(`snapshot entry ${index} must be a resource object.`, at);
  const described = describeResource(item as { [key: string]: Json });
  if (typeof described === 'string') throw new UserError(`snapshot entry ${index} ${described}`, at);
  const { json, renamed, id, type, name } = described;
  const resource: Resource = {
    id,
    type,
    name,
    json: json as { [key: string]: Value },
    source: at,
    positionOf: (target: string): SourcePosition | null => {
      const segments = splitPointer(target);
      if (segments.length > 0) segments[0] = renamed.get(segments[0]) ?? segments[0];
      return nearestPosition(positionOf, joinPointer('', ...segments));
    },
    origin: 'snapshot'
  };
  if (typeof json.apiVersion === 'string') resource.apiVersion = json.apiVersion;
  return resource;
}
