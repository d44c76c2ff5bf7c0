/**
 * Relation rules relate resources of one deployment: "the identity an account uses to read its
 * customer-managed key has get, wrapKey and unwrapKey on the vault that holds it". No single
 * Azure Policy condition can say that (a policy sees one resource at a time), so these run in
 * pull requests only. A rule declares the relation as data — how a subject names its target,
 * which identity it uses, which grants count — and the parts that are conditions on one
 * resource are JSON Schema, as everywhere else.
 */
import * as path from 'node:path';
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import type { Value } from '../model/value.js';
import { Unknown, isObject } from '../model/value.js';
import { compileValueCheck, dependencyWord, describeDependencyWords, LISTED_DEPENDENCIES } from './azureCompare.js';
import type { PrRule } from './prRule.js';
import { originalPointer, prFinding, ruleTypes } from './prRule.js';
import { unescapePointerSegment } from '../model/pointer.js';
import { foldCase, foldsTo } from '../model/foldCase.js';
import { raceWording } from '../model/race.js';
import { room, TextLists, TextMap, TextStore, type TextHash } from './texts.js';

export interface RelationSpec {
  target: {
    type: string;
    /** The subject names its target when a subject value equals a target value (first subject pointer that is set). */
    on: { subject: string; target: string }[];
  };
  /** Which identity the subject uses to reach the target. */
  principal?: {
    /** Pointers to a user-assigned identity's resource id. */
    userAssignedIdentity?: string[];
    /** Pointers to a user-assigned identity's client id. */
    clientId?: string[];
  };
  grants: {
    /** An access policy entry (in the target or a `<target type>/accessPolicies` resource) that grants enough. */
    accessPolicy?: unknown;
    /** A role assignment at the target's scope (or above) that grants enough. */
    roleAssignment?: unknown;
    /** A pointer into the target that, when true, means only role assignments count (RBAC authorization). */
    rbacSwitch?: string;
    /**
     * A schema of the subject: a subject it matches is granted only by access policies, so a role assignment
     * does not count for it and a target with `rbacSwitch` on grants it nothing (Azure OpenAI reads its key
     * only through a vault's access policies).
     */
    accessPolicyOnly?: unknown;
  };
}

export interface RelationRule extends PrRule {
  appliesTo?: unknown;
  relation: RelationSpec;
}

export type Tri = true | false | 'unknown';

/** A principal as far as a template can tell: a literal object id, or the identity of a resource. */
export type Principal =
  | { kind: 'literal'; id: string }
  | { kind: 'system'; resourceId: string }
  | { kind: 'user'; resourceId: string }
  | { kind: 'opaque'; key: string };

/** Values Azure computes on creation, derived here from what a template does know. */
function derived(resource: Resource, pointer: string): Value | undefined {
  if (foldCase(resource.type) === 'microsoft.keyvault/vaults' && foldCase(pointer) === '/properties/vaulturi') {
    return `https://${resource.name}.vault.azure.net/`;
  }
  return undefined;
}

/** The value at `pointer` (keys in any case); a resource's id at `/id`, and what Azure derives where it is not written. */
export function lookup(resource: Resource, pointer: string): Value | undefined {
  let current: Value | undefined = resource.json;
  for (const key of lowerSegments(pointer)) {
    if (current instanceof Unknown) return current;
    if (!isObject(current)) return pointer === '/id' ? resource.id : derived(resource, pointer);
    const actual = keyByLowerCase(current, key);
    if (actual === undefined) return pointer === '/id' ? resource.id : derived(resource, pointer);
    current = current[actual];
  }
  return current ?? undefined;
}

const segmentsOf = new Map<string, string[]>();

/** A pointer's segments, unescaped and lower-cased: rules name a handful of pointers, each read for every resource. */
function lowerSegments(pointer: string): string[] {
  let segments = segmentsOf.get(pointer);
  if (!segments) {
    segments = pointer
      .split('/')
      .slice(1)
      .map(raw => foldCase(unescapePointerSegment(raw)));
    segmentsOf.set(pointer, segments);
  }
  return segments;
}

/**
 * The key of `value` spelt `lower` in lower case; the first key (in key order) where two spell alike. Looked for
 * among the keys each time: an object is read for a few pointers at most, and a map of its keys cost more to make.
 */
function keyByLowerCase(value: { [key: string]: Value }, lower: string): string | undefined {
  for (const key in value) if ((key === lower || foldsTo(key, lower)) && Object.hasOwn(value, key)) return key;
  return undefined;
}

/** ARM compares ids and URIs case-insensitively; a vault URI may or may not end in a slash. */
function sameText(a: Value | undefined, b: Value | undefined): Tri {
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (a instanceof Unknown || b instanceof Unknown) {
    return a instanceof Unknown && b instanceof Unknown && foldCase(a.key) === foldCase(b.key) ? true : 'unknown';
  }
  return norm(a) === norm(b);
}

function norm(value: Value): string {
  return foldCase(String(value)).replace(/\/+$/, '');
}

const REFERENCE_KEY = /^reference\(\s*'?([^',)]+)'?[^)]*\)\.(.+)$/i;

/**
 * Does the subject's value name this target? Either the values are the same, or the value is
 * what `reference(<target>).<path>` will return once the target exists (a vault's `vaultUri`).
 */
export function names(value: Value | undefined, target: Resource, pointer: string): boolean {
  if (sameText(value, lookup(target, pointer)) === true) return true;
  if (!(value instanceof Unknown)) return false;
  const match = REFERENCE_KEY.exec(value.key);
  if (match && idsMatch(match[1], target.id)) {
    const path = '/' + match[2].split('.').join('/');
    return foldCase(path) === foldCase(pointer);
  }
  // A value computed from the target's deployed state (`if(endsWith(reference(<vault>).vaultUri, '/'), …)`) names it too.
  return foldCase(value.key).includes(`reference(${foldCase(target.id)})`);
}

/**
 * How a relation keeps its texts: `hash`, `capacity` and `smallTexts` are for tests that make texts collide and
 * stores start their arenas at once (see texts.ts).
 */
