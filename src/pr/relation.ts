/**
 * Relation rules relate resources of one deployment: "the identity an account uses to read its
 * customer-managed key has get, wrapKey and unwrapKey on the vault that holds it". No single
 * Azure Policy condition can say that (a policy sees one resource at a time), so these run in
 * pull requests only. A rule declares the relation as data — how a subject names its target,
 * which identity it uses, which grants count — and the parts that are conditions on one
 * resource are JSON Schema, as everywhere else.
 */
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import type { Value } from '../model/value.js';
import { Unknown, isObject } from '../model/value.js';
import { compileValueCheck, describeDependencies } from './azureCompare.js';
import type { PrRule } from './prRule.js';
import { originalPointer, prFinding, ruleTypes } from './prRule.js';
import { unescapePointerSegment } from '../model/pointer.js';

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
  };
}

export interface RelationRule extends PrRule {
  appliesTo?: unknown;
  relation: RelationSpec;
}

type Tri = true | false | 'unknown';

/** A principal as far as a template can tell: a literal object id, or the identity of a resource. */
type Principal =
  | { kind: 'literal'; id: string }
  | { kind: 'system'; resourceId: string }
  | { kind: 'user'; resourceId: string }
  | { kind: 'opaque'; key: string };

/** Values Azure computes on creation, derived here from what a template does know. */
function derived(resource: Resource, pointer: string): Value | undefined {
  if (resource.type.toLowerCase() === 'microsoft.keyvault/vaults' && pointer.toLowerCase() === '/properties/vaulturi') {
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
    const actual: string | undefined = keysByLowerCase(current).get(key);
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
      .map(raw => unescapePointerSegment(raw).toLowerCase());
    segmentsOf.set(pointer, segments);
  }
  return segments;
}

const keyMaps = new WeakMap<object, Map<string, string>>();

/** An object's keys by their lower-case spelling; the first key (in key order) wins where two spell alike. */
function keysByLowerCase(value: { [key: string]: Value }): Map<string, string> {
  let keys = keyMaps.get(value);
  if (!keys) {
    keys = new Map();
    for (const key of Object.keys(value)) {
      const lower = key.toLowerCase();
      if (!keys.has(lower)) keys.set(lower, key);
    }
    keyMaps.set(value, keys);
  }
  return keys;
}

/** ARM compares ids and URIs case-insensitively; a vault URI may or may not end in a slash. */
function sameText(a: Value | undefined, b: Value | undefined): Tri {
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (a instanceof Unknown || b instanceof Unknown) {
    return a instanceof Unknown && b instanceof Unknown && a.key.toLowerCase() === b.key.toLowerCase()
      ? true
      : 'unknown';
  }
  return norm(a) === norm(b);
}

function norm(value: Value): string {
  return String(value).toLowerCase().replace(/\/+$/, '');
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
    return path.toLowerCase() === pointer.toLowerCase();
  }
  // A value computed from the target's deployed state (`if(endsWith(reference(<vault>).vaultUri, '/'), …)`) names it too.
  return value.key.toLowerCase().includes(`reference(${target.id.toLowerCase()})`);
}

/**
 * `candidates.find(c => names(value, c, pointer))`, without scanning: each way a value can name a
 * target (the same text, the same unknown, `reference(<id>).<path>`, or an expression that reads
 * `reference(<id>)`) is a map from what the value says to the first candidate that matches, built
 * once per deployment. A repository has thousands of targets and a subject looks up one.
 */
export class TargetIndex {
  private readonly known = new Map<string, number>();
  private readonly unknown = new Map<string, number>();
  private readonly idTails = new Map<string, number>();
  private readonly ids = new Map<string, number>();
  private readonly pointer: string;

