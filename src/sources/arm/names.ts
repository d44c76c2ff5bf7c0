import type { Json } from '../../model/value.js';
import { isObject } from '../../model/value.js';
import { joinPointer } from '../../model/pointer.js';
import { inputToken } from '../../model/errors.js';
import type { PositionedJson } from '../json.js';
import type { Resource } from '../../model/resource.js';
import { TemplateError } from './errors.js';
import { equalIgnoringCase, foldCase } from '../../model/foldCase.js';

/**
 * ARM reads the names of its template language regardless of case: a template's "Resources" is its
 * "resources", a resource's "Type" its "type", a deployment's "Template" its "template" (real,
 * deployed templates write "dependson", "apiversion", "Properties", "templatelink", "defaultvalue").
 * cmk-guard reads them as ARM's documentation writes them, so each such name is renamed to that case
 * before anything reads the template: the gate sees what ARM deploys, neither passing a name over
 * nor refusing a template ARM takes. Two members of one object whose names differ only in case in a
 * template's language or its resources, or in a parameter file's names, are refused: ARM and the
 * resource providers would read one of them, and which is not certain. Objects that are values (a
 * variable's, say) are read as ARM reads them.
 */

type Names = ReadonlyMap<string, string>;

function names(...written: string[]): Names {
  return new Map(written.map(name => [foldCase(name), name]));
}

const TEMPLATE = names(
  '$schema',
  'contentVersion',
  'apiProfile',
  'parameters',
  'variables',
  'functions',
  'resources',
  'outputs',
  'languageVersion',
  'definitions',
  'metadata',
  'imports',
  'extensions'
);
const PARAMETER = names(
  'type',
  'defaultValue',
  'allowedValues',
  'minValue',
  'maxValue',
  'minLength',
  'maxLength',
  'nullable',
  'metadata',
  '$ref',
  'items',
  'properties',
  'additionalProperties',
  'discriminator',
  'sealed'
);
const RESOURCE = names(
  'type',
  'name',
  'apiVersion',
  'properties',
  'copy',
  'condition',
  'dependsOn',
  'resources',
  'existing',
  'scope',
  'comments',
  'metadata',
  'subscriptionId',
  'resourceGroup',
  'import',
  'extension',
  '@options'
);
const COPY = names('name', 'count', 'mode', 'batchSize', 'input');
const DEPLOYMENT = names(
  'mode',
  'template',
  'templateLink',
  'parameters',
  'parametersLink',
  'expressionEvaluationOptions',
  'onErrorDeployment',
  'debugSetting',
  'validationLevel'
);
const EVALUATION_OPTIONS = names('scope');
const PASSED_PARAMETER = names('value', 'reference');
/** A parameter file's entry may also be Bicep's `expression` (a `.bicepparam` reading `externalInput()`). */
const SUPPLIED_PARAMETER = names('value', 'reference', 'expression');
const OUTPUT = names('type', 'value', 'condition', 'copy', 'metadata');

export type Refuse = (pointer: string, message: string) => Error;

/**
 * Renames, in place and keeping the order of members, each member of `node` whose name is a name of
 * `known` in another case to the documented case, as ARM reads it; refuses the object when it also
 * has the documented name (ARM would keep one of the two).
 */
function check(node: Json | undefined, known: Names, pointer: string, refuse: Refuse): void {
  if (!isObject(node)) return;
  const object = node as { [key: string]: Json };
  const keys = Object.keys(object);
  let renamed = false;
  for (const key of keys) {
    const documented = known.get(foldCase(key));
    if (documented === undefined || documented === key) continue;
    if (Object.hasOwn(object, documented)) {
      throw refuse(
        joinPointer(pointer, key),
        `"${key}" and "${documented}" are one name to ARM, which keeps one of them; keep one.`
      );
    }
    renamed = true;
  }
  if (!renamed) return;
  const entries = keys.map(key => [known.get(foldCase(key)) ?? key, object[key]] as const);
  for (const key of keys) delete object[key];
  for (const [key, value] of entries) object[key] = value;
}

function eachMember(node: Json | undefined, pointer: string, visit: (value: Json, pointer: string) => void): void {
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) visit(value, joinPointer(pointer, key));
}

