import type { Json, Value } from '../../model/value.js';
import { isObject, isUnknown, own } from '../../model/value.js';
import { holdsUnknown } from '../../expr/evaluate.js';
import { foldCase } from '../../model/foldCase.js';

/**
 * The checks ARM makes on a parameter's final value before it deploys anything: its
 * declared type, `allowedValues`, `minValue`/`maxValue` and `minLength`/`maxLength`.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/parameters
 * With `types` (a languageVersion 2.0 template's, whose `definitions` it names), what a user-defined
 * type says of the value's insides is checked too (see `typeProblem`).
 * Returns the sentence to show, or null when the value passes (or is unknown).
 */
export function checkParameterValue(
  name: string,
  decl: { [key: string]: Json },
  value: Value,
  types?: { definitions?: Json }
): string | null {
  return valueProblem(`parameter '${name}'`, decl, value, types);
}

/** What a parameter's declaration says of its value beyond its type: checked on parameters, not on outputs. */
const CONSTRAINTS = ['allowedValues', 'minValue', 'maxValue', 'minLength', 'maxLength'];

/**
 * The check ARM makes on an output's value when it evaluates the outputs, at the end of the deployment: the value
 * must be of the declared type (`string`, `securestring`, `int`, `bool`, `object`, `secureobject`, `array`, each
 * ignoring case; null is none of them), else the deployment fails ("The template output 'x' is not valid: Template
 * output JToken type is not valid. Expected 'Integer'. Actual 'Null'.", DeploymentOutputEvaluationFailed). With
 * `types` (languageVersion 2.0), a user-defined type's insides are checked as a parameter's are.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/outputs
 * Returns the sentence to show, or null when the value passes (or is unknown).
 */
export function checkOutputValue(
  name: string,
  decl: { [key: string]: Json },
  value: Value,
  types?: { definitions?: Json }
): string | null {
  const typeOnly = Object.fromEntries(Object.entries(decl).filter(([key]) => !CONSTRAINTS.includes(key)));
  return valueProblem(`output '${name}'`, typeOnly, value, types);
}

function valueProblem(
  what: string,
  decl: { [key: string]: Json },
  value: Value,
  types?: { definitions?: Json }
): string | null {
  if (isUnknown(value)) return null;
  if (value === null && (decl.nullable === true || decl.$ref !== undefined)) return null;
  const flat = scalarProblem(what, decl, value);
  if (flat) return flat;
  if (value === null || !types) return null;
  const definitions = isObject(types.definitions) ? (types.definitions as { [key: string]: Json }) : {};
  return typeProblem(what, '', decl, value, definitions, 0);
}

/**
 * The checks on one value against one type definition that do not look inside it: its type,
 * allowedValues, min/maxValue and min/maxLength. `what` names the parameter (and where in it).
 */
