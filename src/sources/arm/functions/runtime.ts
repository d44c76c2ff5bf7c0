/**
 * Functions whose values exist only once Azure has deployed something: reference(),
 * list*(), newGuid(), utcNow() (outside a parameter default), providers(), pickZones(), toLogicalZone(s),
 * toPhysicalZone(s).
 * They return an `Unknown` whose key names what is unknown, so that two mentions of the
 * same runtime value are recognisably the same:
 * - `reference(<id>)` is the full resource (`reference(id, api, 'Full')`), and
 *   `reference(<id>).properties` the default (properties only) form, so
 *   `reference(id, api, 'Full').properties.x` and `reference(id).x` share a key;
 * - ids are lower-cased (ARM compares them case-insensitively).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-resource
 */
import { Unknown, isUnknown, type Value } from '../../../model/value.js';
import { ExpressionError } from '../../../expr/errors.js';
import { defineFunction, type EvalContext, type FunctionDefinition } from '../../../expr/evaluate.js';
import type { EvalData } from '../scope.js';
import { formatDateTime } from '../../../expr/functions/date.js';
import { dataOf, targetOf } from './deployment.js';
import { collectFailures, type ExpressionFailure } from '../failures.js';
import { foldCase } from '../../../model/foldCase.js';

/** The canonical form of what `reference()` or `list*()` was pointed at. */
export function referenceTarget(target: Value, data: EvalData): { key: string; display: string } {
  if (isUnknown(target)) return { key: `<${target.key}>`, display: target.reason };
  if (typeof target !== 'string') {
    throw new ExpressionError('The first argument of reference() must be a resource id, name or symbolic name.');
  }
  const symbolic = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(target);
  if (symbolic && !target.includes('/')) {
    const instances = data.scope.symbols.get(foldCase(symbolic[1]));
    const index = symbolic[2] === undefined ? 0 : Number(symbolic[2]);
    const id = instances?.[index]?.id;
    if (id !== undefined) return { key: foldCase(id), display: id };
  }
  // "When referencing a resource in the current template, provide only the resource name":
  // the name of one resource declared in this template stands for its id.
  if (!target.startsWith('/')) {
    const ids = data.scope.names.get(foldCase(target));
    if (ids && new Set(ids.map(id => foldCase(id))).size === 1) {
      return { key: foldCase(ids[0]), display: ids[0] };
    }
  }
  return { key: foldCase(target), display: target };
}

/** Outputs of a nested deployment already expanded, by id or (as ARM allows) by bare name. */
function deploymentOutputs(data: EvalData, key: string): Value | undefined {
  const recorded = data.scope.expansion.deploymentOutputs;
  const byId = recorded.get(key);
  if (byId !== undefined || key.includes('/')) return byId;
  for (const [id, outputs] of recorded) {
    if (id.endsWith(`/microsoft.resources/deployments/${key}`)) return outputs;
  }
  return undefined;
}

/** The failures behind a nested deployment's outputs (see deploymentOutputs). */
function outputFailures(data: EvalData, key: string): ExpressionFailure[] {
  const recorded = data.scope.expansion.outputFailures;
  const byId = recorded.get(key);
  if (byId !== undefined || key.includes('/')) return byId ?? [];
  for (const [id, failures] of recorded) {
    if (id.endsWith(`/microsoft.resources/deployments/${key}`)) return failures;
  }
  return [];
}

function reference(args: Value[], ctx: EvalContext): Value {
  const data = dataOf(ctx);
  const { key, display } = referenceTarget(args[0], data);
  const full = typeof args[2] === 'string' && foldCase(args[2]) === 'full';
  const outputs = deploymentOutputs(data, key);
  if (outputs !== undefined) {
    collectFailures(data.failures, outputFailures(data, key));
    return full ? { properties: { outputs } } : { outputs };
  }
  const base = new Unknown(`the deployed state of ${display} (reference())`, `reference(${key})`);
  return full ? base : new Unknown(base.reason, `${base.key}.properties`);
}

