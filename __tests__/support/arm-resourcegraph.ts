/**
 * Azure Resource Graph (api-version 2024-04-01) for the loopback ARM, as its REST contract
 * (../shared/corpus/rest-api/resourcegraph) and the paging docs describe it:
 * - `POST /providers/Microsoft.ResourceGraph/resources` with `{query, subscriptions?,
 *   managementGroups?, options?}`; `query` required; `options.$top` 1..1000 (default 100 here);
 * - scopes: the subscriptions named, every subscription under the management groups named
 *   (nested groups too), or the whole tenant when neither is given;
 * - rows as Resource Graph gives them: `type` and `resourceGroup` lowercased, `subscriptionId`,
 *   `tenantId`, every column of the resource;
 * - paging: `$skipToken` (opaque) while more rows remain, `resultTruncated` the *string*
 *   `"false"`; a query that does not project `id` cannot page, so it answers `"true"` and no token; the token holds
 *   an offset, so rows created or deleted between pages shift what the next page holds (`afterPage`);
 * - throttling as Resource Graph does it: 429 with `x-ms-user-quota-remaining` and
 *   `x-ms-user-quota-resets-after` (hh:mm:ss), without Retry-After;
 * - a management group or tenant query over more subscriptions than `subscriptionLimit` answers for the first
 *   ones only, with `x-ms-tenant-subscription-limit-hit: true`, as Azure does past 10,000;
 * - errors in its shape `{"error": {"code", "message", "details": [{"code", "message"}]}}`.
 * - `policyresources`: the policy assignments the policy module holds and the exemptions the
 *   exemptions module holds, at management groups, subscriptions, resource groups and resources,
 *   as Resource Graph indexes them (`type` lowercased, `id` lowercased too, as ids are
 *   case-insensitive and may come spelled otherwise, `properties` as ARM's GET gives them); a row
 *   at a management group has an empty `subscriptionId` and is in a query's scope when that group
 *   is one of the management groups named or below one (AzOps: "policy assignments deployed at
 *   Management Group scope and below"), or when the query names no scope (the tenant);
 *   `stalePolicyRows` are rows the index still has after ARM deleted the resource (Resource Graph
 *   is updated some seconds after a write).
 * - the management group hierarchy is also served by the Management Groups API's descendants list
 *   (`arm-managementgroups.ts`), from the same `groups`, and a subscription's row in `resourcecontainers` has it
 *   as `properties.managementGroupAncestorsChain` (the group holding it first, up to the root).
 * The query language is the small part of KQL cmk-guard sends: `resources` / `resourcecontainers` /
 * `policyresources`, `where type in~ (…)`, `where type =~ '…'`, `where resourceGroup =~ '…'`,
 * `where tostring(properties.NAME) =~ '…'` (or `in~ ('…', …)`), `project a, b`, `order by id asc|desc`. Anything else
 * is refused as an invalid query.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ArmModule, ArmReply, ArmRequestContext, ArmServer } from './arm-server.js';
import { policyState } from './arm-policy.js';
import { managementGroupRoutes } from './arm-managementgroups.js';

export const RESOURCE_GRAPH_API_VERSION = '2024-04-01';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export type Row = Record<string, unknown>;

export interface ResourceGraphState {
  /** Management group name (lowercased) → its subscriptions and child groups. */
  groups: Map<string, { subscriptions: Set<string>; children: Set<string> }>;
  /** Subscription id (lowercased) → display name. */
  subscriptions: Map<string, string>;
  /** Subscription id (lowercased) → its `properties.state` where not `Enabled` (`Disabled`, `Warned`, …). */
  subscriptionStates: Map<string, string>;
  /** Resource rows by lowercased id. */
  rows: Map<string, Row>;
  /** The next this many queries are throttled (429, quota headers, no Retry-After). */
  throttleNext: number;
  /** Every query body received, in order. */
  queries: Record<string, unknown>[];
  /** Answer every query with its first page only, `resultTruncated: "true"` and no $skipToken. */
  truncate: boolean;
  /** `policyresources` rows of resources ARM has deleted that the index has not caught up with. */
  stalePolicyRows: Row[];
  /**
   * The most subscriptions a query covers (Azure: 10,000). A management group or tenant query over more answers
   * for the first this many only, with `x-ms-tenant-subscription-limit-hit: true` (guidance-for-throttled-requests).
   */
  subscriptionLimit?: number;
  /**
   * Called after a page that has a `$skipToken` is answered: a test changes the rows there, as resources are
   * created and deleted in Azure while a client pages (the next page's offset then lands elsewhere: paging-results).
   */
  afterPage?: () => void;
}

