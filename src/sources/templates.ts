/** One ARM template (a file, or a parsed document) expanded with its parameters into the resources it deploys. */
import * as path from 'node:path';
import type { Json, Value } from '../model/value.js';
import { Unknown, isObject } from '../model/value.js';
import {
  PLACEHOLDER_RESOURCE_GROUP,
  PLACEHOLDER_SUBSCRIPTION,
  UNNAMEABLE_GROUP,
  PLACEHOLDER_MANAGEMENT_GROUP,
  UNNAMEABLE_MANAGEMENT_GROUP,
  type Resource
} from '../model/resource.js';
import { confine } from './boundary.js';
import { parseJsonWithPositions, type PositionedJson } from './json.js';
import {
  PARAMETER_SCHEMA,
  TEMPLATE_SCHEMA,
  conventionalParameterFiles,
  loadParameterFile,
  mergeSupplied,
  parametersFromDocument,
  overridesToSupplied
} from './parameters.js';
import { readTextFile } from '../model/textFile.js';
import { compileBicepFile, isBicepFile, parameterSources } from './bicep/index.js';
import { WorkBudget } from '../model/limits.js';
import { TemplateError } from './arm/errors.js';
import { TemplateExpander, deploymentLevelOf, writeOrder, type Emitted } from './arm/expand.js';
import { templateLibrary } from './arm/functions/index.js';
import { NO_COPY, TemplateScope, type DeploymentTarget, type Expansion } from './arm/scope.js';
import { uriRoot } from './arm/templateLink.js';
import { checkTemplateNames, refuseCaseCollision, refuseCollidingBody } from './arm/names.js';
import { PLACEHOLDER_LOCATION, giveStableNames, placeholderDeploymentNeeded } from './stableNames.js';
import { foldCase } from '../model/foldCase.js';
import { raceWording } from '../model/race.js';

export interface TemplateLoadOptions {
  /** Parameter files named explicitly; otherwise `<template>.parameters.json` beside the template. */
  parameterFiles?: string[];
  /** Values from the command line or action inputs; they win over parameter files and defaults. */
  parameterOverrides?: Record<string, Json>;
  /**
   * The repository: templates, parameter files and linked templates are read only inside it,
   * after symbolic links are followed (see boundary.ts). Without it, the template's own folder.
   */
  root?: string;
  /** Where to find the Bicep CLI (PATH) for `.bicep` files; defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /**
   * Records the position of every value of every resource as it is written. Slower, and the same
   * positions: the reference that positions found only when a finding asks are tested against.
   */
  recordAllPositions?: boolean;
  scope?: DeploymentContext;
  /**
   * Gives each resource whose name depends on where the deployment goes its name in the placeholder
   * deployment (`Resource.stableName`, see stableNames.ts), which finding ids are made with.
   */
  stableNames?: boolean;
}

/**
 * What a deployment knows and a template does not say: where it goes. Each is a placeholder or unknown
 * unless given (`--resource-group-location`, `--deployment-location`; `expand` also takes the ids).
 */
export interface DeploymentContext {
  subscriptionId?: string;
  resourceGroup?: string;
  /** What `resourceGroup().location` returns in a template deployed to a resource group. */
  resourceGroupLocation?: string;
  /** What `deployment().location` returns in a template deployed to a subscription, management group or tenant. */
  deploymentLocation?: string;
  tenantId?: string;
  deploymentName?: string;
}

export interface ExpandedTemplate {
  file: string;
  resources: Resource[];
  parameterFile: string | null;
  /** Every parameter file whose values the expansion used (explicit and paired, in order). */
  parameterFiles?: string[];
  /** Every linked template and linked parameter file the expansion read, whether or not it declares a resource. */
  linkedFiles?: string[];
  notes: string[];
  /**
   * What the reports of a run say on the file itself, besides its findings: that it was read by its shape alone
   * (no template `$schema`, or another), and so checked as a template deployed to a resource group.
   */
  fileNotes?: string[];
  /**
   * Expressions that fail where ARM would evaluate them: the deployment would fail with the values
   * given. The template's other resources are in `resources` all the same.
   */
  errors: TemplateError[];
}

