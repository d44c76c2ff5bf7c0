/**
 * The finding store: what is read back is what was added, group by group in ascending order, each
 * group in the order added, less what an input took back; the same whether the findings stayed in
 * memory or went to the temporary file (a bound of a few findings makes it write out often).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { exitCodeFor, FindingTally, type Finding, type FindingsStream } from '../../src/model/finding.js';
import { FINDING_DEPTH } from '../../src/report/json.js';
import { FindingStore } from '../../src/report/store.js';
import { writeFileAtomic } from '../../src/report/files.js';
import {
  indentedJson,
  itemSeparator,
  joinPieces,
  jsonPieces,
  Streamed,
  type ItemText
} from '../../src/report/stream.js';
import { longestDecoded } from '../support/decoded.js';
import { findingsEntries, openFindingsFiles } from '../support/findingsFiles.js';

function finding(n: number): Finding {
  return {
    definition: `rule-${n % 5}`,
    displayName: `Rule ${n % 5} — “quoted”, with a line\nbreak`,
    effect: 'Audit',
    severity: n % 3 === 0 ? 'error' : n % 3 === 1 ? 'warning' : 'note',
    verdict: n % 2 === 0 ? 'compliant' : n % 5 === 1 ? 'indeterminate' : 'noncompliant',
    ...(n % 7 === 3 ? { baselined: true as const } : {}),
    resource: {
      id: `/r/${n}`,
      type: 'Microsoft.Test/things',
      name: `thing-${n}\u2028`,
      file: null,
      line: n,
      column: 1
    },
    message: `finding ${n}`,
    reason: null
  };
}

type Step = { kind: 'add'; group: number } | { kind: 'input' } | { kind: 'discard'; group?: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), group: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'input' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('discard' as const),
      group: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined })
    })
  }
);

/** What the store should give: the same steps on plain lists. */
function model(steps: Step[]): { findings: Finding[]; size: number } {
  const added: { group: number; input: number; finding: Finding }[] = [];
  let input = 0;
  let n = 0;
  for (const s of steps) {
    if (s.kind === 'add') added.push({ group: s.group, input, finding: finding(n++) });
    else if (s.kind === 'input') input++;
    else {
      for (let i = added.length - 1; i >= 0; i--)
        if (added[i].input === input && (s.group === undefined || added[i].group === s.group)) added.splice(i, 1);
    }
  }
  const ordered = [...added].sort((a, b) => a.group - b.group);
  return { findings: ordered.map(a => a.finding), size: added.length };
}

function play(store: FindingStore, steps: Step[]): void {
  let n = 0;
  for (const s of steps) {
    if (s.kind === 'add') store.add(s.group, finding(n++));
    else if (s.kind === 'input') store.beginInput();
    else store.discardInput(s.group);
  }
}

/** A document of findings, for the exit code. */
const stream = (findings: Iterable<Finding>): FindingsStream => ({
  tool: { name: 'cmk-guard', version: '0' },
  summary: {
    resources: 0,
    definitions: 0,
    compliant: 0,
    noncompliant: 0,
    indeterminate: 0,
    suppressed: 0,
    baselined: 0
  },
  findings
});

/** A tally's kinds and counts, in an order that does not depend on the order counted. */
const kinds = (tally: FindingTally) => [...tally].map(entry => JSON.stringify(entry)).sort();

const storeEntries = () => findingsEntries(os.tmpdir());

/** The store's `jsonTexts`, each piece as text (the findings written out come as their bytes). */
const texts = (store: FindingStore) =>
  [...store.jsonTexts()].map((piece: ItemText) => (typeof piece === 'string' ? piece : joinPieces(piece)));

