/**
 * The baseline: the findings of an earlier run that a team accepts while it adopts the gate. A finding
 * of this run whose fingerprint (the same one SARIF carries: rule, resource type and name, file; not
 * the line) the baseline holds is marked `baselined` and does not fail the run; a new one does. Each
 * baseline entry accepts one finding, so a second finding with the same fingerprint is new.
 */
import { UserError } from '../model/errors.js';
import { parseJsonText } from '../model/jsonText.js';
import { isObject, own } from '../model/value.js';
import type { Finding } from '../model/finding.js';
import { isAccepted } from '../model/finding.js';
import { FINGERPRINT_KEY, fingerprint, fingerprints } from '../model/fingerprint.js';
import { readTextFile } from '../model/textFile.js';
import { displayPath } from '../paths.js';
import path from 'node:path';
import { foldCase } from '../model/foldCase.js';
import { PLACEHOLDER_RESOURCE_GROUP, PLACEHOLDER_SUBSCRIPTION } from '../model/resource.js';
import { subscriptionAndGroupOf } from '../model/resourceId.js';

export interface Baseline {
  /** As reports show it. */
  file: string;
  /** How many findings each fingerprint accepts. */
  fingerprints: Map<string, number>;
  /**
   * Where the findings of each fingerprint were, and what was known of them: how many in each subscription and
   * resource group (`scopeKey`, `*` where the entry names none, as a SARIF baseline's entries, which have no ids), each
   * place marked when its findings were indeterminate (`placeKey`). A resource of the same type and name in the same
   * file that a nested deployment puts in another resource group is another resource, which the entry does not
   * accept; an entry written while its finding was indeterminate does not accept it noncompliant.
   */
  places?: Map<string, Map<string, number>>;
  entries: number;
  /**
   * The fingerprints of entries that name their resource by the expression of its name, written while the name
   * could not be computed: when it is computed now (a location given), the entry matches nothing.
   */
  expressionNamed?: Set<string>;
  /** The file as read, to compare with the base commit's. */
  text: string;
  /** Where this run places the templates, by which entries' and findings' places are compared (`samePlace`). */
  placement?: Placement;
}

/**
 * The subscription and resource group a run is told its templates deploy to (`deployment-subscription-id`,
 * `resource-group`). Their resources' ids carry them, where a run not told them carries the placeholders: the same
 * resource in the template's own group is in the same place either way, so a baseline written before the group was
 * given keeps accepting its findings.
 */
export interface Placement {
  subscriptionId?: string;
  resourceGroup?: string;
}

/** The findings a baseline file holds: a findings document (JSON) or a SARIF log from cmk-guard. */
export function readBaseline(file: string, cwd: string, placement?: Placement): Baseline {
  const shown = displayPath(file, cwd);
  const text = readTextFile(path.resolve(cwd, file)).replace(/^\uFEFF/, '');
  // The message names the offending character only: the file may not be a baseline at all.
  const json = parseJsonText(
    text,
    shown,
    'the baseline',
    'give a findings document written by `cmk-guard baseline --out FILE`.'
  );
  return {
    file: shown,
    text,
    ...baselineFingerprints(json, shown, placement),
    ...(placement && Object.values(placement).some(v => v !== undefined) ? { placement } : {})
  };
}