export function resourceGraphState(server: ArmServer): ResourceGraphState {
  let state = server.state.get('resourceGraph') as ResourceGraphState | undefined;
  if (!state) {
    state = {
      groups: new Map(),
      subscriptions: new Map(),
      subscriptionStates: new Map(),
      rows: new Map(),
      throttleNext: 0,
      queries: [],
      truncate: false,
      stalePolicyRows: []
    };
    server.state.set('resourceGraph', state);
  }
  return state;
}

function graphError(status: number, code: string, message: string, detail?: { code: string; message: string }) {
  return {
    status,
    body: { error: { code, message, ...(detail ? { details: [detail] } : {}) } }
  };
}

const invalidQuery = (message: string) =>
  graphError(
    400,
    'BadRequest',
    // As Resource Graph words it: the top-level message names only the request; `details` say why
    // (Azure/azure-powershell#13762).
    `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`,
    { code: 'InvalidQuery', message }
  );

interface Query {
  table: 'resources' | 'resourcecontainers' | 'policyresources';
  filters: ((row: Row) => boolean)[];
  project?: string[];
  order?: 'asc' | 'desc';
}

/** A KQL string literal, single-quoted, with backslash escapes. */
function readString(text: string): string | undefined {
  const m = /^'((?:[^'\\]|\\.)*)'$/.exec(text.trim());
  return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
}

function parseQuery(text: string): Query | string {
  const parts = text.split('|').map(p => p.trim());
  const table = parts[0].toLowerCase();
  if (table !== 'resources' && table !== 'resourcecontainers' && table !== 'policyresources')
    return `unknown table '${parts[0]}'`;
  const query: Query = { table, filters: [] };
  for (const part of parts.slice(1)) {
    const property = /^where\s+tostring\(\s*properties\.([A-Za-z_]\w*)\s*\)\s+(=~|in~)\s*(.+)$/is.exec(part);
    if (property) {
      const list = property[2] === 'in~' ? /^\((.*)\)$/s.exec(property[3].trim())?.[1] : undefined;
      if (property[2] === 'in~' && list === undefined) return `cannot read the list in '${part}'`;
      const values = list === undefined ? [readString(property[3])] : list.split(',').map(readString);
      if (values.some(v => v === undefined)) return `cannot read the string in '${part}'`;
      const wanted = new Set(values.map(v => (v as string).toLowerCase()));
      const name = property[1];
      query.filters.push(row => {
        const found = object(row.properties)?.[name];
        return typeof found === 'string' && wanted.has(found.toLowerCase());
      });
      continue;
    }
    let m = /^where\s+(type|resourceGroup)\s+in~\s*\((.*)\)$/is.exec(part);
    if (m) {
      const column = m[1] === 'type' ? 'type' : 'resourceGroup';
      const values = m[2].split(',').map(readString);
      if (values.some(v => v === undefined)) return `cannot read the list in '${part}'`;
      const wanted = new Set(values.map(v => (v as string).toLowerCase()));
      query.filters.push(row => wanted.has(String(row[column] ?? '').toLowerCase()));
      continue;
    }
    m = /^where\s+(type|resourceGroup)\s+=~\s*(.+)$/is.exec(part);
    if (m) {
      const column = m[1] === 'type' ? 'type' : 'resourceGroup';
      const value = readString(m[2]);
      if (value === undefined) return `cannot read the string in '${part}'`;
      query.filters.push(row => String(row[column] ?? '').toLowerCase() === value.toLowerCase());
      continue;
    }
    m = /^project\s+(.+)$/is.exec(part);
    if (m) {
      query.project = m[1].split(',').map(c => c.trim());
      if (query.project.some(c => !/^[A-Za-z_]\w*$/.test(c))) return `cannot read the columns in '${part}'`;
      continue;
    }
    m = /^order\s+by\s+id\s+(asc|desc)$/i.exec(part);
    if (m) {
      query.order = m[1].toLowerCase() as 'asc' | 'desc';
      continue;
    }
    return `the test server does not know '${part}'`;
  }
  return query;
}

