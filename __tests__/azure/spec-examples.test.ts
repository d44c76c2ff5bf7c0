/**
 * Azure's own examples, replayed through cmk-guard's client. Every x-ms-example cmk-guard has a
 * code path for (Azure/azure-rest-api-specs, copied unchanged into
 * __tests__/fixtures/azure-rest-api-specs, see its README) is served by a loopback server at the
 * path the example names, with the example's status, headers and body, and the code that reads
 * that answer runs on it: the policy lists, gets, writes and deletes (@azure/arm-policy), the
 * exemptions (raw REST), the management group descendants, Resource Graph queries and Policy
 * Insights states and scans. What each asserts is what cmk-guard relies on: every field of the
 * answer it reads arrives as Azure sent it, a write sends the example's own request body, and an
 * answer to a write, read back, plans no change.
 *
 * The answers come from the examples as they are; the only liberties are the host of a `Location`
 * (management.azure.com → the loopback, as a real answer names the endpoint asked) and its
 * `Retry-After` (30 s → 0).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compareBodies } from '../../src/azure/compare.js';
import { ComplianceStates } from '../../src/azure/compliance.js';
import type { ArmConnection } from '../../src/azure/connection.js';
import { EXEMPTIONS_API_VERSION, ExemptionStore } from '../../src/azure/exemptions.js';
import { descendants, groupsBelow, MANAGEMENT_GROUPS_API_VERSION } from '../../src/azure/hierarchy.js';
import { POLICY_API_VERSION, PolicyStore, type RestBody } from '../../src/azure/policyStore.js';
import { RESOURCE_GRAPH_API_VERSION, ResourceGraph } from '../../src/azure/resourceGraph.js';
import { POLICY_INSIGHTS_API_VERSION } from '../../src/azure/compliance.js';
import { parseScope, type AzureScope } from '../../src/azure/scope.js';
import type { Json } from '../../src/model/value.js';
import { startArmServer, type ArmReply, type ArmServer } from '../support/arm-server.js';
import { exemptionsModule, seedExemptionGroup } from '../support/arm-exemptions.js';
import { policyModule, seedPolicyResource } from '../support/arm-policy.js';
import { resourceGraphModule, seedManagementGroup } from '../support/arm-resourcegraph.js';
import { connect } from './support.js';

type JsonObject = { [key: string]: Json };

interface Example {
  parameters: JsonObject;
  responses: { [status: string]: { headers?: Record<string, string>; body?: Json } };
}

const FIXTURES = path.resolve('__tests__/fixtures/azure-rest-api-specs');

function example(file: string): Example {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Example;
}

const POLICY = 'policy/2025-03-01/examples';
const POLICY_NEXT = 'policy/2025-11-01/examples';
const EXEMPTIONS = 'policy/exemptions/2022-07-01-preview/examples';
const INSIGHTS = 'policyinsights/2024-10-01/examples';
const GRAPH = 'resourcegraph/2024-04-01/examples';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let server: ArmServer;
let connection: ArmConnection;

beforeEach(async () => {
  server = await startArmServer();
  connection = connect(server, { retry: { maxRetries: 0, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });
});
afterEach(async () => {
  await server.close();
});

/** Answers `method path` (exactly, as ARM paths: without regard to case) with `reply`. */
function serve(method: string, at: string, reply: ArmReply | ((body: unknown) => ArmReply)): void {
  server.route(
    {
      method,
      pattern: new RegExp(`^${escape(at)}$`, 'i'),
      handle: ctx => (typeof reply === 'function' ? reply(ctx.body) : reply)
    },
    { first: true }
  );
}

/** The example's answer for `status`, as the loopback sends it. */
function answer(e: Example, status: string): ArmReply {
  const response = e.responses[status];
  if (!response) throw new Error(`the example has no ${status} answer`);
  return { status: Number(status), headers: response.headers, body: response.body };
}

function requestsTo(at: string) {
  return server.requests.filter(r => r.path.toLowerCase() === at.toLowerCase());
}

const object = (value: Json | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};

/** `scope` path parameter (no leading slash in the examples) → a scope. */
const scopeOf = (value: Json) => parseScope(`/${String(value).replace(/^\//, '')}`, 'an example scope');
const subscription = (e: Example) => parseScope(`/subscriptions/${String(e.parameters.subscriptionId)}`, 'example');
const group = (e: Example) =>
  parseScope(`/providers/Microsoft.Management/managementGroups/${String(e.parameters.managementGroupId)}`, 'example');

/** Each field of `sent` arrives in `read` unchanged, but those listed in `notRead`. */
function expectFieldsRead(read: JsonObject, sent: JsonObject, notRead: readonly string[] = []): void {
  const kept = Object.fromEntries(Object.entries(sent).filter(([k]) => !notRead.includes(k)));
  expect(read).toEqual(kept);
}

