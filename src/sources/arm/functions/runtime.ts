/**
 * Functions whose values exist only once Azure has deployed something: reference(),
 * list*(), newGuid(), utcNow() (outside a parameter default), providers(), pickZones().
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
import { dataOf } from './deployment.js';

/** The canonical form of what `reference()` or `list*()` was pointed at. */
export function referenceTarget(target: Value, data: EvalData): { key: string; display: string } {
  if (isUnknown(target)) return { key: `<${target.key}>`, display: target.reason };
  if (typeof target !== 'string') {
    throw new ExpressionError('The first argument of reference() must be a resource id, name or symbolic name.');
  }
  const symbolic = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(target);
  if (symbolic && !target.includes('/')) {
    const ids = data.scope.symbols.get(symbolic[1].toLowerCase());
    const index = symbolic[2] === undefined ? 0 : Number(symbolic[2]);
    if (ids && ids[index] !== undefined) return { key: ids[index].toLowerCase(), display: ids[index] };
  }
  return { key: target.toLowerCase(), display: target };
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

function reference(args: Value[], ctx: EvalContext): Value {
  const data = dataOf(ctx);
  const { key, display } = referenceTarget(args[0], data);
  const full = typeof args[2] === 'string' && args[2].toLowerCase() === 'full';
  const outputs = deploymentOutputs(data, key);
  if (outputs !== undefined) {
    return full ? { properties: { outputs } } : { outputs };
  }
  const base = new Unknown(`the deployed state of ${display} (reference())`, `reference(${key})`);
  return full ? base : new Unknown(base.reason, `${base.key}.properties`);
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
      return new Unknown(`${name}() of ${display}, known only after deployment`, `${name.toLowerCase()}(${key})`);
    }
  });
}

/** .NET custom date format, the subset templates use (yyyy MM dd HH mm ss fff, literals). */
export function formatUtc(date: Date, format: string): string {
  const standard: Record<string, string> = {
    u: 'yyyy-MM-dd HH:mm:ssZ',
    s: 'yyyy-MM-ddTHH:mm:ss',
    o: 'yyyy-MM-ddTHH:mm:ss.fffffffZ',
    d: 'M/d/yyyy'
  };
  const pattern = standard[format] ?? format;
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  const tokens: [RegExp, (d: Date) => string][] = [
    [/^yyyy/, d => pad(d.getUTCFullYear(), 4)],
    [/^yy/, d => pad(d.getUTCFullYear() % 100, 2)],
    [/^MM/, d => pad(d.getUTCMonth() + 1, 2)],
    [/^M/, d => String(d.getUTCMonth() + 1)],
    [/^dd/, d => pad(d.getUTCDate(), 2)],
    [/^d/, d => String(d.getUTCDate())],
    [/^HH/, d => pad(d.getUTCHours(), 2)],
    [/^H/, d => String(d.getUTCHours())],
    [/^mm/, d => pad(d.getUTCMinutes(), 2)],
    [/^ss/, d => pad(d.getUTCSeconds(), 2)],
    [/^f{1,7}/, d => pad(d.getUTCMilliseconds(), 3)]
  ];
  let out = '';
  let rest = pattern;
  while (rest.length > 0) {
    const token = tokens.find(([re]) => re.test(rest));
    if (token) {
      const matched = token[0].exec(rest)![0];
      let text = token[1](date);
      if (matched.startsWith('f')) text = text.padEnd(matched.length, '0').slice(0, matched.length);
      out += text;
      rest = rest.slice(matched.length);
    } else {
      out += rest[0];
      rest = rest.slice(1);
    }
  }
  return out;
}

export const runtimeFunctions: FunctionDefinition[] = [
  defineFunction({ name: 'reference', minArgs: 1, maxArgs: 3, acceptsUnknown: true, call: reference }),
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
      return formatUtc(data.scope.expansion.now, format);
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
  })
];
