/**
 * Policy definitions as people have them on disk: one definition per file (Azure's exported
 * `{properties: {policyRule}}`, `{name, properties}`, a bare `{policyRule}`), the array that
 * `az policy definition list` and `az policy set-definition list` write, the REST API's
 * `{"value": [...]}`, and the portal's export to GitHub (`policies/<name>/policy.json`,
 * `initiatives/<name>/policyset.json`, `assign.<name>.json`). Policy set definitions
 * (initiatives) are kept with their members' references and parameter values, and evaluated
 * through their members: see `membersOf`.
 * https://learn.microsoft.com/azure/governance/policy/concepts/initiative-definition-structure
 */
import type { Value } from '../model/value.js';
import { Unknown, isObject } from '../model/value.js';
import { UserError, isUserError, type InputLocation } from '../model/errors.js';
import type { Resource } from '../model/resource.js';
import { definitionShape, loadDefinition, type CompiledDefinition, type EvaluateOptions } from './definition.js';
import { UnsupportedError } from './errors.js';
import { checkAssignmentValue } from './parameters.js';
import { foldCase } from '../model/foldCase.js';

export interface PolicySetMember {
  /** `policyDefinitionId`, as written. */
  definitionId: string;
  /** `policyDefinitionReferenceId`, or the definition's name when absent. */
  referenceId: string;
  /** The member's parameter values: JSON values, or `[parameters('name')]` of the set. */
  parameters: Record<string, unknown>;
}

export interface PolicySet {
  name: string;
  displayName: string;
  file: string | null;
  /** Where in the file (`[3]` for the fourth item of a list), for messages. */
  at: string;
  parameters: Record<string, { defaultValue?: unknown }>;
  members: PolicySetMember[];
  /**
   * On a pull request, that the file this comes from is one the change adds (the base does not have it): its
   * findings are reported, but until the change is merged its Append and Modify do not change the request the
   * base's definitions see, and an initiative it makes does not take over how they are evaluated.
   */
  addedByChange?: boolean;
}

