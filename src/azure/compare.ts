/**
 * What we would PUT against what Azure holds, both in the REST shape, after taking out what
 * Azure adds itself: readOnly bookkeeping (`version`, `versions`, `instanceId`, `scope`,
 * `definitionVersion` when we set none, `metadata.createdBy/createdOn/updatedBy/updatedOn`,
 * an identity's principal), and defaults Azure fills in (`notScopes: []`,
 * `enforcementMode: Default`, empty parameters), and `null` for what is unset (outside a policy rule and
 * parameter values, at any depth). Ids and locations compare as ARM compares
 * them (case-insensitively; `West Europe` is `westeurope`). The result is a list of field
 * changes; none means the resource is unchanged and nothing is written.
 */
import { canonicalJson } from '../compiler/canonical.js';
import type { FieldChange, PlanItemKind } from '../model/plan.js';
import type { Json } from '../model/value.js';
import { foldCase } from '../model/foldCase.js';

type JsonObject = { [key: string]: Json };

const AZURE_METADATA = ['createdBy', 'createdOn', 'updatedBy', 'updatedOn'];

function asObject(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function withoutKeys(value: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/**
 * A copy without the object members that are `null`, at any depth (list items stay): Resource Manager answers
 * `null` or nothing for an optional field that is unset, nested ones too (a parameter's `schema`, its metadata's
 * `strongType`). Not for a policy rule or a parameter's value, where `null` is a value.
 */
function withoutNulls(value: Json | undefined): Json | undefined {
  if (Array.isArray(value)) return value.map(v => withoutNulls(v) as Json);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v) as Json;
  return out;
}

function nonEmpty(out: JsonObject, name: string, value: Json | undefined): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return;
  out[name] = value;
}

/**
 * An enum value or name Azure reads case-insensitively (`Waiver`, `waiver`; `Indexed`, `indexed`):
 * spelled as we would write it when it is the same word, so only a real change is a change.
 */
function asWritten(value: Json | undefined, wanted: Json | undefined): Json | undefined {
  if (typeof value === 'string' && typeof wanted === 'string' && foldCase(value) === foldCase(wanted)) return wanted;
  if (Array.isArray(value) && Array.isArray(wanted) && value.length === wanted.length)
    return value.map((v, i) => asWritten(v, wanted[i]) as Json);
  return value;
}

function lowerId(value: Json | undefined): Json | undefined {
  return typeof value === 'string' ? foldCase(value) : value;
}

/** Parameter declarations: metadata as a plain object, nothing Azure adds, an unset field (`null`) absent. */
function parameterDeclarations(value: Json | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [name, spec] of Object.entries(asObject(value))) {
    const entry: JsonObject = {};
    for (const [k, v] of Object.entries(asObject(withoutNulls(spec)))) if (k !== 'metadata') entry[k] = v;
    nonEmpty(entry, 'metadata', asObject(asObject(withoutNulls(spec)).metadata));
    out[name] = entry;
  }
  return out;
}

function parameterValues(value: Json | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [name, entry] of Object.entries(asObject(value))) out[name] = { value: asObject(entry).value ?? null };
  return out;
}

