/**
 * The shape of Resource Manager's answers to policy list requests (and, below, to Policy
 * Insights' and Resource Graph's queries), checked before the SDK reads them. The SDK assumes the documented shape: a `value` that is not a list, an item
 * that is `null` or a member list that is a string makes it throw a TypeError, and an item
 * whose `id` or `properties` is not what ARM sends is quietly dropped or emptied. Quietly is
 * the danger: a definition that could not be read would be planned as a *create*, and the PUT
 * would overwrite something cmk-guard has not seen, owned by someone else. So an answer that
 * is not in the shape policy 2025-03-01 documents stops the run, saying where it is wrong,
 * before anything is written.
 *
 * What is checked is what cmk-guard reads: the page (`value`, `nextLink`), each item's `id`
 * (a policy resource id of the listed type), `name` (the id's last segment), `properties`, and
 * the members the plan compares. Nesting deeper than MAX_ANSWER_DEPTH is refused, so nothing
 * downstream recurses without bound.
 */
import { nameOfId, sameId } from './scope.js';
import { foldCase } from '../model/foldCase.js';

/** Deeper than any policy Azure accepts (a rule holds at most 512 nested conditions). */
export const MAX_ANSWER_DEPTH = 1000;

export type PolicyListKind = 'policyDefinitions' | 'policySetDefinitions' | 'policyAssignments';

type Loose = { [key: string]: unknown };

function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The kind of list a request path asks for, or undefined when it is not a policy list. */
export function policyListKind(path: string): PolicyListKind | undefined {
  const match =
    /\/providers\/microsoft\.authorization\/(policydefinitions|policysetdefinitions|policyassignments)$/i.exec(path);
  if (!match) return undefined;
  const lower = foldCase(match[1]);
  return lower === 'policydefinitions'
    ? 'policyDefinitions'
    : lower === 'policysetdefinitions'
      ? 'policySetDefinitions'
      : 'policyAssignments';
}

/** The kind of policy resource a request path reads by name (`…/policyDefinitions/{name}`), or undefined. */
export function policyItemKind(path: string): PolicyListKind | undefined {
  const at = path.replace(/\/+$/, '').lastIndexOf('/');
  return at > 0 ? policyListKind(path.slice(0, at)) : undefined;
}

/** How deep a JSON value nests, counted without recursion, stopping past `limit`. */
export function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** ARM answers `null` for an optional field that is unset as often as it leaves it out: both are absent. */
const absent = (value: unknown) => value === undefined || value === null;

class Problems {
  first: string | undefined;
  note(path: string, what: string): void {
    this.first ??= `${path} ${what}`;
  }
  /** A required value that is not there at all. */
  private missing(value: unknown, path: string, required: boolean): boolean {
    if (value !== undefined || !required) return false;
    this.note(path, 'is missing');
    return true;
  }
  string(value: unknown, path: string, required = false): void {
    if ((absent(value) && !required) || this.missing(value, path, required)) return;
    if (typeof value !== 'string') this.note(path, `is ${describe(value)}, not a string`);
  }
  object(value: unknown, path: string, required = false): value is Loose {
    if ((absent(value) && !required) || this.missing(value, path, required)) return false;
    if (!isObject(value)) {
      this.note(path, `is ${describe(value)}, not an object`);
      return false;
    }
    return true;
  }
  list(value: unknown, path: string, required = false): value is unknown[] {
    if ((absent(value) && !required) || this.missing(value, path, required)) return false;
    if (!Array.isArray(value)) {
      this.note(path, `is ${describe(value)}, not a list`);
      return false;
    }
    return true;
  }
  /** `{name: {…}}`: parameter declarations or values. */
  entries(value: unknown, path: string): void {
    if (!this.object(value, path)) return;
    for (const [name, entry] of Object.entries(value as Loose)) this.object(entry, `${path}.${name}`, true);
  }
}

