/**
 * Azure Policy exemptions, through the raw REST pipeline (same credential, retries, deadlines and
 * limits as the SDK clients): @azure/arm-policy 7 has no exemptions client. api-version
 * 2022-07-01-preview, the newest with a published OpenAPI file.
 * https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure
 */
import type { ExemptionResource } from '../model/exemption.js';
import type { Json } from '../model/value.js';
import { DEFAULT_CONCURRENCY, readEach } from './bounded.js';
import type { ArmConnection } from './connection.js';
import { ArmError, toArmError, writeAnswerError } from './errors.js';
import { groupsBelow } from './hierarchy.js';
import { MalformedAnswerError } from './policies.js';
import { isAcceptedLater, WRITE_OPERATION_TIMEOUT_MS, type ArmResponse } from './rest.js';
import { policyExemptionsQuery, ResourceGraph } from './resourceGraph.js';
import { parseScope, sameId, scopeOfId, shortScope, type AzureScope } from './scope.js';
import { Searches } from './searches.js';
import { foldCase } from '../model/foldCase.js';

export const EXEMPTIONS_API_VERSION = '2022-07-01-preview';
const PUT_OK = [200, 201];
/** 404: gone already (deleted meanwhile, or with the resource it was on), which is what was asked. */
const DELETE_OK = [200, 204, 404];

export type { ExemptionResource };

/** An exemption cmk-guard writes: where, its name, its REST properties, and the entry it comes from. */
export interface DesiredExemption {
  /** A management group, subscription, resource group or resource id. */
  scope: string;
  name: string;
  properties: { [key: string]: Json };
  /** The configuration entry, `file:line`. */
  source: string;
}

/** `{scope}/providers/Microsoft.Authorization/policyExemptions/{name}`. */
export function exemptionId(scope: string, name: string): string {
  return `${scope.replace(/\/+$/, '')}/providers/Microsoft.Authorization/policyExemptions/${name}`;
}

/** The scope an exemption is at: everything before its `/providers/Microsoft.Authorization/policyExemptions/`. */
export function exemptionScope(id: string): string {
  const at = foldCase(id).lastIndexOf('/providers/microsoft.authorization/policyexemptions/');
  return at < 0 ? id : id.slice(0, at);
}

/**
 * An exemption as Azure answered it, checked for what cmk-guard reads: a string `id` and `name`,
 * `properties` an object with a string `policyAssignmentId` (required by the API). Anything else
 * is a malformed answer, not an exemption to skip: skipping one could plan a create over it.
 * Fields that are `null` are read as absent (ARM answers either for an unset optional field).
 */
export function checkExemption(value: unknown, doing: string, secrets: readonly string[] = []): ExemptionResource {
  const problem = (what: string) =>
    toArmError(new MalformedAnswerError(`a policy exemption ${what}`, ''), doing, secrets);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw problem('is not an object');
  const item = value as { id?: unknown; name?: unknown; properties?: unknown };
  if (typeof item.id !== 'string' || item.id === '') throw problem('has no id');
  const properties = item.properties;
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
    throw problem(`${item.id} has no properties object`);
  const kept: { [key: string]: Json } = {};
  for (const [key, field] of Object.entries(properties as { [key: string]: Json }))
    if (field !== null && field !== undefined) kept[key] = field;
  if (typeof kept.policyAssignmentId !== 'string' || kept.policyAssignmentId === '')
    throw problem(`${item.id} names no policyAssignmentId`);
  if (typeof kept.exemptionCategory !== 'string') throw problem(`${item.id} has no exemptionCategory`);
  const name =
    typeof item.name === 'string' && item.name !== '' ? item.name : item.id.slice(item.id.lastIndexOf('/') + 1);
  return { ...(value as object), id: item.id, name, properties: kept } as ExemptionResource;
}

export class ExemptionStore {
  constructor(
    private readonly connection: ArmConnection,
    /** Where the searches below a management group and across the tenant say what they could not do. */
    private readonly searches: Searches = new Searches()
  ) {}

  /** The exemptions a list at `scope` gives (`filter` as the API takes it; none: at, above and below). */
  async list(scope: string, filter?: string): Promise<ExemptionResource[]> {
    const doing = `listing the policy exemptions at ${scope}`;
    const items = await this.connection.rest.listAll<unknown>({
      path: `${scope}/providers/Microsoft.Authorization/policyExemptions`,
      apiVersion: EXEMPTIONS_API_VERSION,
      query: { $filter: filter },
      doing
    });
    return items.map(item => checkExemption(item, doing, this.connection.secrets));
  }

