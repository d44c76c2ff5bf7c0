/**
 * Whether a built bundle is new enough for a test of the built code: tests that run dist/ as a user does check
 * for a marker of what they test, since landing runs the tests before it rebuilds dist/. ncc splits a bundle
 * into its entry and chunks beside it (a dynamic `import()` makes a chunk), so the marker is looked for in
 * every script in the entry's folder, not in the entry alone: a marker that moved to a chunk would skip the
 * test without a word.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function bundleHolds(entry: string, marker: string): boolean {
  if (!existsSync(entry)) return false;
  const folder = path.dirname(entry);
  return readdirSync(folder)
    .filter(file => file.endsWith('.js'))
    .some(file => readFileSync(path.join(folder, file), 'utf8').includes(marker));
}