export interface TextOptions {
  hash?: TextHash;
  capacity?: number;
  smallTexts?: number;
}

/**
 * `candidates.findIndex(c => names(value, c, pointer))`, without scanning: each way a value can name a
 * target (the same text, the same unknown, `reference(<id>).<path>`, or an expression that reads
 * `reference(<id>)`) is a map from what the value says to the first candidate that matches. A
 * repository has thousands of targets and a subject looks up one; a tenant's snapshot has tens of
 * thousands, so a candidate is added with its value at the pointer (`lookup(candidate, pointer)`) and
 * need not be kept whole, and the maps keep their texts outside V8's heap (texts.ts). The maps by id
 * serve only unknown values (templates): they are made when the first one is looked up, from `idOf`.
 */
class CandidateIndex {
  private count = 0;
  private readonly known: TextMap;
  private readonly unknown: TextMap;
  private byId: { idTails: TextMap; ids: TextMap } | undefined;
  private readonly pointer: string;

  constructor(
    pointer: string,
    private readonly idOf: (candidate: number) => string,
    private readonly options: TextOptions = {}
  ) {
    this.pointer = foldCase(pointer);
    this.known = this.map();
    this.unknown = this.map();
  }

  private map(): TextMap {
    return new TextMap(this.options.hash, this.options.capacity, this.options.smallTexts);
  }

  /** The next candidate, with its value at the pointer (`idOf` must know it already); its number. */
  add(value: Value | undefined): number {
    const index = this.count++;
    if (value instanceof Unknown) this.unknown.setFirst(foldCase(value.key), index);
    else if (value !== undefined && value !== null) this.known.setFirst(norm(value), index);
    if (this.byId) this.addId(index);
    return index;
  }

  get size(): number {
    return this.count;
  }

  /** The first candidate the value names, as `names` decides it; -1 when none does. */
  find(value: Value | undefined): number {
    let best = Infinity;
    const consider = (index: number | undefined) => {
      if (index !== undefined && index < best) best = index;
    };
    if (value instanceof Unknown) {
      if (!this.byId) {
        this.byId = { idTails: this.map(), ids: this.map() };
        for (let index = 0; index < this.count; index++) this.addId(index);
      }
      const { idTails, ids } = this.byId;
      consider(this.unknown.get(foldCase(value.key)));
      const match = REFERENCE_KEY.exec(value.key);
      if (match && foldCase('/' + match[2].split('.').join('/')) === this.pointer) {
        consider(idTails.get(idTail(match[1])));
      }
      // Every id that `reference(<id>)` in the key could close: each `)` after each `reference(`.
      const key = foldCase(value.key);
      for (let at = key.indexOf('reference('); at >= 0; at = key.indexOf('reference(', at + 1)) {
        const start = at + 'reference('.length;
        for (let end = key.indexOf(')', start); end >= 0; end = key.indexOf(')', end + 1)) {
          consider(ids.get(key.slice(start, end)));
        }
      }
    } else if (value !== undefined && value !== null) {
      consider(this.known.get(norm(value)));
    }
    return best === Infinity ? -1 : best;
  }

  private addId(index: number): void {
    const id = this.idOf(index);
    this.byId!.idTails.setFirst(idTail(id), index);
    this.byId!.ids.setFirst(foldCase(id), index);
  }
}

/** `candidates.find(c => names(value, c, pointer))` for candidates kept as objects (the index of a relation's own targets). */
export class TargetIndex<T extends { id: string } = Resource> {
  private readonly candidates: T[] = [];
  private readonly index: CandidateIndex;

  /** Candidates given here are added with `lookup` (resources). */
  constructor(pointer: string, candidates: readonly T[] = [], options?: TextOptions) {
    this.index = new CandidateIndex(pointer, n => this.candidates[n].id, options);
    for (const candidate of candidates) this.add(candidate, lookup(candidate as unknown as Resource, pointer));
  }

  /** The next candidate, with its value at the pointer. */
  add(candidate: T, value: Value | undefined): void {
    this.candidates.push(candidate);
    this.index.add(value);
  }

  get size(): number {
    return this.candidates.length;
  }

  /** The first candidate the value names, as `names` decides it. */
  find(value: Value | undefined): T | undefined {
    const found = this.index.find(value);
    return found < 0 ? undefined : this.candidates[found];
  }
}

const SYSTEM_KEY = /reference\(\s*'?([^',)]+)'?[^)]*\)(?:\.properties)?\.identity\.principalid$/i;
const USER_KEY = /reference\(\s*'?([^',)]+)'?[^)]*\)(?:\.properties)?\.principalid$/i;

/** The principal a grant names (null: none). */
export function principalOf(value: Value | undefined): Principal | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Unknown) {
    const system = SYSTEM_KEY.exec(value.key);
    if (system) return { kind: 'system', resourceId: foldCase(system[1]) };
    const user = USER_KEY.exec(value.key);
    if (user) return { kind: 'user', resourceId: foldCase(user[1]) };
    return { kind: 'opaque', key: value.key };
  }
  return { kind: 'literal', id: foldCase(String(value)) };
}

/**
 * Whether two principals are one: what TargetGrants answers by its index for every grant of a target (tests
 * check it against a scan of the grants with this).
 */
export function samePrincipal(a: Principal, b: Principal): Tri {
  if (a.kind === 'literal' && b.kind === 'literal') return a.id === b.id;
  if (a.kind === 'opaque' || b.kind === 'opaque') {
    return a.kind === 'opaque' && b.kind === 'opaque' && a.key === b.key ? true : 'unknown';
  }
  if (a.kind === 'literal' || b.kind === 'literal') return 'unknown';
  return a.kind === b.kind && idsMatch(a.resourceId, b.resourceId);
}

/** Resource ids from templates carry placeholder scopes; compare from the provider segment on. */
function idsMatch(a: string, b: string): boolean {
  return idTail(a) === idTail(b);
}