/**
 * `references(<symbolic name>, 'Full'?)`: what `reference()` gives for each instance of a
 * languageVersion 2.0 resource (Bicep compiles `map(accounts, a => a.properties.x)` over a
 * resource loop to it), in the loop's order.
 */
function references(args: Value[], ctx: EvalContext): Value {
  const data = dataOf(ctx);
  const symbol = args[0];
  if (typeof symbol !== 'string') {
    throw new ExpressionError(
      'The first argument of references() must be the symbolic name of a resource or resource loop.'
    );
  }
  const instances = data.scope.symbols.get(foldCase(symbol));
  if (!instances) {
    throw ExpressionError.invalid(
      `references('${symbol}') names no resource of this template; give the symbolic name of a resource or resource loop.`
    );
  }
  return instances.map(instance => reference([instance.id, ...args.slice(1)], ctx));
}

/**
 * `resourceInfo('<symbolic name>')` or `resourceInfo('<loop>[<index>]')`: the id, full name, type and
 * API version of a resource this template declares, known before it is deployed. Bicep writes it for
 * `res.id`, `res.name`, `res.type` and `res.apiVersion` (its resource-info code generation,
 * `Bicep.Core/Emit/ExpressionConverter.cs`), guarded by `if()` on a conditional resource's condition.
 */
function resourceInfo(args: Value[], ctx: EvalContext): Value {
  const data = dataOf(ctx);
  const target = args[0];
  const symbolic = typeof target === 'string' ? /^([^[\]]+)(?:\[(\d+)\])?$/.exec(target) : null;
  if (!symbolic) {
    throw new ExpressionError(
      "The argument of resourceInfo() must be the symbolic name of a resource, or of a resource loop with an index ('name[0]')."
    );
  }
  const instances = data.scope.symbols.get(foldCase(symbolic[1]));
  if (!instances) {
    throw ExpressionError.invalid(
      `resourceInfo('${target as string}') names no resource of this template; give the symbolic name of a resource.`
    );
  }
  const index = symbolic[2] === undefined ? 0 : Number(symbolic[2]);
  const instance = instances[index];
  if (instance === undefined) {
    throw new ExpressionError(
      symbolic[2] === undefined
        ? `resourceInfo('${symbolic[1]}') names a resource that is not deployed (its condition is false or its loop is empty).`
        : `resourceInfo('${target as string}'): the loop '${symbolic[1]}' has ${instances.length} instance(s).`
    );
  }
  const id = isUnknown(instance.name)
    ? new Unknown(
        `the id of '${symbolic[1]}', whose name is ${instance.name.reason}`,
        `resourceId(${foldCase(instance.id)})`
      )
    : instance.id;
  return {
    id,
    name: instance.name,
    type: instance.type,
    ...(instance.apiVersion !== undefined ? { apiVersion: instance.apiVersion } : {})
  };
}

/** list*() for any name: listKeys, listSecrets, listAdminKeys, listQueryKeys, listAccountSas … */
export function listFunction(name: string): FunctionDefinition {
  return defineFunction({
    name,
    minArgs: 2,
    maxArgs: 3,
    acceptsUnknown: true,
    call: (args, ctx) => {
      const { key, display } = referenceTarget(args[0], dataOf(ctx));
      return new Unknown(`${name}() of ${display}, known only after deployment`, `${foldCase(name)}(${key})`);
    }
  });
}

