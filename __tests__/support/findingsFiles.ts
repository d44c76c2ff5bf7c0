/** What the finding store leaves open or named, as a test can see it. */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';

/** The findings files `pid` has open (Linux names them under /proc); null where that cannot be seen. */
export function openFindingsFiles(pid: number | 'self' = 'self'): string[] | null {
  if (!existsSync(`/proc/${pid}/fd`)) return null;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  return fds.flatMap(fd => {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      return target.includes('cmk-guard-findings-') ? [target] : [];
    } catch {
      return [];
    }
  });
}

/** The entries of `folder` a finding store made. */
export function findingsEntries(folder: string): string[] {
  return readdirSync(folder).filter(name => name.startsWith('cmk-guard-findings-'));
}
