import type { Logger } from '../../src/report/logger.js';

/** A Logger that remembers what it was told, for assertions. */
export function recordingLogger(): Logger & { infos: string[]; warnings: string[]; debugs: string[] } {
  const infos: string[] = [];
  const warnings: string[] = [];
  const debugs: string[] = [];
  return {
    infos,
    warnings,
    debugs,
    info: message => void infos.push(message),
    warning: message => void warnings.push(message),
    debug: message => void debugs.push(message)
  };
}
