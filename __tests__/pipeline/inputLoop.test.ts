/**
 * The input loop on its own: a snapshot is evaluated a batch at a time into the store, each definition's
 * findings in its group; one that turns out broken after its first batches leaves nothing behind (no
 * findings, no count), as if it had been read whole and refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluateDefinitions, loadDefinition } from '../../src/engine/index.js';
import { InputLoop } from '../../src/pipeline/inputLoop.js';
import { RelationPass } from '../../src/pipeline/relationPass.js';
import { FindingStore } from '../../src/report/store.js';
import { compilePolicies } from '../../src/run.js';
import { loadResourceSnapshot } from '../../src/sources/index.js';
import { random, snapshotResources } from '../support/snapshots.js';

const definitions = compilePolicies(path.resolve('policies'), { root: path.resolve('.') }).definitions.map(json =>
  loadDefinition({ file: null, json })
);

function loop(store: FindingStore): InputLoop {
  return new InputLoop({
    definitions,
    parameters: {},
    store,
    definitionGroup: name => definitions.findIndex(d => d.name === name),
    relations: new RelationPass([], store, i => definitions.length + i),
    keepResources: false,
    cwd: '/'
  });
}

describe('InputLoop', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-input-loop-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives each definition, in its group, the verdicts it gives on the whole snapshot', () => {
    const file = path.join(dir, 'snapshot.json');
    writeFileSync(file, JSON.stringify({ value: snapshotResources(150, random(5)) }));
    const store = new FindingStore(100);
    const inputs = loop(store);
    inputs.snapshot('snapshot.json', file);
    const resources = loadResourceSnapshot(file);
    expect(resources.length).toBeGreaterThan(1000);
    expect(inputs.resourceCount).toBe(resources.length);
    definitions.forEach((definition, i) => {
      const whole = evaluateDefinitions([definition], resources);
      expect([...store.group(i)]).toEqual(JSON.parse(JSON.stringify(whole)));
    });
    expect(inputs.problems).toEqual([]);
    store.dispose();
  });

  it('leaves nothing of a snapshot broken after its first batches', () => {
    const file = path.join(dir, 'broken.json');
    const resources = snapshotResources(150, random(5));
    const at = resources.length - 5;
    expect(at).toBeGreaterThan(1000);
    resources.splice(at, 0, { name: 'no-type' });
    writeFileSync(file, JSON.stringify({ value: resources }));
    const store = new FindingStore(100);
    const inputs = loop(store);
    expect(() => inputs.snapshot('broken.json', file)).toThrow(`snapshot entry ${at} needs string "type"`);
    expect([...store]).toEqual([]);
    expect(store.size).toBe(0);
    expect(inputs.resourceCount).toBe(0);
    store.dispose();
  });
});
