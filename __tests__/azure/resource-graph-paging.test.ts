/**
 * Resource Graph pages with a `$skipToken` that holds an offset into the query's result, run again for each page: a
 * resource created or deleted between two pages shifts the rows, so a page repeats a row or skips one, even ordered
 * by id (learn.microsoft.com … resource-graph/concepts/paging-results, "Pagination in dynamic environments"). A
 * skipped row is a resource never evaluated; cmk-guard reads the result again until it holds still.
 */
import { ResourceGraph } from '../../src/azure/resourceGraph.js';
import { parseScope } from '../../src/azure/scope.js';
import { startArmServer, type ArmServer } from '../support/arm-server.js';
import {
  resourceGraphModule,
  resourceGraphState,
  seedManagementGroup,
  seedResources
} from '../support/arm-resourcegraph.js';
import { connect, SUB } from './support.js';

const SCOPE = parseScope(SUB, 'test');
const TYPES = ['microsoft.keyvault/vaults'];
const vault = (i: number) => ({
  id: `${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-${String(i).padStart(4, '0')}`,
  name: `kv-${String(i).padStart(4, '0')}`,
  type: 'Microsoft.KeyVault/vaults',
  location: 'westeurope',
  properties: {}
});

describe('Resource Graph answers that change while they are paged', () => {
  let server: ArmServer;
  beforeEach(async () => {
    server = await startArmServer({ modules: [resourceGraphModule] });
    seedManagementGroup(server, 'contoso', { subscriptions: [SUB.split('/')[2]] });
    seedResources(
      server,
      Array.from({ length: 1500 }, (_, i) => vault(i))
    );
  });
  afterEach(() => server.close());

  const ids = async () =>
    (await new ResourceGraph(connect(server)).resources(SCOPE, TYPES)).map(row => String(row.id).split('/').pop());

  it('reads again when a resource deleted between pages would have shifted one out of the next page', async () => {
    const state = resourceGraphState(server);
    // kv-0010 is deleted after the first page: kv-1000 moves into it, and the second page starts at kv-1001.
    state.afterPage = () => {
      state.afterPage = undefined;
      state.rows.delete(vault(10).id.toLowerCase());
    };
    const read = await ids();
    expect(read).toHaveLength(1499);
    expect(read).toContain('kv-1000');
    expect(read).not.toContain('kv-0010');
  });

  it('reads again when a resource created between pages would have repeated one, and gives each once', async () => {
    const state = resourceGraphState(server);
    state.afterPage = () => {
      state.afterPage = undefined;
      // kv-0000a sorts into the first page, which is read: the second page starts with kv-0999 again.
      const created = vault(0);
      seedResources(server, [{ ...created, id: `${created.id}a`, name: 'kv-0000a' }]);
    };
    const read = await ids();
    expect(read).toHaveLength(1501);
    expect(new Set(read).size).toBe(1501);
    expect(read).toContain('kv-0000a');
  });

  it('stops, saying why, when the result keeps changing read after read', async () => {
    const state = resourceGraphState(server);
    let next = 2000;
    state.afterPage = () => void seedResources(server, [vault(next++)]);
    await expect(ids()).rejects.toThrow(/changed while cmk-guard read it page by page, 3 times/);
  });

  it('reads once when nothing changes', async () => {
    expect(await ids()).toHaveLength(1500);
    expect(resourceGraphState(server).queries).toHaveLength(2);
  });
});