/**
 * What an assignment holds only when asked with `$expand=LatestDefinitionVersion,
 * EffectiveDefinitionVersion` (readOnly): cmk-guard never asks, sends or compares them.
 */
const EXPANDED_ONLY = ['latestDefinitionVersion', 'effectiveDefinitionVersion'];

describe('policy definitions, initiatives and assignments (policy 2025-03-01 examples)', () => {
  const lists: [string, string, (e: Example) => AzureScope, 'definitions' | 'sets' | 'assignments'][] = [
    [`${POLICY}/listPolicyDefinitions.json`, 'policyDefinitions', subscription, 'definitions'],
    [`${POLICY}/listPolicyDefinitionsByManagementGroup.json`, 'policyDefinitions', group, 'definitions'],
    [`${POLICY}/listPolicySetDefinitions.json`, 'policySetDefinitions', subscription, 'sets'],
    [`${POLICY_NEXT}/listPolicySetDefinitionsByManagementGroup.json`, 'policySetDefinitions', group, 'sets'],
    [`${POLICY}/listPolicyAssignments.json`, 'policyAssignments', subscription, 'assignments'],
    [
      `${POLICY}/listPolicyAssignmentsForResourceGroup.json`,
      'policyAssignments',
      e =>
        parseScope(
          `/subscriptions/${String(e.parameters.subscriptionId)}/resourceGroups/${String(e.parameters.resourceGroupName)}`,
          'example'
        ),
      'assignments'
    ],
    [`${POLICY_NEXT}/listPolicyAssignmentsForManagementGroup.json`, 'policyAssignments', group, 'assignments']
  ];

  it.each(lists)('%s: every item at the scope is read with all its fields', async (file, type, scopeFor, kind) => {
    const e = example(file);
    const scope = scopeFor(e);
    const at = `${scope.id}/providers/Microsoft.Authorization/${type}`;
    serve('GET', at, answer(e, '200'));
    const store = new PolicyStore(connection);
    const read =
      kind === 'definitions'
        ? await store.listDefinitions(scope)
        : kind === 'sets'
          ? await store.listSetDefinitions(scope)
          : await store.listAssignments(scope);
    const sent = object(e.responses['200'].body).value as JsonObject[];
    // What the list holds from elsewhere (built-ins, a parent group) is not this scope's.
    const here = sent.filter(item =>
      String(item.id).toLowerCase().startsWith(`${scope.id.toLowerCase()}/providers/microsoft.authorization/`)
    );
    expect(here.length).toBeGreaterThan(0);
    expect(read.map(r => r.id)).toEqual(here.map(item => item.id));
    read.forEach((resource, i) => {
      expect(resource.name).toBe(here[i].name);
      expectFieldsRead(resource.properties, object(here[i].properties), EXPANDED_ONLY);
      if (kind === 'assignments') {
        expect(resource.location).toEqual(here[i].location);
        expect(resource.identity).toEqual(here[i].identity);
      }
    });
    const [request] = requestsTo(at);
    expect(request.query).toEqual({ 'api-version': POLICY_API_VERSION, $filter: 'atExactScope()' });
  });
});

type WriteKind = 'definition' | 'initiative' | 'assignment';

/**
 * Where an example's answer says something other than its own request (an edit of the example,
 * not something Azure adds): the plan must show exactly these as changes, and nothing of what
 * Azure adds (version, versions, policyType, systemData, instanceId, definitionVersion,
 * notScopes, enforcementMode, scope, an identity's principal, metadata createdBy…).
 */
const EXAMPLE_OWN_CHANGES: { [file: string]: string[] } = {
  // Answer: "Naming Convention" / "… begin with 'prefix' and end with 'suffix'".
  [`${POLICY}/createOrUpdatePolicyDefinition.json`]: ['properties.description', 'properties.displayName'],
  [`${POLICY}/createOrUpdatePolicyDefinitionAtManagementGroup.json`]: [
    'properties.description',
    'properties.displayName'
  ],
  [`${POLICY_NEXT}/createOrUpdatePolicyDefinition.json`]: ['properties.description', 'properties.displayName'],
  // The request's member is a definition at the group, the answer's a built-in of the same name.
  [`${POLICY}/createOrUpdatePolicySetDefinitionAtManagementGroup.json`]: [
    'properties.policyDefinitions.Limit_Skus.policyDefinitionId'
  ],
  // The answer has metadata {assignedBy: "User 1"} the request did not send.
  [`${POLICY}/createPolicyAssignmentNonComplianceMessages.json`]: ['properties.metadata'],
  // Request assignedBy "Foo Bar", answer "Special Someone".
  [`${POLICY}/createPolicyAssignmentWithIdentity.json`]: ['properties.metadata.assignedBy'],
  [`${POLICY}/createPolicyAssignmentWithUserAssignedIdentity.json`]: ['properties.metadata.assignedBy']
};

