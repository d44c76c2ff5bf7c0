import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json, Value } from '../model/value.js';
import { Unknown, isObject, setOwn } from '../model/value.js';
import type { SourcePosition } from '../model/resource.js';
import { UserError } from '../model/errors.js';
import { parseJsonWithPositions, type PositionedJson } from './json.js';
import { joinPointer } from '../model/pointer.js';
import { readTextFile } from '../model/textFile.js';
import type { ExpressionFailure } from './arm/failures.js';
import { checkParameterEntryNames, refuseCaseCollision } from './arm/names.js';
import { ExpressionError, defineFunction, evaluate, library, type FunctionLibrary } from '../expr/evaluate.js';
import { isExpression, parseExpression } from '../expr/parse.js';
import { standardFunctions } from '../expr/functions/index.js';
import { foldCase } from '../model/foldCase.js';

/**
 * Parameter files (`deploymentParameters.json`): `{"parameters": {"name": {"value": …}}}`,
 * where a value may instead be a Key Vault `reference` (a secret, unknown offline), or an
 * `expression` (what Bicep compiles a `.bicepparam` value that reads `externalInput()` to).
 */

export interface SuppliedParameter {
  /** The name as written in the parameter file (or override). */
  name: string;
  value: Value;
  /** Where the value was written; null for command-line overrides. */
  position: SourcePosition | null;
  /** `parameter file x.json` or `--parameter`, for messages. */
  origin: string;
  /** Expressions that failed in computing the value (a nested deployment's parameter): see arm/failures.ts. */
  failures?: ExpressionFailure[];
}

/** Supplied values keyed by lower-case name: ARM matches parameter names case-insensitively. */
export type SuppliedParameters = Map<string, SuppliedParameter>;

/** How a `$schema` names a parameter file, and a deployment template. */
export const PARAMETER_SCHEMA = /deploymentParameters\.json/i;
export const TEMPLATE_SCHEMA = /deploymentTemplate\.json/i;

export function loadParameterFile(file: string): SuppliedParameters {
  return parametersFromDocument(parseJsonWithPositions(readTextFile(file), file));
}

/** The values of a parsed parameter file (one a `.bicepparam` file compiles to, say). */
export function parametersFromDocument(doc: PositionedJson): SuppliedParameters {
  const file = doc.file;
  const origin = `parameter file ${path.basename(file)}`;
  if (!isObject(doc.value)) {
    throw new UserError('a parameter file must be a JSON object with a "parameters" object.', {
      file,
      line: 1,
      column: 1
    });
  }
  refuseCaseCollision(doc);
  const root = doc.value as { [key: string]: Json };
  const hasSection = isObject(root.parameters);
  if (root.parameters !== undefined && !hasSection) {
    const at = doc.positionOf('/parameters');
    throw new UserError('"parameters" must be an object of {"name": {"value": …}}.', at ?? { file });
  }
  const section = (hasSection ? root.parameters : root) as { [key: string]: Json };
  const base = hasSection ? '/parameters' : '';
  const supplied: SuppliedParameters = new Map();
  for (const [name, entry] of Object.entries(section)) {
    if (!hasSection && (name === '$schema' || name === 'contentVersion')) continue;
    const pointer = joinPointer(base, name);
    const at = doc.positionOf(pointer) ?? { file, line: 1, column: 1 };
    checkParameterEntryNames(entry, pointer, (where, message) => new UserError(message, doc.positionOf(where) ?? at));
    if (!isObject(entry) || (!('value' in entry) && !('reference' in entry) && !('expression' in entry))) {
      throw new UserError(
        `parameter "${name}" in ${path.basename(file)} must be an object with "value" (or a Key Vault "reference", or an "expression").`,
        at
      );
    }
    let value: Value;
    let position: SourcePosition | null;
    if ('value' in entry) {
      value = azdPlaceholders(entry.value as Json, name);
      position = doc.positionOf(joinPointer(pointer, 'value')) ?? at;
    } else if ('expression' in entry) {
      position = doc.positionOf(joinPointer(pointer, 'expression')) ?? at;
      value = parameterExpression(entry.expression as Json, name, root.externalInputDefinitions, position);
    } else {
      const reference = entry.reference as { [key: string]: Json } | undefined;
      const secret = isObject(reference) && typeof reference.secretName === 'string' ? reference.secretName : name;
      value = new Unknown(`Key Vault secret '${secret}' (parameter '${name}')`, `keyvault-secret:${secret}`);
      position = at;
    }
    supplied.set(foldCase(name), { name, value, position, origin });
  }
  return supplied;
}

/**
 * A parameter given as `{"expression": "[…]"}`: Bicep compiles a `.bicepparam` value that reads
 * `externalInput(name, config)` to one, with `externalInputs('<id>')` for each input and the inputs
 * described under `externalInputDefinitions` (`{"kind": name, "config": config}`). The tool that
 * starts the deployment supplies them
 * (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-parameters-file#externalinput),
 * so each is unknown here, naming the input; the rest of the expression is evaluated as ARM would.
 */
