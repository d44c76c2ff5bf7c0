/**
 * The live resources of a scope, read with Azure Resource Graph (@azure/arm-resourcegraph,
 * api-version 2024-04-01): only the types the rules apply to, a management group's every
 * subscription, page after page with `$skipToken` (at most 1,000 rows a page).
 * https://learn.microsoft.com/azure/governance/resource-graph/concepts/work-with-data
 *
 * A result Resource Graph cut short without a `$skipToken` (`resultTruncated: "true"`), or one for only the
 * first subscriptions of the scope (`x-ms-tenant-subscription-limit-hit: true`), is an error, never a smaller
 * set of resources evaluated as if it were all of them.
 */
import type { QueryRequest, QueryResponse } from '@azure/arm-resourcegraph';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { Json } from '../model/value.js';
import type { ArmConnection } from './connection.js';
import { ArmError, toArmError } from './errors.js';
import { answerCheckPolicy, sdkRead } from './policies.js';
import { checkResourceGraphAnswer } from './policyAnswers.js';
import { endlessEmptyPages, MAX_EMPTY_PAGES, MAX_PAGES } from './rest.js';
import { shortScope, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';

export const RESOURCE_GRAPH_API_VERSION = '2024-04-01';
/** The most rows Resource Graph returns in one answer. */
export const RESOURCE_GRAPH_PAGE_SIZE = 1000;
/**
 * Set to `true` on an answer that covers only the first 10,000 subscriptions of a management group's or the tenant's
 * scope (https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests).
 */
const SUBSCRIPTION_LIMIT_HEADER = 'x-ms-tenant-subscription-limit-hit';
/** How many times a result that changes while it is paged is read before cmk-guard gives up on it. */
const MAX_READS = 3;

export type ResourceRow = { [key: string]: Json };

/** KQL string literal: single-quoted, with `\` and `'` escaped. */
function kqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * The query: the `resources` table, the types asked for (all when `types` is null), a resource
 * group's rows when the scope is one, ordered by id so pages follow one another
 * deterministically. Rows keep every column (properties, identity, sku, kind, tags, …).
 */
export function resourceQuery(scope: AzureScope, types: readonly string[] | null): string {
  const lines = ['resources'];
  if (types !== null) lines.push(`| where type in~ (${[...types].sort().map(kqlString).join(', ')})`);
  if (scope.kind === 'resourceGroup') lines.push(`| where resourceGroup =~ ${kqlString(scope.resourceGroup)}`);
  lines.push('| order by id asc');
  return lines.join('\n');
}

/**
 * The policy assignments of a definition or initiative in Resource Graph's `policyresources`
 * table: in every subscription and resource group of the scope, which no Azure Policy list gives
 * for a management group. Only ids: Azure Policy is asked for each (Resource Graph lags writes).
 * https://learn.microsoft.com/azure/governance/policy/samples/resource-graph-samples
 */
export function policyAssignmentsQuery(definitionId: string): string {
  return [
    'policyresources',
    "| where type =~ 'microsoft.authorization/policyassignments'",
    `| where tostring(properties.policyDefinitionId) =~ ${kqlString(definitionId)}`,
    '| project id',
    '| order by id asc'
  ].join('\n');
}

/**
 * The policy exemptions that name any of the assignments `ids`, in `policyresources` (which holds
 * `microsoft.authorization/policyexemptions`): only ids, as each is read again from the exemptions
 * API (Resource Graph lags writes).
 * https://learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources
 */
export function policyExemptionsQuery(ids: readonly string[]): string {
  return [
    'policyresources',
    "| where type =~ 'microsoft.authorization/policyexemptions'",
    `| where tostring(properties.policyAssignmentId) in~ (${[...ids].map(kqlString).join(', ')})`,
    '| project id',
    '| order by id asc'
  ].join('\n');
}

/**
 * Where the query runs: a management group's subscriptions (and the groups at and below it), one
 * subscription, or the whole tenant as far as the identity can read it (no scope named).
 */
export function queryScope(scope: AzureScope | 'tenant'): Pick<QueryRequest, 'subscriptions' | 'managementGroups'> {
  if (scope === 'tenant') return {};
  return scope.kind === 'managementGroup'
    ? { managementGroups: [scope.managementGroup] }
    : { subscriptions: [scope.subscription] };
}

export class ResourceGraph {
  private client: ResourceGraphClient | undefined;

  constructor(private readonly connection: ArmConnection) {}

  private graph(): ResourceGraphClient {
    if (!this.client) {
      this.client = new ResourceGraphClient(this.connection.credential, this.connection.clientOptions());
      // Its throttling (429 with `x-ms-user-quota-resets-after`, not always Retry-After) is waited out as the
      // guard reads it (throttle.ts).
      this.connection.attach(this.client.pipeline);
      this.client.pipeline.addPolicy(
        answerCheckPolicy(
          (path, body) =>
            /\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(path)
              ? checkResourceGraphAnswer(body)
              : undefined,
          ['POST']
        ),
        { afterPhase: 'Sign' }
      );
    }
    return this.client;
  }

  /**
   * The ids of the rows `query` answers that are resources of `type` (e.g. `Microsoft.Authorization/policyAssignments`),
   * once each. A row of any other kind is not what the query asked for (a Resource Graph that does not filter as
   * Azure's does) and is passed over, so nothing is read back as what it is not.
   */
  async idsOf(scope: AzureScope | 'tenant', query: string, doing: string, type: string): Promise<string[]> {
    const suffix = new RegExp(`/providers/${type.replace(/[.]/g, '\\.')}/[^/]+$`, 'i');
    const ids = new Map<string, string>();
    for await (const row of this.rows(scope, query, doing))
      if (typeof row.id === 'string' && suffix.test(row.id)) ids.set(foldCase(row.id), row.id);
    return [...ids.values()];
  }

  /**
   * Every row a query gives at a scope, page after page. Each page runs the query again, and its `$skipToken` holds
   * an offset into the result: a resource created or deleted between two pages shifts the rows, so a page repeats
   * one or skips one, even ordered by id (paging-results, "Pagination in dynamic environments"). A result that
   * changed while it was paged (a row on two pages, or `totalRecords` other than the first page's) is read again from the
   * first page, up to MAX_READS times; one that never holds still is an error, as a skipped row is a resource never
   * read.
   */
  async *rows(scope: AzureScope | 'tenant', query: string, doing: string): AsyncGenerator<ResourceRow> {
    for (let read = 1; ; read++) {
      const { rows, changed } = await this.readOnce(scope, query, doing);
      if (changed === undefined) {
        yield* rows;
        return;
      }
      if (read >= MAX_READS)
        throw new ArmError(
          `Resource Graph's answer changed while cmk-guard read it page by page, ${read} times in a row, while ${doing} (${changed}): resources there are being created or deleted, and a row a page skipped would be a resource never read. Run it again when the scope is quieter, or narrow it.`,
          200,
          'ResultChanged',
          ''
        );
      this.connection.log?.(
        `Resource Graph's answer changed while it was read page by page (${changed}); reading it again from the first page.`
      );
    }
  }

  /** The pages of one read of a query, and how the result changed meanwhile, if it did. */
  private async readOnce(
    scope: AzureScope | 'tenant',
    query: string,
    doing: string
  ): Promise<{ rows: ResourceRow[]; changed?: string }> {
    let skipToken: string | undefined;
    const seen = new Set<string>();
    const rows: ResourceRow[] = [];
    const ids = new Set<string>();
    let total: number | undefined;
    let changed: string | undefined;
    let empty = 0;
    for (let page = 0; ; page++) {
      const request: QueryRequest = {
        ...queryScope(scope),
        query,
        options: { top: RESOURCE_GRAPH_PAGE_SIZE, resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) }
      };
      let response: QueryResponse;
      let limitHit = false;
      const onResponse = (raw: { headers: { get(name: string): string | undefined } }) => {
        limitHit = foldCase(raw.headers.get(SUBSCRIPTION_LIMIT_HEADER)?.trim() ?? '') === 'true';
      };
      try {
        response = await sdkRead(() => this.graph().resources(request, { onResponse }));
      } catch (error) {
        throw toArmError(error, doing, this.connection.secrets);
      }
      if (limitHit)
        throw new ArmError(
          `Resource Graph answered for only part of the scope while ${doing}: the identity can read more subscriptions there than one query covers, and Resource Graph answered for the first of them only (${SUBSCRIPTION_LIMIT_HEADER}: true). cmk-guard evaluates all of a scope or nothing; narrow the scope (a management group lower down, or a subscription).`,
          200,
          'SubscriptionLimitHit',
          ''
        );
      const data = response.data as unknown;
      if (!Array.isArray(data)) {
        throw new ArmError(
          `Resource Graph's answer while ${doing} has no \`data\` list of rows; the endpoint does not speak the Resource Graph API.`,
          200,
          'ResourceGraphShape',
          ''
        );
      }
      const pageIds = new Set<string>();
      for (const row of data) {
        if (row === null || typeof row !== 'object' || Array.isArray(row)) {
          throw new ArmError(
            `Resource Graph's answer while ${doing} holds a row that is not an object.`,
            200,
            'ResourceGraphShape',
            ''
          );
        }
        // A row an earlier page gave (within one page, a row twice is the query's, not paging's).
        const id = (row as ResourceRow).id;
        if (typeof id === 'string') {
          if (ids.has(foldCase(id))) changed ??= `the row ${id} came on two pages`;
          pageIds.add(foldCase(id));
        }
        rows.push(row as ResourceRow);
      }
      for (const id of pageIds) ids.add(id);
      if (typeof response.totalRecords === 'number') {
        if (total !== undefined && response.totalRecords !== total)
          changed ??= `${total} rows on the first page, ${response.totalRecords} on a later one`;
        total ??= response.totalRecords;
      }
      const next = response.skipToken;
      empty = data.length ? 0 : empty + 1;
      if (next && empty >= MAX_EMPTY_PAGES) throw endlessEmptyPages('Resource Graph', doing);
      if (!next) {
        if (foldCase(String(response.resultTruncated)) === 'true') {
          throw new ArmError(
            `Resource Graph cut its answer short while ${doing} (resultTruncated, no $skipToken, ${response.count} of ${response.totalRecords} rows): cmk-guard evaluates all of a scope or nothing; narrow the scope.`,
            200,
            'ResultTruncated',
            ''
          );
        }
        return { rows, changed };
      }
      if (page + 1 >= MAX_PAGES || seen.has(next)) {
        throw new ArmError(
          `Resource Graph kept sending more pages (or the same page again) while ${doing}; cmk-guard stopped after ${page + 1}.`,
          undefined,
          'Paging',
          ''
        );
      }
      seen.add(next);
      skipToken = next;
    }
  }

  /** The resources of these types (lowercased; null for every type) at a scope. */
  async resources(scope: AzureScope, types: readonly string[] | null): Promise<ResourceRow[]> {
    if (types !== null && types.length === 0) return [];
    const doing = `reading the resources of ${shortScope(scope)} from Resource Graph`;
    const rows: ResourceRow[] = [];
    for await (const row of this.rows(scope, resourceQuery(scope, types), doing)) rows.push(row);
    return rows;
  }

  /**
   * The management groups each subscription of `scope` is in (the subscription's id and the groups' names, folded),
   * from its row in `resourcecontainers`: `properties.managementGroupAncestorsChain` lists them from the group that
   * holds it up to the root group. A subscription without the list is in none Azure names.
   * https://learn.microsoft.com/azure/governance/management-groups/resource-graph-samples
   */
  async groupsOfSubscriptions(scope: AzureScope): Promise<Map<string, string[]>> {
    const query = [
      'resourcecontainers',
      "| where type =~ 'microsoft.resources/subscriptions'",
      '| project id, subscriptionId, properties',
      '| order by id asc'
    ].join('\n');
    const doing = `reading which management groups hold the subscriptions of ${shortScope(scope)}`;
    const groups = new Map<string, string[]>();
    for await (const row of this.rows(scope, query, doing)) {
      if (typeof row.subscriptionId !== 'string') continue;
      const properties = row.properties;
      const chain =
        properties !== null && typeof properties === 'object' && !Array.isArray(properties)
          ? properties.managementGroupAncestorsChain
          : undefined;
      const names = Array.isArray(chain)
        ? chain.map(entry =>
            entry !== null && typeof entry === 'object' && !Array.isArray(entry) ? entry.name : undefined
          )
        : [];
      if ((chain !== undefined && chain !== null && !Array.isArray(chain)) || names.some(n => typeof n !== 'string'))
        throw new ArmError(
          `Resource Graph's answer while ${doing} gives the subscription ${row.subscriptionId} a managementGroupAncestorsChain that is not a list of groups with names.`,
          200,
          'ResourceGraphShape',
          ''
        );
      groups.set(
        foldCase(row.subscriptionId),
        (names as string[]).map(name => foldCase(name))
      );
    }
    return groups;
  }

  /** The ids of the subscriptions under a management group (a subscription scope is its own). */
  async subscriptions(scope: AzureScope): Promise<string[]> {
    return (await this.subscriptionStates(scope)).map(subscription => subscription.id);
  }

  /**
   * The subscriptions under a management group with the state Resource Graph gives each (`Enabled`, `Warned`,
   * `PastDue`, `Disabled`, `Deleted`, …; undefined where it gives none, and for a subscription scope, which is its own).
   */
  async subscriptionStates(scope: AzureScope): Promise<{ id: string; state?: string }[]> {
    if (scope.kind !== 'managementGroup') return [{ id: scope.subscription }];
    const query = [
      'resourcecontainers',
      "| where type =~ 'microsoft.resources/subscriptions'",
      '| project id, subscriptionId, properties',
      '| order by id asc'
    ].join('\n');
    const found: { id: string; state?: string }[] = [];
    for await (const row of this.rows(scope, query, `listing the subscriptions under ${shortScope(scope)}`)) {
      if (typeof row.subscriptionId !== 'string') continue;
      const properties = row.properties;
      const said =
        properties !== null && typeof properties === 'object' ? (properties as { state?: unknown }).state : undefined;
      const state = typeof said === 'string' && said !== '' ? said : undefined;
      found.push(
        state === undefined ? { id: foldCase(row.subscriptionId) } : { id: foldCase(row.subscriptionId), state }
      );
    }
    return found;
  }
}