function scalarProblem(what: string, decl: { [key: string]: Json }, value: Value): string | null {
  const type = typeof decl.type === 'string' ? foldCase(decl.type) : undefined;
  const typeOk: Record<string, (v: Value) => boolean> = {
    string: v => typeof v === 'string',
    securestring: v => typeof v === 'string',
    int: v => typeof v === 'number' && Number.isInteger(v),
    bool: v => typeof v === 'boolean',
    array: v => Array.isArray(v),
    object: v => isObject(v),
    secureobject: v => isObject(v)
  };
  const check = type === undefined ? undefined : own(typeOk, type);
  if (check && !check(value)) {
    return `The value ${describe(value)} of ${what} is not of type ${decl.type}; give a value of that type.`;
  }
  // An empty list constrains nothing: ARM deploys such a parameter with any value (https://github.com/Azure/bicep/issues/581).
  if (Array.isArray(decl.allowedValues) && decl.allowedValues.length > 0 && !holdsUnknown(value)) {
    const allowed = decl.allowedValues;
    // For an array parameter every item must be one of the allowed values.
    const candidates = Array.isArray(value) && !allowed.some(a => Array.isArray(a)) ? value : [value];
    const bad = candidates.find(c => !allowed.some(a => sameJson(a, c)));
    if (bad !== undefined) {
      return `The value ${describe(bad)} of ${what} is not one of its allowedValues (${allowed
        .map(a => JSON.stringify(a))
        .join(', ')}); use one of those.`;
    }
  }
  if (typeof value === 'number') {
    if (typeof decl.minValue === 'number' && value < decl.minValue) {
      return `The value ${value} of ${what} is below its minValue ${decl.minValue}.`;
    }
    if (typeof decl.maxValue === 'number' && value > decl.maxValue) {
      return `The value ${value} of ${what} is above its maxValue ${decl.maxValue}.`;
    }
  }
  if (typeof value === 'string' || Array.isArray(value)) {
    const unit = typeof value === 'string' ? 'characters' : 'items';
    if (typeof decl.minLength === 'number' && value.length < decl.minLength) {
      return `The value of ${what} has ${value.length} ${unit}, fewer than its minLength ${decl.minLength}.`;
    }
    if (typeof decl.maxLength === 'number' && value.length > decl.maxLength) {
      return `The value of ${what} has ${value.length} ${unit}, more than its maxLength ${decl.maxLength}.`;
    }
  }
  return null;
}

/** How deep a value is followed into its type: types may refer to themselves (a tree of nodes). */
const MAX_TYPE_DEPTH = 64;

/**
 * A type definition with its `$ref` followed: `{"$ref": "#/definitions/x", "nullable": true}` is the
 * definition x with the referring schema's own constraints on top. A reference that names no
 * definition is left as it is (nothing more is checked).
 */
function resolveType(decl: { [key: string]: Json }, definitions: { [key: string]: Json }): { [key: string]: Json } {
  let current = decl;
  for (let hops = 0; typeof current.$ref === 'string' && hops < MAX_TYPE_DEPTH; hops++) {
    const match = /^#\/definitions\/(.+)$/.exec(current.$ref);
    const target = match ? own(definitions, match[1]) : undefined;
    if (!isObject(target)) return current;
    const { $ref: _ref, ...rest } = current;
    current = { ...(target as { [key: string]: Json }), ...rest };
  }
  return current;
}

/** The member of an object whose name matches, ignoring case (ARM reads names so). */
function memberKey(object: { [key: string]: Value }, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(object, name)) return name;
  const lower = foldCase(name);
  return Object.keys(object).find(k => foldCase(k) === lower);
}

/**
 * What ARM checks inside a value of a user-defined type (languageVersion 2.0): every property of an
 * object is required unless its type is nullable, `additionalProperties` false refuses others and a
 * type checks them, `discriminator` picks the type by a property's value, `prefixItems` types the
 * items of a tuple one by one (all must be there) and `items` the rest (false: no more). The property a
 * discriminator reads is not one of the chosen type's additional properties (the page's tagged union
 * accepts `{"type": "ints", "foo": 1}` though its `ints` type allows only integers besides).
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/definitions
 * A part that is unknown is not judged. Returns the sentence to show, or null.
 */