function checkResource(node: Json, pointer: string, refuse: Refuse): void {
  if (!isObject(node)) return;
  check(node, RESOURCE, pointer, refuse);
  const resource = node as { [key: string]: Json };
  check(resource.copy, COPY, joinPointer(pointer, 'copy'), refuse);
  if (typeof resource.type === 'string' && foldCase(resource.type) === 'microsoft.resources/deployments') {
    const propertiesPointer = joinPointer(pointer, 'properties');
    check(resource.properties, DEPLOYMENT, propertiesPointer, refuse);
    if (isObject(resource.properties)) {
      const properties = resource.properties as { [key: string]: Json };
      check(
        properties.expressionEvaluationOptions,
        EVALUATION_OPTIONS,
        joinPointer(propertiesPointer, 'expressionEvaluationOptions'),
        refuse
      );
      eachMember(properties.parameters, joinPointer(propertiesPointer, 'parameters'), (entry, at) =>
        check(entry, PASSED_PARAMETER, at, refuse)
      );
    }
  }
  checkResources(resource.resources, joinPointer(pointer, 'resources'), refuse);
}

function checkResources(resources: Json | undefined, pointer: string, refuse: Refuse): void {
  if (Array.isArray(resources)) resources.forEach((node, i) => checkResource(node, joinPointer(pointer, i), refuse));
  else eachMember(resources, pointer, (node, at) => checkResource(node, at, refuse));
}

/**
 * Renames each name of ARM's template language written in another case in `template` (at `base` in
 * its file) to the case ARM's documentation writes it: the template's own sections, parameter declarations, resources and their child resources,
 * copy loops, a nested deployment's properties and the parameters it passes, and outputs. A nested
 * template is read so when its scope is made. Refuses an object holding such a name in two cases.
 */
export function checkTemplateNames(template: { [key: string]: Json }, base: string, refuse: Refuse): void {
  check(template, TEMPLATE, base, refuse);
  eachMember(template.parameters, joinPointer(base, 'parameters'), (decl, at) => check(decl, PARAMETER, at, refuse));
  eachMember(template.outputs, joinPointer(base, 'outputs'), (output, at) => check(output, OUTPUT, at, refuse));
  checkResources(template.resources, joinPointer(base, 'resources'), refuse);
}

/**
 * The names a parameter file gives a parameter with, `value`, a Key Vault `reference` or an `expression`,
 * in ARM's case.
 */
export function checkParameterEntryNames(entry: Json, pointer: string, refuse: Refuse): void {
  check(entry, SUPPLIED_PARAMETER, pointer, refuse);
}

/** Two members of one object whose names differ only in case: where the later one is, and both names. */
export interface CaseCollision {
  pointer: string;
  key: string;
  earlier: string;
}

/**
 * Whether the member `key` of an object reached through `trail` (outermost first) holds a value of the template
 * rather than its language or a resource: a variable's value, a parameter's default or allowed values, an
 * output's value, or a value a parameter file gives. ARM keeps such an object's members as written, and reads
 * them with the exact name first, then regardless of case (PSRule's Template.Parsing.6.json, "BooleanStringProperty"),
 * as cmk-guard's expressions do; one that becomes part of a resource is checked there (`refuseCollidingBody`).
 */
function holdsValue(key: string | number, trail: readonly (string | number)[]): boolean {
  // The template's own names in any case, as ARM reads them (this runs before they are renamed).
  const name = (at: string | number | undefined) => (typeof at === 'string' ? foldCase(at) : at);
  const last = trail.length - 1;
  if (name(trail[last]) === 'variables') return true;
  const member = name(key);
  if (member === 'defaultvalue' || member === 'allowedvalues') return name(trail[last - 1]) === 'parameters';
  if (member === 'value') return name(trail[last - 1]) === 'outputs' || name(trail[last - 1]) === 'parameters';
  return false;
}

/** The first object in `value` with two members whose names differ only in case, or null. */
export function caseCollision(value: Json): CaseCollision | null {
  return collisionOf(collisionPath(value, null));
}

/** The same in a template or parameter file, passing over the values it holds (see `holdsValue`). */
function caseCollisionOutsideValues(document: Json): CaseCollision | null {
  return collisionOf(collisionPath(document, []));
}