export interface DefinitionFileContents {
  definitions: CompiledDefinition[];
  sets: PolicySet[];
  failures: {
    file: string;
    at: string;
    kind: 'invalid' | 'unsupported';
    message: string;
    /** Where in the file, when known (a JSON syntax error's line). */
    location?: InputLocation;
  }[];
  skipped: { file: string; reason: string }[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isObject(value as Value) ? (value as Record<string, unknown>) : undefined;
}

/** The body of a set definition in any accepted shape, or undefined. */
function setShape(json: unknown): { props: Record<string, unknown>; name?: string } | undefined {
  const obj = record(json);
  if (!obj) return undefined;
  const props = record(obj.properties) ?? obj;
  if (!Array.isArray(props.policyDefinitions)) return undefined;
  return { props, name: typeof obj.name === 'string' ? obj.name : undefined };
}

/** What one item of a definitions file is. */
function kindOf(json: unknown): 'definition' | 'set' | { reason: string } {
  if (definitionShape(json)) return 'definition';
  if (setShape(json)) return 'set';
  const obj = record(json);
  const props = record(obj?.properties) ?? obj;
  const type = typeof obj?.type === 'string' ? foldCase(obj.type) : '';
  if (type.endsWith('policyassignments') || (props && 'policyDefinitionId' in props))
    return { reason: 'a policy assignment' };
  if (type.endsWith('policyexemptions') || (props && 'exemptionCategory' in props))
    return { reason: 'a policy exemption' };
  return { reason: 'not a policy definition' };
}

/** The items of a file: a list (`az … list`), `{"value": [...]}` (the REST API), or one object. */
function itemsOf(json: unknown): { item: unknown; at: string }[] | null {
  if (Array.isArray(json)) return json.map((item, i) => ({ item, at: `[${i}]` }));
  const obj = record(json);
  if (obj && Array.isArray(obj.value) && Object.keys(obj).every(k => k === 'value' || k === 'nextLink'))
    return obj.value.map((item: unknown, i: number) => ({ item, at: `value[${i}]` }));
  return null;
}

function readSet(json: unknown, file: string | null, at: string): PolicySet {
  const shape = setShape(json) as { props: Record<string, unknown>; name?: string };
  const { props } = shape;
  const fromFile = file ? file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') : 'initiative';
  const name = shape.name ?? fromFile;
  const where = `${file ?? 'the initiative'}${at ? ` ${at}` : ''}`;
  const parameters: PolicySet['parameters'] = {};
  const declared = record(props.parameters) ?? {};
  for (const [pname, pdef] of Object.entries(declared)) parameters[pname] = record(pdef) ?? {};
  const members = (props.policyDefinitions as unknown[]).map((entry, i) => {
    const member = record(entry);
    if (!member || typeof member.policyDefinitionId !== 'string')
      throw new UserError(
        `the initiative '${name}' (${where}): policyDefinitions[${i}] has no policyDefinitionId; each member names the definition it uses.`,
        file ? { file } : undefined
      );
    const id = member.policyDefinitionId;
    const referenceId =
      typeof member.policyDefinitionReferenceId === 'string' && member.policyDefinitionReferenceId
        ? member.policyDefinitionReferenceId
        : definitionNameOf(id);
    const values: Record<string, unknown> = {};
    for (const [pname, entry] of Object.entries(record(member.parameters) ?? {})) {
      const given = record(entry);
      if (!given || !('value' in given))
        throw new UserError(
          `the initiative '${name}' (${where}): member '${referenceId}' gives parameter '${pname}' without a "value"; write {"value": …}.`,
          file ? { file } : undefined
        );
      values[pname] = given.value;
    }
    return { definitionId: id, referenceId, parameters: values };
  });
  return {
    name,
    displayName: typeof props.displayName === 'string' ? props.displayName : name,
    file,
    at,
    parameters,
    members
  };
}

/** The definition name an id ends with: `/providers/Microsoft.Authorization/policyDefinitions/<name>`. */
export function definitionNameOf(id: string): string {
  const parts = id.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? id;
}

/** Reads the definitions and sets a parsed JSON file holds; a bad item is a failure, the others still load. */
export function readDefinitionJson(json: unknown, file: string | null): DefinitionFileContents {
  const contents: DefinitionFileContents = { definitions: [], sets: [], failures: [], skipped: [] };
  const items = itemsOf(json) ?? [{ item: json, at: '' }];
  const list = itemsOf(json) !== null;
  for (const { item, at } of items) {
    const kind = kindOf(item);
    try {
      if (kind === 'definition') contents.definitions.push(loadDefinition({ file, json: item }));
      else if (kind === 'set') contents.sets.push(readSet(item, file, at));
      else if (!list) contents.skipped.push({ file: file ?? '', reason: kind.reason });
      else if (kind.reason !== 'not a policy definition')
        contents.skipped.push({ file: `${file ?? ''} ${at}`, reason: kind.reason });
      else
        contents.failures.push({
          file: file ?? '',
          at,
          kind: 'invalid',
          message: `${at} is not a policy definition or initiative: expected {"policyRule": …} or {"policyDefinitions": […]}, as az policy definition list and az policy set-definition list write them.`
        });
    } catch (error) {
      if (!isUserError(error)) throw error;
      contents.failures.push({
        file: file ?? '',
        at,
        kind: error instanceof UnsupportedError ? 'unsupported' : 'invalid',
        message: at ? `${at}: ${error.message}` : error.message
      });
    }
  }
  return contents;
}

const SET_PARAMETER = /^\[\s*parameters\(\s*'([^']*)'\s*\)\s*\]$/i;

/**
 * The definitions to evaluate for the sets given: each member is its definition (found among those
 * loaded, by id or by name) with the set's parameter values, named `<set>/<referenceId>`. A member
 * value is a JSON value, or `[parameters('name')]` of the set, which takes the set parameter's
 * default (there is no assignment offline) and is unknown without one. Definitions a set uses are
 * evaluated through it only, unless the set is one a pull request adds: the base's definitions are evaluated as
 * the base has them until the change is merged. A member is found among the base's definitions first, so a
 * definition the change adds under a base definition's name does not take its place in the base's sets. Throws
 * a UserError naming a member whose definition was not given.
 */
export function evaluationPlan(
  definitions: CompiledDefinition[],
  sets: PolicySet[]
): { definitions: CompiledDefinition[]; errors: UserError[] } {
  const byName = new Map<string, CompiledDefinition>();
  for (const definition of definitions)
    if (!definition.addedByChange) byName.set(foldCase(definition.name), definition);
  for (const definition of definitions) {
    const key = foldCase(definition.name);
    if (definition.addedByChange && !byName.has(key)) byName.set(key, definition);
  }
  const used = new Set<CompiledDefinition>();
  const members: CompiledDefinition[] = [];
  const errors: UserError[] = [];
  for (const set of sets) {
    for (const member of set.members) {
      const where = set.file ? { file: set.file } : undefined;
      const definition = byName.get(foldCase(definitionNameOf(member.definitionId)));
      if (!definition) {
        errors.push(
          new UserError(
            `the initiative '${set.name}' uses ${member.definitionId} (as '${member.referenceId}'), which is not among the definitions given; give it with --definitions too (az policy definition show --name ${definitionNameOf(member.definitionId)} writes it), or leave the initiative out.`,
            where
          )
        );
        continue;
      }
      try {
        const made = memberDefinition(set, member, definition);
        if (set.addedByChange || definition.addedByChange) made.addedByChange = true;
        members.push(made);
        if (!set.addedByChange) used.add(definition);
      } catch (error) {
        if (!isUserError(error)) throw error;
        errors.push(error);
      }
    }
  }
  return { definitions: [...definitions.filter(d => !used.has(d)), ...members], errors };
}

function memberDefinition(set: PolicySet, member: PolicySetMember, definition: CompiledDefinition): CompiledDefinition {
  const values: Record<string, Value> = {};
  for (const [pname, given] of Object.entries(member.parameters)) {
    const reference = typeof given === 'string' ? SET_PARAMETER.exec(given) : null;
    let value: Value;
    if (reference) {
      const setParameter = Object.entries(set.parameters).find(([k]) => foldCase(k) === foldCase(reference[1]));
      if (!setParameter)
        throw new UserError(
          `the initiative '${set.name}': member '${member.referenceId}' gives '${pname}' the initiative's parameter '${reference[1]}', which the initiative does not declare; declare it or give a value.`,
          set.file ? { file: set.file } : undefined
        );
      value =
        setParameter[1].defaultValue !== undefined
          ? (setParameter[1].defaultValue as Value)
          : new Unknown(
              `initiative parameter \`${setParameter[0]}\` (no default; an assignment gives it)`,
              `initiative:${set.name}:${setParameter[0]}`
            );
    } else if (typeof given === 'string' && /^\[[^[]/.test(given)) {
      throw new UserError(
        `the initiative '${set.name}': member '${member.referenceId}' gives '${pname}' the expression ${given}; cmk-guard evaluates initiatives whose member values are plain values or [parameters('name')], so give a value.`,
        set.file ? { file: set.file } : undefined
      );
    } else {
      value = (typeof given === 'string' && given.startsWith('[[') ? given.slice(1) : given) as Value;
    }
    const declared = Object.keys(definition.parameters).find(k => foldCase(k) === foldCase(pname));
    if (declared === undefined)
      throw new UserError(
        `the initiative '${set.name}': member '${member.referenceId}' gives parameter '${pname}', which definition '${definition.name}' does not declare (Azure refuses this: UndefinedPolicyParameter).`,
        set.file ? { file: set.file } : undefined
      );
    checkAssignmentValue(definition.name, set.file, declared, definition.parameters[declared], value);
    values[declared] = value;
  }
  return {
    ...definition,
    name: `${set.name}/${member.referenceId}`,
    appliesToType: (type: string) => definition.appliesToType(type),
    mayApply: (type: string) => definition.mayApply(type),
    evaluate: (resource: Resource, options: EvaluateOptions = {}) =>
      definition.evaluate(resource, { ...options, parameters: values })
  };
}