function checkItem(kind: PolicyListKind, item: unknown, at: string, problems: Problems, asked = 'listed'): void {
  if (!problems.object(item, at, true)) return;
  const resource = item as Loose;
  problems.string(resource.id, `${at}.id`, true);
  problems.string(resource.name, `${at}.name`, true);
  if (typeof resource.id === 'string') {
    if (policyListKind(resource.id.slice(0, resource.id.lastIndexOf('/'))) !== kind)
      problems.note(`${at}.id`, `is not the id of one of the ${kind} ${asked}`);
    else if (typeof resource.name === 'string' && !sameId(nameOfId(resource.id), resource.name))
      problems.note(`${at}.name`, `is not the last segment of its id`);
  }
  if (typeof resource.name === 'string' && resource.name.trim() === '') problems.note(`${at}.name`, 'is empty');
  if (!problems.object(resource.properties, `${at}.properties`, true)) return;
  const p = resource.properties as Loose;
  for (const field of ['displayName', 'description', 'policyType', 'mode', 'enforcementMode', 'version'])
    problems.string(p[field], `${at}.properties.${field}`);
  // `metadata` has no type in the API ("an open ended object"): any JSON value is within the contract, and
  // ownerOf reads an owner only from an object that holds one.
  if (kind === 'policyDefinitions') {
    problems.entries(p.parameters, `${at}.properties.parameters`);
    problems.object(p.policyRule, `${at}.properties.policyRule`);
  }
  if (kind === 'policySetDefinitions') {
    problems.entries(p.parameters, `${at}.properties.parameters`);
    if (absent(p.policyDefinitions)) problems.note(`${at}.properties.policyDefinitions`, 'is missing');
    if (problems.list(p.policyDefinitions, `${at}.properties.policyDefinitions`)) {
      (p.policyDefinitions as unknown[]).forEach((member, i) => {
        const path = `${at}.properties.policyDefinitions[${i}]`;
        if (!problems.object(member, path, true)) return;
        const m = member as Loose;
        problems.string(m.policyDefinitionId, `${path}.policyDefinitionId`, true);
        problems.string(m.policyDefinitionReferenceId, `${path}.policyDefinitionReferenceId`);
        problems.entries(m.parameters, `${path}.parameters`);
        problems.list(m.groupNames, `${path}.groupNames`);
      });
    }
    problems.list(p.policyDefinitionGroups, `${at}.properties.policyDefinitionGroups`);
  }
  if (kind === 'policyAssignments') {
    problems.string(p.policyDefinitionId, `${at}.properties.policyDefinitionId`, true);
    problems.entries(p.parameters, `${at}.properties.parameters`);
    if (problems.list(p.notScopes, `${at}.properties.notScopes`))
      (p.notScopes as unknown[]).forEach((s, i) => problems.string(s, `${at}.properties.notScopes[${i}]`, true));
    if (problems.list(p.nonComplianceMessages, `${at}.properties.nonComplianceMessages`)) {
      (p.nonComplianceMessages as unknown[]).forEach((message, i) => {
        const path = `${at}.properties.nonComplianceMessages[${i}]`;
        if (problems.object(message, path, true)) problems.string((message as Loose).message, `${path}.message`, true);
      });
    }
    problems.string(resource.location, `${at}.location`);
    problems.object(resource.identity, `${at}.identity`);
  }
}

/**
 * What is wrong with the body of a write's successful answer, or undefined: a PUT answers with
 * what was written (an object with `properties`); a DELETE with nothing, or with what was deleted.
 * An error body, a proxy's page (the SDK gives it as a string) or no body at all in place of that
 * says nothing of whether the write was done. The id is not compared with the name written: Azure's
 * own examples answer with another (createOrUpdatePolicyDefinitionAdvancedParams.json).
 */
export function writeAnswerProblem(method: 'PUT' | 'DELETE', body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return method === 'PUT' ? 'no body' : undefined;
  if (body === NOT_JSON || typeof body === 'string') return 'a body that is not JSON';
  if (!isObject(body)) return `a body that is ${describe(body)}`;
  if (body.error !== undefined) return 'an error body';
  if (method === 'DELETE') return undefined;
  if (!isObject(body.properties)) return 'a body without properties';
  return undefined;
}

/** The parsed body a check is given when the answer is not JSON. */
export const NOT_JSON: unique symbol = Symbol('not JSON');

/** A next-page link, when there is one: a string that is an absolute URL. */
function checkNextLink(value: unknown, path: string, problems: Problems): void {
  if (absent(value)) return;
  problems.string(value, path);
  // ARM's nextLink is an absolute URL; where it points is the origin guard's to check.
  if (typeof value === 'string' && value !== '' && !URL.canParse(value)) problems.note(path, 'is not a URL');
}

/**
 * The items of a page (`value`, and its next-page link under `nextLinkName`, whose problems are noted), or
 * why the page is not one: not JSON, not an object, no `value` list, or nested past MAX_ANSWER_DEPTH.
 */