  constructor(
    private readonly candidates: Resource[],
    pointer: string
  ) {
    this.pointer = pointer.toLowerCase();
    const first = (map: Map<string, number>, key: string, index: number) => {
      if (!map.has(key)) map.set(key, index);
    };
    candidates.forEach((candidate, index) => {
      const value = lookup(candidate, pointer);
      if (value instanceof Unknown) first(this.unknown, value.key.toLowerCase(), index);
      else if (value !== undefined && value !== null) first(this.known, norm(value), index);
      first(this.idTails, idTail(candidate.id), index);
      first(this.ids, candidate.id.toLowerCase(), index);
    });
  }

  /** The first candidate the value names, as `names` decides it. */
  find(value: Value | undefined): Resource | undefined {
    let best = Infinity;
    const consider = (index: number | undefined) => {
      if (index !== undefined && index < best) best = index;
    };
    if (value instanceof Unknown) {
      consider(this.unknown.get(value.key.toLowerCase()));
      const match = REFERENCE_KEY.exec(value.key);
      if (match && ('/' + match[2].split('.').join('/')).toLowerCase() === this.pointer) {
        consider(this.idTails.get(idTail(match[1])));
      }
      // Every id that `reference(<id>)` in the key could close: each `)` after each `reference(`.
      const key = value.key.toLowerCase();
      for (let at = key.indexOf('reference('); at >= 0; at = key.indexOf('reference(', at + 1)) {
        const start = at + 'reference('.length;
        for (let end = key.indexOf(')', start); end >= 0; end = key.indexOf(')', end + 1)) {
          consider(this.ids.get(key.slice(start, end)));
        }
      }
    } else if (value !== undefined && value !== null) {
      consider(this.known.get(norm(value)));
    }
    return best === Infinity ? undefined : this.candidates[best];
  }
}

const SYSTEM_KEY = /reference\(\s*'?([^',)]+)'?[^)]*\)(?:\.properties)?\.identity\.principalid$/i;
const USER_KEY = /reference\(\s*'?([^',)]+)'?[^)]*\)(?:\.properties)?\.principalid$/i;

function principalOf(value: Value | undefined): Principal | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Unknown) {
    const system = SYSTEM_KEY.exec(value.key);
    if (system) return { kind: 'system', resourceId: system[1].toLowerCase() };
    const user = USER_KEY.exec(value.key);
    if (user) return { kind: 'user', resourceId: user[1].toLowerCase() };
    return { kind: 'opaque', key: value.key };
  }
  return { kind: 'literal', id: String(value).toLowerCase() };
}

