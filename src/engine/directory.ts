/**
 * Loading every policy definition under a folder: JSON files (a UTF-8 BOM is allowed) that hold a
 * definition, an initiative or a list of them in any accepted shape (definitionFiles.ts).
 * Assignments, exemptions and other JSON are passed over and listed as skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { definitionShape, type CompiledDefinition } from './definition.js';
import { readDefinitionJson, type DefinitionFileContents, type PolicySet } from './definitionFiles.js';
import { UserError } from '../model/errors.js';
import { readTextFile } from '../model/textFile.js';

export interface DirectoryLoad {
  loaded: CompiledDefinition[];
  /** Policy set definitions (initiatives), evaluated through their members. */
  sets: PolicySet[];
  failures: { file: string; kind: 'invalid' | 'unsupported'; message: string }[];
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

export function loadDefinitionsFromDirectory(dir: string): DirectoryLoad {
  const result: DirectoryLoad = { loaded: [], sets: [], failures: [], skipped: [] };
  for (const file of jsonFiles(dir)) {
    const contents = readDefinitionFile(file);
    result.loaded.push(...contents.definitions);
    result.sets.push(...contents.sets);
    result.failures.push(...contents.failures.map(f => ({ file, kind: f.kind, message: f.message })));
    result.skipped.push(...contents.skipped);
  }
  return result;
}

/** The definitions under a folder, or in one file. */
export function loadDefinitionsFromPath(target: string): DirectoryLoad {
  if (fs.statSync(target).isDirectory()) return loadDefinitionsFromDirectory(target);
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
    json = JSON.parse(readTextFile(file).replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = error instanceof UserError ? error.message : `not valid JSON: ${(error as Error).message}`;
    return { definitions: [], sets: [], failures: [{ file, at: '', kind: 'invalid', message }], skipped: [] };
  }
  return readDefinitionJson(json, file);
}
