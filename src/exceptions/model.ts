/**
 * One exception model for every place an exception is written: the configuration file (`external`,
 * selecting resources by id, name, type and file) and a template resource's own metadata (`inSource`,
 * for the resources that declaration deploys). Each names rules, a reason, and optionally an owner, a
 * last day and a category (Azure's two: waiver, mitigated), so it maps one to one onto an Azure Policy
 * exemption (see `exemptionOf`).
 */
import { nodeCrypto } from '../model/builtins.js';
import type { ExceptionCategory, FindingResource, Suppression } from '../model/finding.js';
import { armResourceType, type SourcePosition } from '../model/resource.js';
import { globMatcher, MAX_GLOB_LENGTH, type GlobMatcher, type GlobOptions } from '../sources/glob.js';
import { foldCase } from '../model/foldCase.js';

/** Which resources a configuration-file exception covers: every field given must match. */
export interface ResourceSelector {
  id?: string;
  name?: string;
  type?: string;
  file?: string;
}

/** A resource an inline exception sits on: one per instance its declaration deploys (copy loops). */
export interface DeclaredResource {
  file: string;
  type: string;
  name: string;
  /**
   * Its resource id, with the scope its deployment gives it: two declarations in one file of the same type and
   * name (one in a nested deployment to another resource group) are two resources, and the exception is on one.
   */
  id: string;
}

export interface Exception {
  kind: Suppression['kind'];
  /** Rule or definition names. */
  rules: string[];
  /** `external`: the selectors as written. */
  resources: ResourceSelector[];
  /** `inSource`: the resources the declaration deploys. */
  declared: DeclaredResource[];
  reason: string;
  owner?: string;
  expires?: string;
  category: ExceptionCategory;
  /** Where it is written (the entry in the configuration file, or the entry in the template's metadata). */
  source: SourcePosition;
  /**
   * The entry as written, canonically: an entry the pull request's base commit also has, the same,
   * was not added by the pull request.
   */
  entryText: string;
  /** Set by comparing with the base commit: the pull request adds or changes this exception. */
  new?: boolean;
  /** An exemption Azure holds (its id): `source` is then no place in the repository. */
  exemption?: string;
}

/** A JSON text with object keys sorted, so two equal entries read the same whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map(key => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

type Matcher = (resource: FindingResource) => boolean;
const matchers = new WeakMap<Exception, Matcher>();

/** A glob longer than any name matches nothing (the exception is then reported as matching nothing). */
const NOTHING = { test: () => false };
/**
 * Names and ids longer than this are matched by no exception (ARM's are a few hundred characters): the time of
 * a match grows with name × glob, both of which a pull request writes, so the finding stays instead.
 */
const LONGEST_NAME = 4 * MAX_GLOB_LENGTH;

function selectorGlob(pattern: string, options: GlobOptions = {}): GlobMatcher {
  if (pattern.length > MAX_GLOB_LENGTH) return NOTHING;
  const matcher = globMatcher(pattern, options);
  return { test: text => text.length <= LONGEST_NAME && matcher.test(text) };
}

function selectorMatcher(selector: ResourceSelector): Matcher {
  const id = selector.id === undefined ? null : selectorGlob(selector.id, { ignoreCase: true, orBelow: true });
  const name = selector.name === undefined ? null : selectorGlob(selector.name, { ignoreCase: true });
  const type = selector.type === undefined ? null : selectorGlob(selector.type, { ignoreCase: true });
  const file = selector.file === undefined ? null : selectorGlob(selector.file.replace(/^\.\//, ''));
  return resource =>
    (id === null || id.test(resource.id)) &&
    (name === null || name.test(resource.name)) &&
    // A resource group answers to ARM's spelling of its type as well as to Azure Policy's.
    (type === null || type.test(resource.type) || type.test(armResourceType(resource.type))) &&
    (file === null || (resource.file !== null && file.test(resource.file)));
}

function matcherOf(exception: Exception): Matcher {
  let matcher = matchers.get(exception);
  if (!matcher) {
    if (exception.kind === 'inSource') {
      const keys = new Set(exception.declared.map(declaredKey));
      matcher = resource => resource.file !== null && keys.has(declaredKey({ ...resource, file: resource.file }));
    } else {
      const selectors = exception.resources.map(selectorMatcher);
      matcher = resource => selectors.some(matches => matches(resource));
    }
    matchers.set(exception, matcher);
  }
  return matcher;
}

/** What identifies a resource an inline exception covers: its file, type and id (ARM compares ids ignoring case). */
export function declaredKey(resource: DeclaredResource): string {
  return [resource.file, foldCase(resource.type), foldCase(resource.id)].join('\0');
}

/** Whether the exception is for this rule and covers this resource (its date aside). */
export function covers(exception: Exception, definition: string, resource: FindingResource): boolean {
  return exception.rules.includes(definition) && matcherOf(exception)(resource);
}

/** The instant an exception stops applying: the start of the day after its last day (UTC). */
export function expiresOn(exception: Pick<Exception, 'expires'>): Date | undefined {
  if (exception.expires === undefined) return undefined;
  const [year, month, day] = exception.expires.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1));
}

export function isExpired(exception: Pick<Exception, 'expires'>, now: Date): boolean {
  const end = expiresOn(exception);
  return end !== undefined && now.getTime() >= end.getTime();
}

/** Whether `YYYY-MM-DD` names a day of the calendar (not 2027-02-30). */
export function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * What an Azure Policy exemption made from this exception holds (api-version 2022-07-01-preview):
 * `exemptionCategory` Waiver or Mitigated, `expiresOn` the instant it stops applying, and the rules as
 * the initiative's `policyDefinitionReferenceIds` (the pack uses rule names as reference ids). The
 * scopes are the selectors' ids without wildcards; selectors by name, type, file or glob need the live
 * resources to become scopes (`covers` answers for each). `name` is stable while the rules and
 * resources stay the same, so a changed reason or date updates the exemption in place.
 */
export function exemptionOf(exception: Exception): {
  name: string;
  exemptionCategory: 'Waiver' | 'Mitigated';
  expiresOn?: string;
  policyDefinitionReferenceIds: string[];
  description: string;
  scopes: string[];
  metadata: { owner?: string; source: string };
} {
  const identity = canonicalJson({ rules: exception.rules, resources: exception.resources });
  return {
    name: `cmk-guard-${nodeCrypto().createHash('sha256').update(identity).digest('hex').slice(0, 24)}`,
    exemptionCategory: exception.category === 'mitigated' ? 'Mitigated' : 'Waiver',
    ...(exception.expires ? { expiresOn: expiresOn(exception)!.toISOString() } : {}),
    policyDefinitionReferenceIds: [...exception.rules],
    description: exception.reason,
    scopes: exception.resources
      .filter(s => s.id !== undefined && Object.keys(s).length === 1 && !/[*?{]/.test(s.id))
      .map(s => s.id as string),
    metadata: {
      ...(exception.owner ? { owner: exception.owner } : {}),
      source: `${exception.source.file}:${exception.source.line}`
    }
  };
}

/** The marker a finding the exception accepts carries. */
export function suppressionOf(exception: Exception): Suppression {
  return {
    kind: exception.kind,
    category: exception.category,
    reason: exception.reason,
    ...(exception.owner !== undefined ? { owner: exception.owner } : {}),
    ...(exception.expires !== undefined ? { expires: exception.expires } : {}),
    file: exception.source.file,
    line: exception.exemption !== undefined ? null : exception.source.line,
    ...(exception.new !== undefined ? { new: exception.new } : {}),
    ...(exception.exemption !== undefined ? { exemption: exception.exemption } : {})
  };
}