function samePrincipal(a: Principal, b: Principal): Tri {
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
  const lower = id.toLowerCase();
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

/** The identity the subject uses to reach its target. */
function subjectPrincipal(subject: Resource, spec: RelationSpec['principal']): Principal {
  const userAssigned = firstSet(subject, spec?.userAssignedIdentity);
  if (typeof userAssigned === 'string') return { kind: 'user', resourceId: userAssigned.toLowerCase() };
  if (userAssigned instanceof Unknown) return { kind: 'opaque', key: userAssigned.key };
  const identities = lookup(subject, '/identity/userAssignedIdentities');
  const assigned = isObject(identities) ? Object.keys(identities) : [];
  const clientId = firstSet(subject, spec?.clientId);
  if (clientId !== undefined) {
    if (clientId instanceof Unknown) {
      const named = assigned.find(id => clientId.key.toLowerCase().includes(id.toLowerCase()));
      if (named) return { kind: 'user', resourceId: named.toLowerCase() };
    }
    if (assigned.length === 1) return { kind: 'user', resourceId: assigned[0].toLowerCase() };
    return { kind: 'opaque', key: clientId instanceof Unknown ? clientId.key : `clientId ${String(clientId)}` };
  }
  const known = lookup(subject, '/identity/principalId');
  if (typeof known === 'string') return { kind: 'literal', id: known.toLowerCase() };
  return { kind: 'system', resourceId: subject.id.toLowerCase() };
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
  (resources: Resource[]): Finding[];
  /** `keep` makes what the rule keeps of a resource it needs (by default the resource itself). */
  deployment(keep?: (resource: Resource) => Resource): DeploymentRelation;
}

const GRANTED: GrantResult = Object.freeze({ verdict: true, dependsOn: Object.freeze([]) as unknown as string[] });
const NOT_GRANTED: GrantResult = Object.freeze({ verdict: false, dependsOn: Object.freeze([]) as unknown as string[] });

/** An access policy entry as a subject's check reads it: the principal it names, and what it grants. */
interface PolicyGrant {
  who: Value | undefined;
  grant: GrantResult | null;
}

/** A role assignment as a subject's check reads it: where it is made, to whom, and what it grants. */
interface RoleGrant extends PolicyGrant {
  id: string;
}

/**
 * The resource with only the values at `pointers` (found as `lookup` finds them: keys in any case, the
 * value where the path stops being an object): what a target is looked up by and read for, kept for a
 * whole deployment without the rest of it.
 */
export function skeleton(resource: Resource, pointers: string[]): Resource {
  const json: { [key: string]: Value } = {};
  /** Values taken whole from the resource: never written into. */
  const whole = new WeakSet<object>();
  for (const pointer of pointers) {
    let from: Value | undefined = resource.json;
    let into: { [key: string]: Value } = json;
    const segments = lowerSegments(pointer);
    for (let i = 0; i < segments.length; i++) {
      if (from instanceof Unknown || !isObject(from)) break;
      const actual = keysByLowerCase(from).get(segments[i]);
      if (actual === undefined) break;
      const next: Value = from[actual];
      if (i === segments.length - 1 || next instanceof Unknown || !isObject(next)) {
        // The whole value, over any part of it an earlier pointer kept.
        into[actual] = next;
        if (typeof next === 'object' && next !== null) whole.add(next);
        break;
      }
      const existing = into[actual];
      if (existing !== undefined && whole.has(existing as object)) break;
      if (existing === undefined) into[actual] = {};
      into = into[actual] as { [key: string]: Value };
      from = next;
    }
  }
  return {
    id: resource.id,
    type: resource.type,
    name: resource.name,
    json,
    source: resource.source,
    positionOf: () => null,
    origin: resource.origin,
    ...(resource.existing ? { existing: resource.existing } : {})
  };
}

/** A string as one of its own: a string cut from a larger one (a window of a snapshot) keeps the larger one alive. */
function ownString(text: string): string {
  return (' ' + text).slice(1);
}

function ownValue(value: Value | undefined): Value | undefined {
  return typeof value === 'string' ? ownString(value) : value;
}

export function compileRelationRule(rule: RelationRule): RelationCheck {
  const types = ruleTypes(rule);
  const applies = rule.appliesTo === undefined ? null : compileValueCheck(rule.appliesTo);
  const { target, principal, grants } = rule.relation;
  const policyCheck = grants.accessPolicy === undefined ? null : compileValueCheck(grants.accessPolicy);
  const roleCheck = grants.roleAssignment === undefined ? null : compileValueCheck(grants.roleAssignment);
  const targetType = target.type.toLowerCase();

  // What a subject's check reads of a target besides its identity: the values subjects name it by, and its switch.
  const targetPointers = [...target.on.map(on => on.target), ...(grants.rbacSwitch ? [grants.rbacSwitch] : [])];

  const deployment = (keep: (resource: Resource) => Resource = resource => resource): DeploymentRelation => {
    const candidates: Resource[] = [];
    /** A target's access policies, and those of the `<target>/accessPolicies` resources of each target name. */
    const targetPolicies = new Map<Resource, PolicyGrant[]>();
    const policyChildren = new Map<string, PolicyGrant[][]>();
    const roleAssignments: RoleGrant[] = [];
    // Indexed once per deployment, when the first subject is checked: a repository has thousands of resources.
    const indexes = new Map<string, TargetIndex>();
    const indexFor = (pointer: string) => {
      let index = indexes.get(pointer);
      if (!index) indexes.set(pointer, (index = new TargetIndex(candidates, pointer)));
      return index;
    };
    let assignments: RoleAssignments<RoleGrant> | undefined;
    // What a grant gives depends on the grant alone: checked once, as it is added, whichever subjects ask for it.
    const grantOf = (check: typeof policyCheck, value: Value): GrantResult | null => {
      if (!check) return null;
      const enough = check(value);
      // Most grants settle it either way: one shared answer for each (a tenant has hundreds of thousands).
      if (enough.dependsOn.length === 0 && enough.verdict !== 'unknown') return enough.verdict ? GRANTED : NOT_GRANTED;
      return { verdict: enough.verdict, dependsOn: enough.dependsOn };
    };
    /** The entries of an access policy list: who each names, and what it grants. */
    const policiesOf = (resource: Resource): PolicyGrant[] => {
      const entries = lookup(resource, '/properties/accessPolicies');
      if (!Array.isArray(entries)) return [];
      return entries.map(entry => ({
        who: ownValue(isObject(entry) ? (entry.objectId ?? entry.objectid) : undefined),
        grant: grantOf(policyCheck, entry)
      }));
    };
    return {
      add(resource) {
        const type = resource.type.toLowerCase();
        if (type === targetType) {
          // Kept as a skeleton: the values a subject's check reads, and nothing else of the resource.
          const kept = keep(skeleton(resource, targetPointers));
          candidates.push(kept);
          targetPolicies.set(kept, policiesOf(resource));
          return;
        }
        if (resource.existing) return;
        if (type === `${targetType}/accesspolicies`) {
          const lower = resource.name.toLowerCase();
          if (lower.endsWith('/remove')) return;
          const parent = lower.slice(0, lower.lastIndexOf('/'));
          const siblings = policyChildren.get(parent);
          if (siblings) siblings.push(policiesOf(resource));
          else policyChildren.set(parent, [policiesOf(resource)]);
        } else if (type.endsWith('/roleassignments')) {
          roleAssignments.push({
            id: ownString(resource.id),
            who: ownValue(lookup(resource, '/properties/principalId')),
            grant: grantOf(roleCheck, resource.json)
          });
        }
      },
      get hasTargets() {
        return candidates.length > 0;
      },
      check(subject) {
        assignments ??= new RoleAssignments(roleAssignments);
        if (subject.existing || !types.has(subject.type.toLowerCase())) return undefined;
        if (applies && applies(subject.json).verdict !== true) return undefined;
        const link = target.on.find(on => firstSet(subject, [on.subject]) !== undefined);
        if (!link) return undefined;
        const named = lookup(subject, link.subject);
        const vault = indexFor(link.target).find(named);
        if (!vault) return undefined; // the target is not part of this deployment: nothing to relate

        const wanted = subjectPrincipal(subject, principal);
        const byPolicy: GrantResult[] = [];
        const byRole: GrantResult[] = [];
        const principalMatch = (value: Value | undefined): GrantResult => {
          const found = principalOf(value);
          if (!found) return { verdict: false, dependsOn: [] };
          const verdict = samePrincipal(wanted, found);
          return {
            verdict,
            dependsOn:
              verdict === 'unknown' ? [value instanceof Unknown ? value.reason : `principal ${String(value)}`] : []
          };
        };
        const rbac = grants.rbacSwitch ? lookup(vault, grants.rbacSwitch) : false;
        const rbacOnly: Tri = rbac instanceof Unknown ? 'unknown' : rbac === true || rbac === 'true' || rbac === 'True';

        if (policyCheck && rbacOnly !== true) {
          const entries = [...(targetPolicies.get(vault) ?? [])];
          for (const child of policyChildren.get(vault.name.toLowerCase()) ?? []) entries.push(...child);
          for (const entry of entries) byPolicy.push(and(principalMatch(entry.who), entry.grant!));
        }
        if (roleCheck && rbacOnly !== false) {
          for (const assignment of assignments.over(vault.id.toLowerCase()))
            byRole.push(and(principalMatch(assignment.who), assignment.grant!));
        }
        const results = combine(byPolicy, byRole, rbacOnly, grants.rbacSwitch);
        const pointer = originalPointer(subject.json, link.subject.toLowerCase());
        const who = describePrincipal(wanted);
        if (results.some(r => r.verdict === true)) {
          return prFinding(
            rule,
            subject,
            'compliant',
            `${who} is granted what it needs on vault ${vault.name}.`,
            null,
            pointer
          );
        } else if (results.some(r => r.verdict === 'unknown')) {
          const keys = [...new Set(results.flatMap(r => r.dependsOn))];
          return prFinding(
            rule,
            subject,
            'indeterminate',
            `Whether ${who} is granted what it needs on vault ${vault.name} cannot be decided before deployment.`,
            describeDependencies(keys),
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

  const check = (resources: Resource[]): Finding[] => {
    const relation = deployment();
    for (const resource of resources) relation.add(resource);
    const findings: Finding[] = [];
    for (const subject of resources) {
      const finding = relation.check(subject);
      if (finding) findings.push(finding);
    }
    return findings;
  };
  return Object.assign(check, { deployment });
}

/**
 * Role assignments by the scope they are made at (their id without the role assignment part):
 * those that reach a resource are the ones whose scope its id starts with, in the order given.
 */
export class RoleAssignments<T extends { id: string } = Resource> {
  private readonly byScope = new Map<string, number[]>();
  private readonly lengths: number[];

  constructor(private readonly assignments: T[]) {
    assignments.forEach((assignment, index) => {
      const scope = assignment.id
        .replace(/\/providers\/microsoft\.authorization\/roleassignments\/[^/]+$/i, '')
        .toLowerCase();
      const list = this.byScope.get(scope);
      if (list) list.push(index);
      else this.byScope.set(scope, [index]);
    });
    this.lengths = [...new Set([...this.byScope.keys()].map(scope => scope.length))];
  }

  /** The assignments whose scope `id` (lower-case) starts with. */
  over(id: string): T[] {
    const found: number[] = [];
    for (const length of this.lengths) {
      if (length > id.length) continue;
      const list = this.byScope.get(id.slice(0, length));
      if (list) for (const index of list) found.push(index);
    }
    return found.sort((a, b) => a - b).map(index => this.assignments[index]);
  }
}

function grantWords(rbacOnly: Tri): string {
  if (rbacOnly === true) return 'a role with get, wrapKey and unwrapKey (Key Vault Crypto Service Encryption User)';
  return 'get, wrapKey and unwrapKey';
}

function and(a: GrantResult, b: GrantResult): GrantResult {
  if (a.verdict === false || b.verdict === false) return { verdict: false, dependsOn: [] };
  const dependsOn = [...a.dependsOn, ...b.dependsOn];
  if (a.verdict === 'unknown' || b.verdict === 'unknown') return { verdict: 'unknown', dependsOn };
  return { verdict: true, dependsOn };
}

/**
 * Which grants count depends on the vault's authorization model: access policies, or (with RBAC
 * authorization) role assignments only. When the model itself is unknown, a grant of one kind
 * settles nothing unless the other kind grants too.
 */
function combine(byPolicy: GrantResult[], byRole: GrantResult[], rbacOnly: Tri, rbacSwitch?: string): GrantResult[] {
  if (rbacOnly === true) return byRole;
  if (rbacOnly === false) return byPolicy;
  const best = (results: GrantResult[]): Tri =>
    results.some(r => r.verdict === true) ? true : results.some(r => r.verdict === 'unknown') ? 'unknown' : false;
  const policy = best(byPolicy);
  const role = best(byRole);
  const dependsOn = [...byPolicy, ...byRole]
    .flatMap(r => r.dependsOn)
    .concat(rbacSwitch ? [`the vault's ${rbacSwitch}`] : []);
  if (policy === true && role === true) return [{ verdict: true, dependsOn: [] }];
  if (policy === false && role === false) return [{ verdict: false, dependsOn: [] }];
  return [{ verdict: 'unknown', dependsOn }];
}
