/**
 * A finding's fingerprint: what SARIF carries as `partialFingerprints` (so code scanning keeps one
 * alert across pushes) and what the baseline matches by (so a baselined finding stays baselined).
 * One function for both, so the two can never disagree.
 */
import { nodeCrypto } from './builtins.js';
import type { Finding } from './finding.js';
import { armResourceType } from './resource.js';
import { foldCase } from './foldCase.js';

/** The partialFingerprints key; bump the version if what is hashed changes. */
export const FINGERPRINT_KEY = 'cmkGuardFinding/v1';

/**
 * Rule, resource type and name (case-insensitive, as ARM compares them) and file (relative to the
 * repository root): the same finding keeps its fingerprint when lines move or the message changes;
 * a renamed resource is a new finding. The name is the one the template gives in the placeholder
 * deployment (`stableName`, when the name is built from where the deployment goes): a region the run
 * is told, or does not know, never changes it.
 */
export function fingerprint(finding: Pick<Finding, 'definition' | 'resource'>, file = finding.resource.file): string {
  return printOf(finding, finding.resource.stableName ?? finding.resource.name, file);
}

/**
 * Every fingerprint a baseline may hold for this finding: `fingerprint`, then, for a name built from
 * where the deployment goes, the one made with the name this run shows (what cmk-guard wrote while it
 * identified findings by it).
 */
export function fingerprints(finding: Pick<Finding, 'definition' | 'resource'>): string[] {
  const stable = fingerprint(finding);
  const { stableName, name } = finding.resource;
  return stableName === undefined || foldCase(stableName) === foldCase(name)
    ? [stable]
    : [stable, printOf(finding, name, finding.resource.file)];
}

function printOf(finding: Pick<Finding, 'definition' | 'resource'>, name: string, file: string | null): string {
  const key = [finding.definition, foldCase(armResourceType(finding.resource.type)), foldCase(name), file ?? ''].join(
    '\0'
  );
  return nodeCrypto().createHash('sha256').update(key).digest('hex').slice(0, 32);
}
