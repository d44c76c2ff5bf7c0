/**
 * Hostile answers from Resource Manager (issue #11's last door): a policy list that is
 * malformed, in the wrong shape, nested without end, huge, late or paging forever ends in an
 * ArmError that says so, never a crash, a hang, or an item quietly dropped (which would plan a
 * create over something cmk-guard has not read). Against the loopback ARM, real SDK clients.
 */
import fc from 'fast-check';
import type { ServerResponse } from 'node:http';
import { ArmError } from '../../src/azure/errors.js';
import { checkPolicyListPage, MAX_ANSWER_DEPTH } from '../../src/azure/policyAnswers.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { parseScope } from '../../src/azure/scope.js';
import type { Json } from '../../src/model/value.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { policyModule, POLICY_API_VERSION } from '../support/arm-policy.js';
import { connectWith, eachTestPackAndServer, MG, publish, type Repository } from './support.js';

const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const DEFINITIONS = `${SUB.id}/providers/Microsoft.Authorization/policyDefinitions`;
const definitionId = (name: string) => `${DEFINITIONS}/${name}`;

const connect = connectWith({ retry: { maxRetries: 1, retryDelayInMs: 1, maxRetryDelayInMs: 2 } });

/** Every policy list at any scope answers `answer()`, as raw bytes. */
function serveLists(server: ArmServer, answer: () => string): void {
  const raw = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(answer());
  };
  server.route(
    {
      method: 'GET',
      pattern: /\/providers\/Microsoft\.Authorization\/(policyDefinitions|policySetDefinitions|policyAssignments)$/i,
      handle: () => ({ status: 200, raw })
    },
    { first: true }
  );
}

const item = (properties: Json, id = definitionId('a'), name = 'a') => ({ id, name, properties });

const hostile: [string, string, RegExp][] = [
  ['value is not a list', '{"value":"x"}', /\(value is a string, not a list\)/],
  ['no value', '{}', /\(the answer has no `value` list\)/],
  ['a list at the top', '[1,2]', /\(the answer is a list, not an object\)/],
  ['null', 'null', /\(the answer is null, not an object\)/],
  ['a null item', '{"value":[null]}', /\(value\[0\] is null, not an object\)/],
  [
    'an id that is a number',
    JSON.stringify({ value: [{ id: 5, name: 'a', properties: {} }] }),
    /value\[0\]\.id is a number/
  ],
  [
    'an id of another type',
    JSON.stringify({ value: [item({}, `${SUB.id}/providers/Microsoft.Authorization/policyAssignments/a`)] }),
    /value\[0\]\.id is not the id of one of the policyDefinitions listed/
  ],
  [
    'a name that is not its id’s',
    JSON.stringify({ value: [item({}, definitionId('a'), 'b')] }),
    /value\[0\]\.name is not the last segment of its id/
  ],
  ['properties as a string', JSON.stringify({ value: [item('zzz')] }), /value\[0\]\.properties is a string/],
  [
    'parameters that are not declarations',
    JSON.stringify({ value: [item({ parameters: { effect: 'Deny' } })] }),
    /value\[0\]\.properties\.parameters\.effect is a string, not an object/
  ],
  [
    'a policy rule that is a number',
    JSON.stringify({ value: [item({ policyRule: 5 })] }),
    /value\[0\]\.properties\.policyRule is a number/
  ],
  [
    'a list member the check does not look at that is an object (the SDK reads it with .map)',
    JSON.stringify({ value: [item({ version: '1.0.0', versions: {} })] }),
    /the SDK could not read it: .*versions/
  ],
  ['a nextLink that is a number', '{"value":[],"nextLink":5}', /\(nextLink is a number, not a string\)/],
  ['a nextLink that is not a URL', '{"value":[],"nextLink":"http://["}', /\(nextLink is not a URL\)/],
  [
    'nesting without end',
    `{"value":[${'['.repeat(MAX_ANSWER_DEPTH + 5)}${']'.repeat(MAX_ANSWER_DEPTH + 5)}]}`,
    new RegExp(`nests deeper than ${MAX_ANSWER_DEPTH} levels`)
  ]
];