  /**
   * Every exemption that can apply to a resource in `scope`: at it, above it or below it. A
   * subscription's or resource group's unfiltered list holds all of those. A management group's
   * list does not go below it: its own `atScope()` list gives it and the groups above, each
   * subscription's list what is in the subscription and at the groups holding it, and each group
   * below it (from the descendants list; one that holds no subscription is in no subscription's
   * list) is listed `atExactScope()`.
   */
  async affecting(scope: AzureScope): Promise<ExemptionResource[]> {
    const lists: [string, string | undefined][] = [
      [scope.id, scope.kind === 'managementGroup' ? 'atScope()' : undefined]
    ];
    if (scope.kind === 'managementGroup') {
      const unlisted =
        'An exemption there is not listed: none is deleted there, and one to write there is read by its id first.';
      const [subscriptions, groups] = await Promise.all([
        this.searches.widen(
          `the exemptions in the subscriptions under ${shortScope(scope)}`,
          unlisted,
          () => new ResourceGraph(this.connection).subscriptions(scope),
          []
        ),
        this.searches.widen(
          `the exemptions at the management groups under ${shortScope(scope)}`,
          unlisted,
          () => groupsBelow(this.connection, scope),
          []
        )
      ]);
      for (const id of subscriptions) lists.push([`/subscriptions/${id}`, undefined]);
      for (const group of groups) lists.push([group.id, 'atExactScope()']);
    }
    const found = new Map<string, ExemptionResource>();
    for (const [at, filter] of lists) for (const e of await this.list(at, filter)) found.set(foldCase(e.id), e);
    return [...found.values()].sort((a, b) => (foldCase(a.id) < foldCase(b.id) ? -1 : 1));
  }

  /**
   * The exemptions of the given assignments. An exemption is at or below its assignment's scope,
   * so each assignment scope's exemptions are listed once and those naming one of `ids` kept;
   * and, as one made with `assignmentScopeValidation: DoNotValidate` may be anywhere (Azure allows
   * it outside the assignment's scope, e.g. on a subscription about to move under it), those
   * Resource Graph finds anywhere else (`outside`) are added.
   */
  async ofAssignments(ids: readonly string[]): Promise<ExemptionResource[]> {
    const wanted = new Set(ids.map(id => foldCase(id)));
    const scopes = new Map<string, AzureScope>();
    for (const id of ids) {
      const scope = parseScope(scopeOfId(id), 'the scope of a policy assignment');
      scopes.set(foldCase(scope.id), scope);
    }
    const found = new Map<string, ExemptionResource>();
    for (const scope of scopes.values())
      for (const e of await this.affecting(scope))
        if (wanted.has(foldCase(e.properties.policyAssignmentId))) found.set(foldCase(e.id), e);
    for (const e of await this.naming(ids)) found.set(foldCase(e.id), e);
    return [...found.values()].sort((a, b) => (foldCase(a.id) < foldCase(b.id) ? -1 : 1));
  }

  /**
   * Every exemption in the tenant (as far as the identity can read) that names one of the
   * assignments `ids`, wherever it is: their ids from Resource Graph's `policyresources`, each then
   * read from the exemptions API. Resource Graph lags writes by some seconds, so a row whose
   * exemption is gone (404), or names another assignment now, counts for nothing.
   */
  async naming(ids: readonly string[]): Promise<ExemptionResource[]> {
    if (!ids.length) return [];
    const doing = `finding the policy exemptions of ${ids.join(', ')} with Resource Graph`;
    const candidates = await this.searches.widen(
      `the exemptions of ${ids.join(', ')} anywhere in the tenant (those made outside the assignment's scope)`,
      'One outside the scope is not listed: none is deleted there.',
      () =>
        new ResourceGraph(this.connection).idsOf(
          'tenant',
          policyExemptionsQuery(ids),
          doing,
          'Microsoft.Authorization/policyExemptions'
        ),
      []
    );
    return readEach(
      candidates,
      DEFAULT_CONCURRENCY,
      id => this.get(id),
      exemption => ids.some(a => sameId(exemption.properties.policyAssignmentId, a))
    );
  }

