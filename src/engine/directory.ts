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
import type { ProgressReport } from '../model/progress.js';
import { readTextFile } from '../model/textFile.js';

export interface DirectoryLoad {
  loaded: CompiledDefinition[];
  /** Policy set definitions (initiatives), evaluated through their members. */
  sets: PolicySet[];
  failures: { file: string; kind: 'invalid' | 'unsupported'; message: string; location?: InputLocation }[];
  skipped: { file: string; reason: string }[];
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of fs
      .readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) visit(full);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
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
    const type = typeof obj.type === 'string' ? obj.type.toLowerCase() : '';
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
  const text = readTextFile(file).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const token = /^Unexpected token '(.)'/u.exec(message)?.[1];
    let at: InputLocation = { file };
    let found = token === undefined ? 'text' : `'${token}'`;
    if (position) {
      const offset = Number(position[1]);
      const before = text.slice(0, offset).split('\n');
      at = { file, line: before.length, column: before[before.length - 1].length + 1 };
      found = offset < text.length ? `'${text[offset]}'` : 'end of file';
    } else if (/end of JSON input/.test(message)) {
      found = 'end of file';
    }
    throw new UserError(`the definition file is not valid JSON: unexpected ${found}; fix the JSON.`, at);
  }
}

export function loadDefinitionsFromDirectory(dir: string, progress?: ProgressReport): DirectoryLoad {
  const result: DirectoryLoad = { loaded: [], sets: [], failures: [], skipped: [] };
  const files = jsonFiles(dir);
  for (const [read, file] of files.entries()) {
    progress?.('reading definitions', read, files.length);
    const contents = readDefinitionFile(file);
    result.loaded.push(...contents.definitions);
    result.sets.push(...contents.sets);
    result.failures.push(
      ...contents.failures.map(f => ({ file, kind: f.kind, message: f.message, location: f.location }))
    );
    result.skipped.push(...contents.skipped);
  }
  progress?.('reading definitions', files.length, files.length);
  return result;
}

/** The definitions under a folder, or in one file. */
export function loadDefinitionsFromPath(target: string, progress?: ProgressReport): DirectoryLoad {
  if (fs.statSync(target).isDirectory()) return loadDefinitionsFromDirectory(target, progress);
  const { definitions, sets, failures, skipped } = readDefinitionFile(target);
  return { loaded: definitions, sets, failures, skipped };
}

/**
 * One file of definitions: a definition, an initiative, or a list of them (`az policy definition
 * list`); a file that is not JSON is a failure.
 */
export function readDefinitionFile(file: string): DefinitionFileContents {
  let json: unknown;
  try {
    json = parseDefinitionFile(file);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return {
      definitions: [],
      sets: [],
      failures: [{ file, at: '', kind: 'invalid', message: error.message, location: error.location }],
      skipped: []
    };
  }
  return readDefinitionJson(json, file);
}
