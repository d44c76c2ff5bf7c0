/** What relation and transition rules share: the rule fields they read and how their findings are built. */
import type { Finding, Severity, Verdict } from '../model/finding.js';
import { findingResource, raceVerdict } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { escapePointerSegment, unescapePointerSegment } from '../model/pointer.js';
import { foldCase } from '../model/foldCase.js';

/** What the pull-request-only checks need of a rule (relation and transition rules). */
export interface PrRule {
  name: string;
  displayName: string;
  severity: Severity;
  effect: { default: string };
  resourceType: string | string[];
  remediation?: string;
  references?: string[];
}

export function ruleTypes(rule: PrRule): Set<string> {
  const types = Array.isArray(rule.resourceType) ? rule.resourceType : [rule.resourceType];
  return new Set(types.map(t => foldCase(t)));
}

/** A finding of a pull-request-only rule, pointing at the resource (or the value at fault when known). */
export function prFinding(
  rule: PrRule,
  resource: Resource,
  verdict: Verdict,
  message: string,
  reason: string | null,
  pointer: string | null
): Finding {
  if (resource.conditionUnknown && verdict === 'noncompliant') {
    // A resource that deploys only if a condition holds that cannot be known yet: the finding holds only then.
    verdict = 'indeterminate';
    reason = `the resource is deployed only if ${resource.conditionUnknown}`;
  }
  if (resource.race) ({ verdict, reason, message } = raceVerdict(resource.race, verdict, reason, message));
  const position = (pointer !== null && resource.positionOf?.(pointer)) || resource.source;
  return {
    definition: rule.name,
    displayName: rule.displayName,
    effect: rule.effect.default,
    severity: rule.severity,
    verdict,
    resource: findingResource(resource, position),
    message,
    reason,
    remediation: rule.remediation,
    helpUri: rule.references?.[0],
    enforcement: 'pr-only'
  };
}

/** Maps a pointer into lower-cased comparable data back to the resource's own spelling of each name. */
export function originalPointer(json: unknown, lowered: string | null): string | null {
  if (lowered === null) return null;
  let current: unknown = json;
  const out: string[] = [];
  for (const raw of lowered.split('/').slice(1)) {
    const key = unescapePointerSegment(raw);
    let actual = key;
    if (current && typeof current === 'object' && !Array.isArray(current)) {
      actual = Object.keys(current).find(k => foldCase(k) === key) ?? key;
      current = (current as Record<string, unknown>)[actual];
    } else if (Array.isArray(current)) {
      current = current[Number(key)];
    } else {
      current = undefined;
    }
    out.push(escapePointerSegment(actual));
  }
  return out.length ? '/' + out.join('/') : '';
}
