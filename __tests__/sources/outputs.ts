import type { Json, Value } from '../../src/model/value.js';
import type { Resource } from '../../src/model/resource.js';
import { isObject } from '../../src/model/value.js';
import { parseJsonWithPositions } from '../../src/sources/json.js';
import { TemplateExpander, deploymentLevelOf } from '../../src/sources/arm/expand.js';
import { templateLibrary } from '../../src/sources/arm/functions/index.js';
import { NO_COPY, TemplateScope, type Expansion } from '../../src/sources/arm/scope.js';
import type { TemplateError } from '../../src/sources/arm/errors.js';

/**
 * The outputs of a template as ARM would report them, with the documentation's example
 * deployment (resource group `examplegroup`) and a fixed clock, so a documented example
 * template and its documented output table can be compared directly. Resources are
 * expanded first, so ARM's checks on them (limits, conditions) apply as in a deployment.
 */
export function templateOutputs(template: object, now = new Date('2019-03-05T17:53:18Z')): Record<string, Value> {
  return expandDocTemplate(template, now).outputs;
}

/** The resources a documented example template deploys (and references), with its outputs. */
export function expandDocTemplate(
  template: object,
  now = new Date('2019-03-05T17:53:18Z')
): { outputs: Record<string, Value>; resources: Resource[]; notes: string[]; errors: TemplateError[] } {
  const text = JSON.stringify(template, null, 2);
  const doc = parseJsonWithPositions(text, 'doc-example.json');
  const value = doc.value as { [key: string]: Json };
  const expansion: Expansion = {
    notes: [],
    now,
    newGuidCount: 0,
    instanceCount: 0,
    deploymentOutputs: new Map(),
    errors: [],
    outputFailures: new Map(),
    uriRoot: '/'
  };
  const scope = new TemplateScope({
    doc,
    base: '',
    template: value,
    target: {
      level: deploymentLevelOf(value.$schema),
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      resourceGroup: 'examplegroup',
      location: 'southcentralus',
      tenantId: '00000000-0000-0000-0000-000000000000',
      managementGroup: 'mg',
      deploymentName: 'doc-example'
    },
    supplied: new Map(),
    expansion,
    path: '',
    fileChain: [doc.file],
    makeLibrary: templateLibrary
  });
  scope.resolveAllParameters();
  const resources = new TemplateExpander(expansion).expandScope(scope, { copy: NO_COPY }).map(e => e.resource);
  const out: Record<string, Value> = {};
  const outputs = isObject(value.outputs) ? (value.outputs as { [key: string]: { [key: string]: Json } }) : {};
  for (const [name, output] of Object.entries(outputs)) {
    const pointer = `/outputs/${name}`;
    const data = { scope, copy: NO_COPY };
    out[name] = isObject(output.copy)
      ? scope.copyArray(
          name,
          (output.copy as { [key: string]: Json }).count ?? 0,
          (output.copy as { [key: string]: Json }).input ?? null,
          `${pointer}/copy`,
          data,
          undefined,
          '',
          true
        )
      : scope.evaluateValue(output.value ?? null, `${pointer}/value`, data);
  }
  return { outputs: out, resources, notes: expansion.notes, errors: expansion.errors };
}

export const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