describe('FindingStore', () => {
  it('gives back what was added, by group, less what was taken back, in memory or written out', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 1, max: 20 }), (steps, limit) => {
        const expected = model(steps);
        const spilling = new FindingStore(limit);
        const holding = new FindingStore(1_000_000);
        try {
          play(spilling, steps);
          play(holding, steps);
          expect([...spilling]).toEqual(expected.findings);
          expect([...holding]).toEqual(expected.findings);
          // Read twice: a reading leaves the store as it was.
          expect([...spilling]).toEqual(expected.findings);
          expect(spilling.size).toBe(expected.size);
          // What the store counts as findings come and go is what counting the findings read back gives.
          const counted = new FindingTally();
          for (const f of expected.findings) counted.add(f);
          expect(kinds(spilling.tally())).toEqual(kinds(counted));
          expect(kinds(holding.tally())).toEqual(kinds(counted));
          for (const failOn of ['error', 'warning', 'note'] as const)
            for (const failOnIndeterminate of [false, true]) {
              const tallied = Object.assign([...expected.findings], { tally: () => spilling.tally() });
              expect(exitCodeFor(stream(tallied), { failOn, failOnIndeterminate })).toBe(
                exitCodeFor(stream(expected.findings), { failOn, failOnIndeterminate })
              );
            }
          expect(holding.size).toBe(expected.size);
          // As the findings document writes them, a piece holding one finding or several.
          const written = expected.findings.map(f => indentedJson(f, FINDING_DEPTH)).join(itemSeparator(FINDING_DEPTH));
          expect(texts(spilling).join(itemSeparator(FINDING_DEPTH))).toBe(written);
          expect(texts(holding).join(itemSeparator(FINDING_DEPTH))).toBe(written);
          expect(texts(spilling).every(text => text.length > 0)).toBe(true);
        } finally {
          spilling.dispose();
          holding.dispose();
        }
      }),
      { numRuns: 200 }
    );
  });

  it('gives back what `prepare` made of each finding, in memory or written out', () => {
    // Made into what a report gives: rule fields after the finding's own (on most, the findings document's members).
    const prepare = (f: Finding): Finding => ({
      ...f,
      remediation: `Fix ${f.definition}: "it"\n`,
      helpUri: 'https://example.com/rule',
      enforcement: 'azure'
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 1, max: 20 }), (steps, limit) => {
        const expected = model(steps).findings.map(prepare);
        const store = new FindingStore(limit, prepare);
        try {
          play(store, steps);
          expect(store.prepared).toBe(true);
          expect([...store]).toEqual(expected);
          expect(texts(store).join(itemSeparator(FINDING_DEPTH))).toBe(
            expected.map(f => indentedJson(f, FINDING_DEPTH)).join(itemSeparator(FINDING_DEPTH))
          );
        } finally {
          store.dispose();
        }
      }),
      { numRuns: 100 }
    );
  });

  it('gives findings written out as their bytes, a window at a time, characters split between windows, which a report file copies as they are', () => {
    // Messages of several windows (64 KB) each, in characters of two, three and four bytes.
    const long = (n: number) => ({ ...finding(n), message: `${n}:` + 'é“😀'.repeat(6_000 + n * 1_001) });
    const store = new FindingStore(3);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cmk-guard-store-bytes-'));
    try {
      const added = Array.from({ length: 10 }, (_, n) => long(n));
      added.forEach((f, n) => store.add(n % 2, f));
      expect(store.writtenOut).toBe(true);
      const expected = [...added.filter((_, n) => n % 2 === 0), ...added.filter((_, n) => n % 2 === 1)];
      const pieces = [...store.jsonTexts()];
      expect(pieces.some(piece => typeof piece !== 'string' && [...piece].length > 1)).toBe(true);
      expect(texts(store).join(itemSeparator(FINDING_DEPTH))).toBe(
        expected.map(f => indentedJson(f, FINDING_DEPTH)).join(itemSeparator(FINDING_DEPTH))
      );
      const file = path.join(dir, 'findings.json');
      writeFileAtomic(file, jsonPieces({ findings: Streamed.texts(store.jsonTexts()) }));
      expect(readFileSync(file, 'utf8')).toBe(JSON.stringify({ findings: expected }, null, 2));
      expect([...store]).toEqual(expected);
    } finally {
      store.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads findings written out back one at a time, never a block as one string, groups side by side', () => {
    // Blocks of 1,000 findings, many windows (64 KB) each, findings cut by a window's end; some longer than a window.
    const sized = (n: number) =>
      n % 97 === 5 ? { ...finding(n), message: `${n}:` + 'é“😀'.repeat(9_000) } : finding(n);
    const store = new FindingStore(1_000);
    try {
      const added = Array.from({ length: 4_000 }, (_, n) => sized(n));
      added.forEach((f, n) => store.add(n % 2, f));
      expect(store.writtenOut).toBe(true);
      const expected = [...added.filter((_, n) => n % 2 === 0), ...added.filter((_, n) => n % 2 === 1)];
      const longestFinding = Math.max(...added.map(f => indentedJson(f, FINDING_DEPTH).length));
      const all = longestDecoded(() => [...store]);
      expect(all.result).toEqual(expected);
      expect(all.longest).toBeGreaterThan(0);
      expect(all.longest).toBeLessThanOrEqual(longestFinding);
      // Two groups read in turns (as sorted runs are merged): each reading keeps its own place in the file.
      const side = longestDecoded(() => {
        const [a, b] = [store.group(0), store.group(1)];
        const read: Finding[] = [];
        for (let x = a.next(), y = b.next(); !x.done || !y.done; x = a.next(), y = b.next()) {
          if (!x.done) read.push(x.value);
          if (!y.done) read.push(y.value);
        }
        return read;
      });
      expect(side.result).toEqual(added);
      expect(side.longest).toBeLessThanOrEqual(longestFinding);
    } finally {
      store.dispose();
    }
  });

  it('keeps two bytes in memory for each finding written out, four in a block with one of 64 KB or more', () => {
    const store = new FindingStore(1_000);
    try {
      for (let n = 0; n < 3_000; n++) store.add(n % 2, finding(n));
      // Written out three times, 500 findings of each group each time.
      expect(store.writtenOutIndexBytes).toBe(2 * 3_000);
      store.add(0, { ...finding(3_000), message: 'x'.repeat(70_000) });
      for (let n = 3_001; n < 4_000; n++) store.add(1, finding(n));
      // Written out again: a block of group 0 holding the long finding alone, and one of 999 findings of group 1.
      expect(store.writtenOutIndexBytes).toBe(2 * 3_000 + 4 * 1 + 2 * 999);
      expect([...store].map(f => f.message.length)).toContain(70_000);
    } finally {
      store.dispose();
    }
  });

  it('writes out past its bound to a file with no name left in the temporary folder, closed once disposed', () => {
    const before = storeEntries();
    const opened = openFindingsFiles();
    const store = new FindingStore(10);
    for (let i = 0; i < 9; i++) store.add(i % 2, finding(i));
    expect(store.writtenOut).toBe(false);
    for (let i = 9; i < 35; i++) store.add(i % 2, finding(i));
    expect(store.writtenOut).toBe(true);
    // The name is gone at once (where the system allows it): a run killed now leaves nothing behind.
    if (process.platform !== 'win32') expect(storeEntries().filter(name => !before.includes(name))).toEqual([]);
    if (opened) expect(openFindingsFiles()).toHaveLength(opened.length + 1);
    expect([...store].map(f => f.message)).toEqual([
      ...Array.from({ length: 18 }, (_, i) => `finding ${2 * i}`),
      ...Array.from({ length: 17 }, (_, i) => `finding ${2 * i + 1}`)
    ]);
    store.dispose();
    if (opened) expect(openFindingsFiles()).toEqual(opened);
    expect(storeEntries().filter(name => !before.includes(name))).toEqual([]);
    expect([...store]).toEqual([]);
  });
});
