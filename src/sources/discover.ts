/** From globs and folders to expanded templates: which files are templates, and which parameter files go with each. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../model/errors.js';
import { boundaryFor, escapeReason } from './boundary.js';
import { JsonSyntaxError, parseJsonWithPositions } from './json.js';
import { expandPattern } from './glob.js';
import { MAX_INPUT_BYTES, UnreadableTextError, readTextFile } from '../model/textFile.js';
import { TEMPLATE_SCHEMA, conventionalParameterFile } from './parameters.js';
import {
  expandTemplateDocument,
  notATemplateReason,
  type ExpandedTemplate,
  type TemplateLoadOptions
} from './templates.js';

export interface DiscoveryResult {
  templates: ExpandedTemplate[];
  errors: UserError[];
  skipped: { file: string; reason: string }[];
}

function stem(file: string): string {
  return path
    .basename(file)
    .replace(/\.jsonc?$/i, '')
    .toLowerCase();
}

/** Whether a file that is not text still names the template schema, as a template in a legacy encoding would. */
function looksLikeTemplate(file: string): boolean {
  try {
    return TEMPLATE_SCHEMA.test(fs.readFileSync(file).toString('latin1'));
  } catch {
    return false;
  }
}

/**
 * The explicit parameter files that belong to a template: all of them when one template
 * was found, otherwise those named `<template stem>.parameters….json`.
 */
function explicitFilesFor(template: string, explicit: string[], templateCount: number): string[] {
  if (templateCount === 1) return explicit;
  const own = stem(template) + '.parameters';
  return explicit.filter(f => stem(f).startsWith(own) && path.dirname(f) === path.dirname(template));
}

/**
 * Finds the templates that globs or folders name and expands each. JSON files that are not
 * deployment templates (package.json, parameter files, anything without a template
 * `$schema`) are skipped with a reason; an error in one template does not stop the others.
 */
export function loadTemplates(patterns: string[], options: TemplateLoadOptions & { cwd: string }): DiscoveryResult {
  const result: DiscoveryResult = { templates: [], errors: [], skipped: [] };
  const explicit = (options.parameterFiles ?? []).map(f => path.resolve(options.cwd, f));
  const root = path.resolve(options.root ?? options.cwd);
  const files: string[] = [];
  for (const pattern of patterns) {
    const matched = expandPattern(pattern, options.cwd, root);
    if (matched.length === 0) {
      result.errors.push(new UserError(`no files match '${pattern}'; check the pattern or folder.`, { file: pattern }));
    }
    for (const file of matched) if (!files.includes(file)) files.push(file);
  }
  const candidates: { file: string; doc: ReturnType<typeof parseJsonWithPositions> }[] = [];
  for (const file of files) {
    const escape = escapeReason(file, boundaryFor(file, root));
    if (escape) {
      result.errors.push(
        new UserError(`cmk-guard does not read ${file}: ${escape}; keep templates inside the repository.`, { file })
      );
      continue;
    }
    if (explicit.includes(file)) {
      result.skipped.push({ file, reason: 'a parameter file' });
      continue;
    }
    if (!/\.jsonc?$/i.test(file)) {
      result.skipped.push({ file, reason: 'not a .json file' });
      continue;
    }
    let doc;
    try {
      doc = parseJsonWithPositions(readTextFile(file), file);
    } catch (error) {
      // A file that does not even parse is reported only when it looks like a template.
      if (error instanceof JsonSyntaxError && !TEMPLATE_SCHEMA.test(readTextFile(file))) {
        result.skipped.push({ file, reason: 'not valid JSON' });
      } else if (error instanceof UnreadableTextError && error.kind === 'too-large') {
        // Azure Resource Manager refuses templates over 4 MB, so nothing deployable is passed over.
        result.skipped.push({ file, reason: `larger than ${MAX_INPUT_BYTES / 1024 / 1024} MB, not read` });
      } else if (error instanceof UnreadableTextError && !looksLikeTemplate(file)) {
        result.skipped.push({ file, reason: 'not UTF-8 text' });
      } else if (error instanceof UserError) {
        result.errors.push(error);
      } else {
        throw error;
      }
      continue;
    }
    const reason = notATemplateReason(doc.value);
    if (reason) {
      result.skipped.push({ file, reason });
      continue;
    }
    candidates.push({ file, doc });
  }
  for (const { file, doc } of candidates) {
    try {
      let parameterFilesUsed = explicitFilesFor(file, explicit, candidates.length);
      if (parameterFilesUsed.length === 0) {
        const paired = conventionalParameterFile(file);
        parameterFilesUsed = paired ? [paired] : [];
      }
      const expanded = expandTemplateDocument(doc, { ...options, root, parameterFilesUsed });
      result.templates.push(expanded);
      result.errors.push(...expanded.errors);
    } catch (error) {
      if (error instanceof UserError) result.errors.push(error);
      else throw error;
    }
  }
  return result;
}
