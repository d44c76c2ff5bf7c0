/**
 * Bicep files as templates: compiled by the Bicep CLI on PATH, then read like any ARM template, with
 * every position mapped back to the `.bicep` file (see sourceMap.ts). A `.bicepparam` file gives
 * parameter values (and, named as a template, the template its `using` names).
 */
import * as path from 'node:path';
import type { SourcePosition } from '../../model/resource.js';
import { UserError } from '../../model/errors.js';
import { LIMIT_VARIABLES } from '../../model/limits.js';
import { describeBytes, maxInputBytes, readTextFile } from '../../model/textFile.js';
import { isObject, type Json } from '../../model/value.js';
import { splitPointer } from '../../model/pointer.js';
import { confine } from '../boundary.js';
import { JsonSyntaxError, parseJsonWithPositions, type PositionedJson } from '../json.js';
import { runBicep } from './cli.js';
import { mapToBicep } from './sourceMap.js';
import { isLocalPath, readBicep, type BicepFile } from './syntax.js';
import { foldCase } from '../../model/foldCase.js';

export { findBicepCli, INSTALL_BICEP } from './cli.js';

export function isBicepFile(file: string): boolean {
  return /\.bicep$/i.test(file);
}

export function isBicepParamFile(file: string): boolean {
  return /\.bicepparam$/i.test(file);
}

export interface BicepOptions {
  /** The environment to find the Bicep CLI in (PATH); the CLI gets only a safe part of it. */
  env: NodeJS.ProcessEnv;
  /**
   * The repository root: the Bicep file, and what it may load (`loadTextContent`, modules, `import`),
   * must be inside it (see boundary.ts).
   */
  root: string;
}

/** A compiled Bicep deployment: the template, mapped to its `.bicep` files, and the parameter values a `.bicepparam` gave. */
export interface CompiledBicep {
  template: PositionedJson;
  parameters: PositionedJson | null;
  /** The `.bicep` file the template comes from. */
  templateFile: string;
  /** Every file the compile read: the Bicep files, their local modules and imports, and what `load…()` loads. */
  reads: string[];
}

/** The `.bicep` file a `.bicepparam` file's `using` names, or null (`using none`, a registry template). */
export function usingTarget(paramFile: string): string | null {
  const target = readBicep(readTextFile(paramFile)).using;
  return target && isLocalPath(target) ? path.resolve(path.dirname(paramFile), target) : null;
}

/** Compiles a `.bicep` file into its template, positions mapped to the Bicep files. */
export function compileBicepFile(file: string, options: BicepOptions): CompiledBicep {
  const reads = checkWhatBicepReads(file, options.root);
  const template = parseCompiled(runBicep(file, 'build', options.env), file);
  return { template: mapToBicep(template, file, readTextFile), parameters: null, templateFile: file, reads };
}

/**
 * Compiles a `.bicepparam` file: the parameter values, with positions on its `param` lines, and the
 * template its `using` names.
 */
export function compileBicepParamFile(file: string, options: BicepOptions): CompiledBicep {
  const reads = checkWhatBicepReads(file, options.root);
  const output = parseCompiled(runBicep(file, 'build-params', options.env), file);
  const value = output.value as { [key: string]: Json };
  if (!isObject(output.value) || typeof value.parametersJson !== 'string' || typeof value.templateJson !== 'string')
    throw new UserError(
      'the Bicep CLI did not write parametersJson and templateJson for this parameter file; update the Bicep CLI (build-params --stdout needs version 0.18.4 or later).',
      { file }
    );
  const templateFile = usingTarget(file) ?? file;
  const template = mapToBicep(parseCompiled(value.templateJson, templateFile), templateFile, readTextFile);
  const parsed = readBicep(readTextFile(file));
  const parameters = mapParameters(parseCompiled(value.parametersJson, file), file, parsed);
  return { template, parameters, templateFile, reads };
}

/** Parameter files for a template: JSON ones as files, `.bicepparam` ones compiled to their values. */
export function parameterSources(
  files: string[],
  options: BicepOptions
): { parameterFilesUsed: string[]; parameterDocuments: PositionedJson[] } {
  return {
    parameterFilesUsed: files.filter(f => !isBicepParamFile(f)),
    parameterDocuments: files.filter(isBicepParamFile).flatMap(f => compileBicepParamFile(f, options).parameters ?? [])
  };
}

function parseCompiled(text: string, file: string): PositionedJson {
  const most = maxInputBytes();
  if (Buffer.byteLength(text, 'utf8') > most)
    throw new UserError(
      `the template Bicep compiles this file to is larger than ${describeBytes(most)}, the most cmk-guard reads (${LIMIT_VARIABLES.fileBytes}); split it into modules.`,
      { file }
    );
  try {
    return parseJsonWithPositions(text, file);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw new UserError(
      `the Bicep CLI wrote something that is not JSON for this file (${error.message}); check its version with \`bicep --version\`.`,
      { file }
    );
  }
}

/** Parameter values compiled from a `.bicepparam` file, positioned at its `param` lines. */
function mapParameters(compiled: PositionedJson, file: string, parsed: BicepFile): PositionedJson {
  const map = (pointer: string): SourcePosition => {
    const [section, name] = splitPointer(pointer);
    const declared = section === 'parameters' && name !== undefined ? parsed.named.get(foldCase(name)) : undefined;
    return declared ? { file, ...declared.at } : { file, line: 1, column: 1 };
  };
  return { value: compiled.value, file, positionOf: map, valuePositionOf: map };
}

/**
 * What a Bicep compile may read: the file, the local modules and files it imports, and what its
 * `load…()` functions load. A pull request controls all of them, and a loaded file's text ends up in
 * the template (and so in findings shown on the pull request), so each must stay inside the
 * repository and out of `.git`, where checkouts keep credentials. A `load…()` path that is not a
 * string literal cannot be checked, so it is refused too. Gives every file it found the compile reads.
 */
export function checkWhatBicepReads(file: string, boundary: string): string[] {
  const seen = new Set<string>();
  const loaded = new Set<string>();
  const visit = (current: string, at?: { file: string; line: number; column: number }): void => {
    const resolved = path.resolve(current);
    if (seen.has(resolved) || seen.size > 1000) return;
    seen.add(resolved);
    confine(resolved, boundary, 'the Bicep file', at);
    let parsed: BicepFile;
    try {
      parsed = readBicep(readTextFile(resolved));
    } catch (error) {
      // A module that does not exist is the Bicep CLI's to report, with its line.
      if (error instanceof UserError && at) return;
      throw error;
    }
    const dir = path.dirname(resolved);
    for (const load of parsed.loads) {
      const where = { file: resolved, ...load.at };
      if (load.path === null)
        throw new UserError(
          `${load.function}() here reads a path that is not a string literal; cmk-guard compiles Bicep only when it can check that every file it loads is inside the repository, so write the path as a literal.`,
          where
        );
      const target = path.resolve(dir, load.path);
      // confine also refuses what is inside .git, where a checkout keeps its credentials.
      confine(target, boundary, `the file ${load.function}() loads,`, where);
      loaded.add(target);
    }
    for (const reference of parsed.references)
      if (/\.bicep(param)?$/i.test(reference.path) || reference.path.endsWith('.json'))
        visit(path.resolve(dir, reference.path), { file: resolved, ...reference.at });
  };
  visit(file);
  return [...seen, ...loaded];
}
