/**
 * The exception model and Azure Policy exemptions, both ways:
 * - an exemption Azure holds for the pack's assignment is an exception like any other (`external`,
 *   for the rules it names, on every resource at or below its scope), so live evaluation and
 *   compliance show what it accepts as suppressed findings, and say when it has expired or matches
 *   nothing;
 * - an exception of the configuration file becomes one exemption per resource or scope it names,
 *   which `deploy` writes.
 * https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure
 */
import type { FindingResource } from '../model/finding.js';
import { exemptionGroup, type ExemptionResource } from '../model/exemption.js';
import type { Json } from '../model/value.js';
import { armResourceType } from '../model/resource.js';
import { canonicalJson, covers, exemptionOf, type Exception, type ResourceSelector } from './model.js';
import { foldCase } from '../model/foldCase.js';

/** An exemption as the REST API gives it (api-version 2022-07-01-preview). */
export type AzureExemption = ExemptionResource;

function scopeOf(id: string): string {
  const at = foldCase(id).lastIndexOf('/providers/microsoft.authorization/policyexemptions/');
  return at < 0 ? id : id.slice(0, at);
}

/**
 * The last whole day (UTC) before an instant: an exemption that ends at 15:00 counts as ending at
 * the start of that day, so a finding comes back early rather than late. One cmk-guard wrote ends
 * at midnight, so its day is exact.
 */