function parameterExpression(
  expression: Json,
  parameter: string,
  definitions: Json | undefined,
  position: SourcePosition
): Value {
  if (typeof expression !== 'string' || !isExpression(expression)) {
    throw new UserError(
      `the "expression" of parameter "${parameter}" must be a template expression in square brackets, such as "[externalInputs('sys_cli_0')]".`,
      position
    );
  }
  try {
    return evaluate(parseExpression(expression), { functions: parameterFileFunctions(parameter, definitions) });
  } catch (error) {
    if (error instanceof ExpressionError) {
      throw new UserError(
        `the "expression" of parameter "${parameter}" cannot be evaluated: ${error.message}`,
        position
      );
    }
    throw error;
  }
}

function parameterFileFunctions(parameter: string, definitions: Json | undefined): FunctionLibrary {
  const described = isObject(definitions) ? (definitions as { [key: string]: Json }) : {};
  const externalInputs = defineFunction({
    name: 'externalInputs',
    minArgs: 1,
    maxArgs: 1,
    call: ([id]) => {
      if (typeof id !== 'string') throw new ExpressionError('externalInputs() takes the id of an external input.');
      const definition = Object.prototype.hasOwnProperty.call(described, id) ? described[id] : undefined;
      if (!isObject(definition)) {
        throw new ExpressionError(`externalInputs('${id}') names no input of "externalInputDefinitions".`);
      }
      const { kind, config } = definition as { [key: string]: Json };
      const what = `${typeof kind === 'string' ? kind : id}${config === undefined ? '' : ` ${JSON.stringify(config)}`}`;
      return new Unknown(
        `the external input ${what} of parameter '${parameter}', supplied by the tool that starts the deployment; give the value with --parameter ${parameter}=…`,
        `external-input:${id}`
      );
    }
  });
  return library(standardFunctions, [externalInputs]);
}

/**
 * `${NAME}`, `${NAME=default}` and `${NAME:-default}` in a parameter file are the Azure Developer CLI's:
 * azd fills them from its environment (`.azure/<env>/.env` and the process) when it provisions, so
 * `main.parameters.json` of an azd template holds `"useCmk": {"value": "${USE_CMK=false}"}` for a bool.
 * What azd will put there is not in the repository: a string that holds one is unknown, naming the
 * variables (and their defaults), rather than a literal that fails the parameter's type.
 * https://learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables
 */
const AZD_PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=]([^}]*))?\}/g;

function azdPlaceholders(value: Json, parameter: string): Value {
  if (typeof value === 'string') {
    const found = [...value.matchAll(AZD_PLACEHOLDER)];
    if (found.length === 0) return value;
    const variables = found.map(m => (m[2] === undefined ? m[1] : `${m[1]} (default ${JSON.stringify(m[2])})`));
    return new Unknown(
      `the azd environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')} in parameter '${parameter}', filled in when azd deploys; give the value with --parameter ${parameter}=…`,
      `azd-env:${value}`
    );
  }
  if (Array.isArray(value)) {
    const items = value.map(item => azdPlaceholders(item, parameter));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (isObject(value)) {
    let changed: { [key: string]: Value } | undefined;
    for (const [key, member] of Object.entries(value as { [key: string]: Json })) {
      const replaced = azdPlaceholders(member, parameter);
      if (replaced !== member) setOwn((changed ??= { ...(value as { [key: string]: Value }) }), key, replaced);
    }
    return changed ?? value;
  }
  return value;
}

/**
 * The parameter file that goes with a template by convention: `main.json` →
 * `main.parameters.json`, `azuredeploy.json` → `azuredeploy.parameters.json`.
 */
export function conventionalParameterFile(templateFile: string): string | null {
  const candidate = conventionalJsonParameterFile(templateFile);
  return fs.existsSync(candidate) ? candidate : null;
}

function conventionalJsonParameterFile(templateFile: string): string {
  const stem = path.basename(templateFile).replace(/\.(?:jsonc?|bicep)$/i, '');
  return path.join(path.dirname(templateFile), `${stem}.parameters.json`);
}

/**
 * Every file a template would be paired with by name, whether it is there or not: a pull request that deletes or
 * renames one changes what the template deploys, as one that edits it does.
 */
export function conventionalParameterCandidates(template: string): string[] {
  const candidates = [conventionalJsonParameterFile(template)];
  if (/\.bicep$/i.test(template)) candidates.push(template.replace(/\.bicep$/i, '.bicepparam'));
  return candidates;
}

/** The parameter files a template is paired with by name: `<stem>.parameters.json`, or for a Bicep file `<stem>.bicepparam`. */
export function conventionalParameterFiles(template: string): string[] {
  const [json, bicepparam] = conventionalParameterCandidates(template);
  if (fs.existsSync(json)) return [json];
  return bicepparam !== undefined && fs.existsSync(bicepparam) ? [bicepparam] : [];
}

/** Values given on the command line or as action inputs. */
export function overridesToSupplied(overrides: Record<string, Json>): SuppliedParameters {
  const supplied: SuppliedParameters = new Map();
  for (const [name, value] of Object.entries(overrides)) {
    supplied.set(foldCase(name), { name, value, position: null, origin: '--parameter' });
  }
  return supplied;
}

/** Later sources win: parameter files in the order given, then overrides. */
export function mergeSupplied(...sources: SuppliedParameters[]): SuppliedParameters {
  const merged: SuppliedParameters = new Map();
  for (const source of sources) for (const [key, value] of source) merged.set(key, value);
  return merged;
}