  /** An exemption by id, or undefined when there is none (404). */
  async get(id: string): Promise<ExemptionResource | undefined> {
    const doing = `reading the policy exemption ${id}`;
    const answer = await this.connection.rest.send<unknown>({
      method: 'GET',
      path: id,
      apiVersion: EXEMPTIONS_API_VERSION,
      expect: [200, 404],
      doing
    });
    return answer.status === 200 ? checkExemption(answer.body, doing, this.connection.secrets) : undefined;
  }

  async put(scope: string, name: string, properties: { [key: string]: Json }): Promise<{ status: number }> {
    const answer = await this.connection.rest.send({
      method: 'PUT',
      path: exemptionId(scope, name),
      apiVersion: EXEMPTIONS_API_VERSION,
      body: { properties },
      expect: [...PUT_OK, 202],
      doing: `writing the policy exemption ${name} at ${scope}`
    });
    return this.finished(answer, `writing the policy exemption ${name} at ${scope}`, PUT_OK, 'PUT');
  }

  async delete(scope: string, name: string): Promise<{ status: number }> {
    const answer = await this.connection.rest.send({
      method: 'DELETE',
      path: exemptionId(scope, name),
      apiVersion: EXEMPTIONS_API_VERSION,
      expect: [...DELETE_OK, 202],
      doing: `deleting the policy exemption ${name} at ${scope}`
    });
    return this.finished(answer, `deleting the policy exemption ${name} at ${scope}`, DELETE_OK, 'DELETE');
  }

  /**
   * A write's answer, or, when Resource Manager accepted it to finish later (202), the operation's end. A
   * success must come with what a success answers (`writeAnswerError`).
   */
  private async finished(
    answer: ArmResponse,
    doing: string,
    ok: readonly number[],
    method: 'PUT' | 'DELETE'
  ): Promise<{ status: number }> {
    const unexpected =
      ok.includes(answer.status) && answer.status < 300
        ? writeAnswerError(method, answer.status, answer.body, doing)
        : undefined;
    if (unexpected) throw unexpected;
    if (ok.includes(answer.status)) return { status: answer.status };
    if (!isAcceptedLater(answer))
      throw new ArmError(
        `Resource Manager answered 202 while ${doing} without saying where to follow it; cmk-guard does not know whether it was done. Run plan to see what Azure holds.`,
        202,
        'UnexpectedAnswer',
        ''
      );
    const done = await this.connection.rest.waitForOperation(answer, { timeoutMs: WRITE_OPERATION_TIMEOUT_MS, doing });
    return { status: done.status };
  }

  /**
   * The exemptions that apply to resources in `scope` for assignments of an initiative `isOurs`
   * accepts (given the assignment's `policyDefinitionId`): each exemption's assignment read once.
   */
  async forInitiative(
    scope: AzureScope,
    isOurs: (policyDefinitionId: string) => boolean
  ): Promise<ExemptionResource[]> {
    const exemptions = await this.affecting(scope);
    const ours = new Map<string, boolean>();
    for (const id of new Set(exemptions.map(e => foldCase(e.properties.policyAssignmentId)))) {
      const definition = (await this.assignment(id))?.properties.policyDefinitionId;
      ours.set(id, typeof definition === 'string' && isOurs(definition));
    }
    return exemptions.filter(e => ours.get(foldCase(e.properties.policyAssignmentId)) === true);
  }

  /** The assignment an exemption is for (policy 2025-03-01), or undefined when it is gone. */
  async assignment(id: string): Promise<{ id: string; properties: { [key: string]: Json } } | undefined> {
    const answer = await this.connection.rest.send<{ id: string; properties: { [key: string]: Json } }>({
      method: 'GET',
      path: id,
      apiVersion: '2025-03-01',
      expect: [200, 404],
      doing: `reading the policy assignment ${id}`
    });
    if (answer.status !== 200) return undefined;
    const body = answer.body as unknown;
    const properties =
      body !== null && typeof body === 'object' ? (body as { properties?: unknown }).properties : undefined;
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties))
      throw toArmError(
        new MalformedAnswerError(`the policy assignment ${id} has no properties object`, ''),
        `reading the policy assignment ${id}`,
        this.connection.secrets
      );
    return answer.body;
  }
}
