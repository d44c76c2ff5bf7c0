/**
 * The second half of the doors, 10,000 random inputs and mutations of real files each (the public
 * corpus included): see fuzz.ts. The first half is in fuzz.corpus.test.ts, so the two run on
 * two workers. The fast-check seed is printed on failure; rerun with it to reproduce.
 */
import { rmSync } from 'node:fs';
import { corpusFuzzRuns, doors, fuzz, scratchFolder } from './fuzz.js';

afterAll(() => {
  const folder = scratchFolder();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe.each(doors.slice(6).map(door => [door.name, door] as const))('%s', (_name, door) => {
  const runs = corpusFuzzRuns();
  it(`ends in a result or an error at the file, within the bound, on ${runs} inputs`, () => fuzz(door, runs));
});
