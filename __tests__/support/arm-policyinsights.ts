/**
 * Azure Policy Insights (api-version 2024-10-01) for the loopback ARM, as its REST contract
 * (../shared/corpus/rest-api/policyinsights) describes it:
 * - `POST {managementGroup|subscription|resourceGroup}/providers/Microsoft.PolicyInsights/
 *   policyStates/{latest|default}/queryResults` with OData options in the query string
 *   (`$filter` with `eq` joined by `and`, `$top`, `$skiptoken`); the answer is
 *   `{"@odata.context", "@odata.count", "@odata.nextLink", value}`, `@odata.nextLink` null on the
 *   last page. The next page is a POST to that link, as `PolicyStates_NextLink` says: a GET on
 *   queryResults is not a route (404), as it is not in Azure;
 * - `POST …/policyStates/latest/triggerEvaluation` at a subscription or resource group: 202 with
 *   `Location` (…/asyncOperationResults/{id}) and `Retry-After`; the Location answers 202 while
 *   the scan runs and 200 once it has ended, when the states given by `scanResults` take effect;
 * - errors in the QueryFailure shape `{"error": {"code", "message"}}`.
 */
import { randomUUID } from 'node:crypto';
import type { ArmModule, ArmReply, ArmRequestContext, ArmServer } from './arm-server.js';
import { ArmHttpError } from './arm-server.js';

export const POLICY_INSIGHTS_API_VERSION = '2024-10-01';
const API = [POLICY_INSIGHTS_API_VERSION] as const;

export type PolicyStateRecord = Record<string, unknown> & {
  resourceId: string;
  subscriptionId: string;
  complianceState: string;
};

export interface PolicyInsightsState {
  records: PolicyStateRecord[];
  /** Management group (lowercased) → subscriptions, for queries at a management group. */
  groups: Map<string, Set<string>>;
  /** Page size of queryResults. */
  pageSize: number;
  /** How many times a scan's Location answers 202 before it ends. */
  scanPolls: number;
  /** Retry-After of a started scan, in seconds. */
  scanRetryAfter: number;
  /** Records that replace a subscription's (or resource group's) when its scan ends, by lowercased scope. */
  scanResults: Map<string, PolicyStateRecord[]>;
  /** Scans started, by lowercased scope. */
  scans: string[];
  /** Subscriptions (lowercased) that are disabled: a scan there is refused as ARM refuses any write (409). */
  readOnly: Set<string>;
  operations: Map<string, { scope: string; polls: number }>;
}

export function policyInsightsState(server: ArmServer): PolicyInsightsState {
  let state = server.state.get('policyInsights') as PolicyInsightsState | undefined;
  if (!state) {
    state = {
      records: [],
      groups: new Map(),
      pageSize: 1000,
      scanPolls: 2,
      scanRetryAfter: 0,
      scanResults: new Map(),
      scans: [],
      readOnly: new Set(),
      operations: new Map()
    };
    server.state.set('policyInsights', state);
  }
  return state;
}

function invalid(message: string): never {
  throw new ArmHttpError(400, 'InvalidFilterInQueryString', message);
}

/** `a eq 'x' and b eq 'y'` → predicates (case-insensitive, as Policy Insights compares ids). */
function parseFilter(filter: string | undefined): ((record: PolicyStateRecord) => boolean)[] {
  if (!filter || filter.trim() === '') return [];
  return filter.split(/\s+and\s+/i).map(clause => {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    if (!m)
      invalid(
        `The $filter '${filter}' is invalid: the test server understands "<property> eq '<value>'" clauses joined by "and".`
      );
    const property = m[1].toLowerCase();
    const value = m[2].replace(/''/g, "'").toLowerCase();
    return (record: PolicyStateRecord) => {
      const key = Object.keys(record).find(k => k.toLowerCase() === property);
      return key !== undefined && String(record[key]).toLowerCase() === value;
    };
  });
}

function scopeFilter(state: PolicyInsightsState, kind: 'mg' | 'sub' | 'rg', a: string, b?: string) {
  if (kind === 'mg') {
    const subs = state.groups.get(a.toLowerCase());
    if (!subs)
      throw new ArmHttpError(404, 'ManagementGroupNotFound', `The management group '${a}' could not be found.`);
    return (r: PolicyStateRecord) => subs.has(r.subscriptionId.toLowerCase());
  }
  if (kind === 'sub') return (r: PolicyStateRecord) => r.subscriptionId.toLowerCase() === a.toLowerCase();
  return (r: PolicyStateRecord) =>
    r.subscriptionId.toLowerCase() === a.toLowerCase() &&
    String(r.resourceGroup ?? '').toLowerCase() === String(b).toLowerCase();
}