export { PLACEHOLDER_SUBSCRIPTION };
export const PLACEHOLDER_TENANT = '00000000-0000-0000-0000-000000000000';

/** Why a JSON document is not a deployment template, or null when it is one. */
export function notATemplateReason(value: Json): string | null {
  if (!isObject(value)) return 'not a JSON object';
  const schema = schemaOf(value);
  if (typeof schema === 'string' && TEMPLATE_SCHEMA.test(schema)) return null;
  // ARM deploys what the command is given, whatever its `$schema` says (a parameter file's too): a file shaped as a
  // template is one.
  if (shapedAsTemplate(value)) return null;
  if (typeof schema === 'string' && PARAMETER_SCHEMA.test(schema)) return 'a parameter file';
  return typeof schema === 'string'
    ? `not a deployment template: its $schema is ${schema}`
    : 'not a deployment template: it has no $schema';
}

/** A document's `$schema`, however its name is cased (ARM reads "$Schema" as "$schema"). */
function schemaOf(value: { [key: string]: Json }): Json | undefined {
  const schemaKey = Object.keys(value).find(key => foldCase(key) === '$schema');
  return schemaKey === undefined ? undefined : value[schemaKey];
}

/**
 * Whether a document without a template `$schema` has the shape ARM deploys: the `contentVersion` it requires
 * ("Deployment template parse failed: Required property 'contentVersion' not found") and resources to deploy (an
 * array, or the object of symbolic names of languageVersion 2.0), each an object with a `type`. The template syntax
 * page lists `$schema` as required, but the Azure CLI and PowerShell send a template's content as it is, and the
 * deployment's scope is the command's (`az deployment group create`), not the schema's: a pull request that deletes
 * the `$schema` line, or names another schema, must not take its template out of the check.
 */
function shapedAsTemplate(value: { [key: string]: Json }): boolean {
  const keys = Object.keys(value);
  const contentVersion = keys.find(key => foldCase(key) === 'contentversion');
  const resourcesKey = keys.find(key => foldCase(key) === 'resources');
  if (contentVersion === undefined || resourcesKey === undefined) return false;
  const resources = value[resourcesKey];
  const members = Array.isArray(resources) ? resources : isObject(resources) ? Object.values(resources) : [];
  return (
    members.length > 0 &&
    members.every(member => isObject(member) && Object.keys(member).some(key => foldCase(key) === 'type'))
  );
}

/** A note for a template read by its shape: where cmk-guard takes it to be deployed. */
function schemaNote(template: { [key: string]: Json }, file: string): string[] {
  const schema = schemaOf(template);
  if (typeof schema === 'string' && TEMPLATE_SCHEMA.test(schema)) return [];
  return [
    `${path.basename(file)} has ${typeof schema === 'string' ? `the $schema ${schema}` : 'no $schema'}, but the shape of a deployment template (contentVersion and resources): it is checked as a template deployed to a resource group. Give it the $schema of its deployment scope (deploymentTemplate.json#, or subscriptionDeploymentTemplate.json# …).`
  ];
}

/** The placeholder deployment finding ids are made in: no value given, every location `westus` (stableNames.ts). */
function placeholderTarget(template: { [key: string]: Json }, file: string): DeploymentTarget {
  return { ...targetFor(template, {}, file), location: PLACEHOLDER_LOCATION, locationFixed: true };
}

function targetFor(template: { [key: string]: Json }, options: TemplateLoadOptions, file: string): DeploymentTarget {
  const scope = options.scope ?? {};
  const level = deploymentLevelOf(template.$schema);
  return {
    level,
    subscriptionId: scope.subscriptionId ?? PLACEHOLDER_SUBSCRIPTION,
    resourceGroup: scope.resourceGroup ?? PLACEHOLDER_RESOURCE_GROUP,
    // A template does not say where its resource group (or, above a group, its deployment) is:
    // unknown unless the caller gives it.
    location: level === 'resourceGroup' ? scope.resourceGroupLocation : scope.deploymentLocation,
    tenantId: scope.tenantId ?? PLACEHOLDER_TENANT,
    managementGroup: PLACEHOLDER_MANAGEMENT_GROUP,
    deploymentName: scope.deploymentName ?? path.basename(file).replace(/\.(jsonc?|bicep)$/i, '')
  };
}