function idTail(id: string): string {
  const lower = foldCase(id);
  const at = lower.lastIndexOf('/providers/');
  return at >= 0 ? lower.slice(at) : lower;
}

function describePrincipal(p: Principal): string {
  switch (p.kind) {
    case 'literal':
      return `principal ${p.id}`;
    case 'system':
      return `the system-assigned identity of ${p.resourceId.split('/').pop()}`;
    case 'user':
      return `the user-assigned identity ${p.resourceId.split('/').pop()}`;
    default:
      return `principal ${p.key}`;
  }
}

function firstSet(resource: Resource, pointers: string[] | undefined): Value | undefined {
  for (const pointer of pointers ?? []) {
    const value = lookup(resource, pointer);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
}

/** The identity the subject uses to reach its target (exported for the tests' scan of grants). */
export function subjectPrincipal(subject: Resource, spec: RelationSpec['principal']): Principal {
  const userAssigned = firstSet(subject, spec?.userAssignedIdentity);
  if (typeof userAssigned === 'string') return { kind: 'user', resourceId: foldCase(userAssigned) };
  if (userAssigned instanceof Unknown) return { kind: 'opaque', key: userAssigned.key };
  const identities = lookup(subject, '/identity/userAssignedIdentities');
  const assigned = isObject(identities) ? Object.keys(identities) : [];
  const clientId = firstSet(subject, spec?.clientId);
  if (clientId !== undefined) {
    if (clientId instanceof Unknown) {
      const named = assigned.find(id => foldCase(clientId.key).includes(foldCase(id)));
      if (named) return { kind: 'user', resourceId: foldCase(named) };
    }
    if (assigned.length === 1) return { kind: 'user', resourceId: foldCase(assigned[0]) };
    return { kind: 'opaque', key: clientId instanceof Unknown ? clientId.key : `clientId ${String(clientId)}` };
  }
  const known = lookup(subject, '/identity/principalId');
  if (typeof known === 'string') return { kind: 'literal', id: foldCase(known) };
  return { kind: 'system', resourceId: foldCase(subject.id) };
}

interface GrantResult {
  verdict: Tri;
  dependsOn: string[];
}

/**
 * A relation rule on one deployment, a resource at a time: `add` every resource of the deployment
 * (it keeps only what the rule relates subjects to: targets, their access-policy resources, role
 * assignments), then `check` each subject, in the deployment's order. A snapshot of a tenant is
 * read twice this way (once to add, once to check) instead of being held whole.
 */
export interface DeploymentRelation {
  add(resource: Resource): void;
  /** Whether anything was added that a subject can name: without a target, no subject has a finding. */
  readonly hasTargets: boolean;
  check(subject: Resource): Finding | undefined;
}

/** A compiled relation rule: on a deployment's resources at once, or a resource at a time (`deployment`). */
export interface RelationCheck {
  (resources: Resource[], checkpoint?: Checkpoint): Finding[];
  /** The rule a resource at a time: it keeps only what subjects are checked against, copied (never the resources). */
  deployment(checkpoint?: Checkpoint): DeploymentRelation;
}

/**
 * The caller's bounds on a relation's work (the file's evaluation time, the run's): called before each subject
 * is checked and every so often while its grants are summed up, with the subject being checked. It throws to
 * stop the check (a LimitError at the subject's file and line).
 */
export type Checkpoint = (subject: Resource) => void;

const GRANTED: GrantResult = Object.freeze({ verdict: true, dependsOn: Object.freeze([]) as unknown as string[] });
const NOT_GRANTED: GrantResult = Object.freeze({ verdict: false, dependsOn: Object.freeze([]) as unknown as string[] });

/**
 * Grants as a subject's check reads them, by number: the principal each names, and what it grants. A tenant has
 * hundreds of thousands of them, so their principals' texts are kept in a TextStore (outside V8's heap) and their
 * answers as codes, most grants sharing one of two; only what a template cannot know (an unknown principal, an
 * answer that depends on something) is kept as it is, beside them.
 */
class GrantTable {
  private readonly texts: TextStore;
  /** The number of the principal's text, or -1 where the principal is not a string (see `otherWho`). */
  private whoText = new Int32Array(16);
  /** 0: no answer (null), 1: GRANTED, 2: NOT_GRANTED, 3: see `otherGrant`. */
  private answer = new Uint8Array(16);
  private readonly otherWho = new Map<number, Value>();
  private readonly otherGrant = new Map<number, GrantResult>();
  private count = 0;

  constructor(options: TextOptions) {
    this.texts = new TextStore(options.smallTexts);
  }

  get size(): number {
    return this.count;
  }

  add(who: Value | undefined, grant: GrantResult | null): number {
    const n = this.count++;
    this.whoText = room(this.whoText, this.count);
    this.answer = room(this.answer, this.count);
    if (typeof who === 'string') this.whoText[n] = this.texts.add(who);
    else {
      this.whoText[n] = -1;
      if (who !== undefined) this.otherWho.set(n, who);
    }
    if (grant === null) this.answer[n] = 0;
    else if (grant === GRANTED) this.answer[n] = 1;
    else if (grant === NOT_GRANTED) this.answer[n] = 2;
    else {
      this.answer[n] = 3;
      this.otherGrant.set(n, grant);
    }
    return n;
  }

  who(n: number): Value | undefined {
    const text = this.whoText[n];
    return text >= 0 ? this.texts.text(text) : this.otherWho.get(n);
  }

  grant(n: number): GrantResult | null {
    switch (this.answer[n]) {
      case 0:
        return null;
      case 1:
        return GRANTED;
      case 2:
        return NOT_GRANTED;
      default:
        return this.otherGrant.get(n)!;
    }
  }
}

/**
 * What a subject's check reads of a target: its id (in lower case, as role assignments' scopes are compared
 * with it) and name, whether it is only referenced, what its switch says (`rbacOnly`), and its access policies
 * (grants `first` to `first + count` of the deployment's policy grants). The values subjects name it by are in
 * the deployment's indexes.
 */
interface Target {
  id: string;
  name: string;
  existing: boolean;
  rbacOnly: Tri;
  first: number;
  count: number;
}

const RBAC_CODES: readonly Tri[] = [false, true, 'unknown'];

/** Targets by number, kept for the whole deployment instead of the resources: texts in a TextStore, the rest in typed arrays. */
class TargetTable {
  /** Target `t`'s id is text `2t`, its name `2t + 1`. */
  private readonly texts: TextStore;
  /** Bit 0: existing; bits 1-2: the index of `rbacOnly` in RBAC_CODES. */
  private flags = new Uint8Array(16);
  private firsts = new Int32Array(16);
  private counts = new Int32Array(16);
  private count = 0;

  constructor(options: TextOptions) {
    this.texts = new TextStore(options.smallTexts);
  }

  get size(): number {
    return this.count;
  }

  add(target: Target): number {
    const t = this.count++;
    this.texts.add(target.id);
    this.texts.add(target.name);
    this.flags = room(this.flags, this.count);
    this.firsts = room(this.firsts, this.count);
    this.counts = room(this.counts, this.count);
    this.flags[t] = (target.existing ? 1 : 0) | (RBAC_CODES.indexOf(target.rbacOnly) << 1);
    this.firsts[t] = target.first;
    this.counts[t] = target.count;
    return t;
  }

  id(t: number): string {
    return this.texts.text(2 * t);
  }

  get(t: number): Target {
    const flags = this.flags[t];
    return {
      id: this.id(t),
      name: this.texts.text(2 * t + 1),
      existing: (flags & 1) === 1,
      rbacOnly: RBAC_CODES[flags >> 1],
      first: this.firsts[t],
      count: this.counts[t]
    };
  }
}

export function compileRelationRule(rule: RelationRule, options: TextOptions = {}): RelationCheck {
  const types = ruleTypes(rule);
  const applies = rule.appliesTo === undefined ? null : compileValueCheck(rule.appliesTo);
  const { target, principal, grants } = rule.relation;
  const policyCheck = grants.accessPolicy === undefined ? null : compileValueCheck(grants.accessPolicy);
  const roleCheck = grants.roleAssignment === undefined ? null : compileValueCheck(grants.roleAssignment);
  const policyOnlyCheck = grants.accessPolicyOnly === undefined ? null : compileValueCheck(grants.accessPolicyOnly);
  const targetType = foldCase(target.type);

  const deployment = (checkpoint?: Checkpoint): DeploymentRelation => {
    const targets = new TargetTable(options);
    // One index for each pointer subjects name a target by, filled as targets are added.
    const indexes = new Map(
      target.on.map(on => [on.target, new CandidateIndex(on.target, t => targets.id(t), options)])
    );
    /** Access policies (of targets and of `<target>/accessPolicies` resources), and role assignments, by number. */
    const policyGrants = new GrantTable(options);
    const roleGrants = new GrantTable(options);
    /** The `<target>/accessPolicies` resources by the target's name: their grants `childFirsts[c]` on, `childCounts[c]` of them. */
    const policyChildren = new TextLists(options.hash, options.capacity, options.smallTexts);
    let childFirsts = new Int32Array(16);
    let childCounts = new Int32Array(16);
    let children = 0;
    /** Role assignments by scope: assignment `n` is role grant `n`. */
    const assignments = new ScopeIndex(options);
    // What a grant gives depends on the grant alone: checked once, as it is added, whichever subjects ask for it.
    const grantOf = (check: typeof policyCheck, value: Value): GrantResult | null => {
      if (!check) return null;
      const enough = check(value);
      // Most grants settle it either way: one shared answer for each (a tenant has hundreds of thousands).
      if (enough.dependsOn.length === 0 && enough.verdict !== 'unknown') return enough.verdict ? GRANTED : NOT_GRANTED;
      return { verdict: enough.verdict, dependsOn: enough.dependsOn };
    };
    /** Adds the entries of an access policy list (who each names, and what it grants); the first one's number and how many. */
    const addPolicies = (resource: Resource): { first: number; count: number } => {
      const first = policyGrants.size;
      const entries = lookup(resource, '/properties/accessPolicies');
      if (!Array.isArray(entries) || entries.length === 0) return { first, count: 0 };
      const who = entries.map(entry => (isObject(entry) ? (entry.objectId ?? entry.objectid) : undefined));
      const grant = entries.map(entry => grantOf(policyCheck, entry));
      entries.forEach((_, i) => policyGrants.add(who[i], grant[i]));
      return { first, count: entries.length };
    };
    /**
     * Each target's grants as subjects are checked against them (TargetGrants), made when a subject first names
     * the target. A snapshot names thousands of targets: past CACHED_GRANTS grants kept, the cache starts again.
     */
    const summed = new Map<number, TargetGrants>();
    let cachedGrants = 0;
    const grantsOf = (t: number, vault: Target, step: () => void): TargetGrants => {
      const known = summed.get(t);
      if (known) return known;
      const made = new TargetGrants();
      let pos = 0;
      if (policyCheck) {
        const ranges = [[vault.first, vault.count]];
        for (const c of policyChildren.get(foldCase(vault.name))) ranges.push([childFirsts[c], childCounts[c]]);
        for (const [first, count] of ranges)
          for (let g = first; g < first + count; g++) {
            step();
            made.add(pos++, false, policyGrants.who(g), policyGrants.grant(g)!);
          }
      }
      if (roleCheck) {
        for (const n of assignments.over(vault.id)) {
          step();
          made.add(pos++, true, roleGrants.who(n), roleGrants.grant(n)!);
        }
      }
      cachedGrants += made.size;
      if (cachedGrants > CACHED_GRANTS) {
        summed.clear();
        cachedGrants = made.size;
      }
      summed.set(t, made);
      return made;
    };
    return {
      add(resource) {
        const type = foldCase(resource.type);
        if (type === targetType) {
          const rbac = grants.rbacSwitch ? lookup(resource, grants.rbacSwitch) : false;
          targets.add({
            id: foldCase(resource.id),
            name: resource.name,
            existing: resource.existing === true,
            rbacOnly: rbac instanceof Unknown ? 'unknown' : rbac === true || rbac === 'true' || rbac === 'True',
            ...addPolicies(resource)
          });
          // Each index numbers its candidates as they come: target `t` is candidate `t` of every index.
          for (const [pointer, index] of indexes) index.add(lookup(resource, pointer));
          return;
        }
        if (resource.existing) return;
        if (type === `${targetType}/accesspolicies`) {
          const lower = foldCase(resource.name);
          if (lower.endsWith('/remove')) return;
          const { first, count } = addPolicies(resource);
          const c = children++;
          childFirsts = room(childFirsts, children);
          childCounts = room(childCounts, children);
          childFirsts[c] = first;
          childCounts[c] = count;
          policyChildren.append(lower.slice(0, lower.lastIndexOf('/')), c);
        } else if (type.endsWith('/roleassignments')) {
          roleGrants.add(lookup(resource, '/properties/principalId'), grantOf(roleCheck, resource.json));
          assignments.add(resource.id);
        }
      },
      get hasTargets() {
        return targets.size > 0;
      },
      check(subject) {
        if (subject.existing || !types.has(foldCase(subject.type))) return undefined;
        // A subject that names no target is passed over before the schema check it would otherwise need: both
        // only read the subject, and either leaves it without a finding.
        const link = target.on.find(on => firstSet(subject, [on.subject]) !== undefined);
        if (!link) return undefined;
        if (applies && applies(subject.json).verdict !== true) return undefined;
        const named = lookup(subject, link.subject);
        const found = indexes.get(link.target)!.find(named);
        if (found < 0) return undefined; // the target is not part of this deployment: nothing to relate
        const vault = targets.get(found);

        let work = 0;
        checkpoint?.(subject);
        const step = checkpoint ? () => (++work & 1023) === 0 && checkpoint(subject) : () => undefined;
        const wanted = subjectPrincipal(subject, principal);
        const { rbacOnly } = vault;
        // Whether this subject is granted by access policies only: a role assignment counts only where it is not.
        const policyOnly: GrantResult = policyOnlyCheck
          ? policyOnlyCheck(subject.json)
          : { verdict: false, dependsOn: [] };
        const outcome = grantsOf(found, vault, step).decide(wanted, {
          policies: policyCheck !== null && rbacOnly !== true,
          roles: roleCheck !== null && rbacOnly !== false && policyOnly.verdict !== true,
          counts: not(policyOnly),
          rbacOnly,
          rbacSwitch: grants.rbacSwitch,
          step
        });
        const pointer = originalPointer(subject.json, foldCase(link.subject));
        const who = describePrincipal(wanted);
        if (outcome.verdict === true) {
          return prFinding(
            rule,
            subject,
            'compliant',
            `${who} is granted what it needs on vault ${vault.name}.`,
            null,
            pointer
          );
        } else if (outcome.verdict === 'unknown') {
          return prFinding(
            rule,
            subject,
            'indeterminate',
            `Whether ${who} is granted what it needs on vault ${vault.name} cannot be decided before deployment.`,
            describeDependencyWords(outcome.shown, outcome.total),
            pointer
          );
        } else if (policyOnly.verdict === true && rbacOnly === true) {
          // rbacOnly is true only where the rule names its rbacSwitch.
          return prFinding(
            rule,
            subject,
            'noncompliant',
            `${who} can be granted access only by an access policy, and vault ${vault.name} has ${String(grants.rbacSwitch)} on, where access policies do not count.`,
            null,
            pointer
          );
        } else if (vault.existing) {
          // The vault is only referenced here: grants it already holds are outside what the template shows.
          return prFinding(
            rule,
            subject,
            'indeterminate',
            `${who} is granted nothing on vault ${vault.name} in this deployment, and the vault already exists: grants made outside this template cannot be seen.`,
            `depends on the access already granted on the existing vault ${vault.name}`,
            pointer
          );
        } else {
          return prFinding(
            rule,
            subject,
            'noncompliant',
            `${who} has no grant of ${grantWords(rbacOnly)} on vault ${vault.name} in this deployment. Azure Policy cannot check this: it relates two resources.`,
            null,
            pointer
          );
        }
      }
    };
  };

  const checkOnce = (resources: Resource[], checkpoint?: Checkpoint): [Resource, Finding][] => {
    const relation = deployment(checkpoint);
    for (const resource of resources) relation.add(resource);
    const findings: [Resource, Finding][] = [];
    for (const subject of resources) {
      const finding = relation.check(subject);
      if (finding) findings.push([subject, finding]);
    }
    return findings;
  };
  const related = (resource: Resource): boolean => {
    const type = foldCase(resource.type);
    return (
      types.has(type) ||
      type === targetType ||
      type === `${targetType}/accesspolicies` ||
      type.endsWith('/roleassignments')
    );
  };
  const check = (resources: Resource[], checkpoint?: Checkpoint): Finding[] => {
    const raced = racedStates(resources, related);
    const once = (world: Resource[]) => checkOnce(world, checkpoint);
    if (raced.groups.length === 0 && !raced.capped) return once(resources).map(([, finding]) => finding);
    return inEveryOrder(resources, raced, once);
  };
  return Object.assign(check, { deployment });
}

/** The most combinations of end states (one for each raced resource a rule relates) a deployment is checked in. */
export const MAX_ORDERINGS = 64;

/**
 * The resources of a deployment that may end in more than one state because deployments that no dependsOn orders
 * write them (Resource.race), those a rule relates: each one's states, in the order given (the first is the one
 * the deployment lists first). `capped`: one of them has more states than are evaluated.
 */
function racedStates(
  resources: Resource[],
  related: (resource: Resource) => boolean
): { groups: Resource[][]; capped: boolean } {
  const byId = new Map<string, Resource[]>();
  let capped = false;
  for (const resource of resources) {
    if (!resource.race || resource.existing || !related(resource)) continue;
    if (resource.race.capped) capped = true;
    const key = foldCase(resource.id);
    const states = byId.get(key);
    if (states) states.push(resource);
    else byId.set(key, [resource]);
  }
  return { groups: [...byId.values()].filter(states => states.length > 1), capped };
}

const RANK: Record<Finding['verdict'], number> = { compliant: 0, indeterminate: 1, noncompliant: 2 };

/**
 * A relation rule on a deployment whose related resources may end in more than one state: checked in every
 * combination of their states (each a way ARM may order the deployments), and a subject's finding is the worst
 * of them: the relation holds only if it holds whichever write completes last. A noncompliant combination that
 * needs a write that deploys only if something unknown holds is indeterminate. Past MAX_ORDERINGS combinations
 * (or a resource with more states than are evaluated), the deployment is checked as listed, and a relation
 * found to hold there is indeterminate.
 */
function inEveryOrder(
  resources: Resource[],
  raced: { groups: Resource[][]; capped: boolean },
  checkOnce: (resources: Resource[]) => [Resource, Finding][]
): Finding[] {
  const { groups } = raced;
  let orderings = 1;
  for (const states of groups) orderings *= states.length;
  const alternative = new Map<Resource, number>();
  groups.forEach((states, g) => states.forEach(state => alternative.set(state, g)));
  if (raced.capped || orderings > MAX_ORDERINGS) {
    // The first state of each, as the deployment lists them.
    const listed = resources.filter(r => !alternative.has(r) || groups[alternative.get(r)!][0] === r);
    return checkOnce(listed).map(([, finding]) => {
      if (finding.verdict !== 'compliant') return finding;
      return {
        ...finding,
        verdict: 'indeterminate',
        reason: raceWording({ kind: 'capped relation', max: MAX_ORDERINGS })
      };
    });
  }
  const worst = new Map<Resource, { finding: Finding; chosen: Resource[]; differs: boolean }>();
  const order: Resource[] = [];
  for (let n = 0; n < orderings; n++) {
    const chosen: Resource[] = [];
    let rest = n;
    for (const states of groups) {
      chosen.push(states[rest % states.length]);
      rest = Math.floor(rest / states.length);
    }
    const picked = new Set(chosen);
    const world = resources.filter(r => !alternative.has(r) || picked.has(r));
    for (const [subject, found] of checkOnce(world)) {
      let finding = found;
      const conditions = chosen.filter(c => c !== subject && c.conditionUnknown).map(c => c.conditionUnknown!);
      if (finding.verdict === 'noncompliant' && conditions.length) {
        finding = {
          ...finding,
          verdict: 'indeterminate',
          reason: `holds only if ${conditions.join('; and ')}`
        };
      }
      const seen = worst.get(subject);
      if (!seen) {
        order.push(subject);
        worst.set(subject, { finding, chosen, differs: false });
      } else {
        const differs = seen.differs || seen.finding.verdict !== finding.verdict;
        if (RANK[finding.verdict] > RANK[seen.finding.verdict]) worst.set(subject, { finding, chosen, differs });
        else seen.differs = differs;
      }
    }
  }
  return order.map(subject => {
    const { finding, chosen, differs } = worst.get(subject)!;
    if (!differs || finding.verdict === 'compliant') return finding;
    const endings = chosen
      .filter(c => foldCase(c.id) !== foldCase(subject.id))
      .map(c => ({
        name: c.name,
        at: c.source ? `${path.basename(c.source.file)}:${c.source.line}` : 'an unknown position'
      }));
    const note = endings.length ? ` ${raceWording({ kind: 'relation states', endings })}` : '';
    return { ...finding, message: `${finding.message}${note}` };
  });
}

/**
 * Role assignments by the scope they are made at (their id without the role assignment part), by number:
 * those that reach a resource are the ones whose scope its id starts with, in the order given. Only the
 * scopes are kept, outside V8's heap (one text for every assignment at a scope).
 */
class ScopeIndex {
  private readonly byScope: TextLists;
  private readonly lengths = new Set<number>();
  private count = 0;

  constructor(options: TextOptions = {}) {
    this.byScope = new TextLists(options.hash, options.capacity, options.smallTexts);
  }

  /** The next assignment, whose role assignment id is `id`; its number. */
  add(id: string): number {
    const scope = foldCase(id.replace(/\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/i, ''));
    const index = this.count++;
    this.byScope.append(scope, index);
    this.lengths.add(scope.length);
    return index;
  }

  /** The numbers of the assignments whose scope `id` (lower-case) starts with, in order. */
  over(id: string): number[] {
    const found: number[] = [];
    for (const length of this.lengths) {
      if (length > id.length) continue;
      for (const index of this.byScope.get(id.slice(0, length))) found.push(index);
    }
    return found.sort((a, b) => a - b);
  }
}

/** Role assignments kept as objects, by their scope (ScopeIndex). */
export class RoleAssignments<T = Resource> {
  private readonly assignments: T[] = [];
  private readonly scopes: ScopeIndex;

  /** Assignments given here are added with their own ids. */
  constructor(assignments: readonly (T & { id: string })[] = [], options?: TextOptions) {
    this.scopes = new ScopeIndex(options);
    for (const assignment of assignments) this.add(assignment, assignment.id);
  }

  /** The next assignment, whose role assignment id is `id`. */
  add(assignment: T, id: string): void {
    this.assignments.push(assignment);
    this.scopes.add(id);
  }

  /** The assignments whose scope `id` (lower-case) starts with. */
  over(id: string): T[] {
    return this.scopes.over(id).map(index => this.assignments[index]);
  }
}

function grantWords(rbacOnly: Tri): string {
  if (rbacOnly === true) return 'a role with get, wrapKey and unwrapKey (Key Vault Crypto Service Encryption User)';
  return 'get, wrapKey and unwrapKey';
}

function not(a: GrantResult): GrantResult {
  return { verdict: a.verdict === 'unknown' ? 'unknown' : !a.verdict, dependsOn: a.dependsOn };
}

/** A subject's principal, or a grant's, as the grants are indexed: what kind it is, and what names it. */
type PrincipalKind = 'literal' | 'identity' | 'opaque';

function principalKey(p: Principal): { kind: PrincipalKind; key: string } {
  switch (p.kind) {
    case 'literal':
      return { kind: 'literal', key: p.id };
    case 'opaque':
      return { kind: 'opaque', key: p.key };
    default:
      return { kind: 'identity', key: `${p.kind} ${idTail(p.resourceId)}` };
  }
}

/**
 * The grants whose principal is undecided (samePrincipal is 'unknown') for a subject's principal of each kind,
 * whichever principal of that kind it is: a grant whose principal may be the subject's is found by its key (the
 * same literal id, the same identity, the same opaque key), and every other is either not the subject's (false)
 * or undecided by its kind alone. An opaque principal is undecided against every grant but those of its own key.
 */
const UNDECIDED: Readonly<Record<PrincipalKind, readonly PrincipalKind[]>> = {
  literal: ['identity', 'opaque'],
  identity: ['literal', 'opaque'],
  opaque: ['literal', 'identity', 'opaque']
};

/** The most grants the targets' summaries (TargetGrants) of one deployment keep at a time. */
const CACHED_GRANTS = 200_000;

/** One grant of a target that grants something (or may): those that grant nothing cannot make a subject's verdict. */
interface GrantEntry {
  /** Its place among the target's grants: its access policies in order, then its role assignments. */
  pos: number;
  role: boolean;
  kind: PrincipalKind;
  /** `${kind}:${key}` of its principal (principalKey). */
  key: string;
  /** What it grants when its principal is the subject's. */
  verdict: true | 'unknown';
  /** What it rests on when its principal is undecided, in words: that principal, then the grant's own unknowns. */
  words: string[];
  /** The grant's own unknowns, in words (when its principal is the subject's). */
  grantWords: string[];
}

/**
 * The grants undecided for every principal of one kind (UNDECIDED), summed up once for all the subjects that
 * name the target: how many there are, and the distinct words they rest on in the order a subject's reason
 * lists them, each with the places of the grants that name it.
 */
interface Undecided {
  policies: number;
  roles: number;
  /** The place of the first role assignment among them (Infinity: none). */
  firstRole: number;
  /** Distinct words, in order of their first place (the grant's place, then the word's place in it). */
  distinct: { word: string; pos: number; at: number }[];
  /** Each word's index in `distinct`. */
  index: Map<string, number>;
  /** The places of the grants that name each word, ascending. */
  places: Map<string, number[]>;
}

/** What a subject's grants come to: its verdict and, when undecided, the words it rests on (the first few, and how many). */
interface GrantOutcome {
  verdict: Tri;
  shown: string[];
  total: number;
}

type Place = [pos: number, at: number];

function before(a: Place, b: Place): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * A target's grants (its access policies, then the role assignments that reach it), indexed for the subjects
 * that name it: a subject's verdict is what the scan of every grant with samePrincipal would give, but it looks
 * up only the grants whose principal may be its own (by key), and takes the rest from a summary of the grants
 * undecided for its kind of principal, made once for every subject. A target with N grants named by M subjects
 * costs N + M lookups, not N × M comparisons, and a reason names only the first few of what it rests on.
 */
class TargetGrants {
  private readonly entries: GrantEntry[] = [];
  private readonly byKey = new Map<string, GrantEntry[]>();
  private readonly byPos = new Map<number, GrantEntry>();
  private readonly summaries = new Map<string, Undecided>();
  private readonly outcomes = new Map<string, GrantOutcome>();
  private count = 0;

  /** How many grants were added (those that grant nothing included). */
  get size(): number {
    return this.count;
  }

  /** The grant at place `pos`: who it names and what it grants (null: nothing to check it with). */
  add(pos: number, role: boolean, who: Value | undefined, grant: GrantResult | null): void {
    this.count++;
    const found = principalOf(who);
    if (!found || !grant || grant.verdict === false) return;
    const { kind, key } = principalKey(found);
    const principalWord = who instanceof Unknown ? who.reason : `principal ${String(who)}`;
    const grantWords = grant.dependsOn.map(dependencyWord);
    const entry: GrantEntry = {
      pos,
      role,
      kind,
      key: `${kind}:${key}`,
      verdict: grant.verdict,
      words: [dependencyWord(principalWord), ...grantWords],
      grantWords
    };
    this.entries.push(entry);
    this.byPos.set(pos, entry);
    const same = this.byKey.get(entry.key);
    if (same) same.push(entry);
    else this.byKey.set(entry.key, [entry]);
  }

  /**
   * A subject's verdict on this target for its principal `wanted`: `policies` and `roles` say which grants count,
   * `counts` whether a role assignment counts for this subject (not access policies only), `rbacOnly` the
   * target's switch. As the scan decided it: the grants of the kind that counts (both kinds when the switch is
   * unknown: granted only when both grant, the switch then among what it rests on).
   */
  decide(
    wanted: Principal,
    how: {
      policies: boolean;
      roles: boolean;
      counts: GrantResult;
      rbacOnly: Tri;
      rbacSwitch: string | undefined;
      step: () => void;
    }
  ): GrantOutcome {
    const { policies, roles, counts, rbacOnly, rbacSwitch, step } = how;
    const { kind, key } = principalKey(wanted);
    const memo = [kind, key, policies, roles, counts.verdict, ...counts.dependsOn].join('\u0000');
    const known = this.outcomes.get(memo);
    if (known) return known;
    const undecided = this.undecided(kind, policies, roles, step);
    // The grants whose principal is the subject's: what each grants decides it; an opaque principal's are
    // among the undecided ones, which they replace.
    const replaces = kind === 'opaque';
    const countsUnknown = roles && counts.verdict === 'unknown';
    const overrides: { pos: number; words: string[]; replaces: boolean }[] = [];
    let policyTrue = false;
    let policyUnknown = false;
    let roleTrue = false;
    let roleUnknown = false;
    let replacedPolicies = 0;
    let replacedRoles = 0;
    let firstRole = undecided.firstRole;
    for (const entry of this.byKey.get(`${kind}:${key}`) ?? []) {
      if (entry.role ? !roles : !policies) continue;
      step();
      // A role assignment counts for this subject only if it is not granted by access policies alone.
      const verdict = entry.role && countsUnknown ? 'unknown' : entry.verdict;
      if (entry.role) {
        if (entry.pos < firstRole) firstRole = entry.pos;
        if (verdict === true) roleTrue = true;
        else roleUnknown = true;
        if (replaces) replacedRoles++;
      } else {
        if (verdict === true) policyTrue = true;
        else policyUnknown = true;
        if (replaces) replacedPolicies++;
      }
      overrides.push({ pos: entry.pos, words: entry.grantWords, replaces });
    }
    if (undecided.policies > replacedPolicies) policyUnknown = true;
    if (undecided.roles > replacedRoles) roleUnknown = true;
    // What a role assignment counting rests on follows the first role assignment that may grant.
    if (countsUnknown && firstRole !== Infinity) {
      overrides.push({ pos: firstRole + 0.5, words: counts.dependsOn.map(dependencyWord), replaces: false });
    }
    const best = (granted: boolean, undecided: boolean): Tri => (granted ? true : undecided ? 'unknown' : false);
    let verdict: Tri;
    let tail: string[] = [];
    if (rbacOnly === true) verdict = best(roleTrue, roleUnknown);
    else if (rbacOnly === false) verdict = best(policyTrue, policyUnknown);
    else {
      // Which grants count depends on the vault's authorization model, itself unknown: a grant of one kind
      // settles nothing unless the other kind grants too.
      const policy = best(policyTrue, policyUnknown);
      const role = best(roleTrue, roleUnknown);
      if (policy === true && role === true) verdict = true;
      else if (policy === false && role === false) verdict = false;
      else {
        verdict = 'unknown';
        if (rbacSwitch) tail = [dependencyWord(`the vault's ${rbacSwitch}`)];
      }
    }
    const outcome: GrantOutcome =
      verdict === 'unknown'
        ? { verdict, ...this.firstWords(undecided, overrides, tail, step) }
        : { verdict, shown: [], total: 0 };
    this.outcomes.set(memo, outcome);
    return outcome;
  }

  /** The summary of the grants undecided for a principal of `kind`, among those that count. */
  private undecided(kind: PrincipalKind, policies: boolean, roles: boolean, step: () => void): Undecided {
    const memo = `${kind} ${policies} ${roles}`;
    const known = this.summaries.get(memo);
    if (known) return known;
    const kinds = UNDECIDED[kind];
    const made: Undecided = {
      policies: 0,
      roles: 0,
      firstRole: Infinity,
      distinct: [],
      index: new Map(),
      places: new Map()
    };
    for (const entry of this.entries) {
      step();
      if ((entry.role ? !roles : !policies) || !kinds.includes(entry.kind)) continue;
      if (entry.role) {
        made.roles++;
        if (entry.pos < made.firstRole) made.firstRole = entry.pos;
      } else made.policies++;
      entry.words.forEach((word, at) => {
        const places = made.places.get(word);
        if (!places) {
          made.places.set(word, [entry.pos]);
          made.index.set(word, made.distinct.length);
          made.distinct.push({ word, pos: entry.pos, at });
        } else if (places[places.length - 1] !== entry.pos) places.push(entry.pos);
      });
    }
    this.summaries.set(memo, made);
    return made;
  }

  /**
   * The distinct words of the undecided grants with `overrides` (grants put in, or put in place of undecided
   * ones) and `tail` after them all, in order of first place: the first LISTED_DEPENDENCIES of them, and how many.
   * Only the words the overrides touch are looked at, besides the first few of the summary.
   */
  private firstWords(
    undecided: Undecided,
    overrides: { pos: number; words: string[]; replaces: boolean }[],
    tail: string[],
    step: () => void
  ): { shown: string[]; total: number } {
    const removed = new Set<number>();
    for (const override of overrides) if (override.replaces) removed.add(override.pos);
    // Words only removed grants named are gone; a word whose first grant is removed moves to its next one.
    const lost = new Set<string>();
    const placed = new Map<string, Place>();
    const looked = new Set<string>();
    for (const pos of removed) {
      for (const word of this.byPos.get(pos)!.words) {
        step();
        if (looked.has(word)) continue;
        looked.add(word);
        const places = undecided.places.get(word)!;
        const next = places.find(p => !removed.has(p));
        if (next === undefined) lost.add(word);
        else if (next !== places[0]) placed.set(word, [next, this.byPos.get(next)!.words.indexOf(word)]);
      }
    }
    const placeOf = (word: string): Place | undefined => {
      const moved = placed.get(word);
      if (moved) return moved;
      if (lost.has(word)) return undefined;
      const index = undecided.index.get(word);
      return index === undefined ? undefined : [undecided.distinct[index].pos, undecided.distinct[index].at];
    };
    const put = (word: string, place: Place) => {
      step();
      const known = placeOf(word);
      if (!known || before(place, known)) placed.set(word, place);
    };
    for (const override of overrides) override.words.forEach((word, at) => put(word, [override.pos, at]));
    tail.forEach((word, at) => put(word, [Infinity, at]));
    let total = undecided.distinct.length - lost.size;
    for (const word of placed.keys()) if (!undecided.index.has(word) || lost.has(word)) total++;
    const picked: [string, Place][] = [];
    for (const { word, pos, at } of undecided.distinct) {
      if (picked.length >= LISTED_DEPENDENCIES) break;
      if (!placed.has(word) && !lost.has(word)) picked.push([word, [pos, at]]);
    }
    for (const [word, place] of placed) picked.push([word, place]);
    picked.sort((a, b) => (before(a[1], b[1]) ? -1 : before(b[1], a[1]) ? 1 : 0));
    return { shown: picked.slice(0, LISTED_DEPENDENCIES).map(([word]) => word), total };
  }
}