/** Every subscription under a group, nested groups included. */
function subscriptionsUnder(state: ResourceGraphState, group: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  const node = state.groups.get(group.toLowerCase());
  if (!node || seen.has(group.toLowerCase())) return out;
  seen.add(group.toLowerCase());
  for (const sub of node.subscriptions) out.add(sub);
  for (const child of node.children) for (const sub of subscriptionsUnder(state, child, seen)) out.add(sub);
  return out;
}

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

interface Token {
  offset: number;
  top: number;
  /** What the token belongs to: a token from another query or scope is refused. */
  context: string;
}

function encodeToken(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

function decodeToken(text: string): Token | undefined {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as Token;
    return Number.isInteger(token.offset) && Number.isInteger(token.top) && typeof token.context === 'string'
      ? token
      : undefined;
  } catch {
    return undefined;
  }
}

export const resourceGraphModule: ArmModule = server => {
  const state = resourceGraphState(server);

  const handle = (ctx: ArmRequestContext): ArmReply => {
    const body = object(ctx.body);
    if (!body) return graphError(400, 'BadRequest', 'The request content was invalid: a query request is required.');
    state.queries.push(body);
    if (state.throttleNext > 0) {
      state.throttleNext--;
      return {
        ...graphError(
          429,
          'RateLimiting',
          'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed.'
        ),
        headers: { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:00' }
      };
    }
    if (typeof body.query !== 'string' || body.query.trim() === '')
      return graphError(400, 'BadRequest', "The request content was invalid: 'query' is required.");
    const options = object(body.options) ?? {};
    const top = options.$top ?? 100;
    if (typeof top !== 'number' || !Number.isInteger(top) || top < 1 || top > 1000)
      return graphError(400, 'BadRequest', 'The $top option must be an integer between 1 and 1000.', {
        code: 'InvalidParameterValue',
        message: `$top is ${JSON.stringify(top)}`
      });
    const parsed = parseQuery(body.query);
    if (typeof parsed === 'string') return invalidQuery(parsed);

    let scopeSubscriptions: Set<string>;
    // Management groups whose own rows (policy resources at a group) are in scope; null: all (the tenant).
    let scopeGroups: Set<string> | null = new Set();
    const subs = body.subscriptions;
    const groups = body.managementGroups;
    if (Array.isArray(subs) && subs.length) {
      scopeSubscriptions = new Set(subs.map(s => String(s).toLowerCase()));
    } else if (Array.isArray(groups) && groups.length) {
      scopeSubscriptions = new Set();
      for (const group of groups) {
        for (const below of groupsUnder(state, String(group))) scopeGroups.add(below);
        if (!state.groups.has(String(group).toLowerCase()))
          return graphError(
            400,
            'BadRequest',
            `The management group '${String(group)}' was not found or the caller cannot read it.`,
            {
              code: 'InvalidManagementGroup',
              message: `Management group '${String(group)}' is not found.`
            }
          );
        for (const sub of subscriptionsUnder(state, String(group))) scopeSubscriptions.add(sub);
      }
    } else {
      scopeSubscriptions = new Set(state.subscriptions.keys());
      scopeGroups = null;
    }
    // Past the limit, a management group's or the tenant's query answers for the first subscriptions only, and says so.
    const limit = state.subscriptionLimit;
    const limitHit = limit !== undefined && !(Array.isArray(subs) && subs.length) && scopeSubscriptions.size > limit;
    if (limitHit) scopeSubscriptions = new Set([...scopeSubscriptions].sort().slice(0, limit));

    const source: Row[] =
      parsed.table === 'resources'
        ? [...state.rows.values()]
        : parsed.table === 'policyresources'
          ? [...policyRows(server), ...state.stalePolicyRows]
          : [...state.subscriptions].map(([id, name]) => ({
              id: `/subscriptions/${id}`,
              name,
              type: 'microsoft.resources/subscriptions',
              tenantId: TENANT,
              subscriptionId: id,
              properties: {
                state: state.subscriptionStates.get(id) ?? 'Enabled',
                managementGroupAncestorsChain: ancestorsOf(state, id)
              }
            }));
    const inScope = (row: Row) => {
      const group = groupOfRow(row);
      if (group !== undefined) return scopeGroups === null || scopeGroups.has(group);
      return scopeSubscriptions.has(String(row.subscriptionId).toLowerCase());
    };
    let rows = source.filter(row => inScope(row) && parsed.filters.every(f => f(row)));
    if (parsed.order) {
      rows = [...rows].sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0));
      if (parsed.order === 'desc') rows.reverse();
    }
    if (parsed.project) {
      const columns = parsed.project;
      rows = rows.map(row => Object.fromEntries(columns.map(c => [c, row[c] ?? null])));
    }

    const context = createHash('sha256')
      .update(JSON.stringify([body.query, body.subscriptions ?? null, body.managementGroups ?? null]))
      .digest('hex');
    let offset = 0;
    let size = top;
    if (typeof options.$skipToken === 'string') {
      const token = decodeToken(options.$skipToken);
      if (!token || token.context !== context)
        return graphError(400, 'BadRequest', 'The $skipToken is invalid for this query and scope.', {
          code: 'InvalidSkipToken',
          message: 'The skip token does not belong to this query.'
        });
      offset = token.offset;
      size = options.$top === undefined ? token.top : top;
    }
    if (typeof options.$skip === 'number' && options.$skipToken === undefined) offset = options.$skip;
    const page = rows.slice(offset, offset + size);
    const more = offset + size < rows.length;
    const canPage = !state.truncate && (!parsed.project || parsed.project.includes('id'));
    const answer: Record<string, unknown> = {
      totalRecords: rows.length,
      count: page.length,
      resultTruncated: more && !canPage ? 'true' : 'false',
      facets: [],
      data: page
    };
    if (more && canPage) answer.$skipToken = encodeToken({ offset: offset + size, top: size, context });
    if (more && canPage) state.afterPage?.();
    return {
      status: 200,
      body: answer,
      ...(limitHit ? { headers: { 'x-ms-tenant-subscription-limit-hit': 'true' } } : {})
    };
  };

  server.route({
    method: 'POST',
    pattern: /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
    apiVersions: [RESOURCE_GRAPH_API_VERSION],
    handle
  });
  managementGroupRoutes(server);
};