/**
 * The placeholder groups a template is deployed to when no one says which, and what the template's own is called
 * instead where the template names a group of that name itself (see `expandTemplateDocument`).
 */
const PLACEHOLDER_GROUPS: {
  kind: string;
  short: string;
  placeholder: string;
  unnameable: string;
  apart: Partial<DeploymentTarget>;
  named: (expansion: Expansion) => boolean | undefined;
}[] = [
  {
    kind: 'resource group',
    short: 'group',
    placeholder: PLACEHOLDER_RESOURCE_GROUP,
    unnameable: UNNAMEABLE_GROUP,
    apart: { resourceGroup: UNNAMEABLE_GROUP },
    named: expansion => expansion.namesPlaceholderGroup
  },
  {
    kind: 'management group',
    short: 'management group',
    placeholder: PLACEHOLDER_MANAGEMENT_GROUP,
    unnameable: UNNAMEABLE_MANAGEMENT_GROUP,
    apart: { managementGroup: UNNAMEABLE_MANAGEMENT_GROUP },
    named: expansion => expansion.namesPlaceholderManagementGroup
  }
];

/** Expands a parsed template document; `expandTemplateFile` reads and pairs files first. */
export function expandTemplateDocument(
  doc: PositionedJson,
  options: TemplateLoadOptions & { parameterFilesUsed?: string[]; parameterDocuments?: PositionedJson[] } = {}
): ExpandedTemplate {
  const reason = notATemplateReason(doc.value);
  if (reason) {
    throw new TemplateError(
      `${path.basename(doc.file)} is not an ARM deployment template (${reason}); give a file whose $schema is deploymentTemplate.json.`,
      { file: doc.file, line: 1, column: 1 }
    );
  }
  refuseCaseCollision(doc);
  const template = doc.value as { [key: string]: Json };
  // In ARM's case before the target is read from "$schema" (the scope reads them so again).
  checkTemplateNames(
    template,
    '',
    (pointer, message) => new TemplateError(message, doc.positionOf(pointer) ?? { file: doc.file, line: 1, column: 1 })
  );
  const parameterFiles = options.parameterFilesUsed ?? [];
  // Without a repository root (a library caller), reads stay beside and below the template, but
  // for parameter files the caller named itself.
  const boundary = path.resolve(options.root ?? path.dirname(doc.file));
  for (const file of parameterFiles) {
    const named = options.root === undefined && options.parameterFiles?.includes(file);
    if (!named) confine(file, boundary, 'the parameter file');
  }
  const parameterDocuments = options.parameterDocuments ?? [];
  const supplied = mergeSupplied(
    ...parameterFiles.map(loadParameterFile),
    ...parameterDocuments.map(parametersFromDocument),
    overridesToSupplied(options.parameterOverrides ?? {})
  );
  const linkedFiles = new Set<string>();
  /** `watched`: the placeholder group whose name, named by the template, sets `namesPlaceholderGroup`. */
  const deploy = (target: DeploymentTarget, budget: WorkBudget, now: Date, watched?: Expansion['placeholderGroup']) => {
    const expansion: Expansion = {
      ...(watched === undefined || target.level !== 'resourceGroup' ? {} : { placeholderGroup: watched }),
      // No management group is given to a run: the template's own is always the placeholder.
      ...(target.level === 'managementGroup' ? { placeholderManagementGroup: PLACEHOLDER_MANAGEMENT_GROUP } : {}),
      notes: [],
      now,
      newGuidCount: 0,
      instanceCount: 0,
      deploymentOutputs: new Map(),
      boundary,
      errors: [],
      outputFailures: new Map(),
      uriRoot: uriRoot(doc.file, boundary),
      budget,
      recordAllPositions: options.recordAllPositions,
      linkedFiles
    };
    const scope = new TemplateScope({
      doc,
      base: '',
      template,
      target,
      supplied,
      expansion,
      path: '',
      fileChain: [doc.file],
      makeLibrary: templateLibrary
    });
    scope.resolveAllParameters();
    const expander = new TemplateExpander(expansion);
    const emitted = expander.expandScope(scope, { copy: NO_COPY });
    expander.checkOutputs(scope);
    return { emitted, expansion };
  };
  const budget = new WorkBudget(doc.file);
  const now = new Date();
  const target = targetFor(template, options, doc.file);
  const watched =
    options.scope?.resourceGroup === undefined
      ? { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup }
      : undefined;
  let { emitted, expansion } = deploy(target, budget, now, watched);
  // The template names a group called as the placeholder of its own. When that name is the template's own group
  // (`[resourceGroup().name]`) it follows the group's name: expanded again with its own group called as no group can be
  // (a resource group's or management group's name cannot end in a period), a name that still says the placeholder is
  // another group, which ARM keeps apart.
  for (const kept of PLACEHOLDER_GROUPS) {
    if (!kept.named(expansion)) continue;
    const apart = deploy({ ...target, ...kept.apart }, budget, now, watched);
    if (!kept.named(apart.expansion)) continue;
    ({ emitted, expansion } = apart);
    expansion.notes.unshift(
      `${path.basename(doc.file)} names a ${kept.kind} '${kept.placeholder}', the name cmk-guard gives the ${kept.short} a template is deployed to: that ${kept.short} is another, and the template's own is called '${kept.unnameable}' here.`
    );
  }

  for (const e of emitted) refuseCollidingBody(e.resource);
  const resources = finalStates(emitted, expansion.notes);
  const placed = {
    ...(options.scope?.subscriptionId !== undefined ? { subscription: true as const } : {}),
    ...(options.scope?.resourceGroup !== undefined ? { resourceGroup: true as const } : {})
  };
  if (Object.keys(placed).length)
    for (const resource of resources)
      for (const state of [resource, ...(resource.priorWrites ?? [])]) state.placed = placed;
  if (options.stableNames && placeholderDeploymentNeeded(resources, options.scope)) {
    giveStableNames(resources, () => {
      // Within the same budget: a template that spends it here keeps the names it has.
      const placeholder = deploy(placeholderTarget(template, doc.file), budget, now);
      return finalStates(placeholder.emitted, []);
    });
  }
  const shapeOnly = schemaNote(template, doc.file);
  return {
    file: doc.file,
    resources,
    parameterFiles: [...parameterFiles, ...parameterDocuments.map(d => d.file)],
    parameterFile: parameterDocuments.length
      ? parameterDocuments[parameterDocuments.length - 1].file
      : parameterFiles.length
        ? parameterFiles[parameterFiles.length - 1]
        : null,
    notes: [...shapeOnly, ...expansion.notes],
    ...(shapeOnly.length ? { fileNotes: shapeOnly } : {}),
    errors: expansion.errors,
    linkedFiles: [...linkedFiles]
  };
}