export function lastWholeDay(instant: string): string | undefined {
  const time = Date.parse(instant);
  if (Number.isNaN(time)) return undefined;
  const day = new Date(time);
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

function ownerOf(metadata: { [key: string]: Json } | undefined): string | undefined {
  const guard = metadata?.cmkGuard;
  if (guard && typeof guard === 'object' && !Array.isArray(guard) && typeof guard.owner === 'string')
    return guard.owner;
  return typeof metadata?.owner === 'string' ? metadata.owner : undefined;
}

/** What an exemption's resource selectors read of a resource: its id, its type and its location, if it has one. */
export interface SelectableResource {
  id: string;
  type: string;
  location?: string;
}

/** `West Europe` and `westeurope` are one region, as ARM reads them. */
function region(text: string): string {
  return foldCase(text.replace(/ /g, ''));
}

/**
 * Whether an exemption's `resourceSelectors` select a resource. They work "the same way in exemptions as
 * in assignments": with none, every resource at or below the scope; else a resource some resource
 * selector selects, one that meets every selector of it. A selector's `kind` is `resourceLocation` (its
 * location in `in`, or not in `notIn`; a resource without a location is selected by none, as those are
 * what `resourceWithoutLocation` is for), `resourceType` (its type, in either spelling of a resource
 * group's), or `resourceWithoutLocation` (`subscriptionLevelResources`: without a location and in no
 * resource group). A kind cmk-guard cannot judge from the resource (who makes the request) selects nothing,
 * so the finding stays rather than be hidden.
 * https://learn.microsoft.com/azure/governance/policy/concepts/exemption-structure#resource-selectors
 * https://learn.microsoft.com/azure/governance/policy/concepts/assignment-structure#resource-selectors
 */
export function selectedByResourceSelectors(
  resourceSelectors: Json | undefined,
  resource: SelectableResource
): boolean {
  if (!Array.isArray(resourceSelectors) || resourceSelectors.length === 0) return true;
  return resourceSelectors.some(resourceSelector => {
    const selectors = isObject(resourceSelector) ? resourceSelector.selectors : undefined;
    if (!Array.isArray(selectors)) return true;
    return selectors.every(selector => isObject(selector) && selects(selector, resource));
  });
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function selects(selector: { [key: string]: Json }, resource: SelectableResource): boolean {
  const list = (key: string) =>
    Array.isArray(selector[key])
      ? (selector[key] as Json[]).filter((v): v is string => typeof v === 'string')
      : undefined;
  const within = list('in');
  const without = list('notIn');
  if (within === undefined && without === undefined) return false;
  const kind = typeof selector.kind === 'string' ? foldCase(selector.kind) : '';
  // What the resource is for this kind, spelled as the values are compared.
  let normalise = (text: string) => foldCase(text);
  let values: string[];
  if (kind === 'resourcelocation') {
    if (!resource.location) return false;
    normalise = region;
    values = [region(resource.location)];
  } else if (kind === 'resourcetype') {
    values = [foldCase(resource.type), foldCase(armResourceType(resource.type))];
  } else if (kind === 'resourcewithoutlocation') {
    values = !resource.location && !/\/resourcegroups\//i.test(resource.id) ? ['subscriptionlevelresources'] : [];
  } else {
    return false;
  }
  return within ? within.some(v => values.includes(normalise(v))) : !without!.some(v => values.includes(normalise(v)));
}

/**
 * Exemptions for the pack's assignment as exceptions. `rules` are the initiative's members: an
 * exemption that names no reference ids covers all of them. An exemption with `resourceSelectors`
 * covers the resources among `resources` (the live resources, or those Azure reports compliance for)
 * at or below its scope that they select, each by its id and type. `groupsOf` gives each subscription
 * (its id, folded) the management groups it is in, at any depth (folded names): an exemption at a
 * management group covers what is in those subscriptions, as it exempts everything below its scope.
 */
export function exceptionsFromExemptions(
  exemptions: readonly AzureExemption[],
  rules: readonly string[],
  resources: readonly SelectableResource[],
  groupsOf: ReadonlyMap<string, readonly string[]> = new Map()
): Exception[] {
  return exemptions.map(exemption => {
    const { properties } = exemption;
    const references = properties.policyDefinitionReferenceIds ?? [];
    const expires = properties.expiresOn ? lastWholeDay(properties.expiresOn) : undefined;
    const why = properties.description || properties.displayName || 'no description';
    const owner = ownerOf(properties.metadata);
    return {
      kind: 'external',
      rules: references.length ? rules.filter(r => references.some(ref => foldCase(ref) === foldCase(r))) : [...rules],
      resources: selectedResources(exemption, resources, groupsOf),
      declared: [],
      reason: why,
      exemption: exemption.id,
      ...(owner !== undefined ? { owner } : {}),
      ...(expires !== undefined ? { expires } : {}),
      category: foldCase(properties.exemptionCategory) === 'mitigated' ? 'mitigated' : 'waiver',
      // Not written in a file of the repository: no location to point at.
      source: { file: '', line: 0, column: 0 },
      entryText: canonicalJson({ id: exemption.id, properties })
    };
  });
}

/**
 * What an exemption covers: its scope, or, with resource selectors, each resource below it they select. A
 * resource's id does not name the management groups it is in, so the scope of one at a management group is
 * each subscription `groupsOf` places below it.
 */
function selectedResources(
  exemption: AzureExemption,
  resources: readonly SelectableResource[],
  groupsOf: ReadonlyMap<string, readonly string[]>
): ResourceSelector[] {
  const scope = scopeOf(exemption.id);
  const group = exemptionGroup(exemption);
  const scopes = [
    scope,
    ...(group === undefined
      ? []
      : [...groupsOf].filter(([, groups]) => groups.includes(group)).map(([id]) => `/subscriptions/${id}`))
  ];
  const { resourceSelectors } = exemption.properties;
  if (!Array.isArray(resourceSelectors) || resourceSelectors.length === 0) return scopes.map(id => ({ id }));
  const prefixes = scopes.map(id => `${foldCase(id).replace(/\/+$/, '')}/`);
  return resources
    .filter(
      r =>
        prefixes.some(prefix => `${foldCase(r.id)}/`.startsWith(prefix)) &&
        selectedByResourceSelectors(resourceSelectors, r)
    )
    .map(r => ({ id: r.id, type: r.type }));
}

/** The REST body of an exemption cmk-guard writes, and where. */
export interface DesiredExemption {
  /** The scope it is at: a resource id, resource group, subscription or management group. */
  scope: string;
  name: string;
  properties: { [key: string]: Json };
  /** The configuration entry it comes from, `file:line`. */
  source: string;
}

/**
 * The exemptions the configuration's exceptions make for an assignment: one per resource or scope
 * each names. An exception that names resources by id (no wildcard) is exempted there; one that
 * selects by name, type or a glob is exempted on each live resource it covers (`resources`, read
 * from Resource Graph). Inline exceptions live in templates, whose resources have no id before
 * deployment, and a selector with `file` matches what a template declares: both stay in pull
 * requests, and `notes` says so.
 */
export function desiredExemptions(
  exceptions: readonly Exception[],
  options: {
    assignmentId: string;
    owner: string;
    /** The initiative's members: rules that are not (PR-only rules) are left out of the reference ids. */
    members: readonly string[];
    /** Live resources the selectors are matched against. */
    resources: readonly FindingResource[];
  }
): { exemptions: DesiredExemption[]; notes: string[] } {
  const exemptions = new Map<string, DesiredExemption>();
  const notes: string[] = [];
  const members = new Set(options.members.map(m => foldCase(m)));
  for (const exception of exceptions) {
    const where = `${exception.source.file}:${exception.source.line}`;
    if (exception.kind === 'inSource') {
      notes.push(
        `${where}: an exception in a template's metadata applies in pull requests only; to exempt the deployed resource in Azure, name its id in cmk-guard.yaml.`
      );
      continue;
    }
    // A selector with `file` matches what a template declares; a resource in Azure has no file.
    const byFile = exception.resources.filter(s => s.file !== undefined).length;
    if (byFile) {
      notes.push(
        `${where}: a selector with \`file\` applies in pull requests only (a resource in Azure has no template file); to exempt the resource in Azure, select it by id, name or type.`
      );
      if (byFile === exception.resources.length) continue;
    }
    const rules = exception.rules.filter(r => members.has(foldCase(r)));
    if (rules.length === 0) {
      notes.push(`${where}: no rule it names is a member of the initiative, so there is nothing to exempt in Azure.`);
      continue;
    }
    const shape = exemptionOf(exception);
    const scopes = new Set(shape.scopes);
    for (const resource of options.resources)
      if (rules.some(rule => covers(exception, rule, resource))) scopes.add(resource.id);
    if (scopes.size === 0) {
      notes.push(`${where}: it names no resource id and matches no resource in the scope, so no exemption is written.`);
      continue;
    }
    for (const scope of [...scopes].sort()) {
      const properties: { [key: string]: Json } = {
        policyAssignmentId: options.assignmentId,
        policyDefinitionReferenceIds: rules,
        exemptionCategory: shape.exemptionCategory,
        displayName: `cmk-guard: ${rules.join(', ')}`.slice(0, 128),
        description: shape.description.slice(0, 1024),
        metadata: {
          cmkGuard: {
            owner: options.owner,
            source: shape.metadata.source,
            ...(shape.metadata.owner ? { exceptionOwner: shape.metadata.owner } : {})
          }
        }
      };
      if (shape.expiresOn) properties.expiresOn = shape.expiresOn;
      exemptions.set(`${foldCase(scope)}\0${shape.name}`, { scope, name: shape.name, properties, source: where });
    }
  }
  return { exemptions: [...exemptions.values()], notes };
}
