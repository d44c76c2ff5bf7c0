/**
 * Lists whose next-page link is new every time but whose pages hold nothing: the same link again is
 * caught by its having been seen, but links that differ each time were followed 10,000 times (about
 * 11 s on loopback, half an hour against Azure). Each pager — the policy SDK's lists, raw REST lists
 * (exemptions), Resource Graph's `$skipToken`, Policy Insights' `@odata.nextLink` — stops after
 * MAX_EMPTY_PAGES empty pages in a row, and still reads a list whose items come after fewer.
 */
import { ComplianceStates } from '../../src/azure/compliance.js';
import type { ArmConnection } from '../../src/azure/connection.js';
import { ArmError } from '../../src/azure/errors.js';
import { ExemptionStore } from '../../src/azure/exemptions.js';
import { PolicyStore } from '../../src/azure/policyStore.js';
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { MAX_EMPTY_PAGES } from '../../src/azure/rest.js';
import { parseScope } from '../../src/azure/scope.js';
import { exemptionsModule } from '../support/arm-exemptions.js';
import { policyModule } from '../support/arm-policy.js';
import { policyInsightsModule } from '../support/arm-policyinsights.js';
import { resourceGraphModule } from '../support/arm-resourcegraph.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import { connect } from './support.js';

const SUB = parseScope('/subscriptions/00000000-0000-0000-0000-000000000001', '--scope');
const DEFINITIONS = `${SUB.id}/providers/Microsoft.Authorization/policyDefinitions`;
const EXEMPTIONS = `${SUB.id}/providers/Microsoft.Authorization/policyExemptions`;
const definition = (name: string) => ({
  id: `${DEFINITIONS}/${name}`,
  name,
  properties: { displayName: name, policyType: 'Custom', mode: 'All', policyRule: {} }
});
const exemption = (name: string) => ({
  id: `${EXEMPTIONS}/${name}`,
  name,
  properties: {
    policyAssignmentId: `${SUB.id}/providers/Microsoft.Authorization/policyAssignments/a`,
    exemptionCategory: 'Waiver'
  }
});
const state = (name: string) => ({
  resourceId: `${SUB.id}/resourceGroups/rg/providers/x/y/${name}`,
  complianceState: 'Compliant'
});

let server: ArmServer;
let connection: ArmConnection;
/** Pages served so far; the items come on page `itemsAt` (never when undefined). */
let served: number;
let itemsAt: number | undefined;

beforeEach(async () => {
  server = await startArmServer({
    modules: [policyModule, exemptionsModule, resourceGraphModule, policyInsightsModule]
  });
  connection = connect(server);
  served = 0;
  itemsAt = undefined;
  const next = (path: string, version: string) => `${server.url}${path}?api-version=${version}&$skiptoken=${served}`;
  /** Empty pages, each linking to a new one, until the page with the items, which ends the list. */
  const page = <T>(items: T[], link: () => Record<string, string>) => {
    served++;
    return served === itemsAt ? { value: items } : { value: [], ...link() };
  };
  server.route(
    {
      method: 'GET',
      pattern: /\/policyDefinitions$/i,
      handle: () => ({
        status: 200,
        body: page([definition('d')], () => ({ nextLink: next(DEFINITIONS, '2025-03-01') }))
      })
    },
    { first: true }
  );
  server.route(
    {
      method: 'GET',
      pattern: /\/policyExemptions$/i,
      handle: () => ({
        status: 200,
        body: page([exemption('e')], () => ({ nextLink: next(EXEMPTIONS, '2022-07-01-preview') }))
      })
    },
    { first: true }
  );
  server.route(
    {
      method: 'POST',
      pattern: /\/providers\/Microsoft\.ResourceGraph\/resources$/i,
      handle: () => {
        const { value, nextLink } = page([{ id: `${SUB.id}/resourceGroups/rg/providers/x/y/r`, name: 'r' }], () => ({
          nextLink: `t${served}`
        })) as { value: unknown[]; nextLink?: string };
        return {
          status: 200,
          body: {
            data: value,
            count: value.length,
            totalRecords: 1,
            resultTruncated: 'false',
            ...(nextLink ? { $skipToken: nextLink } : {})
          }
        };
      }
    },
    { first: true }
  );
  server.route(
    {
      method: 'POST',
      pattern: /\/policyStates\/latest\/queryResults$/i,
      handle: () => {
        const { value, nextLink } = page([state('s')], () => ({
          nextLink: `${server.url}${SUB.id}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults?api-version=2024-10-01&$skiptoken=${served}`
        })) as { value: unknown[]; nextLink?: string };
        return { status: 200, body: { value, ...(nextLink ? { '@odata.nextLink': nextLink } : {}) } };
      }
    },
    { first: true }
  );
});
afterEach(() => server.close());

const pagers: [string, () => Promise<unknown[]>, string][] = [
  ['the policy SDK’s list', () => new PolicyStore(connection).listDefinitions(SUB), 'Resource Manager'],
  ['a raw REST list', () => new ExemptionStore(connection).list(SUB.id), 'Resource Manager'],
  ['Resource Graph', () => new ResourceGraph(connection).resources(SUB, null), 'Resource Graph'],
  ['Policy Insights', () => new ComplianceStates(connection).forInitiative(SUB, '/x/i'), 'Azure']
];

describe('empty pages without end', () => {
  it.each(pagers)('%s stops after MAX_EMPTY_PAGES in a row, saying why', async (_name, read, who) => {
    const error = (await read().catch((e: unknown) => e)) as ArmError;
    expect(error).toBeInstanceOf(ArmError);
    expect(error.code).toBe('Paging');
    expect(error.message).toMatch(
      new RegExp(
        `^${who} sent ${MAX_EMPTY_PAGES} empty pages in a row, each with a link to another, while .*; cmk-guard stopped, as the list would never end\\.$`
      )
    );
    expect(served).toBe(MAX_EMPTY_PAGES);
  });

  it.each(pagers)('%s still reads the items that come after fewer empty pages', async (_name, read) => {
    itemsAt = MAX_EMPTY_PAGES;
    expect(await read()).toHaveLength(1);
    expect(served).toBe(MAX_EMPTY_PAGES);
  });
});
