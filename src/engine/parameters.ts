/**
 * Policy definition parameters: their declarations checked at load as Azure checks them when a
 * definition is created, and assignment values checked as Azure checks them when it is assigned.
 * https://learn.microsoft.com/azure/governance/policy/concepts/definition-structure-parameters
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { linearRegExp } from '../model/regex.js';
import { tooling, type Tooling } from '../model/tooling.js';
import { UserError } from '../model/errors.js';
import { findUnknown, hasOwn, isObject, own, type Value } from '../model/value.js';
import { DefinitionError } from './errors.js';
import { foldCase } from '../model/foldCase.js';

export interface ParameterDefinition {
  type: string;
  defaultValue?: Value;
  allowedValues?: Value[];
  /** Object parameters only: the JSON Schema (2019-09) assignment values must satisfy. */
  schema?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

const typeNames: Record<string, string> = {
  string: 'String',
  array: 'Array',
  object: 'Object',
  boolean: 'Boolean',
  integer: 'Integer',
  float: 'Float',
  datetime: 'DateTime'
};

// ISO 8601 date with optional time and zone: what `yyyy-MM-ddTHH:mm:ss.fffffffZ` and its shorter forms look like.
const isoDateTime = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Whether `value` is of the parameter type (`type` as written, any case). */
export function hasParameterType(type: string, value: Value): boolean {
  switch (foldCase(type)) {
    case 'string':
      return typeof value === 'string';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'datetime':
      return typeof value === 'string' && isoDateTime.test(value) && !Number.isNaN(Date.parse(value));
    default:
      return false;
  }
}