/** The fingerprints a baseline document holds (a findings document or a SARIF log), with how many of each. */
export function baselineFingerprints(
  json: unknown,
  file: string,
  placement?: Placement
): Pick<Baseline, 'fingerprints' | 'entries' | 'expressionNamed' | 'places'> {
  const fingerprints = new Map<string, number>();
  const places = new Map<string, Map<string, number>>();
  const expressionNamed = new Set<string>();
  let entries = 0;
  const addPlace = (print: string, place: string) => {
    const at = places.get(print) ?? new Map<string, number>();
    at.set(place, (at.get(place) ?? 0) + 1);
    places.set(print, at);
  };
  const add = (print: unknown) => {
    if (typeof print !== 'string') return;
    fingerprints.set(print, (fingerprints.get(print) ?? 0) + 1);
    entries++;
  };
  const object = json as { findings?: unknown; runs?: unknown; tool?: { name?: unknown } } | null;
  if (object && typeof object === 'object' && Array.isArray(object.findings)) {
    for (const finding of object.findings as Finding[]) {
      if (!isBaselineEntry(finding)) continue;
      const print = fingerprint(finding);
      add(print);
      const place = placeKey(
        samePlace(scopeKey(finding.resource.id), placement) ?? ANYWHERE,
        finding.verdict === 'indeterminate'
      );
      addPlace(print, place);
      if (finding.resource.stableName === undefined && isExpressionText(finding.resource.name))
        expressionNamed.add(print);
    }
    return {
      fingerprints,
      entries,
      ...(expressionNamed.size ? { expressionNamed } : {}),
      ...(places.size ? { places } : {})
    };
  }
  if (object && typeof object === 'object' && Array.isArray(object.runs)) {
    // Any JSON may be here: entries that are not objects, or not of the shape, accept nothing.
    for (const run of object.runs as unknown[]) {
      const results = isObject(run) ? run.results : undefined;
      if (!Array.isArray(results)) continue;
      for (const result of results) {
        if (!isObject(result) || (Array.isArray(result.suppressions) && result.suppressions.length)) continue;
        const prints = result.partialFingerprints;
        const print = isObject(prints) ? own(prints, FINGERPRINT_KEY) : undefined;
        if (typeof print !== 'string') continue;
        add(print);
        // cmk-guard writes each result's verdict among its properties; one without accepts as before.
        const properties = own(result, 'properties');
        const indeterminate = isObject(properties) && own(properties, 'verdict') === 'indeterminate';
        const place = placeKey(ANYWHERE, indeterminate);
        addPlace(print, place);
      }
    }
    return { fingerprints, entries, ...(places.size ? { places } : {}) };
  }
  throw new UserError(
    'the baseline is neither a findings document (`findings: [...]`) nor a SARIF log; write one with `cmk-guard baseline --out FILE`.',
    { file }
  );
}

/**
 * The subscription and resource group of a resource id (`/subscriptions/x/resourcegroups/y`, case folded), the
 * subscription alone for one above any group; undefined for an id that names neither (or none at all).
 */
function scopeKey(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const { subscriptionId, resourceGroup } = subscriptionAndGroupOf(id);
  if (subscriptionId === undefined) return undefined;
  return foldCase(
    resourceGroup === undefined
      ? `/subscriptions/${subscriptionId}`
      : `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`
  );
}

/**
 * A scope key (`scopeKey`) with the placement the run is told put back to the placeholders a run not told it
 * builds ids with: the template's own subscription and group are one place whether or not they are given. A group
 * named the same in another subscription, or another group in it, stays where it is.
 */
function samePlace(key: string | undefined, placement: Placement | undefined): string | undefined {
  if (key === undefined || placement === undefined) return key;
  const found = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?$/.exec(key);
  if (found === null) return key;
  const [, subscription, group] = found;
  const given = placement.subscriptionId === undefined ? undefined : foldCase(placement.subscriptionId);
  const own = subscription === (given ?? PLACEHOLDER_SUBSCRIPTION);
  const subscriptionThere = given !== undefined && own ? PLACEHOLDER_SUBSCRIPTION : subscription;
  if (group === undefined) return `/subscriptions/${subscriptionThere}`;
  const groupThere =
    own && placement.resourceGroup !== undefined && group === foldCase(placement.resourceGroup)
      ? PLACEHOLDER_RESOURCE_GROUP
      : group;
  return `/subscriptions/${subscriptionThere}/resourcegroups/${groupThere}`;
}

/** An entry that names no resource id: it accepts its finding wherever it is. */
const ANYWHERE = '*';

/** What marks the place of an entry written while its finding was indeterminate. */
const INDETERMINATE_MARK = ' (indeterminate)';

/** The key of an entry's place in `Baseline.places`: its scope, marked when its finding was indeterminate. */
function placeKey(scope: string, indeterminate: boolean): string {
  return indeterminate ? scope + INDETERMINATE_MARK : scope;
}

/**
 * Whether an entry at `place` accepts a finding with this scope (undefined: it names none) and verdict. An entry
 * written while its finding was indeterminate accepts it only while it is: a pull request that gives the unknown
 * value (a parameter's default, a key source) a noncompliant one makes a finding nobody accepted, whether or not the
 * template changed (a `resource-group-location` given since the baseline was written makes one too; write the
 * baseline again). An entry written noncompliant accepts its finding either way.
 */
