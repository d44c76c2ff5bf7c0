/** Every door, a few hundred random and mutated inputs (the corpus suite runs 10,000 each): see fuzz.ts. */
import { rmSync } from 'node:fs';
import { doors, fuzz, scratchFolder } from './fuzz.js';

afterAll(() => {
  const folder = scratchFolder();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe.each(doors.map(door => [door.name, door] as const))('%s', (_name, door) => {
  it('ends in a result or an error at the file, within the bound, on 200 inputs', () => fuzz(door, 200));
});
