/**
 * The template functions whose answer depends on the policy evaluation: the definition's
 * parameters, the resource's fields, the counted member, the assignment, the request, the scope.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
 */
import { Unknown, type Value } from '../model/value.js';
import { defineFunction, ExpressionError, partlyKnownObject, type FunctionDefinition } from '../expr/evaluate.js';
import { Collection, isPrefix, parsePath, resolveField, walk, type AliasOverride, type FieldRef } from './fields.js';
import { runtimeFieldValue } from './conditions.js';
import type { Runtime } from './runtime.js';
import { foldCase } from '../model/foldCase.js';

function runtime(data: unknown): Runtime {
  if (!data) throw new ExpressionError('This function can be used only inside a policy rule.');
  return data as Runtime;
}

function text(fn: string, value: Value): string {
  if (typeof value !== 'string') throw new ExpressionError(`The template function '${fn}' expects a string argument.`);
  return value;
}

/**
 * What requestContext().apiVersion reads on an existing resource: a stand-in for the resource type's latest
 * api-version, which Azure's compliance scan uses and which cmk-guard does not know (no catalog of api-versions per
 * type ships with it). It is a date later than any real api-version (api-versions are release dates, some with a
 * `-preview` suffix), so it orders as the latest would against any version a definition names: `less` and
 * `lessOrEquals` are false, `greater` and `greaterOrEquals` true, in a condition and in the less()/greater()
 * functions alike; `equals` a named version is false and `notEquals` true, taking the latest to be newer than any
 * version a definition names. That holds for every built-in that reads it (they name versions a type had when the
 * definition was written, to tell old requests from new); it would not for a definition that names a version later
 * than the type's latest, or the latest itself with `equals`, which this stand-in cannot tell.
 */
export const LATEST_API_VERSION = '9999-12-31';

const refs = new Map<string, FieldRef>();
function ref(name: string, aliases: AliasOverride | undefined): FieldRef {
  if (aliases) return resolveField(name, { aliases });
  let r = refs.get(name);
  if (!r) {
    r = resolveField(name);
    if (refs.size > 5000) refs.clear();
    refs.set(name, r);
  }
  return r;
}

/**
 * What `field()` returns: a missing property as ''; `[*]` selections as the array of the values
 * that exist, leaving out members that lack the property (not filling them with null), so that
 * `length(field('a[*].b'))` counts the members that have `b`. Built-in 702dd420 ("Disks and OS
 * image should have customer-managed keys") compares exactly that with `length(field('a[*]'))`.
 */
function asFunctionValue(selected: Value | undefined | Collection): Value {
  if (selected instanceof Collection) {
    if (selected.unknown) return selected.unknown;
    return selected.items.filter((v): v is Value => v !== undefined);
  }
  return selected === undefined ? '' : selected;
}

/**
 * The key of resourceGroup().name (and .id) for a template's resource placed where the caller did not say: unknown,
 * for Azure compares it with the group the template is deployed to, but where a definition names the related
 * resource's group with it (`details.resourceGroupName`), it is the evaluated resource's own group all the same.
 */
export const PLACEHOLDER_GROUP_KEY = 'placeholder resource group';

