/**
 * Transition rules compare a resource in the PR's base with the same resource in its head:
 * a JSON Schema over `{before, after}` (ajv's `$data` gives equality across the two). Azure
 * Policy sees only the state being deployed, never the one before it, so these run in pull
 * requests only and their findings say so.
 */
import * as path from 'node:path';
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { Unknown } from '../model/value.js';
import { azureComparable, compileSchemaCheck, describeDependencies, valueAt } from './azureCompare.js';
import type { PrRule } from './prRule.js';
import { originalPointer, prFinding, ruleTypes } from './prRule.js';
import { foldCase } from '../model/foldCase.js';
import { raceWording } from '../model/race.js';

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

/**
 * Pairs the head's resources with the base's by type and name (ARM compares both case-insensitively). A base
 * resource that deployments no dependsOn orders write may be in any of its states (Resource.race): the head's is
 * paired with each, and the rule's verdict is sure only where they agree (compileTransitionRule).
 */
export function pairResources(base: Resource[], head: Resource[]): ResourcePair[] {
  const key = (r: Resource) => foldCase(`${r.type}|${r.name}`);
  const before = new Map<string, Resource[]>();
  for (const r of base) {
    if (r.existing) continue;
    const states = before.get(key(r));
    // The last declaration, unless the base may end in several states because of the order ARM runs it in.
    if (!states) before.set(key(r), [r]);
    else if (r.race && states.every(s => s.race)) states.push(r);
    else before.set(key(r), [r]);
  }
  const pairs: ResourcePair[] = [];
  for (const after of head) {
    if (after.existing) continue;
    for (const match of before.get(key(after)) ?? []) pairs.push({ before: match, after });
  }
  return pairs;
}

const NOTE = 'Azure Policy cannot enforce this: it sees only the state being deployed, not the one before it.';

export function compileTransitionRule(rule: TransitionRule): (pairs: ResourcePair[]) => Finding[] {
  const types = ruleTypes(rule);
  const applies = rule.appliesTo === undefined ? null : compileSchemaCheck(rule.appliesTo);
  const check = compileSchemaCheck(rule.schema);
  /** The finding on one pair; undefined where the rule does not apply to it. */
  const judge = (pair: ResourcePair): Finding | undefined => {
    const data = { before: azureComparable(pair.before.json), after: azureComparable(pair.after.json) };
    const scope = applies?.(data);
    if (scope && scope.verdict === false) return undefined;
    const result = check(data);
    const afterPointer =
      result.pointer?.startsWith('/after') === true
        ? originalPointer(pair.after.json, result.pointer.slice('/after'.length))
        : null;
    const unsure = scope?.verdict === 'unknown' ? scope.dependsOn : [];
    if (result.verdict === true && !unsure.length) {
      return prFinding(
        rule,
        pair.after,
        'compliant',
        `${rule.displayName}: the change keeps to it. ${NOTE}`,
        null,
        null
      );
    } else if (result.verdict === false && !unsure.length) {
      return prFinding(
        rule,
        pair.after,
        'noncompliant',
        `${describeChange(pair, result.pointer)} ${NOTE}`,
        null,
        afterPointer
      );
    }
    const keys = [...new Set([...unsure, ...result.dependsOn])];
    return prFinding(
      rule,
      pair.after,
      'indeterminate',
      `${rule.displayName}: cannot be decided before deployment. ${NOTE}`,
      describeDependencies(keys),
      afterPointer
    );
  };
  return pairs => {
    // A head resource is paired with each state its base may be in (pairResources): what the rule says of it.
    const byAfter = new Map<Resource, { before: Resource; finding: Finding | undefined }[]>();
    for (const pair of pairs) {
      if (!types.has(foldCase(pair.after.type))) continue;
      const judged = { before: pair.before, finding: judge(pair) };
      const seen = byAfter.get(pair.after);
      if (seen) seen.push(judged);
      else byAfter.set(pair.after, [judged]);
    }
    const findings: Finding[] = [];
    for (const judged of byAfter.values()) {
      const finding = agreed(judged);
      if (finding) findings.push(finding);
    }
    return findings;
  };
}

/**
 * One head resource's finding from those on each state its base may be in: the base is in one of them, and which
 * depends on the order ARM ran the base's deployments in, which cannot be known. A verdict they all give (the
 * rule not applying counting as compliant) stands; otherwise the finding is indeterminate, saying why.
 */
function agreed(judged: { before: Resource; finding: Finding | undefined }[]): Finding | undefined {
  const found = judged.map(j => j.finding).filter((f): f is Finding => f !== undefined);
  if (found.length === 0) return undefined;
  const verdictOf = (f: Finding | undefined) => f?.verdict ?? 'compliant';
  if (judged.every(j => verdictOf(j.finding) === verdictOf(judged[0].finding))) return found[0];
  const worst = found.find(f => f.verdict === 'noncompliant') ?? found.find(f => f.verdict === 'indeterminate')!;
  if (worst.verdict === 'compliant') return worst;
  const base = judged[0].before;
  const at = judged.map(j =>
    j.before.source ? `${path.basename(j.before.source.file)}:${j.before.source.line}` : '?'
  );
  return {
    ...worst,
    verdict: 'indeterminate',
    message: `${worst.message} ${raceWording({ kind: 'base states', name: base.name, writes: at.join(', '), states: judged.length })}`,
    reason: raceWording({ kind: 'base verdict', name: base.name })
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