/** Reads, pairs with parameter files and expands one template; throws `UserError`s (`TemplateError`s). */
export function expandTemplateFile(file: string, options: TemplateLoadOptions = {}): ExpandedTemplate {
  // What the Bicep CLI is given and reads stays inside the root (without one, the template's folder).
  const bicep = { env: options.env ?? process.env, root: path.resolve(options.root ?? path.dirname(file)) };
  const doc = isBicepFile(file)
    ? compileBicepFile(file, bicep).template
    : parseJsonWithPositions(readTextFile(file), file);
  const parameterFiles = options.parameterFiles ?? conventionalParameterFiles(file);
  return expandTemplateDocument(doc, { ...options, ...parameterSources(parameterFiles, bicep) });
}

function where(resource: Resource): string {
  const s = resource.source;
  return s ? `${path.basename(s.file)}:${s.line}` : 'unknown position';
}

/** Where writes are, for a message: the first few, and how many more. */
function places(writes: Emitted[]): string {
  const shown = writes.slice(0, 6).map(e => where(e.resource));
  return writes.length > shown.length
    ? `${shown.join(', ')} and ${writes.length - shown.length} more`
    : shown.join(', ');
}

/** The most states one resource is evaluated in, one by one; past it, the resource's verdicts say so. */
export const MAX_END_STATES = 16;
/** The most writes of one resource whose order is worked out pair by pair (quadratic in them). */
const MAX_ORDERED_WRITES = 1000;