/** The comparable form of a body. `desired` says which optional fields we set ourselves. */
export function comparable(kind: PlanItemKind, body: JsonObject, desired: JsonObject): JsonObject {
  const p = asObject(body.properties);
  const want = asObject(desired.properties);
  const out: JsonObject = {};
  const properties: JsonObject = {};
  for (const field of ['displayName', 'description']) nonEmpty(properties, field, p[field]);
  nonEmpty(properties, 'metadata', withoutKeys(asObject(withoutNulls(p.metadata)), AZURE_METADATA));
  if (kind === 'definition' || kind === 'initiative') {
    properties.policyType = asWritten(p.policyType ?? 'Custom', want.policyType ?? 'Custom') as Json;
    nonEmpty(properties, 'parameters', parameterDeclarations(p.parameters));
    if ('version' in want) properties.version = p.version ?? null;
  }
  if (kind === 'definition') {
    properties.mode = asWritten(p.mode ?? 'Indexed', want.mode ?? 'Indexed') as Json;
    nonEmpty(properties, 'policyRule', p.policyRule);
  }
  if (kind === 'initiative') {
    const members: JsonObject = {};
    const wantVersion = Array.isArray(want.policyDefinitions)
      ? want.policyDefinitions.some(m => 'definitionVersion' in asObject(m))
      : false;
    for (const member of Array.isArray(p.policyDefinitions) ? p.policyDefinitions : []) {
      const m = asObject(member);
      const entry: JsonObject = { policyDefinitionId: lowerId(m.policyDefinitionId) ?? null };
      nonEmpty(entry, 'parameters', parameterValues(m.parameters));
      nonEmpty(entry, 'groupNames', m.groupNames);
      if (wantVersion) nonEmpty(entry, 'definitionVersion', m.definitionVersion);
      // Members are matched by reference id: Azure keeps their order, but it changes nothing.
      members[String(m.policyDefinitionReferenceId ?? m.policyDefinitionId)] = entry;
    }
    properties.policyDefinitions = members;
    nonEmpty(properties, 'policyDefinitionGroups', withoutNulls(p.policyDefinitionGroups));
  }
  if (kind === 'exemption') {
    properties.policyAssignmentId = lowerId(p.policyAssignmentId) ?? null;
    properties.exemptionCategory = (asWritten(p.exemptionCategory, want.exemptionCategory) ?? null) as Json;
    nonEmpty(
      properties,
      'policyDefinitionReferenceIds',
      asWritten(p.policyDefinitionReferenceIds, want.policyDefinitionReferenceIds)
    );
    // An instant compares as an instant: Azure may answer `…Z` for `….000Z`.
    const expires = typeof p.expiresOn === 'string' ? Date.parse(p.expiresOn) : NaN;
    if (!Number.isNaN(expires)) properties.expiresOn = new Date(expires).toISOString();
    properties.assignmentScopeValidation = asWritten(
      p.assignmentScopeValidation ?? 'Default',
      want.assignmentScopeValidation ?? 'Default'
    ) as Json;
    // Selectors narrow what the exemption covers: one Azure holds with them is not the one we would write.
    nonEmpty(properties, 'resourceSelectors', withoutNulls(p.resourceSelectors));
  }
  if (kind === 'assignment') {
    properties.policyDefinitionId = lowerId(p.policyDefinitionId) ?? null;
    nonEmpty(properties, 'parameters', parameterValues(p.parameters));
    properties.enforcementMode = asWritten(p.enforcementMode ?? 'Default', want.enforcementMode ?? 'Default') as Json;
    nonEmpty(properties, 'notScopes', Array.isArray(p.notScopes) ? (p.notScopes.map(lowerId) as Json[]) : undefined);
    // Messages are matched by the member they are for (none: the assignment's own).
    const messages: JsonObject = {};
    for (const message of Array.isArray(p.nonComplianceMessages) ? p.nonComplianceMessages : []) {
      const m = asObject(message);
      messages[String(m.policyDefinitionReferenceId ?? '(all)')] = m.message ?? null;
    }
    nonEmpty(properties, 'nonComplianceMessages', messages);
    nonEmpty(properties, 'resourceSelectors', withoutNulls(p.resourceSelectors));
    nonEmpty(properties, 'overrides', withoutNulls(p.overrides));
    if ('definitionVersion' in want) nonEmpty(properties, 'definitionVersion', p.definitionVersion);
    if (typeof body.location === 'string') out.location = foldCase(body.location.replace(/\s+/g, ''));
    const identity = asObject(body.identity);
    if (identity.type !== undefined && identity.type !== 'None') {
      const entry: JsonObject = { type: identity.type };
      nonEmpty(
        entry,
        'userAssignedIdentities',
        Object.fromEntries(Object.keys(asObject(identity.userAssignedIdentities)).map(id => [foldCase(id), {}]))
      );
      out.identity = entry;
    }
  }
  out.properties = properties;
  return out;
}

/** The fields that differ between two comparable forms, as paths into the REST body. */
export function fieldChanges(before: Json | undefined, after: Json | undefined, path = ''): FieldChange[] {
  if (before !== undefined && after !== undefined && canonicalJson(before) === canonicalJson(after)) return [];
  const isObject = (v: Json | undefined): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap(k => fieldChanges(before[k], after[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => fieldChanges(b, after[i], `${path}[${i}]`));
  }
  const change: FieldChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}

/** The differences between what Azure holds and what we would PUT, ignoring what Azure adds. */
export function compareBodies(kind: PlanItemKind, existing: JsonObject, desired: JsonObject): FieldChange[] {
  return fieldChanges(comparable(kind, existing, desired), comparable(kind, desired, desired));
}