function pageItems(body: unknown, nextLinkName: string, problems: Problems): unknown[] | string {
  if (body === NOT_JSON) return 'the answer is not JSON';
  if (!problems.object(body, 'the answer', true)) return problems.first!;
  const page = body as Loose;
  if (page.value === undefined) return 'the answer has no `value` list';
  if (!problems.list(page.value, 'value', true)) return problems.first!;
  checkNextLink(page[nextLinkName], nextLinkName, problems);
  if (nestingDepth(page.value, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH)
    return `the answer nests deeper than ${MAX_ANSWER_DEPTH} levels`;
  return page.value as unknown[];
}

/**
 * Where a page of a policy list departs from the documented shape, as "value[2].name is a
 * number, not a string", or undefined when it does not.
 */
export function checkPolicyListPage(kind: PolicyListKind, body: unknown): string | undefined {
  const problems = new Problems();
  const items = pageItems(body, 'nextLink', problems);
  if (typeof items === 'string') return items;
  items.forEach((item, i) => checkItem(kind, item, `value[${i}]`, problems));
  return problems.first;
}

/**
 * Where a policy resource read by name (a GET of one definition, initiative or assignment: what
 * deploy reads back after a lost answer, and each assignment Resource Graph points to) departs from
 * the documented shape, or undefined. Without it, an error body answered 200 reads as a resource
 * with no properties: one that differs from what was written, or that assigns nothing.
 */
export function checkPolicyItem(kind: PolicyListKind, body: unknown): string | undefined {
  if (body === NOT_JSON) return 'the answer is not JSON';
  if (nestingDepth(body, MAX_ANSWER_DEPTH) > MAX_ANSWER_DEPTH)
    return `the answer nests deeper than ${MAX_ANSWER_DEPTH} levels`;
  const problems = new Problems();
  checkItem(kind, body, 'the answer', problems, 'asked for');
  return problems.first;
}

/** What cmk-guard reads of a policy state besides `resourceId`: strings, when present. */
const POLICY_STATE_STRINGS = [
  'resourceType',
  'complianceState',
  'policyAssignmentId',
  'policyDefinitionId',
  'policyDefinitionReferenceId',
  'policyDefinitionName',
  'policyDefinitionAction',
  'policySetDefinitionId'
];

/**
 * Where a page of Policy Insights' states (`PolicyStatesQueryResults`: `value`, `@odata.nextLink`)
 * departs from the documented shape, or undefined. The SDK reads a page without a `value` list (an
 * error body answered 200, a proxy's HTML page) as a page of no states, and compliance would pass
 * on it; a state that is `null`, or a field of another type, made it throw a TypeError.
 */
export function checkPolicyStatesPage(body: unknown): string | undefined {
  const problems = new Problems();
  const items = pageItems(body, '@odata.nextLink', problems);
  if (typeof items === 'string') return items;
  items.forEach((state, i) => {
    const at = `value[${i}]`;
    if (!problems.object(state, at, true)) return;
    const fields = state as Loose;
    problems.string(fields.resourceId, `${at}.resourceId`, true);
    for (const field of POLICY_STATE_STRINGS) problems.string(fields[field], `${at}.${field}`);
    if (!absent(fields.isCompliant) && typeof fields.isCompliant !== 'boolean')
      problems.note(`${at}.isCompliant`, `is ${describe(fields.isCompliant)}, not true or false`);
    problems.string(fields.timestamp, `${at}.timestamp`);
    if (typeof fields.timestamp === 'string' && !Number.isFinite(Date.parse(fields.timestamp)))
      problems.note(`${at}.timestamp`, 'is not a date');
  });
  return problems.first;
}

/**
 * Where an answer to a Resource Graph query (`QueryResponse`) departs from the documented shape, or
 * undefined. The rows themselves (`data`, a list of objects) are checked as they are read; here the
 * page: an object, `$skipToken` a string, `resultTruncated` `"true"`/`"false"`, the counts numbers. A
 * `null` answer made the SDK throw a TypeError.
 */
export function checkResourceGraphAnswer(body: unknown): string | undefined {
  const problems = new Problems();
  if (body === NOT_JSON) return 'the answer is not JSON';
  if (!problems.object(body, 'the answer', true)) return problems.first;
  const page = body as Loose;
  if (!problems.list(page.data, 'data', true)) return problems.first;
  problems.string(page.$skipToken, '$skipToken');
  if (!absent(page.resultTruncated) && !['true', 'false'].includes(String(page.resultTruncated).toLowerCase()))
    problems.note('resultTruncated', 'is neither "true" nor "false"');
  for (const count of ['count', 'totalRecords'])
    if (!absent(page[count]) && typeof page[count] !== 'number')
      problems.note(count, `is ${describe(page[count])}, not a number`);
  return problems.first;
}
