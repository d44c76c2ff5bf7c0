/** Every door, a few hundred random and mutated inputs (the corpus suite runs 10,000 each): see fuzz.ts. */
import { rmSync } from 'node:fs';
import { corpusFuzzRuns, doors, fuzz, fuzzSeed, scratchFolder, withinBound } from './fuzz.js';

afterAll(() => {
  const folder = scratchFolder();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe.each(doors.map(door => [door.name, door] as const))('%s', (_name, door) => {
  it('ends in a result or an error at the file, within the bound, on 200 inputs', () => fuzz(door, 200));
});

describe('the fuzzer itself', () => {
  it('stops an input that loops for ever and fails it, instead of hanging the suite', () => {
    let spins = 0;
    expect(() =>
      withinBound(() => {
        for (;;) spins++;
      }, 200)
    ).toThrow('did not end within 200 ms');
    expect(spins).toBeGreaterThan(0);
    // The door's own errors pass through unchanged, and the next input runs normally.
    expect(() =>
      withinBound(() => {
        throw new RangeError('the door said no');
      }, 200)
    ).toThrow(RangeError);
    let ran = false;
    withinBound(() => void (ran = true), 200);
    expect(ran).toBe(true);
  });

  it('uses a fixed seed unless CMK_GUARD_FUZZ_SEED asks for another or for a random one', () => {
    expect(fuzzSeed(undefined)).toBe(20261205);
    expect(fuzzSeed('42')).toBe(42);
    expect(fuzzSeed('random')).toBeUndefined();
    expect(fuzzSeed('not a number')).toBe(20261205);
  });

  it('runs 10,000 inputs per door in the corpus suites unless CMK_GUARD_FUZZ_RUNS says how many', () => {
    expect(corpusFuzzRuns(undefined)).toBe(10_000);
    expect(corpusFuzzRuns('2000')).toBe(2000);
    expect(corpusFuzzRuns('0')).toBe(10_000);
  });
});