/** Deep equality with strings compared case-sensitively, as Azure compares values with `allowedValues`. */
function sameValue(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every(k => hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/**
 * Whether `value` is allowed. An array parameter's value is allowed when each item is one of the
 * allowed values (`["westus", "eastus2"]` against `["eastus2", "westus2", "westus"]`), or when the
 * whole array is one of them. An empty `allowedValues` restricts nothing: built-in 'Audit Windows
 * machines missing any of specified members in the Administrators group' declares `[]` with a default.
 */
export function isAllowedValue(param: ParameterDefinition, value: Value): boolean {
  const allowed = param.allowedValues;
  if (!allowed || allowed.length === 0) return true;
  if (allowed.some(a => sameValue(a, value))) return true;
  return (
    foldCase(param.type) === 'array' &&
    Array.isArray(value) &&
    value.every(item => allowed.some(a => sameValue(a, item)))
  );
}

let ajv: InstanceType<Tooling['Ajv2019']> | undefined;
const validators = new Map<string, ValidateFunction>();

/** Compiles an Object parameter's schema once per distinct schema (built-ins share a few). */
function schemaValidator(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    const { Ajv2019 } = tooling.get();
    ajv ??= new Ajv2019({
      strict: false,
      allErrors: false,
      validateFormats: false,
      ownProperties: true,
      code: { regExp: linearRegExp }
    });
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

function schemaErrors(errors: ErrorObject[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'it does not match the schema';
  return `${first.instancePath || 'the value'} ${first.message ?? 'does not match the schema'}`;
}

const show = (v: Value) => JSON.stringify(v);

/**
 * Checks one parameter declaration and returns it, or throws a `DefinitionError` at `path`:
 * an unknown type, a malformed `allowedValues` or `schema`, a default of the wrong type, outside
 * `allowedValues`, or not matching `schema`.
 */
export function readParameter(
  raw: unknown,
  name: string,
  file: string | null,
  path: string,
  notes: string[] = []
): ParameterDefinition {
  if (!isObject(raw as Value)) throw new DefinitionError('a parameter definition must be an object.', file, path);
  const p = raw as Record<string, unknown>;
  if (typeof p.type !== 'string' || own(typeNames, foldCase(p.type)) === undefined) {
    throw new DefinitionError(
      `parameter type ${JSON.stringify(p.type)} is not one of String, Array, Object, Boolean, Integer, Float, DateTime.`,
      file,
      `${path}.type`
    );
  }
  const type = p.type;
  const typeName = typeNames[foldCase(type)];
  if (p.allowedValues !== undefined && !Array.isArray(p.allowedValues)) {
    throw new DefinitionError('"allowedValues" must be an array.', file, `${path}.allowedValues`);
  }
  let schema: Record<string, unknown> | undefined;
  if (p.schema !== undefined && p.schema !== null) {
    if (!isObject(p.schema as Value))
      throw new DefinitionError('"schema" must be a JSON Schema object.', file, `${path}.schema`);
    const declared = (p.schema as Record<string, unknown>).$schema;
    // Azure supports `schema` on Object parameters only; elsewhere it validates nothing here either.
    if (typeName === 'Object' && declared !== undefined && !/2019-09/.test(String(declared))) {
      // Azure follows Json.NET Schema 2019-09; how it treats a schema naming another draft is not documented,
      // and validating with the wrong draft could refuse what Azure accepts.
      notes.push(
        `parameter '${name}': its schema names ${JSON.stringify(declared)}, not 2019-09; assignment values are not validated against it.`
      );
    } else if (typeName === 'Object') {
      schema = p.schema as Record<string, unknown>;
      try {
        schemaValidator(schema);
      } catch (error) {
        throw new DefinitionError(
          `the schema of parameter '${name}' is not a valid JSON Schema (2019-09): ${(error as Error).message}.`,
          file,
          `${path}.schema`
        );
      }
    }
  }
  const param: ParameterDefinition = {
    type,
    defaultValue: p.defaultValue as Value | undefined,
    allowedValues: p.allowedValues as Value[] | undefined,
    schema,
    metadata: isObject(p.metadata as Value) ? (p.metadata as Record<string, unknown>) : undefined
  };
  const d = param.defaultValue;
  if (d !== undefined && d !== null) {
    if (!hasParameterType(type, d)) {
      throw new DefinitionError(
        `the default value ${show(d)} of parameter '${name}' is not ${/^[AEIOU]/.test(typeName) ? 'an' : 'a'} ${typeName}; give a default of the declared type or change "type".`,
        file,
        `${path}.defaultValue`
      );
    }
    // Azure: PolicyParameterAllowedAndDefaultValuesMismatch, "The 'allowedValues' property must include the value of the 'defaultValue' property if both are present."
    if (!isAllowedValue(param, d)) {
      throw new DefinitionError(
        `the default value ${show(d)} of parameter '${name}' is not one of its allowed values ${show(param.allowedValues as Value)} (compared case-sensitively); add it to "allowedValues" or change the default.`,
        file,
        `${path}.defaultValue`
      );
    }
    if (schema) {
      const validate = schemaValidator(schema);
      if (!validate(d)) {
        throw new DefinitionError(
          `the default value of parameter '${name}' does not match its schema: ${schemaErrors(validate.errors)}.`,
          file,
          `${path}.defaultValue`
        );
      }
    }
  }
  return param;
}

/**
 * Checks an assignment value as Azure does when the definition is assigned: of the declared type,
 * one of `allowedValues` (case-sensitive), and valid against `schema`. Values holding unknowns are
 * not checked: what they will be is not known yet.
 */
export function checkAssignmentValue(
  definition: string,
  file: string | null,
  name: string,
  param: ParameterDefinition,
  value: Value
): void {
  if (findUnknown(value)) return;
  const where = file ? { file } : undefined;
  const typeName = typeNames[foldCase(param.type)];
  if (!hasParameterType(param.type, value)) {
    throw new UserError(
      `definition '${definition}': parameter '${name}' is ${show(value)}, which is not ${/^[AEIOU]/.test(typeName) ? 'an' : 'a'} ${typeName}; give it a value of that type.`,
      where
    );
  }
  if (!isAllowedValue(param, value)) {
    throw new UserError(
      `definition '${definition}': parameter '${name}' is ${show(value)}, which is not one of its allowed values ${show(param.allowedValues as Value)} (compared case-sensitively); use one of them, spelled as listed.`,
      where
    );
  }
  if (param.schema) {
    const validate = schemaValidator(param.schema);
    if (!validate(value)) {
      throw new UserError(
        `definition '${definition}': parameter '${name}' does not match its schema: ${schemaErrors(validate.errors)}; change the value to satisfy the schema.`,
        where
      );
    }
  }
}
