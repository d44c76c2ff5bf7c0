/**
 * The function library a template's expressions run with: the standard (context-free)
 * functions, the deployment-context functions of this folder, the template's own
 * user-defined functions (`namespace.name`), and `list*` for any name starting with `list`.
 */
import type { Json, Value } from '../../../model/value.js';
import { isObject } from '../../../model/value.js';
import { ExpressionError } from '../../../expr/errors.js';
import { defineFunction, library, type FunctionDefinition, type FunctionLibrary } from '../../../expr/evaluate.js';
import { standardFunctions } from '../../../expr/functions/index.js';
import { joinPointer } from '../../../model/pointer.js';
import type { TemplateScope } from '../scope.js';
import { NO_COPY } from '../scope.js';
import { checkParameterValue } from '../parameterChecks.js';
import { dataOf, deploymentFunctions } from './deployment.js';
import { resourceIdFunctions } from './resourceIds.js';
import { listFunction, runtimeFunctions } from './runtime.js';
import { foldCase } from '../../../model/foldCase.js';

export { AZURE_CLOUD_ENVIRONMENT } from './deployment.js';
export { interleave, scopePrefix } from './resourceIds.js';

export const deploymentContextFunctions: FunctionDefinition[] = [
  ...deploymentFunctions,
  ...resourceIdFunctions,
  ...runtimeFunctions
];

/**
 * A template's library: its own functions (user-defined, and the `list…` ones made for it) over the
 * standard and deployment functions every template shares; any `list…` name is answered with a
 * list*() function.
 */
class TemplateLibrary extends Map<string, FunctionDefinition> {
  constructor(
    private readonly shared: FunctionLibrary,
    own: FunctionDefinition[]
  ) {
    super();
    for (const def of own) this.set(foldCase(def.name), def);
  }

  override get(name: string): FunctionDefinition | undefined {
    const found = super.get(name) ?? this.shared.get(name);
    if (found || !name.startsWith('list')) return found;
    const made = listFunction(name);
    this.set(name, made);
    return made;
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

let sharedLibrary: FunctionLibrary | undefined;

/**
 * The template's `functions` section: `[{namespace, members: {name: {parameters, output}}}]`.
 * A user function sees only its own parameters (no variables, no reference()).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/user-defined-functions
 */
export function userFunctions(scope: TemplateScope): FunctionDefinition[] {
  const section = scope.template.functions;
  if (!Array.isArray(section)) return [];
  const out: FunctionDefinition[] = [];
  section.forEach((namespace, i) => {
    if (!isObject(namespace)) return;
    const ns = namespace as { [k: string]: Json };
    const namespaceName = typeof ns.namespace === 'string' ? ns.namespace : '';
    const members = isObject(ns.members) ? (ns.members as { [k: string]: Json }) : {};
    for (const [memberName, member] of Object.entries(members)) {
      if (!isObject(member)) continue;
      const m = member as { [k: string]: Json };
      const memberPointer = joinPointer(scope.base, 'functions', i, 'members', memberName);
      const params = Array.isArray(m.parameters) ? (m.parameters as { [k: string]: Json }[]) : [];
      const output = isObject(m.output) ? (m.output as { [k: string]: Json }) : {};
      const fullName = `${namespaceName}.${memberName}`;
      out.push(
        defineFunction({
          name: fullName,
          minArgs: params.length,
          maxArgs: params.length,
          call: (args: Value[], ctx) => {
            const bound = new Map<string, Value>();
            params.forEach((p, index) => {
              const paramName = String(p.name);
              const problem = checkParameterValue(paramName, p, args[index], scope.types());
              if (problem) throw new ExpressionError(`In a call to '${fullName}': ${problem}`);
              bound.set(foldCase(paramName), args[index]);
            });
            return scope.evaluateValue(output.value ?? null, joinPointer(memberPointer, 'output', 'value'), {
              scope,
              copy: NO_COPY,
              functionParameters: bound,
              failures: dataOf(ctx).failures
            });
          }
        })
      );
    }
  });
  return out;
}

export function templateLibrary(scope: TemplateScope): FunctionLibrary {
  sharedLibrary ??= library(standardFunctions, deploymentContextFunctions);
  return new TemplateLibrary(sharedLibrary, userFunctions(scope));
}