function accepts(place: string, scope: string | undefined, verdict: Finding['verdict']): boolean {
  const indeterminate = place.endsWith(INDETERMINATE_MARK);
  if (indeterminate && verdict !== 'indeterminate') return false;
  const where = indeterminate ? place.slice(0, -INDETERMINATE_MARK.length) : place;
  return where === ANYWHERE || scope === undefined || where === scope;
}

/** A name that is the expression giving it (`[variables('name')]`), as a run writes a name it cannot compute. */
function isExpressionText(name: string): boolean {
  return name.startsWith('[') && !name.startsWith('[[') && name.includes(']');
}

/** A finding of an earlier run the baseline accepts: noncompliant or indeterminate, and not accepted by an exception. */
function isBaselineEntry(finding: Finding): boolean {
  return (
    finding !== null &&
    typeof finding === 'object' &&
    typeof finding.definition === 'string' &&
    typeof finding.resource?.type === 'string' &&
    typeof finding.resource?.name === 'string' &&
    (finding.resource.stableName === undefined || typeof finding.resource.stableName === 'string') &&
    (finding.resource.file === null ||
      finding.resource.file === undefined ||
      typeof finding.resource.file === 'string') &&
    (finding.verdict === 'noncompliant' || finding.verdict === 'indeterminate') &&
    finding.suppressed === undefined
  );
}

/** Marks the findings the baseline holds; says how many it accepted. */
export function applyBaseline(findings: Finding[], baseline: Baseline): { findings: Finding[]; matched: number } {
  const applier = baselineApplier(baseline);
  const marked = findings.map(finding => applier.mark(finding));
  return { findings: marked, matched: applier.matched() };
}

/** `applyBaseline` a finding at a time, in the run's order (each entry accepts the first finding it matches). */
export function baselineApplier(baseline: Baseline): {
  mark(finding: Finding): Finding;
  matched(): number;
  /** How many entries naming their resource by an expression matched no finding (once every finding is marked). */
  unmatchedExpressionNamed(): number;
  /** How many noncompliant findings were left new though an entry written while they were indeterminate was open. */
  noncompliantNow(): number;
} {
  const left = new Map(baseline.fingerprints);
  const leftAt = new Map([...(baseline.places ?? [])].map(([print, at]) => [print, new Map(at)]));
  let matched = 0;
  let noncompliantNow = 0;
  return {
    mark(finding) {
      if (finding.verdict === 'compliant' || isAccepted(finding)) return finding;
      const scope = samePlace(scopeKey(finding.resource.id), baseline.placement);
      /** The entry of `print` that accepts this finding: its place, or null for a SARIF entry (no places). */
      const entryOf = (print: string): string | null | undefined => {
        if ((left.get(print) ?? 0) <= 0) return undefined;
        const at = leftAt.get(print);
        if (at === undefined) return null;
        const open = [...at].filter(([place, count]) => count > 0 && accepts(place, scope, finding.verdict));
        // An indeterminate finding takes an indeterminate entry first, leaving the others for noncompliant ones.
        return (open.find(([place]) => place.endsWith(INDETERMINATE_MARK)) ?? open[0])?.[0];
      };
      /** Whether an open entry written while its finding was indeterminate holds this one. */
      const wasIndeterminate = (noncompliant: Finding, at: string | undefined): boolean =>
        fingerprints(noncompliant).some(candidate =>
          [...(leftAt.get(candidate) ?? [])].some(
            ([place, count]) => count > 0 && accepts(place, at, 'indeterminate') && place.endsWith(INDETERMINATE_MARK)
          )
        );
      let print: string | undefined;
      let place: string | null | undefined;
      for (const candidate of fingerprints(finding)) {
        place = entryOf(candidate);
        if (place !== undefined) {
          print = candidate;
          break;
        }
      }
      if (print === undefined || place === undefined) {
        if (finding.verdict === 'noncompliant' && wasIndeterminate(finding, scope)) noncompliantNow++;
        return finding;
      }
      left.set(print, left.get(print)! - 1);
      if (place !== null) {
        const at = leftAt.get(print)!;
        at.set(place, at.get(place)! - 1);
      }
      matched++;
      return { ...finding, baselined: true as const };
    },
    matched: () => matched,
    noncompliantNow: () => noncompliantNow,
    unmatchedExpressionNamed: () => {
      let count = 0;
      for (const print of baseline.expressionNamed ?? []) count += left.get(print) ?? 0;
      return count;
    }
  };
}