export const policyInsightsModule: ArmModule = server => {
  const state = policyInsightsState(server);

  const query = (ctx: ArmRequestContext, inScope: (r: PolicyStateRecord) => boolean): ArmReply => {
    const resource = ctx.match[ctx.match.length - 1].toLowerCase();
    if (resource !== 'latest' && resource !== 'default')
      throw new ArmHttpError(
        400,
        'InvalidPolicyStatesResource',
        `'${resource}' is not a policy states resource; use latest or default.`
      );
    const filters = parseFilter(ctx.query.$filter);
    const all = state.records.filter(r => inScope(r) && filters.every(f => f(r)));
    const top = ctx.query.$top === undefined ? undefined : Number(ctx.query.$top);
    const matching = top !== undefined && Number.isInteger(top) && top >= 0 ? all.slice(0, top) : all;
    const skip =
      ctx.query.$skiptoken === undefined ? 0 : Number(Buffer.from(ctx.query.$skiptoken, 'base64').toString('utf8'));
    if (!Number.isInteger(skip) || skip < 0)
      throw new ArmHttpError(400, 'InvalidSkipToken', 'The $skiptoken is invalid.');
    const page = matching.slice(skip, skip + state.pageSize);
    let nextLink: string | null = null;
    if (skip + state.pageSize < matching.length) {
      const next = new URL(ctx.url.toString());
      next.searchParams.set('$skiptoken', Buffer.from(String(skip + state.pageSize)).toString('base64'));
      nextLink = next.toString();
    }
    const context = `${server.url}${ctx.path.replace(/\/queryResults$/i, '')}/$metadata#${resource}`;
    return {
      status: 200,
      body: {
        '@odata.context': context,
        '@odata.count': page.length,
        '@odata.nextLink': nextLink,
        value: page.map(r => ({ '@odata.id': null, '@odata.context': `${context}/$entity`, ...r }))
      }
    };
  };

  const states = 'providers/Microsoft\\.PolicyInsights/policyStates/([^/]+)/queryResults$';
  server.route({
    method: 'POST',
    pattern: new RegExp(`^/providers/Microsoft\\.Management/managementGroups/([^/]+)/${states}`, 'i'),
    apiVersions: API,
    handle: ctx => query(ctx, scopeFilter(state, 'mg', ctx.match[1]))
  });
  server.route({
    method: 'POST',
    pattern: new RegExp(`^/subscriptions/([^/]+)/resourceGroups/([^/]+)/${states}`, 'i'),
    apiVersions: API,
    handle: ctx => query(ctx, scopeFilter(state, 'rg', ctx.match[1], ctx.match[2]))
  });
  server.route({
    method: 'POST',
    pattern: new RegExp(`^/subscriptions/([^/]+)/${states}`, 'i'),
    apiVersions: API,
    handle: ctx => query(ctx, scopeFilter(state, 'sub', ctx.match[1]))
  });

  const trigger = (ctx: ArmRequestContext, scope: string): ArmReply => {
    const key = scope.toLowerCase();
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1]?.toLowerCase() ?? '';
    if (state.readOnly.has(subscriptionId))
      throw new ArmHttpError(
        409,
        'ReadOnlyDisabledSubscription',
        `The subscription '${subscriptionId}' is disabled and therefore marked as read only. You cannot perform any write actions on this subscription until it is re-enabled.`
      );
    const id = randomUUID();
    state.scans.push(key);
    state.operations.set(id, { scope: key, polls: state.scanPolls });
    const subscription = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? '';
    return {
      status: 202,
      headers: {
        location: `${server.url}/subscriptions/${subscription}/providers/Microsoft.PolicyInsights/asyncOperationResults/${id}?api-version=${ctx.query['api-version']}`,
        'retry-after': String(state.scanRetryAfter)
      }
    };
  };
  server.route({
    method: 'POST',
    pattern:
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.PolicyInsights\/policyStates\/latest\/triggerEvaluation$/i,
    apiVersions: API,
    handle: ctx => trigger(ctx, `/subscriptions/${ctx.match[1]}/resourceGroups/${ctx.match[2]}`)
  });
  server.route({
    method: 'POST',
    pattern:
      /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.PolicyInsights\/policyStates\/latest\/triggerEvaluation$/i,
    apiVersions: API,
    handle: ctx => trigger(ctx, `/subscriptions/${ctx.match[1]}`)
  });
  server.route({
    method: 'GET',
    pattern: /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.PolicyInsights\/asyncOperationResults\/([^/]+)$/i,
    apiVersions: API,
    handle: ctx => {
      const operation = state.operations.get(ctx.match[2]);
      if (!operation)
        throw new ArmHttpError(404, 'OperationNotFound', `The operation '${ctx.match[2]}' was not found.`);
      if (operation.polls > 0) {
        operation.polls--;
        return { status: 202, headers: { 'retry-after': String(state.scanRetryAfter) } };
      }
      const results = state.scanResults.get(operation.scope);
      if (results) {
        const rg = /\/resourceGroups\/([^/]+)$/i.exec(operation.scope)?.[1]?.toLowerCase();
        const sub = /^\/subscriptions\/([^/]+)/i.exec(operation.scope)?.[1]?.toLowerCase();
        state.records = state.records
          .filter(
            r =>
              r.subscriptionId.toLowerCase() !== sub ||
              (rg !== undefined && String(r.resourceGroup ?? '').toLowerCase() !== rg)
          )
          .concat(results);
        state.scanResults.delete(operation.scope);
      }
      return { status: 200 };
    }
  });
};