/** Where a create example writes: its scope, the resource's name, the PUT path, and the list or GET that reads it back. */
function target(e: Example, kind: WriteKind) {
  const p = e.parameters;
  const scope =
    kind === 'assignment' ? scopeOf(p.scope) : p.managementGroupId !== undefined ? group(e) : subscription(e);
  const name = String(
    kind === 'definition'
      ? p.policyDefinitionName
      : kind === 'initiative'
        ? p.policySetDefinitionName
        : p.policyAssignmentName
  );
  const type =
    kind === 'definition' ? 'policyDefinitions' : kind === 'initiative' ? 'policySetDefinitions' : 'policyAssignments';
  const list = `${scope.id}/providers/Microsoft.Authorization/${type}`;
  return { scope, name, list, at: `${list}/${name}` };
}

function put(store: PolicyStore, kind: WriteKind, scope: AzureScope, name: string, body: RestBody) {
  return kind === 'definition'
    ? store.putDefinition(scope, name, body)
    : kind === 'initiative'
      ? store.putSetDefinition(scope, name, body)
      : store.putAssignment(scope, name, body);
}

/** What Azure holds after the write, read as plan reads it: from the list at the scope, or (an assignment) by id. */
async function readBack(store: PolicyStore, kind: WriteKind, scope: AzureScope, id: string) {
  if (kind === 'assignment') return store.getAssignment(id);
  const listed = kind === 'definition' ? await store.listDefinitions(scope) : await store.listSetDefinitions(scope);
  return listed.find(r => r.id.toLowerCase() === id.toLowerCase());
}

describe('writes: the example request is what goes on the wire, and its answer read back plans no change', () => {
  const creates: [string, WriteKind][] = [
    [`${POLICY}/createOrUpdatePolicyDefinition.json`, 'definition'],
    [`${POLICY}/createOrUpdatePolicyDefinitionAdvancedParams.json`, 'definition'],
    [`${POLICY}/createOrUpdatePolicyDefinitionAtManagementGroup.json`, 'definition'],
    [`${POLICY_NEXT}/createOrUpdatePolicyDefinition.json`, 'definition'],
    [`${POLICY}/createOrUpdatePolicySetDefinition.json`, 'initiative'],
    [`${POLICY}/createOrUpdatePolicySetDefinitionAtManagementGroup.json`, 'initiative'],
    [`${POLICY}/createOrUpdatePolicySetDefinitionWithGroups.json`, 'initiative'],
    [`${POLICY_NEXT}/createOrUpdatePolicySetDefinition.json`, 'initiative'],
    [`${POLICY}/createPolicyAssignment.json`, 'assignment'],
    [`${POLICY}/createPolicyAssignmentNonComplianceMessages.json`, 'assignment'],
    [`${POLICY}/createPolicyAssignmentWithIdentity.json`, 'assignment'],
    [`${POLICY}/createPolicyAssignmentWithUserAssignedIdentity.json`, 'assignment'],
    [`${POLICY}/createPolicyAssignmentWithoutEnforcement.json`, 'assignment'],
    [`${POLICY_NEXT}/createPolicyAssignment.json`, 'assignment']
  ];

  it.each(creates)('%s', async (file, kind) => {
    const e = example(file);
    const { scope, name, list, at } = target(e, kind);
    const request = e.parameters.parameters as unknown as RestBody;
    const store = new PolicyStore(connection);
    for (const status of Object.keys(e.responses)) {
      serve('PUT', at, answer(e, status));
      expect(await put(store, kind, scope, name, request)).toEqual({ status: Number(status) });
    }
    const puts = requestsTo(at).filter(r => r.method === 'PUT');
    expect(puts).toHaveLength(Object.keys(e.responses).length);
    for (const sent of puts) {
      expect(sent.body).toEqual(request);
      expect(sent.query).toEqual({ 'api-version': POLICY_API_VERSION });
    }
    for (const [status, response] of Object.entries(e.responses)) {
      const body = response.body as JsonObject;
      if (kind === 'assignment') serve('GET', at, { status: 200, body });
      else serve('GET', list, { status: 200, body: { value: [body] } });
      const read = await readBack(store, kind, scope, String(body.id));
      expect({ status, read: read?.id }).toEqual({ status, read: body.id });
      const changes = compareBodies(kind, read as unknown as JsonObject, request as unknown as JsonObject);
      expect({ status, changes: changes.map(c => c.path) }).toEqual({
        status,
        changes: EXAMPLE_OWN_CHANGES[file] ?? []
      });
    }
  });
});