/** The principal id of a resource's identity, which expansion adds to every write of it (expand.ts). */
const IDENTITY_KEY = /^reference\([^)]*\)\.(?:identity|properties)\.principalid$/i;
let unknowns = 0;

/**
 * A write's body as text, equal for two writes when they leave the same body: the principal ids expansion adds
 * to each write as unknown values are the same when they name the same identity; any other unknown value is
 * different from every other. Strings are written with one mark and unknown values with another, so no value a
 * template writes reads as an unknown one. Members in another order count as another body (one more state,
 * never one less).
 */
function bodyText(json: Value): string {
  return JSON.stringify(json, (_key, value: unknown) =>
    typeof value === 'string'
      ? `s${value}`
      : value instanceof Unknown
        ? `u${IDENTITY_KEY.test(value.key) ? value.key : `#${unknowns++}`}`
        : value
  );
}

/** One state a resource may end in: the write that leaves it, and the later writes that must not deploy. */
interface EndState {
  write: Emitted;
  /** Writes sure to come after it, each of which deploys only if something unknown holds. */
  unless: Emitted[];
  /** Writes no dependsOn orders with it that leave another body: either may end last. */
  racing: Emitted[];
  /** Its body as `bodyText` gives it. */
  body: string;
}

/**
 * The states a resource written more than once may end in. A write is one when no write sure to follow it is
 * sure to deploy. Writes of one template follow their order there (ARM refuses a template that declares one
 * resource twice, so that order never reaches Azure); writes of different nested deployments follow each other
 * only as a dependsOn path orders their deployments (`writeOrder`), and otherwise either may end last. Two states
 * that leave the same body, on the same conditions, are one. Null when there are more than can be worked out.
 */
function endStates(deployed: Emitted[]): EndState[] | null {
  const n = deployed.length;
  if (n > MAX_ORDERED_WRITES) {
    // Whatever their order, writes that all leave the same body on no condition leave one state.
    const last = bodyText(deployed[n - 1].resource.json);
    const alike = deployed.every(e => !e.resource.conditionUnknown && bodyText(e.resource.json) === last);
    return alike ? [{ write: deployed[n - 1], unless: [], racing: [], body: last }] : null;
  }
  const states: EndState[] = [];
  const maximal = new Set<Emitted>();
  const bodies = deployed.map(e => bodyText(e.resource.json));
  for (let i = 0; i < n; i++) {
    const state: EndState = { write: deployed[i], unless: [], racing: [], body: bodies[i] };
    let followed = false;
    for (let j = 0; j < n && !followed; j++) {
      if (j === i) continue;
      const order = writeOrder(deployed[i], deployed[j]);
      const after = order === 'before' || (order === 'same-template' && j > i);
      if (after) {
        if (deployed[j].resource.conditionUnknown) state.unless.push(deployed[j]);
        else followed = true;
      } else if (order === 'unordered' && bodies[i] !== bodies[j]) {
        state.racing.push(deployed[j]);
      }
    }
    if (followed) continue;
    maximal.add(deployed[i]);
    // The same body on the same conditions as a later state: the same end state.
    const same = (other: EndState) =>
      other.body === state.body &&
      other.write.resource.conditionUnknown === state.write.resource.conditionUnknown &&
      other.unless.length === state.unless.length &&
      other.unless.every((u, k) => u === state.unless[k]);
    const earlier = states.findIndex(same);
    if (earlier >= 0) states.splice(earlier, 1);
    states.push(state);
  }
  // A write that races this one matters only if it may itself end last.
  for (const state of states) state.racing = state.racing.filter(r => maximal.has(r));
  return states;
}

