/**
 * Transition rules compare a resource in the PR's base with the same resource in its head:
 * a JSON Schema over `{before, after}` (ajv's `$data` gives equality across the two). Azure
 * Policy sees only the state being deployed, never the one before it, so these run in pull
 * requests only and their findings say so.
 */
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { Unknown } from '../model/value.js';
import { azureComparable, compileSchemaCheck, describeDependencies, valueAt } from './azureCompare.js';
import type { PrRule } from './prRule.js';
import { originalPointer, prFinding, ruleTypes } from './prRule.js';
import { foldCase } from '../model/foldCase.js';

export interface TransitionRule extends PrRule {
  /** Which {before, after} pairs the rule covers. */
  appliesTo?: unknown;
  /** What a compliant {before, after} pair satisfies. */
  schema: unknown;
}

export interface ResourcePair {
  before: Resource;
  after: Resource;
}

/** Pairs the head's resources with the base's by type and name (ARM compares both case-insensitively). */
export function pairResources(base: Resource[], head: Resource[]): ResourcePair[] {
  const key = (r: Resource) => foldCase(`${r.type}|${r.name}`);
  const before = new Map(base.filter(r => !r.existing).map(r => [key(r), r]));
  const pairs: ResourcePair[] = [];
  for (const after of head) {
    if (after.existing) continue;
    const match = before.get(key(after));
    if (match) pairs.push({ before: match, after });
  }
  return pairs;
}

const NOTE = 'Azure Policy cannot enforce this: it sees only the state being deployed, not the one before it.';

export function compileTransitionRule(rule: TransitionRule): (pairs: ResourcePair[]) => Finding[] {
  const types = ruleTypes(rule);
  const applies = rule.appliesTo === undefined ? null : compileSchemaCheck(rule.appliesTo);
  const check = compileSchemaCheck(rule.schema);
  return pairs => {
    const findings: Finding[] = [];
    for (const pair of pairs) {
      if (!types.has(foldCase(pair.after.type))) continue;
      const data = { before: azureComparable(pair.before.json), after: azureComparable(pair.after.json) };
      const scope = applies?.(data);
      if (scope && scope.verdict === false) continue;
      const result = check(data);
      const afterPointer =
        result.pointer?.startsWith('/after') === true
          ? originalPointer(pair.after.json, result.pointer.slice('/after'.length))
          : null;
      const unsure = scope?.verdict === 'unknown' ? scope.dependsOn : [];
      if (result.verdict === true && !unsure.length) {
        findings.push(
          prFinding(rule, pair.after, 'compliant', `${rule.displayName}: the change keeps to it. ${NOTE}`, null, null)
        );
      } else if (result.verdict === false && !unsure.length) {
        findings.push(
          prFinding(
            rule,
            pair.after,
            'noncompliant',
            `${describeChange(pair, result.pointer)} ${NOTE}`,
            null,
            afterPointer
          )
        );
      } else {
        const keys = [...new Set([...unsure, ...result.dependsOn])];
        findings.push(
          prFinding(
            rule,
            pair.after,
            'indeterminate',
            `${rule.displayName}: cannot be decided before deployment. ${NOTE}`,
            describeDependencies(keys),
            afterPointer
          )
        );
      }
    }
    return findings;
  };
}

/** "properties.encryption.keySource was "Microsoft.KeyVault" in the base and is "Microsoft.CognitiveServices" now." */
function describeChange(pair: ResourcePair, lowered: string | null): string {
  const inner = lowered?.replace(/^\/(after|before)/, '') ?? '';
  if (!inner) return 'This change from the base breaks the rule.';
  const afterPointer = originalPointer(pair.after.json, inner) ?? inner;
  const beforePointer = originalPointer(pair.before.json, inner) ?? inner;
  const show = (v: unknown) => (v === undefined ? 'not set' : JSON.stringify(v instanceof Unknown ? String(v) : v));
  const name = afterPointer.slice(1).split('/').join('.');
  return `${name} was ${show(valueAt(pair.before.json, beforePointer))} in the base and is ${show(valueAt(pair.after.json, afterPointer))} now.`;
}