describe('reads by id and deletes (policy 2025-03-01 examples)', () => {
  it.each([`${POLICY}/getPolicyAssignment.json`, `${POLICY}/getPolicyAssignmentWithIdentity.json`])(
    '%s: the assignment is read with all its fields, by PolicyStore and by the exemptions’ raw read',
    async file => {
      const e = example(file);
      const body = e.responses['200'].body as JsonObject;
      const at = `${scopeOf(e.parameters.scope).id}/providers/Microsoft.Authorization/policyAssignments/${String(e.parameters.policyAssignmentName)}`;
      serve('GET', at, answer(e, '200'));
      const read = await new PolicyStore(connection).getAssignment(String(body.id));
      expect(read?.id).toBe(body.id);
      expectFieldsRead(read?.properties ?? {}, object(body.properties));
      expect(read?.identity).toEqual(body.identity);
      expect(read?.location).toEqual(body.location);
      expect(await new ExemptionStore(connection).assignment(String(body.id))).toEqual(body);
      expect(requestsTo(at).map(r => r.query['api-version'])).toEqual([POLICY_API_VERSION, POLICY_API_VERSION]);
    }
  );

  // cmk-guard reads definitions and initiatives only from the list at a scope: each GET answer is
  // served there as the one item of a page.
  it.each([
    [`${POLICY}/getPolicyDefinition.json`, 'definitions', true],
    [`${POLICY}/getPolicyDefinitionAtManagementGroup.json`, 'definitions', true],
    [`${POLICY}/getBuiltinPolicyDefinition.json`, 'definitions', false],
    [`${POLICY}/getPolicySetDefinition.json`, 'sets', true],
    [`${POLICY_NEXT}/getPolicySetDefinitionAtManagementGroup.json`, 'sets', true],
    [`${POLICY}/getBuiltInPolicySetDefinition.json`, 'sets', false]
  ] as const)(
    '%s: read from a list page with all its fields (a built-in: not taken as the scope’s)',
    async (file, kind, own) => {
      const e = example(file);
      const body = e.responses['200'].body as JsonObject;
      const scope =
        e.parameters.managementGroupId !== undefined
          ? group(e)
          : parseScope(
              `/subscriptions/${String(e.parameters.subscriptionId ?? 'ae640e6b-ba3e-4256-9d62-2993eecfa6f2')}`,
              'x'
            );
      const type = kind === 'definitions' ? 'policyDefinitions' : 'policySetDefinitions';
      serve('GET', `${scope.id}/providers/Microsoft.Authorization/${type}`, { status: 200, body: { value: [body] } });
      const store = new PolicyStore(connection);
      const read = kind === 'definitions' ? await store.listDefinitions(scope) : await store.listSetDefinitions(scope);
      if (!own) {
        expect(object(body.properties).policyType).toBe('BuiltIn');
        expect(read).toEqual([]);
        return;
      }
      expect(read.map(r => [r.id, r.name])).toEqual([[body.id, body.name]]);
      expectFieldsRead(read[0].properties, object(body.properties));
    }
  );

  const deletes: [string, 'definition' | 'initiative' | 'assignment'][] = [
    [`${POLICY}/deletePolicyAssignment.json`, 'assignment'],
    [`${POLICY_NEXT}/deletePolicyAssignment.json`, 'assignment'],
    [`${POLICY_NEXT}/deletePolicyDefinition.json`, 'definition'],
    [`${POLICY}/deletePolicyDefinitionAtManagementGroup.json`, 'definition'],
    [`${POLICY}/deletePolicySetDefinition.json`, 'initiative'],
    [`${POLICY}/deletePolicySetDefinitionAtManagementGroup.json`, 'initiative']
  ];

  it.each(deletes)(
    '%s: each answer (200 with or without a body, 204 when gone) is a delete done',
    async (file, kind) => {
      const e = example(file);
      const { scope, name, at } = target(e, kind);
      const store = new PolicyStore(connection);
      for (const status of Object.keys(e.responses)) {
        serve('DELETE', at, answer(e, status));
        const done =
          kind === 'definition'
            ? await store.deleteDefinition(scope, name)
            : kind === 'initiative'
              ? await store.deleteSetDefinition(scope, name)
              : await store.deleteAssignment(scope, name);
        expect(done).toEqual({ status: Number(status) });
      }
      expect(requestsTo(at).map(r => [r.method, r.query['api-version']])).toEqual(
        Object.keys(e.responses).map(() => ['DELETE', POLICY_API_VERSION])
      );
    }
  );
});