export const runtimeFunctions: FunctionDefinition[] = [
  defineFunction({ name: 'reference', minArgs: 1, maxArgs: 3, acceptsUnknown: true, call: reference }),
  defineFunction({ name: 'references', minArgs: 1, maxArgs: 2, call: references }),
  defineFunction({ name: 'resourceInfo', minArgs: 1, maxArgs: 1, call: resourceInfo }),
  defineFunction({
    name: 'deployer',
    minArgs: 0,
    maxArgs: 0,
    // "the information about the current deployment principal": who runs the deployment is
    // known only then; the tenant is the one deployed to.
    // https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-deployment#deployer
    call: (_args, ctx) => ({
      objectId: new Unknown(
        'the object id of the principal that runs the deployment (deployer())',
        'deployer().objectId'
      ),
      tenantId: targetOf(ctx).tenantId,
      userPrincipalName: new Unknown(
        'the user principal name of the principal that runs the deployment (deployer())',
        'deployer().userPrincipalName'
      )
    })
  }),
  defineFunction({
    name: 'roleDefinitions',
    minArgs: 1,
    maxArgs: 1,
    // Bicep's az.roleDefinitions('<role name>') (Bicep.Core AzNamespaceType: "Returns information about
    // the specified role definition including id and roleDefinitionId"): ARM looks the name up when
    // it deploys.
    call: args => {
      const role = JSON.stringify(args[0]);
      return new Unknown(
        `the role definition ${role} (roleDefinitions(), looked up when the template is deployed)`,
        `roleDefinitions(${foldCase(role)})`
      );
    }
  }),
  defineFunction({
    name: 'newGuid',
    minArgs: 0,
    maxArgs: 0,
    call: (_args, ctx) => {
      const data = dataOf(ctx);
      const expansion = data.scope.expansion;
      const where = data.inParameterDefault
        ? `parameter '${data.inParameterDefault}'`
        : `call ${++expansion.newGuidCount}`;
      return new Unknown(`newGuid() (a new GUID each deployment, ${where})`, `newGuid(${data.scope.path}:${where})`);
    }
  }),
  defineFunction({
    name: 'utcNow',
    minArgs: 0,
    maxArgs: 1,
    call: (args, ctx) => {
      const data = dataOf(ctx);
      const format = args.length ? args[0] : 'yyyyMMddTHHmmssZ';
      if (typeof format !== 'string')
        throw new ExpressionError("The template function 'utcNow' takes a format string.");
      if (!data.inParameterDefault) {
        return new Unknown(
          'utcNow() (the deployment time; ARM allows it only in parameter defaults)',
          `utcNow(${format})`
        );
      }
      // .NET formatting in the invariant culture: utcNow('d') is 03/05/2019, utcNow('M d') is 3 5
      // (https://learn.microsoft.com/azure/azure-resource-manager/templates/template-functions-date#utcnow).
      return formatDateTime(data.scope.expansion.now, format);
    }
  }),
  defineFunction({
    name: 'providers',
    minArgs: 1,
    maxArgs: 2,
    call: args =>
      new Unknown(
        `providers(${args.map(String).join(', ')}) (live provider metadata)`,
        `providers(${args.map(String).join('/')})`
      )
  }),
  defineFunction({
    name: 'pickZones',
    minArgs: 3,
    maxArgs: 5,
    call: args =>
      new Unknown(
        `pickZones(${args.map(a => JSON.stringify(a)).join(', ')}) (live zone data)`,
        `pickZones(${args.map(a => JSON.stringify(a)).join(',')})`
      )
  }),
  // Zone mapping functions (toLogicalZone('<subscriptionId>', 'westus2', 'westus2-az1') and the plural
  // and physical forms): which logical zone is which physical one is set per subscription by Azure, so the
  // answer is unknown, never a guess. PSRule.Rules.Azure reads them from its own table.
  ...(['toLogicalZone', 'toLogicalZones', 'toPhysicalZone', 'toPhysicalZones'] as const).map(name =>
    defineFunction({
      name,
      minArgs: 3,
      maxArgs: 3,
      call: args =>
        new Unknown(
          `${name}(${args.map(a => JSON.stringify(a)).join(', ')}) (the subscription's zone mapping, known to Azure only)`,
          `${foldCase(name)}(${foldCase(args.map(a => JSON.stringify(a)).join(','))})`
        )
    })
  )
];
