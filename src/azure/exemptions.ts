/**
 * Azure Policy exemptions, through the raw REST pipeline (same credential, retries, deadlines and
 * limits as the SDK clients): @azure/arm-policy 7 has no exemptions client. api-version
 * 2022-07-01-preview, the newest with a published OpenAPI file.
 * https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure
 */
import type { ExemptionResource } from '../model/exemption.js';
import type { Json } from '../model/value.js';
import type { ArmConnection } from './connection.js';
import { ArmError } from './errors.js';
import { isAcceptedLater, WRITE_OPERATION_TIMEOUT_MS, type ArmResponse } from './rest.js';
import { ResourceGraph } from './resourceGraph.js';
import { parseScope, scopeOfId, type AzureScope } from './scope.js';

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
  const at = id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/policyexemptions/');
  return at < 0 ? id : id.slice(0, at);
}

export class ExemptionStore {
  constructor(private readonly connection: ArmConnection) {}

  /** The exemptions a list at `scope` gives (`filter` as the API takes it; none: at, above and below). */
  list(scope: string, filter?: string): Promise<ExemptionResource[]> {
    return this.connection.rest.listAll<ExemptionResource>({
      path: `${scope}/providers/Microsoft.Authorization/policyExemptions`,
      apiVersion: EXEMPTIONS_API_VERSION,
      query: { $filter: filter },
      doing: `listing the policy exemptions at ${scope}`
    });
  }

  /**
   * Every exemption that can apply to a resource in `scope`: at it, above it or below it. A
   * subscription's or resource group's unfiltered list holds all of those; a management group's
   * list does not go below it, so each of its subscriptions is listed.
   */
  async affecting(scope: AzureScope): Promise<ExemptionResource[]> {
    const scopes =
      scope.kind === 'managementGroup'
        ? (await new ResourceGraph(this.connection).subscriptions(scope)).map(id => `/subscriptions/${id}`)
        : [scope.id];
    const found = new Map<string, ExemptionResource>();
    if (scope.kind === 'managementGroup')
      for (const e of await this.list(scope.id, 'atScope()')) found.set(e.id.toLowerCase(), e);
    for (const at of scopes) for (const e of await this.list(at)) found.set(e.id.toLowerCase(), e);
    return [...found.values()].sort((a, b) => (a.id.toLowerCase() < b.id.toLowerCase() ? -1 : 1));
  }

  /**
   * The exemptions of the given assignments: an exemption is at or below its assignment's scope
   * (unless made with `assignmentScopeValidation: DoNotValidate`, which this does not look for),
   * so each assignment scope's exemptions are listed once and those naming one of `ids` kept.
   */
  async ofAssignments(ids: readonly string[]): Promise<ExemptionResource[]> {
    const wanted = new Set(ids.map(id => id.toLowerCase()));
    const scopes = new Map<string, AzureScope>();
    for (const id of ids) {
      const scope = parseScope(scopeOfId(id), 'the scope of a policy assignment');
      scopes.set(scope.id.toLowerCase(), scope);
    }
    const found = new Map<string, ExemptionResource>();
    for (const scope of scopes.values())
      for (const e of await this.affecting(scope))
        if (wanted.has(String(e.properties.policyAssignmentId).toLowerCase())) found.set(e.id.toLowerCase(), e);
    return [...found.values()];
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
    return this.finished(answer, `writing the policy exemption ${name} at ${scope}`, PUT_OK);
  }

  async delete(scope: string, name: string): Promise<{ status: number }> {
    const answer = await this.connection.rest.send({
      method: 'DELETE',
      path: exemptionId(scope, name),
      apiVersion: EXEMPTIONS_API_VERSION,
      expect: [...DELETE_OK, 202],
      doing: `deleting the policy exemption ${name} at ${scope}`
    });
    return this.finished(answer, `deleting the policy exemption ${name} at ${scope}`, DELETE_OK);
  }

  /** A write's answer, or, when Resource Manager accepted it to finish later (202), the operation's end. */
  private async finished(answer: ArmResponse, doing: string, ok: readonly number[]): Promise<{ status: number }> {
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
    for (const id of new Set(exemptions.map(e => e.properties.policyAssignmentId.toLowerCase()))) {
      const definition = (await this.assignment(id))?.properties.policyDefinitionId;
      ours.set(id, typeof definition === 'string' && isOurs(definition));
    }
    return exemptions.filter(e => ours.get(e.properties.policyAssignmentId.toLowerCase()) === true);
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
    return answer.status === 200 ? answer.body : undefined;
  }
}