function typeProblem(
  what: string,
  at: string,
  decl: { [key: string]: Json },
  value: Value,
  definitions: { [key: string]: Json },
  depth: number,
  discriminatedBy?: string
): string | null {
  if (isUnknown(value) || depth > MAX_TYPE_DEPTH) return null;
  const type = resolveType(decl, definitions);
  const where = at ? `${what} at ${at}` : what;
  if (value === null) {
    return type.nullable === true
      ? null
      : `The value of ${where} is null, which its type does not allow (it is not nullable).`;
  }
  if (depth > 0) {
    const flat = scalarProblem(where, type, value);
    if (flat) return flat;
  } else if (type !== decl) {
    const flat = scalarProblem(where, type, value);
    if (flat) return flat;
  }
  if (isObject(value)) {
    if (isObject(type.discriminator)) {
      const { propertyName, mapping } = type.discriminator as { [key: string]: Json };
      if (typeof propertyName === 'string' && isObject(mapping)) {
        const key = memberKey(value, propertyName);
        const tag = key === undefined ? undefined : value[key];
        if (isUnknown(tag)) return null;
        const chosen = typeof tag === 'string' ? own(mapping as { [key: string]: Json }, tag) : undefined;
        if (!isObject(chosen)) {
          return `The value of ${where} has ${propertyName} ${describe(tag ?? null)}, which is not one of its type's kinds (${Object.keys(
            mapping
          )
            .map(k => JSON.stringify(k))
            .join(', ')}).`;
        }
        return typeProblem(what, at, chosen as { [key: string]: Json }, value, definitions, depth + 1, key);
      }
    }
    const properties = isObject(type.properties) ? (type.properties as { [key: string]: Json }) : undefined;
    const declared = new Set<string>();
    if (properties) {
      for (const [property, propertyType] of Object.entries(properties)) {
        if (!isObject(propertyType)) continue;
        const key = memberKey(value, property);
        if (key !== undefined) declared.add(key);
        const member = key === undefined ? null : value[key];
        const problem = typeProblem(
          what,
          `${at}.${property}`,
          propertyType as { [key: string]: Json },
          member,
          definitions,
          depth + 1
        );
        if (problem) {
          return key === undefined &&
            member === null &&
            resolveType(propertyType as { [key: string]: Json }, definitions).nullable !== true
            ? `The value of ${where} lacks the property '${property}', which its type requires (it is not nullable).`
            : problem;
        }
      }
    }
    // The property that chose the type is the union's, not one of the chosen type's others.
    const extra = Object.keys(value).filter(k => !declared.has(k) && k !== discriminatedBy);
    if (type.additionalProperties === false && extra.length > 0) {
      return `The value of ${where} has the property '${extra[0]}', which its type does not allow (additionalProperties is false).`;
    }
    if (isObject(type.additionalProperties)) {
      for (const key of extra) {
        const problem = typeProblem(
          what,
          `${at}.${key}`,
          type.additionalProperties as { [key: string]: Json },
          value[key],
          definitions,
          depth + 1
        );
        if (problem) return problem;
      }
    }
    return null;
  }
  if (Array.isArray(value)) {
    const prefix = Array.isArray(type.prefixItems) ? type.prefixItems : [];
    if (value.length < prefix.length) {
      return `The value of ${where} has ${value.length} item(s); its type gives ${prefix.length} (prefixItems), and each must be there.`;
    }
    for (let i = 0; i < prefix.length; i++) {
      const itemType = prefix[i];
      if (!isObject(itemType)) continue;
      const problem = typeProblem(
        what,
        `${at}[${i}]`,
        itemType as { [key: string]: Json },
        value[i],
        definitions,
        depth + 1
      );
      if (problem) return problem;
    }
    if (type.items === false && value.length > prefix.length) {
      return `The value of ${where} has ${value.length} item(s); its type allows only the ${prefix.length} of its prefixItems (items is false).`;
    }
    if (isObject(type.items)) {
      for (let i = prefix.length; i < value.length; i++) {
        const problem = typeProblem(
          what,
          `${at}[${i}]`,
          type.items as { [key: string]: Json },
          value[i],
          definitions,
          depth + 1
        );
        if (problem) return problem;
      }
    }
  }
  return null;
}

function describe(value: Value): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}

/**
 * ARM compares allowed string values case-insensitively (Bicep's `@allowed` is stricter:
 * https://github.com/Azure/bicep/issues/2489).
 */
function sameJson(a: Json, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return foldCase(a) === foldCase(b);
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every(k => k in b && sameJson((a as { [k: string]: Json })[k], b[k]));
  }
  return false;
}