/** A latest-state record as Policy Insights gives it, for a resource and an initiative member. */
export function policyStateRecord(fields: {
  resourceId: string;
  resourceType: string;
  complianceState: 'Compliant' | 'NonCompliant' | 'Exempt' | 'Conflict' | 'Unknown';
  policyAssignmentId: string;
  policySetDefinitionId: string;
  policyDefinitionReferenceId: string;
  policyDefinitionAction?: string;
}): PolicyStateRecord {
  const sub = /^\/subscriptions\/([^/]+)/i.exec(fields.resourceId)?.[1] ?? '';
  const rg = /\/resourceGroups\/([^/]+)/i.exec(fields.resourceId)?.[1] ?? '';
  const definitionScope = fields.policySetDefinitionId.replace(
    /\/providers\/Microsoft\.Authorization\/policySetDefinitions\/[^/]+$/i,
    ''
  );
  return {
    timestamp: '2026-12-01T10:00:00Z',
    resourceId: fields.resourceId,
    policyAssignmentId: fields.policyAssignmentId.toLowerCase(),
    policyDefinitionId:
      `${definitionScope}/providers/microsoft.authorization/policydefinitions/${fields.policyDefinitionReferenceId}`.toLowerCase(),
    effectiveParameters: '',
    isCompliant: fields.complianceState === 'Compliant',
    subscriptionId: sub,
    resourceType: `/${fields.resourceType}`,
    resourceLocation: 'westeurope',
    resourceGroup: rg.toLowerCase(),
    resourceTags: 'tbd',
    policyAssignmentName: fields.policyAssignmentId.slice(fields.policyAssignmentId.lastIndexOf('/') + 1),
    policyAssignmentOwner: 'tbd',
    policyAssignmentParameters: '{}',
    policyAssignmentScope: fields.policyAssignmentId.replace(
      /\/providers\/Microsoft\.Authorization\/policyAssignments\/[^/]+$/i,
      ''
    ),
    policyDefinitionName: fields.policyDefinitionReferenceId,
    policyDefinitionAction: fields.policyDefinitionAction ?? 'audit',
    policyDefinitionCategory: 'tbd',
    policySetDefinitionId: fields.policySetDefinitionId.toLowerCase(),
    policySetDefinitionName: fields.policySetDefinitionId.slice(fields.policySetDefinitionId.lastIndexOf('/') + 1),
    policySetDefinitionOwner: null,
    policySetDefinitionCategory: null,
    policySetDefinitionParameters: null,
    managementGroupIds: '',
    policyDefinitionReferenceId: fields.policyDefinitionReferenceId,
    complianceState: fields.complianceState,
    policyDefinitionGroupNames: []
  };
}
