/**
 * Deploy's waits for Azure Policy's replicas (a write refused because Azure does not see yet what it references) are
 * jittered: each wait is its doubling delay give or take a quarter, so writes refused together — eight definitions
 * at once, an initiative and its exemptions — do not all come back at the same instant. The random source is
 * injectable, so the waits are exact in tests.
 */
import fc from 'fast-check';
import { jittered, settled, SETTLE_JITTER } from '../../src/azure/apply.js';
import { ArmError } from '../../src/azure/errors.js';

const refused = () => new ArmError('Azure answered 400 PolicyDefinitionNotFound.', 400, 'PolicyDefinitionNotFound', '');

/** A random source that gives these numbers in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe("deploy's waits for Azure Policy's replicas", () => {
  it('are the doubling delays, each moved by the random source within a quarter either way', async () => {
    const waits: number[] = [];
    let tries = 0;
    const result = await settled(
      async () => {
        if (++tries < 5) throw refused();
        return 'written';
      },
      { retries: 6, delayMs: 40, maxDelayMs: 200, random: sequence(0, 0.5, 0.999, 0.25) },
      (_error, delayMs) => waits.push(delayMs)
    );
    expect(result).toBe('written');
    // 40, 80, 160, 200 (capped), each × (0.75 + 0.5 r).
    expect(waits).toEqual([30, 80, 200, 175]);
  });

  it('say how long they waited in all when Azure never catches up', async () => {
    const error = (await settled(
      () => Promise.reject(refused()),
      { retries: 2, delayMs: 400, maxDelayMs: 30_000, random: sequence(0.999, 0.999) },
      undefined
    ).catch((e: unknown) => e)) as ArmError;
    // 500 + 1000 ms waited: 2 s, rounded; the delays without jitter, 400 + 800 ms, would be 1 s.
    expect(error.message).toContain('cmk-guard tried 3 times over 2 s:');
  });

  it('stay within a quarter of the delay for any random number, and out-of-range numbers are clamped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), fc.double({ min: -1, max: 2, noNaN: true }), (delay, r) => {
        const wait = jittered(delay, () => r);
        return wait >= Math.floor(delay * (1 - SETTLE_JITTER)) && wait <= Math.ceil(delay * (1 + SETTLE_JITTER));
      }),
      { seed: 6, numRuns: 500 }
    );
    expect(jittered(1000, () => 0)).toBe(750);
    expect(jittered(1000, () => 0.5)).toBe(1000);
    expect(jittered(1000, () => 5)).toBe(1250);
  });
});