/**
 * The groups a subscription is in, as a subscription's `properties.managementGroupAncestorsChain` lists them: the
 * group holding it first, then each parent up to the root, each `{name, displayName}`.
 */
function ancestorsOf(state: ResourceGraphState, subscription: string): { name: string; displayName: string }[] {
  const chain: { name: string; displayName: string }[] = [];
  let group = [...state.groups].find(([, node]) => node.subscriptions.has(subscription))?.[0];
  while (group !== undefined && !chain.some(entry => entry.name === group)) {
    chain.push({ name: group, displayName: `Group ${group}` });
    const child: string = group;
    group = [...state.groups].find(([, node]) => node.children.has(child))?.[0];
  }
  return chain;
}

/** A group and every group below it (lowercased). */
function groupsUnder(state: ResourceGraphState, group: string, seen = new Set<string>()): Set<string> {
  const name = group.toLowerCase();
  const node = state.groups.get(name);
  if (!node || seen.has(name)) return seen;
  seen.add(name);
  for (const child of node.children) groupsUnder(state, child, seen);
  return seen;
}

/** The management group a row is at (lowercased), or undefined for a row in a subscription. */
function groupOfRow(row: Row): string | undefined {
  const m = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)/i.exec(String(row.id));
  return m ? m[1].toLowerCase() : undefined;
}

