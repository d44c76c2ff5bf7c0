import * as path from 'node:path';
import { UserError } from '../model/errors.js';
import type { Json, Value } from '../model/value.js';
import { Unknown, isObject, setOwn } from '../model/value.js';
import type { Resource } from '../model/resource.js';
import { confine, expandTemplateFile, type ExpandedTemplate } from '../sources/index.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { joinPointer } from '../model/pointer.js';
import type { Command } from './command.js';
import { parseDeploymentSubscriptionId, parseRegion, parseResourceGroupName } from '../config/settings.js';
import { evaluateOptions } from './evaluate.js';
import { EXIT_OK, EXIT_USAGE, optionList, printUserError } from './command.js';

/**
 * `cmk-guard expand TEMPLATE`: the resources a template deploys, as cmk-guard reads them,
 * for debugging a template. An unknown value is printed as the string
 * `"<unknown: reason>"`, and listed under the resource's `unknowns` by JSON pointer with
 * its key (equal keys are the same unknown).
 */

function render(value: Value, pointer: string, unknowns: Record<string, { reason: string; key: string }>): Json {
  if (value instanceof Unknown) {
    unknowns[pointer] = { reason: value.reason, key: value.key };
    return value.toString();
  }
  if (Array.isArray(value)) return value.map((item, i) => render(item, joinPointer(pointer, i), unknowns));
  if (isObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const [key, inner] of Object.entries(value))
      setOwn(out, key, render(inner, joinPointer(pointer, key), unknowns));
    return out;
  }
  return value;
}

function leafPointers(value: Value, pointer: string, into: string[]): void {
  into.push(pointer);
  if (Array.isArray(value)) value.forEach((item, i) => leafPointers(item, joinPointer(pointer, i), into));
  else if (isObject(value))
    for (const [key, inner] of Object.entries(value)) leafPointers(inner, joinPointer(pointer, key), into);
}

export function renderResource(resource: Resource, cwd: string, withPositions: boolean): Json {
  const unknowns: Record<string, { reason: string; key: string }> = {};
  const json = render(resource.json, '', unknowns);
  const source = resource.source
    ? {
        file: path.relative(cwd, resource.source.file) || resource.source.file,
        line: resource.source.line,
        column: resource.source.column
      }
    : null;
  const out: { [key: string]: Json } = { id: resource.id, type: resource.type, name: resource.name };
  if (resource.apiVersion) out.apiVersion = resource.apiVersion;
  out.source = source;
  if (resource.existing) out.existing = true;
  if (resource.conditionUnknown) out.conditionUnknown = resource.conditionUnknown;
  if (resource.unresolved) out.unresolved = resource.unresolved;
  // One of the states the resource may end in: deployments that no dependsOn orders write it.
  if (resource.race) out.race = resource.race.capped ? { note: resource.race.note, capped: true } : resource.race.note;
  if (resource.priorWrites?.length) {
    // The declarations written before this end state, each a PUT of its own.
    out.priorWrites = resource.priorWrites.map(w =>
      w.source ? `${path.relative(cwd, w.source.file) || w.source.file}:${w.source.line}` : null
    );
  }
  out.json = json;
  if (Object.keys(unknowns).length) out.unknowns = unknowns;
  if (withPositions && resource.positionOf) {
    const pointers: string[] = [];
    leafPointers(resource.json, '', pointers);
    const lines: { [key: string]: string } = {};
    for (const pointer of pointers) {
      const at = resource.positionOf(pointer);
      if (at) lines[pointer || '/'] = `${path.relative(cwd, at.file) || at.file}:${at.line}:${at.column}`;
    }
    out.positions = lines;
  }
  return out;
}

export function renderExpanded(expanded: ExpandedTemplate, cwd: string, withPositions: boolean): Json {
  return {
    file: path.relative(cwd, expanded.file) || expanded.file,
    parameterFile: expanded.parameterFile ? path.relative(cwd, expanded.parameterFile) : null,
    notes: expanded.notes,
    resources: expanded.resources.map(r => renderResource(r, cwd, withPositions))
  };
}

export const expandCommand: Command = {
  name: 'expand',
  summary: 'print the resources an ARM template deploys, as cmk-guard expands them',
  usage: [
    'Usage: cmk-guard expand TEMPLATE [--parameters FILE]... [--parameter NAME=VALUE]... [--positions]',
    '',
    'Expands an ARM template (or a .bicep file, compiled with the Bicep CLI on PATH) as Azure Resource',
    'Manager would (parameters, variables, copy loops, conditions, nested deployments) and prints its',
    'resources as JSON, each with the file, line and column of its declaration. Values that cannot be known',
    'before deployment print as "<unknown: reason>" and are listed under "unknowns" with their key (two equal',
    'keys are the same unknown). --positions adds the line that produced every property.',
    '',
    'Example:',
    '  cmk-guard expand infra/main.json --parameters infra/main.parameters.json --positions'
  ].join('\n'),
  options: {
    parameters: evaluateOptions.parameters,
    parameter: evaluateOptions.parameter,
    'subscription-id': {
      type: 'string',
      placeholder: 'ID',
      description: 'the subscription id to build resource ids with (default: all zeros)'
    },
    'resource-group': { type: 'string', placeholder: 'NAME', description: "the resource group name (default: 'rg')" },
    'resource-group-location': evaluateOptions['resource-group-location'],
    'deployment-location': evaluateOptions['deployment-location'],
    positions: { type: 'boolean', description: 'print the source line of every property' },
    root: evaluateOptions.root
  },
  positionals: { min: 1, max: 1, placeholder: 'TEMPLATE' },
  async run(options, positionals, io) {
    try {
      const root = path.resolve(io.cwd, typeof options.root === 'string' ? options.root : '.');
      const file = confine(path.resolve(io.cwd, positionals[0]), root, 'the template', { file: positionals[0] });
      const parameterFiles = optionList(options.parameters).map(p => path.resolve(io.cwd, p));
      const str = (name: string): string | undefined =>
        typeof options[name] === 'string' ? (options[name] as string) : undefined;
      const region = (name: string): string | undefined =>
        str(name) === undefined ? undefined : parseRegion(str(name)!, `--${name}`);
      const expanded = expandTemplateFile(file, {
        env: io.env,
        root,
        parameterFiles: parameterFiles.length ? parameterFiles : undefined,
        parameterOverrides: parseParameterOverrides(optionList(options.parameter)),
        scope: {
          subscriptionId:
            str('subscription-id') === undefined
              ? undefined
              : parseDeploymentSubscriptionId(str('subscription-id')!, '--subscription-id'),
          resourceGroup:
            str('resource-group') === undefined
              ? undefined
              : parseResourceGroupName(str('resource-group')!, '--resource-group'),
          resourceGroupLocation: region('resource-group-location'),
          deploymentLocation: region('deployment-location')
        }
      });
      io.stdout(JSON.stringify(renderExpanded(expanded, io.cwd, options.positions === true), null, 2) + '\n');
      // Expressions that would fail the deployment: the resources are printed all the same.
      for (const error of expanded.errors) io.stderr(`cmk-guard: ${error.describe()}\n`);
      return expanded.errors.length ? EXIT_USAGE : EXIT_OK;
    } catch (error) {
      if (error instanceof UserError) {
        printUserError(io, error);
        return EXIT_USAGE;
      }
      throw error;
    }
  }
};