describe('policy exemptions (2022-07-01-preview, and the get/delete/list examples of 2020-07-01-preview and 2026-01-01-preview)', () => {
  it.each([
    [`${EXEMPTIONS}/listPolicyExemptionsForSubscription.json`, (e: Example) => subscription(e).id],
    [`${EXEMPTIONS}/listPolicyExemptionsForManagementGroup.json`, (e: Example) => group(e).id],
    [
      'policy/exemptions/2026-01-01-preview/examples/listPolicyExemptionsForResourceGroup.json',
      (e: Example) =>
        `/subscriptions/${String(e.parameters.subscriptionId)}/resourceGroups/${String(e.parameters.resourceGroupName)}`
    ]
  ])('%s: every exemption is read as Azure sent it, with the example’s filter', async (file, scopeFor) => {
    const e = example(file);
    const scope = scopeFor(e);
    const at = `${scope}/providers/Microsoft.Authorization/policyExemptions`;
    serve('GET', at, answer(e, '200'));
    const read = await new ExemptionStore(connection).list(scope, String(e.parameters.$filter));
    expect(read).toEqual(object(e.responses['200'].body).value);
    expect(requestsTo(at)[0].query).toEqual({ 'api-version': EXEMPTIONS_API_VERSION, $filter: e.parameters.$filter });
  });

  it.each([
    'policy/exemptions/2020-07-01-preview/examples/getPolicyExemption.json',
    'policy/exemptions/2026-01-01-preview/examples/getPolicyExemption.json'
  ])('%s: read by id as Azure sent it', async file => {
    const e = example(file);
    const at = `${scopeOf(e.parameters.scope).id}/providers/Microsoft.Authorization/policyExemptions/${String(e.parameters.policyExemptionName)}`;
    serve('GET', at, answer(e, '200'));
    expect(await new ExemptionStore(connection).get(at)).toEqual(e.responses['200'].body);
  });

  it.each([
    `${EXEMPTIONS}/createOrUpdatePolicyExemption.json`,
    `${EXEMPTIONS}/createOrUpdatePolicyExemptionWithResourceSelectors.json`,
    'policy/exemptions/2026-01-01-preview/examples/createOrUpdatePolicyExemption.json'
  ])('%s: the example request goes on the wire, and its answers read back plan no change', async file => {
    const e = example(file);
    const scope = scopeOf(e.parameters.scope).id;
    const name = String(e.parameters.policyExemptionName);
    const at = `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`;
    const request = object(e.parameters.parameters);
    const store = new ExemptionStore(connection);
    for (const status of Object.keys(e.responses)) {
      serve('PUT', at, answer(e, status));
      expect(await store.put(scope, name, object(request.properties))).toEqual({ status: Number(status) });
      serve('GET', at, { status: 200, body: e.responses[status].body });
      const read = await store.get(at);
      expect(read).toEqual(e.responses[status].body);
      expect(compareBodies('exemption', read as unknown as JsonObject, request)).toEqual([]);
    }
    for (const sent of requestsTo(at).filter(r => r.method === 'PUT')) {
      expect(sent.body).toEqual(request);
      expect(sent.query).toEqual({ 'api-version': EXEMPTIONS_API_VERSION });
    }
  });

  it.each([
    'policy/exemptions/2020-07-01-preview/examples/deletePolicyExemption.json',
    'policy/exemptions/2026-01-01-preview/examples/deletePolicyExemption.json'
  ])('%s: 200 and 204 are a delete done', async file => {
    const e = example(file);
    const scope = scopeOf(e.parameters.scope).id;
    const name = String(e.parameters.policyExemptionName);
    const at = `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`;
    const store = new ExemptionStore(connection);
    for (const status of Object.keys(e.responses)) {
      serve('DELETE', at, answer(e, status));
      expect(await store.delete(scope, name)).toEqual({ status: Number(status) });
    }
  });
});

describe('management group descendants (Management Groups GetDescendants example, 2023-04-01)', () => {
  it('reads every group and subscription below the group by its id, with nextLink null ending the list', async () => {
    const e = example('managementgroups/2023-04-01/examples/GetDescendants.json');
    const scope = parseScope(
      `/providers/Microsoft.Management/managementGroups/${String(e.parameters.groupId)}`,
      'example'
    );
    serve('GET', `${scope.id}/descendants`, answer(e, '200'));
    const value = object(e.responses['200'].body).value as JsonObject[];
    // The subscription's type is spelled `Microsoft.Management/managementGroups/subscriptions` here and
    // `/subscriptions` in 2020-05-01's description: cmk-guard tells them by id.
    expect(value.map(v => v.type)).toEqual([
      'Microsoft.Management/managementGroups',
      'Microsoft.Management/managementGroups/subscriptions'
    ]);
    expect(await descendants(connection, scope)).toEqual(value.map(v => v.id));
    expect((await groupsBelow(connection, scope)).map(g => g.id)).toEqual([value[0].id]);
    expect(requestsTo(`${scope.id}/descendants`).map(r => r.query)).toEqual([
      { 'api-version': MANAGEMENT_GROUPS_API_VERSION },
      { 'api-version': MANAGEMENT_GROUPS_API_VERSION }
    ]);
  });
});