describe('answers Resource Manager should not give', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [policyModule] });
  });
  afterEach(() => server.close());

  it.each(hostile)('%s: a clear error naming where the answer is wrong', async (_name, body, where) => {
    serveLists(server, () => body);
    const error = (await new PolicyStore(connect(server)).listDefinitions(SUB).catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('MalformedAnswer');
    expect(error.message).toMatch(
      /^Resource Manager's answer while listing the policy definitions at subscription 00000000-0000-0000-0000-000000000001 is not in the shape its API documents \(/
    );
    expect(error.message).toMatch(where);
    // Not retried: the same answer would come again.
    expect(server.requests).toHaveLength(1);
  });

  it('a Resource Graph answer the SDK cannot read (facets that are not a list) is an error of the answer, not a crash', async () => {
    server.route(
      {
        method: 'POST',
        pattern: /\/providers\/Microsoft\.ResourceGraph\/resources$/i,
        handle: () => ({
          status: 200,
          raw: (res: ServerResponse) => {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ totalRecords: 0, count: 0, resultTruncated: 'false', data: [], facets: {} }));
          }
        })
      },
      { first: true }
    );
    const rows = async () => {
      for await (const row of new ResourceGraph(connect(server)).rows(SUB, 'resources', 'reading the scope')) void row;
    };
    const error = (await rows().catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('MalformedAnswer');
    expect(error.message).toMatch(
      /^Resource Manager's answer while reading the scope is not in the shape its API documents \(the SDK could not read it: /
    );
  });

  it('checks initiatives’ members and assignments’ fields as the plan reads them', async () => {
    const store = new PolicyStore(connect(server));
    const set = (members: Json) => ({
      value: [
        item({ policyDefinitions: members }, `${SUB.id}/providers/Microsoft.Authorization/policySetDefinitions/s`, 's')
      ]
    });
    serveLists(server, () => JSON.stringify(set('x')));
    expect(((await store.listSetDefinitions(SUB).catch((e: unknown) => e)) as ArmError).message).toContain(
      'value[0].properties.policyDefinitions is a string, not a list'
    );
    serveLists(server, () => JSON.stringify(set([{ policyDefinitionId: 7 }])));
    expect(((await store.listSetDefinitions(SUB).catch((e: unknown) => e)) as ArmError).message).toContain(
      'value[0].properties.policyDefinitions[0].policyDefinitionId is a number, not a string'
    );
    serveLists(server, () =>
      JSON.stringify({
        value: [
          item(
            { policyDefinitionId: definitionId('a'), nonComplianceMessages: [{ message: null }] },
            `${SUB.id}/providers/Microsoft.Authorization/policyAssignments/x`,
            'x'
          )
        ]
      })
    );
    expect(((await store.listAssignments(SUB).catch((e: unknown) => e)) as ArmError).message).toContain(
      'value[0].properties.nonComplianceMessages[0].message is null, not a string'
    );
  });

  it.each(['null', '', '"x"', '[1]', '{"error":5}', '{"error":{"code":5,"message":[1],"details":7}}', '<html>'])(
    'an error answer %j is an ArmError with its status, for every write, and 5xx is still retried',
    async body => {
      let calls = 0;
      const answer = (status: number) => (res: ServerResponse) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      };
      for (const method of ['PUT', 'DELETE'])
        server.route(
          {
            method,
            pattern: /\/(policyDefinitions|policySetDefinitions|policyAssignments)\/refused$/i,
            handle: () => ({ status: 409, raw: answer(409) })
          },
          { first: true }
        );
      server.route(
        {
          method: 'PUT',
          pattern: /\/policyDefinitions\/flaky$/i,
          handle: () => (++calls <= 2 ? { status: 503, raw: answer(503) } : { status: 201, body: item({}) })
        },
        { first: true }
      );
      const store = new PolicyStore(connect(server, { retry: { maxRetries: 3, retryDelayInMs: 1 } }));
      const body409 = { properties: { policyDefinitionId: definitionId('a'), policyDefinitions: [] } };
      for (const write of [
        () => store.putDefinition(SUB, 'refused', body409),
        () => store.putSetDefinition(SUB, 'refused', body409),
        () => store.putAssignment(SUB, 'refused', body409),
        () => store.deleteDefinition(SUB, 'refused'),
        () => store.deleteSetDefinition(SUB, 'refused'),
        () => store.deleteAssignment(SUB, 'refused')
      ]) {
        const error = (await write().catch((e: unknown) => e)) as ArmError;
        expect(error).toBeInstanceOf(ArmError);
        expect(error.status).toBe(409);
        expect(error.message).toMatch(
          /^Azure answered 409 Http409 while (writing|deleting) the .* refused at subscription/
        );
      }
      server.route(
        { method: 'GET', pattern: /\/policyAssignments$/i, handle: () => ({ status: 400, raw: answer(400) }) },
        { first: true }
      );
      const listed = (await store.listAssignments(SUB).catch((e: unknown) => e)) as ArmError;
      expect(listed).toBeInstanceOf(ArmError);
      expect(listed.status).toBe(400);
      expect((await store.putDefinition(SUB, 'flaky', { properties: {} })).status).toBe(201);
      expect(calls).toBe(3);
    }
  );

  it('stops a list whose nextLink comes back, instead of paging forever', async () => {
    serveLists(server, () =>
      JSON.stringify({ value: [], nextLink: `${server.url}${DEFINITIONS}?api-version=2025-03-01&page=2` })
    );
    const error = (await new PolicyStore(connect(server)).listDefinitions(SUB).catch((e: unknown) => e)) as ArmError;
    expect(error.code).toBe('Paging');
    expect(error.message).toContain('sent the same page link again while listing the policy definitions');
    expect(server.requests).toHaveLength(2);
  });

  it('cuts a huge answer and gives up on a late one, through the SDK as through raw REST', async () => {
    serveLists(server, () => JSON.stringify({ value: [item({ description: 'x'.repeat(256 * 1024) })] }));
    const huge = (await new PolicyStore(connect(server, { maxResponseBytes: 64 * 1024 }))
      .listDefinitions(SUB)
      .catch((e: unknown) => e)) as ArmError;
    expect(huge.code).toBe('ResponseTooLarge');

    server.route(
      { method: 'GET', pattern: /\/policyAssignments$/i, handle: () => ({ status: 200, raw: () => undefined }) },
      { first: true }
    );
    const late = (await new PolicyStore(connect(server, { timeoutMs: 50, retry: { maxRetries: 0 } }))
      .listAssignments(SUB)
      .catch((e: unknown) => e)) as ArmError;
    expect(late).toBeInstanceOf(ArmError);
    expect(late.message).toMatch(
      /^Resource Manager gave no answer within 50 ms, after retries, while listing the policy assignments/
    );
  });

  it('cuts at the deadline a body that trickles in and never ends', async () => {
    const drips: NodeJS.Timeout[] = [];
    const raw = (res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"value":[');
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 20);
      drips.push(drip);
    };
    server.route(
      { method: 'GET', pattern: /\/policyDefinitions$/i, handle: () => ({ status: 200, raw }) },
      { first: true }
    );
    try {
      const error = (await new PolicyStore(connect(server, { timeoutMs: 200, retry: { maxRetries: 0 } }))
        .listDefinitions(SUB)
        .catch((e: unknown) => e)) as ArmError;
      expect(error).toBeInstanceOf(ArmError);
      expect(error.message).toMatch(/^Resource Manager gave no answer within 200 ms, after retries, while listing/);
    } finally {
      drips.forEach(clearInterval);
    }
  });

  it('any answer, or any change to a real one, is read or refused as an ArmError, never a crash', async () => {
    // A real page: what the loopback ARM answers once definitions exist.
    const store = new PolicyStore(connect(server));
    for (const name of ['a', 'b'])
      await store.putDefinition(SUB, name, {
        properties: {
          displayName: name,
          mode: 'Indexed',
          parameters: { effect: { type: 'String', defaultValue: 'Audit', metadata: { displayName: 'Effect' } } },
          policyRule: { if: { field: 'type', equals: 'x' }, then: { effect: "[parameters('effect')]" } }
        }
      });
    const page = (await connect(server).rest.send({ method: 'GET', path: DEFINITIONS, apiVersion: POLICY_API_VERSION }))
      .body as Json;
    const paths: (string | number)[][] = [];
    const walk = (value: Json, at: (string | number)[]) => {
      paths.push(at);
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i]));
      else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
    };
    walk(page, []);
    const replaced = (at: (string | number)[], value: Json): Json => {
      if (!at.length) return value;
      const copy = JSON.parse(JSON.stringify(page)) as Json;
      let parent = copy as { [key: string]: Json };
      for (const key of at.slice(0, -1)) parent = parent[key] as { [key: string]: Json };
      parent[at[at.length - 1]] = value;
      return copy;
    };
    let answer = '';
    serveLists(server, () => answer);
    const reader = new PolicyStore(connect(server, { retry: { maxRetries: 0 } }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map(v => JSON.stringify(v)),
          fc
            .record({ at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) })
            .map(({ at, value }) => JSON.stringify(replaced(paths[at % paths.length], value as Json)))
        ),
        async body => {
          answer = body;
          const result = await reader.listDefinitions(SUB).catch((e: unknown) => e);
          if (Array.isArray(result)) {
            for (const resource of result) {
              expect(typeof resource.id).toBe('string');
              expect(typeof resource.name).toBe('string');
              expect(resource.properties).toBeInstanceOf(Object);
              expect(checkPolicyListPage('policyDefinitions', JSON.parse(body))).toBeUndefined();
            }
          } else {
            expect(result).toBeInstanceOf(ArmError);
          }
        }
      ),
      { numRuns: 150, seed: 12 }
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('plan and deploy on a hostile answer', () => {
  let server: ArmServer;
  let repo: Repository;
  eachTestPackAndServer(
    made => ({ server, repo } = made),
    () => startArmServer({ modules: [policyModule] })
  );

  it('a definition Azure lists with an id that cannot be read stops deploy before any write', async () => {
    // Quietly dropping it would plan a create, and the PUT would overwrite someone else's definition.
    serveLists(server, () =>
      JSON.stringify({
        value: [{ id: 'ai-hub-cmk', name: 'ai-hub-cmk', properties: { metadata: { createdBy: 'someone' } } }]
      })
    );
    const deploy = await publish(server, repo, 'deploy', MG);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toContain(
      "cmk-guard: Resource Manager's answer while listing the policy definitions at management group contoso is not in the shape its API documents (value[0].id is not the id of one of the policyDefinitions listed)"
    );
    expect(server.writeRequests()).toBe(0);
  });
});