export const policyFunctions: FunctionDefinition[] = [
  defineFunction({
    name: 'parameters',
    minArgs: 1,
    maxArgs: 1,
    call(args, ctx) {
      const rt = runtime(ctx.data);
      const name = text('parameters', args[0]);
      const value = rt.parameters.get(foldCase(name));
      if (value === undefined) throw new ExpressionError(`The definition has no parameter '${name}'.`);
      return value;
    }
  }),
  defineFunction({
    name: 'field',
    minArgs: 1,
    maxArgs: 1,
    call(args, ctx) {
      const rt = runtime(ctx.data);
      const r = ref(text('field', args[0]), rt.aliases);
      const selected = runtimeFieldValue(rt, r);
      if (selected === undefined || selected === null) rt.missingReads++;
      // Inside a count over this alias, the counted member stands for the array: a one-member array.
      if (r.wildcard && !(selected instanceof Collection)) return selected === undefined ? [] : [selected];
      return asFunctionValue(selected);
    }
  }),
  defineFunction({
    name: 'current',
    minArgs: 0,
    maxArgs: 1,
    call(args, ctx) {
      const rt = runtime(ctx.data);
      if (rt.scopes.length === 0)
        throw new ExpressionError("The template function 'current' can be used only inside a count's 'where'.");
      // What the member does not hold reads as null, and counts as a missing read (Runtime.missingReads).
      const held = (value: Value | undefined): Value => {
        if (value === undefined || value === null) rt.missingReads++;
        return value ?? null;
      };
      if (args.length === 0) return held(rt.scopes[rt.scopes.length - 1].current);
      const name = text('current', args[0]);
      const lower = foldCase(name);
      for (let i = rt.scopes.length - 1; i >= 0; i--) {
        const scope = rt.scopes[i];
        if (scope.kind === 'value' && scope.name === lower) return held(scope.current);
      }
      const steps = name.includes('/') ? ref(name, rt.aliases).steps : parsePath(name);
      for (let i = rt.scopes.length - 1; i >= 0; i--) {
        const scope = rt.scopes[i];
        if (scope.kind === 'field' && isPrefix(scope.steps, steps)) {
          const v = walk(scope.current, steps, scope.steps.length);
          return v instanceof Collection ? asFunctionValue(v) : held(v);
        }
      }
      throw new ExpressionError(`No count iterates over '${name}' here.`);
    }
  }),
  defineFunction({
    name: 'policy',
    minArgs: 0,
    maxArgs: 0,
    call(_args, ctx) {
      const rt = runtime(ctx.data);
      return partlyKnownObject(
        {
          assignmentId: new Unknown('the policy assignment id'),
          definitionId: rt.definitionId,
          // An assignment may name the definition itself or an initiative holding it (as cmk-guard deploys its own):
          // which, is the assignment's, not the definition's.
          setDefinitionId: new Unknown('the initiative the definition is assigned through, if any'),
          definitionReferenceId: new Unknown('the reference id of the definition in an initiative, if any')
        },
        'policy()'
      );
    }
  }),
  /**
   * requestContext().apiVersion: a template's resource is a request, sent with the api-version it declares. An existing
   * resource (a snapshot's, a live scope's) is evaluated as Azure's compliance scan evaluates it: "The latest API
   * version is always used during compliance evaluation on existing resources" (definition-structure-policy-rule#
   * policy-functions), whatever api-version the snapshot recorded. See LATEST_API_VERSION.
   */
  defineFunction({
    name: 'requestContext',
    minArgs: 0,
    maxArgs: 0,
    call(_args, ctx) {
      const { resource } = runtime(ctx.data);
      // Who sends the request (its token's claims: idtyp, appid, acrs): not known before deployment.
      const identity = new Unknown('the identity that sends the request (requestContext().identity)');
      const apiVersion =
        resource.origin !== 'template'
          ? LATEST_API_VERSION
          : (resource.apiVersion ?? new Unknown(`the api-version of ${resource.type}`));
      return partlyKnownObject({ apiVersion, identity }, 'requestContext()');
    }
  }),
  defineFunction({
    name: 'resourceGroup',
    minArgs: 0,
    maxArgs: 0,
    call(_args, ctx) {
      const { subscriptionId, resourceGroup: name, placeholder } = runtime(ctx.data).scope();
      const unknownGroup = new Unknown('the resource group the template deploys to', PLACEHOLDER_GROUP_KEY);
      return partlyKnownObject(
        {
          id:
            placeholder.subscription || placeholder.resourceGroup
              ? unknownGroup
              : `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
          name: placeholder.resourceGroup ? unknownGroup : name,
          type: 'Microsoft.Resources/resourceGroups',
          location: new Unknown('the resource group location'),
          managedBy: '',
          tags: new Unknown('the resource group tags'),
          properties: { provisioningState: 'Succeeded' }
        },
        'resourceGroup()'
      );
    }
  }),
  defineFunction({
    name: 'subscription',
    minArgs: 0,
    maxArgs: 0,
    call(_args, ctx) {
      const { subscriptionId, placeholder } = runtime(ctx.data).scope();
      const unknownSubscription = new Unknown('the subscription the template deploys to');
      return partlyKnownObject(
        {
          id: placeholder.subscription ? unknownSubscription : `/subscriptions/${subscriptionId}`,
          subscriptionId: placeholder.subscription ? unknownSubscription : subscriptionId,
          tenantId: new Unknown('the tenant id'),
          displayName: new Unknown('the subscription name'),
          // Built-ins read them ("Inherit a tag from the subscription"): the subscription's, not known offline.
          tags: new Unknown('the subscription tags')
        },
        'subscription()'
      );
    }
  }),
  defineFunction({
    name: 'utcNow',
    minArgs: 0,
    maxArgs: 0,
    call() {
      // In a policy rule utcNow() answers `yyyy-MM-ddTHH:mm:ss.fffffffZ`, the layout addDays() gives, so
      // the two compare as text: https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-policy-rule#policy-functions
      // (a format argument is refused at load, in expressions.ts).
      return new Date().toISOString().replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}0000Z`);
    }
  })
];