describe('Resource Graph resources (2024-04-01 examples)', () => {
  const RESOURCES = '/providers/Microsoft.ResourceGraph/resources';

  /** Answers each query with the example whose request names the `$skipToken` it sends (none: `first`). */
  function serveGraph(pages: { [skipToken: string]: Example }): void {
    serve('POST', RESOURCES, body => {
      const token = String(object(object(body as Json).options).$skipToken ?? '');
      const page = pages[token];
      if (!page) return { status: 400, body: { error: { code: 'BadRequest', message: `no page ${token}` } } };
      return answer(page, '200');
    });
  }

  const scopeFromQuery = (e: Example): AzureScope | 'tenant' => {
    const query = object(e.parameters.query);
    if (Array.isArray(query.subscriptions))
      return parseScope(`/subscriptions/${String(query.subscriptions[0])}`, 'example');
    if (Array.isArray(query.managementGroups))
      return parseScope(`/providers/Microsoft.Management/managementGroups/${String(query.managementGroups[0])}`, 'x');
    return 'tenant';
  };

  it.each([
    'ResourcesBasicQuery.json',
    'ResourcesFacetQuery.json',
    'ResourcesFilterQuery.json',
    'ResourcesMgBasicQuery.json',
    'ResourcesPropertiesQuery.json',
    'ResourcesSummarizeQuery.json',
    'ResourcesTenantBasicQuery.json'
  ])('%s: every row, and only the rows (facets, resultTruncated "false" and all)', async file => {
    const e = example(`${GRAPH}/${file}`);
    serveGraph({ '': e });
    const query = object(e.parameters.query);
    const rows = [];
    for await (const row of new ResourceGraph(connection).rows(scopeFromQuery(e), String(query.query), 'replaying'))
      rows.push(row);
    expect(rows).toEqual(object(e.responses['200'].body).data);
    const [sent] = requestsTo(RESOURCES);
    expect(sent.query).toEqual({ 'api-version': RESOURCE_GRAPH_API_VERSION });
    const body = object(sent.body as Json);
    expect(body.query).toBe(query.query);
    // One subscription or group, as cmk-guard queries a scope (the example may name two groups).
    if (Array.isArray(query.subscriptions)) expect(body.subscriptions).toEqual(query.subscriptions.slice(0, 1));
    if (Array.isArray(query.managementGroups))
      expect(body.managementGroups).toEqual(query.managementGroups.slice(0, 1));
    if (!query.subscriptions && !query.managementGroups) {
      expect(body.subscriptions).toBeUndefined();
      expect(body.managementGroups).toBeUndefined();
    }
    expect(object(body.options)).toEqual({ $top: 1000, resultFormat: 'objectArray' });
  });

  it('follows $skipToken from the first page to the next, and stops at a page without one', async () => {
    const first = example(`${GRAPH}/ResourcesFirstPageQuery.json`);
    const next = example(`${GRAPH}/ResourcesNextPageQuery.json`);
    // The last page is another example, whose totalRecords is its own: as one result's last page, it says the
    // first page's (a total that changes between pages means the result changed while it was paged).
    const last = structuredClone(example(`${GRAPH}/ResourcesBasicQuery.json`));
    object(last.responses['200'].body).totalRecords = object(first.responses['200'].body).totalRecords;
    const firstToken = String(object(first.responses['200'].body).$skipToken);
    const nextToken = String(object(next.responses['200'].body).$skipToken);
    // The next page's example asks with the token the first page's example answered.
    expect(object(object(next.parameters.query).options).$skipToken).toBe(firstToken);
    serveGraph({ '': first, [firstToken]: next, [nextToken]: last });
    const rows = [];
    const query = String(object(first.parameters.query).query);
    for await (const row of new ResourceGraph(connection).rows(scopeFromQuery(first), query, 'replaying'))
      rows.push(row);
    expect(rows).toEqual([first, next, last].flatMap(e => object(e.responses['200'].body).data as JsonObject[]));
    expect(requestsTo(RESOURCES).map(r => object(object(r.body as Json).options).$skipToken)).toEqual([
      undefined,
      firstToken,
      nextToken
    ]);
  });
});

