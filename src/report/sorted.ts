/**
 * The findings a report lists, in its order (`compareFindings`), sorted in bounded memory: a run of a few
 * thousand is sorted and written out (a `FindingStore` group), and the runs are merged a block of each at a
 * time. A report on a tenant's snapshot lists hundreds of thousands of findings; it never holds them all.
 */
import type { Finding } from '../model/finding.js';
import { compareFindings } from './findings.js';
import { FindingStore } from './store.js';

/** How many findings are sorted in memory at a time. */
export const SORT_RUN = 5_000;
/** How many findings of each run are read at a time while the runs are merged. */
const MERGE_BLOCK = 256;

export interface SortedFindings {
  /** How many there are: known before any is read. */
  count: number;
  /** The findings in order; read once. What they were kept in is removed when the reading ends. */
  findings: Iterable<Finding>;
}

/**
 * The findings that pass `keep`, in the reports' order; equal ones keep their order, as a stable sort of
 * all of them at once would. They are read (and sorted) when this is called.
 */
export function sortFindings(
  findings: Iterable<Finding>,
  keep: (finding: Finding) => boolean,
  runSize = SORT_RUN,
  visit?: (finding: Finding) => void,
  compare: (a: Finding, b: Finding) => number = compareFindings
): SortedFindings {
  return sortEach(findings, [keep], runSize, visit, compare)[0];
}

/**
 * `sortFindings` for each of `keeps`, in one reading of the findings (each reading of a big run's findings
 * parses them again from disk). `visit`, when given, sees every finding on the way; `compare` is the order
 * (the reports' by default).
 */
export function sortEach(
  findings: Iterable<Finding>,
  keeps: ((finding: Finding) => boolean)[],
  runSize = SORT_RUN,
  visit?: (finding: Finding) => void,
  compare: (a: Finding, b: Finding) => number = compareFindings
): SortedFindings[] {
  const sorters = keeps.map(keep => ({ keep, ...sorter(runSize, compare) }));
  for (const finding of findings) {
    visit?.(finding);
    for (const s of sorters) if (s.keep(finding)) s.add(finding);
  }
  return sorters.map(s => s.end());
}

function sorter(
  runSize: number,
  compare: (a: Finding, b: Finding) => number
): { add(finding: Finding): void; end(): SortedFindings } {
  let buffer: Finding[] = [];
  let store: FindingStore | undefined;
  let runs = 0;
  let count = 0;
  const writeRun = () => {
    store ??= new FindingStore(MERGE_BLOCK);
    buffer.sort(compare);
    for (const finding of buffer) store.add(runs, finding);
    runs++;
    buffer = [];
  };
  return {
    add(finding) {
      count++;
      buffer.push(finding);
      if (buffer.length >= runSize) writeRun();
    },
    end() {
      if (!store) return { count, findings: buffer.sort(compare) };
      if (buffer.length) writeRun();
      return { count, findings: merged(store, runs, compare) };
    }
  };
}

/** The runs of `store` (groups 0 to `runs` − 1), merged; the store is disposed of once read. */
function* merged(store: FindingStore, runs: number, compare: (a: Finding, b: Finding) => number): Generator<Finding> {
  try {
    // A heap of the runs by their next finding; ties go to the earlier run, which holds the earlier findings.
    const heads: { finding: Finding; run: number; rest: Iterator<Finding> }[] = [];
    const before = (a: (typeof heads)[number], b: (typeof heads)[number]) => {
      const order = compare(a.finding, b.finding);
      return order < 0 || (order === 0 && a.run < b.run);
    };
    const up = (i: number) => {
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!before(heads[i], heads[parent])) break;
        [heads[i], heads[parent]] = [heads[parent], heads[i]];
        i = parent;
      }
    };
    const down = (i: number) => {
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let least = i;
        if (left < heads.length && before(heads[left], heads[least])) least = left;
        if (right < heads.length && before(heads[right], heads[least])) least = right;
        if (least === i) break;
        [heads[i], heads[least]] = [heads[least], heads[i]];
        i = least;
      }
    };
    for (let run = 0; run < runs; run++) {
      const rest = store.group(run);
      const first = rest.next();
      if (first.done) continue;
      heads.push({ finding: first.value, run, rest });
      up(heads.length - 1);
    }
    while (heads.length) {
      const top = heads[0];
      yield top.finding;
      const next = top.rest.next();
      if (next.done) {
        const last = heads.pop()!;
        if (heads.length) {
          heads[0] = last;
          down(0);
        }
      } else {
        top.finding = next.value;
        down(0);
      }
    }
  } finally {
    store.dispose();
  }
}
