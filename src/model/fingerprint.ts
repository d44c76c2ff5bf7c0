/**
 * A finding's fingerprint: what SARIF carries as `partialFingerprints` (so code scanning keeps one
 * alert across pushes) and what the baseline matches by (so a baselined finding stays baselined).
 * One function for both, so the two can never disagree.
 */
import { nodeCrypto } from './builtins.js';
import type { Finding } from './finding.js';

/** The partialFingerprints key; bump the version if what is hashed changes. */
export const FINGERPRINT_KEY = 'cmkGuardFinding/v1';

/**
 * Rule, resource type and name (case-insensitive, as ARM compares them) and file (relative to the
 * repository root): the same finding keeps its fingerprint when lines move or the message changes;
 * a renamed resource is a new finding.
 */
export function fingerprint(finding: Pick<Finding, 'definition' | 'resource'>, file = finding.resource.file): string {
  const key = [
    finding.definition,
    finding.resource.type.toLowerCase(),
    finding.resource.name.toLowerCase(),
    file ?? ''
  ].join('\0');
  return nodeCrypto().createHash('sha256').update(key).digest('hex').slice(0, 32);
}