describe('Policy Insights (2024-10-01 examples)', () => {
  const QUERY = '/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults';

  it.each([
    ['PolicyStates_QuerySubscriptionScope.json', 'subscription'],
    ['PolicyStates_QuerySubscriptionScopeNextLink.json', 'subscription'],
    ['PolicyStates_QueryManagementGroupScope.json', 'managementGroup'],
    ['PolicyStates_QueryManagementGroupScopeNextLinkSkipToken.json', 'managementGroup']
  ])(
    '%s: each state becomes a record with Azure’s values, and a null or absent @odata.nextLink ends it',
    async (file, kind) => {
      const e = example(`${INSIGHTS}/${file}`);
      const value = object(e.responses['200'].body).value as JsonObject[];
      // The NextLink examples have no scope parameter: their states name it.
      const scope =
        kind === 'subscription'
          ? parseScope(`/subscriptions/${String(value[0].subscriptionId)}`, 'example')
          : parseScope(
              `/providers/Microsoft.Management/managementGroups/${String(e.parameters.managementGroupName ?? 'myManagementGroup')}`,
              'example'
            );
      serve('POST', `${scope.id}${QUERY}`, answer(e, '200'));
      const initiative = '/providers/Microsoft.Authorization/policySetDefinitions/Some-Initiative';
      const records = await new ComplianceStates(connection).forInitiative(scope, initiative);
      expect(records).toEqual(
        value.map(state => ({
          resourceId: state.resourceId,
          resourceType: String(state.resourceType).replace(/^\//, ''),
          complianceState: state.complianceState,
          policyAssignmentId: state.policyAssignmentId,
          policyDefinitionId: state.policyDefinitionId,
          policyDefinitionReferenceId: state.policyDefinitionReferenceId ?? '',
          policyDefinitionName: state.policyDefinitionName,
          effect: state.policyDefinitionAction,
          timestamp: new Date(String(state.timestamp)).toISOString(),
          // What an exemption's resourceLocation selector reads.
          ...(state.resourceLocation ? { resourceLocation: state.resourceLocation } : {})
        }))
      );
      const sent = requestsTo(`${scope.id}${QUERY}`);
      expect(sent.map(r => [r.method, r.query])).toEqual([
        [
          'POST',
          {
            'api-version': POLICY_INSIGHTS_API_VERSION,
            $filter: `policySetDefinitionId eq '${initiative.toLowerCase()}'`
          }
        ]
      ]);
    }
  );

  it.each(['PolicyStates_TriggerSubscriptionEvaluation.json', 'PolicyStates_TriggerResourceGroupEvaluation.json'])(
    '%s: 202 with Location is followed until it answers 200; 200 at once is a scan already done',
    async file => {
      const e = example(`${INSIGHTS}/${file}`);
      const sub = String(e.parameters.subscriptionId);
      const scope = parseScope(
        e.parameters.resourceGroupName === undefined
          ? `/subscriptions/${sub}`
          : `/subscriptions/${sub}/resourceGroups/${String(e.parameters.resourceGroupName)}`,
        'example'
      );
      const at = `${scope.id}/providers/Microsoft.PolicyInsights/policyStates/latest/triggerEvaluation`;
      const accepted = e.responses['202'].headers ?? {};
      const location = new URL(accepted.Location);
      // The operation's URL on this endpoint (Azure names the endpoint asked), polled as ARM's pattern has it:
      // 202 while the scan runs, then 200.
      const operation = location.pathname;
      let polls = 0;
      serve('GET', operation, () => (++polls < 2 ? { status: 202, headers: { 'retry-after': '0' } } : { status: 200 }));
      serve('POST', at, {
        status: 202,
        headers: { ...accepted, Location: `${server.url}${operation}${location.search}`, 'Retry-After': '0' }
      });
      const lines: string[] = [];
      await new ComplianceStates(connection).scan(scope, { timeoutMs: 60_000, log: line => lines.push(line) });
      expect(requestsTo(operation).map(r => r.query)).toEqual([
        { 'api-version': POLICY_INSIGHTS_API_VERSION },
        { 'api-version': POLICY_INSIGHTS_API_VERSION }
      ]);
      expect(lines).toEqual([
        `Started a compliance scan of ${scope.id}.`,
        `The compliance scan of ${scope.id} has ended.`
      ]);

      serve('POST', at, answer(e, '200'));
      lines.length = 0;
      await new ComplianceStates(connection).scan(scope, { timeoutMs: 60_000, log: line => lines.push(line) });
      expect(lines).toEqual([
        `The scan of ${scope.id} is already done.`,
        `The compliance scan of ${scope.id} has ended.`
      ]);
      expect(requestsTo(at).map(r => [r.method, r.query['api-version']])).toEqual([
        ['POST', POLICY_INSIGHTS_API_VERSION],
        ['POST', POLICY_INSIGHTS_API_VERSION]
      ]);
    }
  );
});

/**
 * The shape of a JSON value: an object's keys (each with its value's shape), a list's first
 * item, a scalar's type. Two answers with the same shape hold the same fields of the same types.
 */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length ? [shape(value[0])] : [];
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  return value === null ? 'null' : typeof value;
}

/** The paths of `expected`'s shape that `actual`'s lacks or holds with another type. */
function missingShape(expected: unknown, actual: unknown, at = ''): string[] {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${at} (an object)`];
    return Object.entries(expected).flatMap(([k, v]) =>
      k in actual ? missingShape(v, (actual as Record<string, unknown>)[k], `${at}.${k}`) : [`${at}.${k}`]
    );
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at} (a list)`];
    return expected.length && actual.length ? missingShape(expected[0], actual[0], `${at}[0]`) : [];
  }
  // A field unset (null) may be absent or set; a set field must keep its type.
  return expected === 'null' || actual === expected ? [] : [`${at} (${String(expected)}, not ${String(actual)})`];
}