/** Why a state holds only if the writes after it do not deploy, as the findings on it say. */
function unlessReason(state: EndState): string | undefined {
  const own = state.write.resource.conditionUnknown;
  const later = state.unless.map(
    u => `the redeclaration at ${where(u.resource)} does not deploy (it deploys only if ${u.resource.conditionUnknown})`
  );
  const reasons = [own, ...later].filter((r): r is string => !!r);
  return reasons.length ? reasons.join('; and ') : undefined;
}

/**
 * One resource declared several times in a deployment (a nested deployment that
 * re-declares an account to switch CMK on) ends in the state of its last write: each PUT
 * replaces the whole resource body, and properties left out are reset rather than kept
 * ("Resource properties aren't incrementally added",
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deployment-modes).
 * `existing` references give way to a declaration that deploys. Which write is last is what
 * `endStates` works out: when the last may not deploy (unknown condition), the one before it is
 * a state too, holding only if the later one does not deploy; when nested deployments that no
 * dependsOn orders write it, ARM runs them side by side and each may end last, so each body is a
 * state the resource may end in, evaluated as such (`Resource.race`), up to MAX_END_STATES.
 */
export function finalStates(emitted: Emitted[], notes: string[]): Resource[] {
  const groups = new Map<string, Emitted[]>();
  const keyOf = (e: Emitted, index: number): string => (e.idKnown ? foldCase(e.resource.id) : `#${index}`);
  emitted.forEach((e, index) => {
    const key = keyOf(e, index);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  });
  const keep = new Set<Resource>();
  for (const declarations of groups.values()) {
    const deployed = declarations.filter(e => !e.resource.existing);
    if (deployed.length === 0) {
      keep.add(declarations[declarations.length - 1].resource);
      continue;
    }
    const last = deployed[deployed.length - 1].resource;
    if (deployed.length === 1) {
      keep.add(last);
      continue;
    }
    const earlier = deployed.slice(0, -1).map(e => e.resource);
    // Each declaration is a PUT of its own: Deny sees them one by one (engine/order.ts).
    last.priorWrites = earlier;
    const states = endStates(deployed);
    const raced = states === null || states.some(s => s.racing.length > 0);
    if (!raced) {
      notes.push(
        `${last.id} is declared ${deployed.length} times; the declaration at ${where(last)} deploys last and replaces ` +
          `the whole body set at ${earlier.map(where).join(', ')}.`
      );
    }
    if (states === null || states.length > MAX_END_STATES) {
      // Too many to evaluate one by one: the last stands for them all, and a verdict that it complies is not sure.
      const count = states === null ? `${deployed.length} writes of it` : `${states.length} states`;
      last.race = {
        capped: true,
        note: raceWording({
          kind: 'capped state',
          name: last.name,
          writes: places(deployed),
          count,
          max: MAX_END_STATES,
          at: where(last)
        })
      };
      keep.add(last);
      notes.push(raceWording({ kind: 'capped note', id: last.id, writers: deployed.length, max: MAX_END_STATES }));
      continue;
    }
    for (const state of states) {
      const write = state.write.resource;
      const condition = unlessReason(state);
      const facts = { states: states.length, name: write.name, at: where(write) };
      const race = raced
        ? {
            note: raceWording(
              state.racing.length > 0
                ? { kind: 'racing state', ...facts, racing: places(state.racing) }
                : { kind: 'state', ...facts, writes: places(deployed) }
            )
          }
        : undefined;
      if (write === last) {
        if (race) last.race = race;
        keep.add(last);
        continue;
      }
      // Every other write may be sent before this one, except those that must not deploy for it to be the end state.
      const before = deployed
        .map(e => e.resource)
        .filter(r => r !== write && !state.unless.some(u => u.resource === r));
      keep.add({
        ...write,
        priorWrites: before.length ? before : undefined,
        conditionUnknown: condition,
        ...(race ? { race } : {})
      });
    }
    if (raced) {
      notes.push(raceWording({ kind: 'raced note', id: last.id, writes: places(deployed), states: states.length }));
    }
  }
  const out: Resource[] = [];
  const placed = new Set<Resource>();
  for (const e of emitted)
    if (keep.has(e.resource)) {
      out.push(e.resource);
      placed.add(e.resource);
    }
  for (const r of keep) if (!placed.has(r)) out.push(r);
  return out;
}