function collisionOf(found: (string | number)[] | null): CaseCollision | null {
  if (found === null) return null;
  const [key, earlier, ...outer] = found;
  return { pointer: joinPointer('', ...outer.reverse(), key), key: String(key), earlier: String(earlier) };
}

/**
 * [the later name, the earlier name, then the way to their object, innermost first]. `trail` is the way to
 * `value` (outermost first, kept as a stack the walk pushes to and pops) when values are passed over, else null:
 * nothing is built for the way unless a collision is found, as every object and array of every template and
 * resource is walked.
 */
function collisionPath(value: Json, trail: (string | number)[] | null): (string | number)[] | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || typeof item !== 'object') continue;
      if (trail !== null) trail.push(i);
      const found = collisionPath(item, trail);
      if (trail !== null) trail.pop();
      if (found !== null) return (found.push(i), found);
    }
    return null;
  }
  // The names are read into one stack shared by the whole walk (this object's are `walked[start…top)`), not into
  // an array of their own for each object.
  const start = top;
  for (const key in value) walked[top++] = key;
  try {
    if (top - start > 1) {
      const collision = sameInLowerCase(start, top);
      if (collision !== null) return collision;
    }
    for (let k = start; k < top; k++) {
      const key = walked[k];
      const member = value[key];
      if (member === null || typeof member !== 'object') continue;
      if (trail !== null && holdsValue(key, trail)) continue;
      if (trail !== null) trail.push(key);
      const found = collisionPath(member, trail);
      if (trail !== null) trail.pop();
      if (found !== null) return (found.push(key), found);
    }
    return null;
  } finally {
    top = start;
  }
}

/** The names of the objects being walked by `collisionPath`, innermost last, and where they end. */
const walked: string[] = [];
let top = 0;

/** Up to this many names, they are compared with those before them one by one: a map costs more to make. */
const FEW_KEYS = 8;

/** [the first name in `walked[start…end)` whose lower case an earlier one has, that earlier name], or null. */
function sameInLowerCase(start: number, end: number): [string, string] | null {
  if (end - start <= FEW_KEYS) {
    // equalIgnoringCase folds no text into a new string: names of other lengths, or ASCII names, are compared as they are.
    for (let i = start + 1; i < end; i++)
      for (let j = start; j < i; j++) if (equalIgnoringCase(walked[j], walked[i])) return [walked[i], walked[j]];
    return null;
  }
  const seen = new Map<string, string>();
  for (let i = start; i < end; i++) {
    const key = walked[i];
    const lower = foldCase(key);
    const earlier = seen.get(lower);
    if (earlier !== undefined) return [key, earlier];
    seen.set(lower, key);
  }
  return null;
}

/**
 * Refuses a resource whose body, as expressions made it (`createObject`, `union`, `json()` …), has two
 * names in one object that differ only in case: the resource provider would read one of them, and the
 * gate might read the other.
 */
export function refuseCollidingBody(resource: Resource): void {
  if (resource.existing) return;
  const found = caseCollision(resource.json as Json);
  if (found === null) return;
  throw new TemplateError(
    `The body of ${resource.type} '${inputToken(resource.name)}' has "${inputToken(found.key)}" and "${inputToken(found.earlier)}" in one object (at ${inputToken(found.pointer)}), which differ only in case: the resource provider reads them as one name and keeps one of them. Keep one.`,
    resource.positionOf?.(found.pointer) ?? resource.source ?? { file: '(template)', line: 1, column: 1 }
  );
}

/**
 * Refuses a template or parameter file in which one object of its language or of a resource has two names that
 * differ only in case (the values it holds are read as ARM reads them: see `holdsValue`).
 */
export function refuseCaseCollision(doc: PositionedJson): void {
  const found = caseCollisionOutsideValues(doc.value);
  if (found === null) return;
  throw new TemplateError(
    `"${inputToken(found.key)}" and "${inputToken(found.earlier)}" in one object differ only in case: ARM reads them as one name and keeps one of them. Keep one.`,
    doc.positionOf(found.pointer) ?? { file: doc.file, line: 1, column: 1 }
  );
}