describe('the loopback takes each example request as Azure did, and answers with every field Azure’s answer has', () => {
  const SUBSCRIPTION = 'ae640e6b-ba3e-4256-9d62-2993eecfa6f2';

  async function send(method: string, at: string, apiVersion: string, body?: unknown) {
    const response = await fetch(`${server.url}${at}?api-version=${apiVersion}`, {
      method,
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** PUTs the example's request where it names, as its api-version's successor cmk-guard sends; the answer's status and shape. */
  async function replayRequest(file: string, kind: WriteKind | 'exemption') {
    const e = example(file);
    const p = e.parameters;
    const at =
      kind === 'exemption'
        ? `${scopeOf(p.scope).id}/providers/Microsoft.Authorization/policyExemptions/${String(p.policyExemptionName)}`
        : target(e, kind).at;
    const answered = await send(
      'PUT',
      at,
      kind === 'exemption' ? EXEMPTIONS_API_VERSION : POLICY_API_VERSION,
      p.parameters
    );
    const statuses = Object.keys(e.responses).map(Number);
    const expected = e.responses[String(answered.status)]?.body ?? e.responses[String(statuses[0])].body;
    const refused = answered.status >= 400 ? { error: answered.body } : {};
    return {
      file,
      status: answered.status,
      statuses,
      missing: missingShape(shape(expected), shape(answered.body)),
      ...refused
    };
  }

  it('definitions, initiatives (with groups), assignments (identities, messages, DoNotEnforce) and exemptions', async () => {
    await server.close();
    server = await startArmServer({ modules: [policyModule, exemptionsModule, resourceGraphModule] });
    seedManagementGroup(server, 'MyManagementGroup', { subscriptions: [SUBSCRIPTION] });
    seedExemptionGroup(server, 'MyManagementGroup', [SUBSCRIPTION]);
    // The built-in the initiatives name, as Azure holds it (the example's own answer).
    const builtin = example(`${POLICY}/getBuiltinPolicyDefinition.json`).responses['200'].body as JsonObject;
    seedPolicyResource(server, '', 'policyDefinitions', String(builtin.name), object(builtin.properties));
    // The initiatives name it at the subscription and at the group as well (as a custom copy there).
    for (const scope of [
      `/subscriptions/${SUBSCRIPTION}`,
      '/providers/Microsoft.Management/managementGroups/MyManagementGroup'
    ])
      seedPolicyResource(server, scope, 'policyDefinitions', String(builtin.name), {
        ...object(builtin.properties),
        policyType: 'Custom'
      });

    const replayed = [];
    for (const [file, kind] of [
      [`${POLICY}/createOrUpdatePolicyDefinition.json`, 'definition'],
      [`${POLICY}/createOrUpdatePolicyDefinitionAdvancedParams.json`, 'definition'],
      [`${POLICY}/createOrUpdatePolicyDefinitionAtManagementGroup.json`, 'definition'],
      [`${POLICY}/createOrUpdatePolicySetDefinition.json`, 'initiative'],
      [`${POLICY}/createOrUpdatePolicySetDefinitionAtManagementGroup.json`, 'initiative'],
      [`${POLICY}/createOrUpdatePolicySetDefinitionWithGroups.json`, 'initiative'],
      [`${POLICY}/createPolicyAssignment.json`, 'assignment'],
      [`${POLICY}/createPolicyAssignmentWithIdentity.json`, 'assignment'],
      [`${POLICY}/createPolicyAssignmentWithUserAssignedIdentity.json`, 'assignment'],
      [`${POLICY}/createPolicyAssignmentWithoutEnforcement.json`, 'assignment']
    ] as const) {
      // Each example creates its resource anew (the same names recur with other parameters).
      if (kind !== 'definition') await send('DELETE', target(example(file), kind).at, POLICY_API_VERSION);
      replayed.push(await replayRequest(file, kind));
    }

    // The exemptions' assignment, CostManagement, assigns the CostManagement initiative (whose member Limit_Skus they name).
    const initiative = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/policySetDefinitions/CostManagement`;
    const assignment = await send(
      'PUT',
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/policyAssignments/CostManagement`,
      POLICY_API_VERSION,
      { properties: { policyDefinitionId: initiative } }
    );
    expect(assignment.status).toBe(201);
    for (const file of [
      `${EXEMPTIONS}/createOrUpdatePolicyExemption.json`,
      `${EXEMPTIONS}/createOrUpdatePolicyExemptionWithResourceSelectors.json`
    ])
      replayed.push(await replayRequest(file, 'exemption'));

    expect(replayed.filter(r => !r.statuses.includes(r.status) || r.missing.length)).toEqual([]);

    // An update keeps the assignment's identity, as Azure does: the roles granted to it still hold.
    for (const file of [
      `${POLICY}/createPolicyAssignmentWithIdentity.json`,
      `${POLICY}/createPolicyAssignmentWithUserAssignedIdentity.json`
    ]) {
      const e = example(file);
      const at = target(e, 'assignment').at;
      await send('DELETE', at, POLICY_API_VERSION);
      const created = await send('PUT', at, POLICY_API_VERSION, e.parameters.parameters);
      const updated = await send('PUT', at, POLICY_API_VERSION, e.parameters.parameters);
      expect([created.status, updated.status]).toEqual([201, 200]);
      expect(object(updated.body as Json).identity).toEqual(object(created.body as Json).identity);
    }
  });
});
