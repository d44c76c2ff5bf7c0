/**
 * @azure/arm-policy 7 returns flattened models: no `properties` wrapper, and every parameter's
 * `metadata` split into known fields plus `additionalProperties: {}`. Compared with what we
 * send, every definition would look changed. These put a model back into the REST shape
 * (the body a GET returns), so both sides of a comparison have the same shape.
 */
import type { PolicyAssignment, PolicyDefinition, PolicySetDefinition } from '@azure/arm-policy';
import type { Json } from '../model/value.js';

export interface RestPolicyResource {
  id: string;
  name: string;
  properties: { [key: string]: Json };
  location?: string;
  identity?: Json;
}

type Loose = { [key: string]: unknown };

/** A copy without undefined members (JSON has none), recursively. */
export function dropUndefined(value: unknown): Json {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Loose)) if (v !== undefined) out[k] = dropUndefined(v);
    return out;
  }
  return value as Json;
}

function pick(model: Loose, names: readonly string[]): { [key: string]: Json } {
  const out: Loose = {};
  for (const name of names) if (model[name] !== undefined) out[name] = model[name];
  return dropUndefined(out) as { [key: string]: Json };
}

function parameterDefinitions(parameters: unknown): Json | undefined {
  if (parameters === undefined || parameters === null) return undefined;
  const out: { [name: string]: Json } = {};
  for (const [name, spec] of Object.entries(parameters as Record<string, Loose>)) {
    const { metadata, ...rest } = spec ?? {};
    const entry = dropUndefined(rest) as { [key: string]: Json };
    if (metadata && typeof metadata === 'object') {
      const { additionalProperties, ...known } = metadata as Loose;
      entry.metadata = dropUndefined({ ...((additionalProperties as Loose | undefined) ?? {}), ...known });
    }
    out[name] = entry;
  }
  return out;
}

function withParameters(properties: { [key: string]: Json }, parameters: unknown) {
  const rest = parameterDefinitions(parameters);
  if (rest !== undefined) properties.parameters = rest;
  return properties;
}

const DEFINITION_FIELDS = [
  'displayName',
  'description',
  'policyType',
  'mode',
  'metadata',
  'policyRule',
  'version',
  'versions',
  'externalEvaluationEnforcementSettings'
] as const;

export function definitionToRest(model: PolicyDefinition): RestPolicyResource {
  const loose = model as unknown as Loose;
  return {
    id: String(model.id ?? ''),
    name: String(model.name ?? ''),
    properties: withParameters(pick(loose, DEFINITION_FIELDS), loose.parameters)
  };
}

const SET_FIELDS = [
  'displayName',
  'description',
  'policyType',
  'metadata',
  'policyDefinitionGroups',
  'version',
  'versions'
] as const;

const REFERENCE_FIELDS = [
  'policyDefinitionId',
  'definitionVersion',
  'parameters',
  'policyDefinitionReferenceId',
  'groupNames'
] as const;

export function setDefinitionToRest(model: PolicySetDefinition): RestPolicyResource {
  const loose = model as unknown as Loose;
  const properties = withParameters(pick(loose, SET_FIELDS), loose.parameters);
  if (Array.isArray(model.policyDefinitions))
    properties.policyDefinitions = model.policyDefinitions.map(ref => pick(ref as unknown as Loose, REFERENCE_FIELDS));
  return { id: String(model.id ?? ''), name: String(model.name ?? ''), properties };
}

const ASSIGNMENT_FIELDS = [
  'displayName',
  'policyDefinitionId',
  'definitionVersion',
  'scope',
  'notScopes',
  'parameters',
  'description',
  'metadata',
  'enforcementMode',
  'nonComplianceMessages',
  'resourceSelectors',
  'overrides',
  'assignmentType',
  'instanceId'
] as const;

export function assignmentToRest(model: PolicyAssignment): RestPolicyResource {
  const resource: RestPolicyResource = {
    id: String(model.id ?? ''),
    name: String(model.name ?? ''),
    properties: pick(model as unknown as Loose, ASSIGNMENT_FIELDS)
  };
  if (model.location !== undefined) resource.location = model.location;
  if (model.identity !== undefined) resource.identity = dropUndefined(model.identity);
  return resource;
}

const KNOWN_METADATA = ['displayName', 'description', 'strongType', 'assignPermissions'];

/**
 * A REST body → the flattened model the SDK's create methods take (they wrap `properties`
 * again). Parameter metadata beyond the four fields the model knows goes into
 * `additionalProperties`, or the SDK's serializer would drop it.
 */
export function toModel<T>(body: { properties: { [key: string]: Json }; location?: string; identity?: Json }): T {
  const { properties, ...rest } = body;
  const model: Loose = { ...properties, ...rest };
  const parameters = properties.parameters;
  if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) {
    model.parameters = Object.fromEntries(
      Object.entries(parameters).map(([name, spec]) => {
        const entry = { ...(spec as Loose) };
        const metadata = entry.metadata as Loose | undefined;
        if (metadata && typeof metadata === 'object') {
          const known: Loose = {};
          const additionalProperties: Loose = {};
          for (const [k, v] of Object.entries(metadata))
            (KNOWN_METADATA.includes(k) ? known : additionalProperties)[k] = v;
          entry.metadata = { ...known, additionalProperties };
        }
        return [name, entry];
      })
    );
  }
  return model as T;
}
