/** One ARM template (a file, or a parsed document) expanded with its parameters into the resources it deploys. */
import * as path from 'node:path';
import type { Json } from '../model/value.js';
import { isObject } from '../model/value.js';
import type { Resource } from '../model/resource.js';
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
import { TemplateExpander, deploymentLevelOf, type Emitted } from './arm/expand.js';
import { templateLibrary } from './arm/functions/index.js';
import { NO_COPY, TemplateScope, type DeploymentTarget, type Expansion } from './arm/scope.js';
import { uriRoot } from './arm/templateLink.js';
import { checkTemplateNames, refuseCaseCollision, refuseCollidingBody } from './arm/names.js';
import { PLACEHOLDER_LOCATION, giveStableNames, placeholderDeploymentNeeded } from './stableNames.js';
import { foldCase } from '../model/foldCase.js';

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
   * Expressions that fail where ARM would evaluate them: the deployment would fail with the values
   * given. The template's other resources are in `resources` all the same.
   */
  errors: TemplateError[];
}

export const PLACEHOLDER_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
export const PLACEHOLDER_TENANT = '00000000-0000-0000-0000-000000000000';

/** Why a JSON document is not a deployment template, or null when it is one. */
export function notATemplateReason(value: Json): string | null {
  if (!isObject(value)) return 'not a JSON object';
  // ARM reads "$Schema" as "$schema": such a file is a template (and its expansion reads it so).
  const schemaKey = Object.keys(value as object).find(key => foldCase(key) === '$schema');
  const schema = schemaKey === undefined ? undefined : (value as { [key: string]: Json })[schemaKey];
  if (typeof schema !== 'string') return 'not a deployment template: it has no $schema';
  if (!TEMPLATE_SCHEMA.test(schema)) {
    return PARAMETER_SCHEMA.test(schema) ? 'a parameter file' : `not a deployment template: its $schema is ${schema}`;
  }
  return null;
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
    resourceGroup: scope.resourceGroup ?? 'rg',
    // A template does not say where its resource group (or, above a group, its deployment) is:
    // unknown unless the caller gives it.
    location: level === 'resourceGroup' ? scope.resourceGroupLocation : scope.deploymentLocation,
    tenantId: scope.tenantId ?? PLACEHOLDER_TENANT,
    managementGroup: 'mg',
    deploymentName: scope.deploymentName ?? path.basename(file).replace(/\.(jsonc?|bicep)$/i, '')
  };
}

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
  const deploy = (target: DeploymentTarget, budget: WorkBudget, now: Date) => {
    const expansion: Expansion = {
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
  const { emitted, expansion } = deploy(targetFor(template, options, doc.file), budget, now);
  for (const e of emitted) refuseCollidingBody(e.resource);
  const resources = finalStates(emitted, expansion.notes);
  if (options.stableNames && placeholderDeploymentNeeded(resources, options.scope)) {
    giveStableNames(resources, () => {
      // Within the same budget: a template that spends it here keeps the names it has.
      const placeholder = deploy(placeholderTarget(template, doc.file), budget, now);
      return finalStates(placeholder.emitted, []);
    });
  }
  return {
    file: doc.file,
    resources,
    parameterFiles: [...parameterFiles, ...parameterDocuments.map(d => d.file)],
    parameterFile: parameterDocuments.length
      ? parameterDocuments[parameterDocuments.length - 1].file
      : parameterFiles.length
        ? parameterFiles[parameterFiles.length - 1]
        : null,
    notes: expansion.notes,
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

/**
 * One resource declared several times in a deployment (a nested deployment that
 * re-declares an account to switch CMK on) ends in the state of its last declaration in
 * deployment order: each PUT replaces the whole resource body, and properties left out are
 * reset rather than kept ("Resource properties aren't incrementally added",
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deployment-modes).
 * `existing` references give way to a declaration that deploys. When the last declaration
 * may not deploy (unknown condition), the one before it is kept too, holding only if the
 * later one does not deploy.
 */
export function finalStates(emitted: Emitted[], notes: string[]): Resource[] {
  const groups = new Map<string, Resource[]>();
  const keyOf = (e: Emitted, index: number): string => (e.idKnown ? foldCase(e.resource.id) : `#${index}`);
  emitted.forEach((e, index) => {
    const key = keyOf(e, index);
    const group = groups.get(key);
    if (group) group.push(e.resource);
    else groups.set(key, [e.resource]);
  });
  const keep = new Set<Resource>();
  for (const declarations of groups.values()) {
    const deployed = declarations.filter(r => !r.existing);
    if (deployed.length === 0) {
      keep.add(declarations[declarations.length - 1]);
      continue;
    }
    const last = deployed[deployed.length - 1];
    keep.add(last);
    if (deployed.length > 1) {
      const earlier = deployed.slice(0, -1);
      // Each declaration is a PUT of its own: Deny sees them one by one (engine/order.ts).
      last.priorWrites = earlier;
      notes.push(
        `${last.id} is declared ${deployed.length} times; the declaration at ${where(last)} deploys last and replaces ` +
          `the whole body set at ${earlier.map(where).join(', ')}.`
      );
      if (last.conditionUnknown) {
        const previous = earlier[earlier.length - 1];
        keep.add({
          ...previous,
          priorWrites: earlier.slice(0, -1),
          conditionUnknown: [
            previous.conditionUnknown,
            `the redeclaration at ${where(last)} does not deploy (it deploys only if ${last.conditionUnknown})`
          ]
            .filter(Boolean)
            .join('; and ')
        });
      }
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