/**
 * The `policyresources` rows of the policy assignments at subscriptions and resource groups, as
 * Resource Graph gives them: ARM's GET body, `type` lowercased, the subscription and group columns.
 */
export function policyRows(server: ArmServer): Row[] {
  // ARM ids are case-insensitive and Resource Graph need not spell one as Azure Policy does:
  // given lowercased here, so whoever reads them must compare ids ignoring case.
  const assignments = [...policyState(server).resources.values()]
    .filter(r => r.type === 'policyAssignments')
    .map(r => policyRow({ ...r.body, id: r.id.toLowerCase(), type: 'Microsoft.Authorization/policyAssignments' }));
  // The exemptions module's store, read without importing it (it imports this module's neighbours).
  const held = server.state.get('exemptions') as
    { exemptions: Map<string, { body: Record<string, unknown> }> } | undefined;
  const exemptions = [...(held?.exemptions.values() ?? [])].map(e =>
    policyRow({ ...e.body, id: String(e.body.id).toLowerCase(), type: 'Microsoft.Authorization/policyExemptions' })
  );
  return [...assignments, ...exemptions];
}

/** A `policyresources` row: under a subscription as `graphRow` makes it; at a management group without one. */
function policyRow(resource: Record<string, unknown>): Row {
  if (!groupOfRow(resource)) return graphRow({ ...resource, kind: '' });
  return {
    ...resource,
    type: String(resource.type).toLowerCase(),
    kind: '',
    tenantId: TENANT,
    subscriptionId: '',
    resourceGroup: '',
    properties: resource.properties ?? {}
  };
}

/** A management group with its subscriptions (ids) and child groups (names). */
export function seedManagementGroup(
  server: ArmServer,
  name: string,
  members: { subscriptions?: string[]; children?: string[] }
): void {
  const state = resourceGraphState(server);
  state.groups.set(name.toLowerCase(), {
    subscriptions: new Set((members.subscriptions ?? []).map(s => s.toLowerCase())),
    children: new Set((members.children ?? []).map(c => c.toLowerCase()))
  });
  for (const sub of members.subscriptions ?? [])
    if (!state.subscriptions.has(sub.toLowerCase()))
      state.subscriptions.set(sub.toLowerCase(), `Subscription ${sub.slice(0, 8)}`);
}

/** The row Resource Graph holds for an ARM resource (which must have an id under a subscription). */
export function graphRow(resource: Record<string, unknown>): Row {
  const id = String(resource.id);
  const m = /^\/subscriptions\/([^/]+)(?:\/resourceGroups\/([^/]+))?/i.exec(id);
  if (!m) throw new Error(`graphRow: '${id}' is not under a subscription`);
  return {
    ...resource,
    id,
    type: String(resource.type).toLowerCase(),
    tenantId: TENANT,
    subscriptionId: m[1].toLowerCase(),
    resourceGroup: (m[2] ?? '').toLowerCase(),
    properties: resource.properties ?? {}
  };
}

/** Puts ARM resources into the graph, as Azure would index them after a deployment. */
export function seedResources(server: ArmServer, resources: Record<string, unknown>[]): Row[] {
  const state = resourceGraphState(server);
  const rows = resources.map(graphRow);
  for (const row of rows) {
    state.rows.set(String(row.id).toLowerCase(), row);
    const sub = String(row.subscriptionId);
    if (!state.subscriptions.has(sub)) state.subscriptions.set(sub, `Subscription ${sub.slice(0, 8)}`);
  }
  return rows;
}
