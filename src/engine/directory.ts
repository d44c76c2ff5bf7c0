/**
 * Loading every policy definition under a folder: JSON files (a UTF-8 BOM is allowed) that hold a
 * definition, an initiative or a list of them in any accepted shape (definitionFiles.ts).
 * Assignments, exemptions and other JSON are passed over and listed as skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { definitionShape, type CompiledDefinition } from './definition.js';
import { readDefinitionJson, type DefinitionFileContents, type PolicySet } from './definitionFiles.js';
import { UserError, type InputLocation } from '../model/errors.js';
import { append } from '../model/lists.js';
import type { ProgressReport } from '../model/progress.js';
import { parseJsonText } from '../model/jsonText.js';
import { readTextFile } from '../model/textFile.js';
import { foldCase } from '../model/foldCase.js';

export interface DirectoryLoad {
  loaded: CompiledDefinition[];
  /** Policy set definitions (initiatives), evaluated through their members. */
  sets: PolicySet[];
  failures: { file: string; kind: 'invalid' | 'unsupported'; message: string; location?: InputLocation }[];
  skipped: { file: string; reason: string }[];
}

/** Whether a walk for definition files goes into the folder of this name: not `node_modules`, nor a dot folder. */
export function isWalkedFolder(name: string): boolean {
  return name !== 'node_modules' && !name.startsWith('.');
}

/** Whether a walk for definition files reads the file of this name: a JSON file. */
export function isJsonFileName(name: string): boolean {
  return foldCase(name).endsWith('.json');
}

/**
 * The JSON files under `dir`, sorted, outside `node_modules` and dot folders. Symbolic links to
 * files are listed only when `links` (the caller then decides whether each may be read); links to
 * folders are never walked.
 */
function jsonFiles(dir: string, links: boolean): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (isWalkedFolder(entry.name)) visit(full);
      } else if ((entry.isFile() || (links && entry.isSymbolicLink())) && isJsonFileName(entry.name)) {
        out.push(full);
      }
    }
  };
  visit(dir);
  return out;
}

/** What a parsed JSON file holds: a definition, or why it is not one. */
export function classifyDefinitionFile(json: unknown): { definition: true } | { definition: false; reason: string } {
  if (definitionShape(json)) return { definition: true };
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const obj = json as Record<string, unknown>;
    const props = (obj.properties ?? obj) as Record<string, unknown>;
    const type = typeof obj.type === 'string' ? foldCase(obj.type) : '';
    if (type.endsWith('policysetdefinitions') || (props && typeof props === 'object' && 'policyDefinitions' in props)) {
      return { definition: false, reason: 'a policy set definition (initiative)' };
    }
    if (type.endsWith('policyassignments') || (props && typeof props === 'object' && 'policyDefinitionId' in props)) {
      return { definition: false, reason: 'a policy assignment' };
    }
  }
  return { definition: false, reason: 'not a policy definition' };
}

/**
 * A definition file's JSON. JSON.parse's own message quotes the file's text; the error here gives
 * the line and column and quotes nothing but the offending character.
 */
export function parseDefinitionFile(file: string): unknown {
  return parseDefinitionText(file, readTextFile(file));
}

function parseDefinitionText(file: string, text: string): unknown {
  return parseJsonText(text.replace(/^\uFEFF/, ''), file, 'the definition file', 'fix the JSON.');
}

/**
 * Checks a file before it is read; throws a UserError (the file's failure) when it may not be, e.g.
 * a symbolic link that leads outside the repository (the caller's boundary, src/sources/boundary.ts).
 */
export type ReadCheck = (file: string) => void;

/**
 * Texts that stand for files, by path: on a pull request, the definition files as they are at its base where the
 * change alters or removes them (src/run.ts). A path here is read from its text, whether the folder has it or not.
 */
export type DefinitionTexts = ReadonlyMap<string, string>;

export function loadDefinitionsFromDirectory(
  dir: string,
  progress?: ProgressReport,
  check?: ReadCheck,
  written?: DefinitionTexts
): DirectoryLoad {
  const result: DirectoryLoad = { loaded: [], sets: [], failures: [], skipped: [] };
  const files = fs.existsSync(dir) ? jsonFiles(dir, check !== undefined) : [];
  const absent = [...(written?.keys() ?? [])].filter(file => !files.includes(file));
  if (absent.length) {
    // In the order a walk of the folder would have met them, had they been there.
    const segments = (file: string) => path.relative(dir, file).split(path.sep);
    const order = (a: string, b: string) => {
      const [x, y] = [segments(a), segments(b)];
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
      return x.length - y.length;
    };
    files.push(...absent);
    files.sort(order);
  }
  for (const [read, file] of files.entries()) {
    progress?.('reading definitions', read, files.length);
    const text = written?.get(file);
    const contents =
      text !== undefined ? readDefinitionText(file, text) : (checked(file, check) ?? readDefinitionFile(file));
    append(result.loaded, contents.definitions);
    append(result.sets, contents.sets);
    append(
      result.failures,
      contents.failures.map(f => ({ file, kind: f.kind, message: f.message, location: f.location }))
    );
    append(result.skipped, contents.skipped);
  }
  progress?.('reading definitions', files.length, files.length);
  return result;
}

/** A file that yields nothing but this error. */
function failed(file: string, error: unknown): DefinitionFileContents {
  if (!(error instanceof UserError)) throw error;
  return {
    definitions: [],
    sets: [],
    failures: [{ file, at: '', kind: 'invalid', message: error.message, location: error.location }],
    skipped: []
  };
}

/** The failure of a file `check` refuses, or null when it may be read. */
function checked(file: string, check: ReadCheck | undefined): DefinitionFileContents | null {
  try {
    check?.(file);
    return null;
  } catch (error) {
    return failed(file, error);
  }
}

/** The definitions under a folder, or in one file; `check` is asked about each file a folder holds. */
export function loadDefinitionsFromPath(
  target: string,
  progress?: ProgressReport,
  check?: ReadCheck,
  written?: DefinitionTexts
): DirectoryLoad {
  const text = written?.get(target);
  if (text === undefined && (!fs.existsSync(target) || fs.statSync(target).isDirectory()))
    return loadDefinitionsFromDirectory(target, progress, check, written);
  const { definitions, sets, failures, skipped } =
    text !== undefined ? readDefinitionText(target, text) : readDefinitionFile(target);
  return { loaded: definitions, sets, failures, skipped };
}

/**
 * One file of definitions: a definition, an initiative, or a list of them (`az policy definition
 * list`); a file that is not JSON is a failure.
 */
export function readDefinitionFile(file: string): DefinitionFileContents {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (error) {
    return failed(file, error);
  }
  return readDefinitionText(file, text);
}

/** One file of definitions from its text (read from the file, or from git at a pull request's base). */
function readDefinitionText(file: string, text: string): DefinitionFileContents {
  let json: unknown;
  try {
    json = parseDefinitionText(file, text);
  } catch (error) {
    return failed(file, error);
  }
  return readDefinitionJson(json, file);
}
