/** Every door, a few hundred random and mutated inputs (the corpus suite runs 10,000 each): see fuzz.ts. */
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { corpusFuzzRuns, doors, fuzz, fuzzSeed, scratchFolder, withinBound, type Door } from './fuzz.js';

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

  it('names the input a whole run was stopped on', () => {
    let spins = 0;
    const spinning: Door = {
      name: 'a door that never ends on x',
      input: fc.constantFrom('a', 'x'),
      run: text => {
        while (text === 'x') spins++;
      }
    };
    expect(() => fuzz(spinning, 50, 1, 300)).toThrow(/did not end within \d+ ms: seed 1, stopped on the input "x"/);
    expect(spins).toBeGreaterThan(0);
  });

  it('uses a fixed seed unless CMK_GUARD_FUZZ_SEED asks for another or for a random one', () => {
    expect(fuzzSeed({})).toBe(20261205);
    expect(fuzzSeed({ CMK_GUARD_FUZZ_SEED: '42' })).toBe(42);
    expect(fuzzSeed({ CMK_GUARD_FUZZ_SEED: 'random' })).toBeUndefined();
    expect(fuzzSeed({ CMK_GUARD_FUZZ_SEED: 'not a number' })).toBe(20261205);
  });

  it('runs 10,000 inputs per door in the corpus suites unless CMK_GUARD_FUZZ_RUNS says how many', () => {
    expect(corpusFuzzRuns({})).toBe(10_000);
    expect(corpusFuzzRuns({ CMK_GUARD_FUZZ_RUNS: '2000' })).toBe(2000);
    expect(corpusFuzzRuns({ CMK_GUARD_FUZZ_RUNS: '0' })).toBe(10_000);
  });
});
