/** From globs and folders to expanded templates: which files are templates, and which parameter files go with each. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { INTERNAL_ERROR, UserError } from '../model/errors.js';
import { append } from '../model/lists.js';
import { isObject, setOwn, type Value } from '../model/value.js';
import { deepEquals } from '../expr/functions/args.js';
import { escapeReasons, isWithin } from './boundary.js';
import { JsonSyntaxError, parseJsonWithPositions, type PositionedJson } from './json.js';
import { expandPattern, hasGlob, patternBase } from './glob.js';
import {
  compileBicepFile,
  compileBicepParamFile,
  isBicepFile,
  isBicepParamFile,
  parameterSources,
  usingTarget
} from './bicep/index.js';
import type { ProgressReport } from '../model/progress.js';
import { describeBytes, openRegularFile, UnreadableTextError, readTextFile } from '../model/textFile.js';
import { limit } from '../model/limits.js';
import { TEMPLATE_SCHEMA, conventionalParameterFiles } from './parameters.js';
import {
  expandTemplateDocument,
  notATemplateReason,
  type ExpandedTemplate,
  type TemplateLoadOptions
} from './templates.js';
import { foldCase } from '../model/foldCase.js';

export interface DiscoveryResult {
  templates: ExpandedTemplate[];
  errors: UserError[];
  skipped: { file: string; reason: string }[];
}

function stem(file: string): string {
  return foldCase(path.basename(file).replace(/\.(jsonc?|bicep)$/i, ''));
}

/**
 * How much of a file that cannot be read as a template is searched for the template schema: all of any file
 * GitHub keeps (100 MB at most); past this, a file is taken to name it.
 */
const SCHEMA_SEARCH_BYTES = 1024 * 1024 * 1024;

/** The longest JSON spelling of the schema's file name (every character a \uXXXX escape), and some. */
const SCHEMA_SPELLING_CHARACTERS = 256;

/**
 * Whether a file that is not valid JSON, not text, or too large to read names the template schema anywhere
 * in it, however its JSON spells the name (`deploymentTemplat\u0065.json`), or names both `contentVersion` and
 * `resources` (a template's shape, which ARM deploys without its schema): such a file is an error, never
 * passed over. The tools that deploy templates read more than cmk-guard does — the Azure CLI takes NaN and
 * characters that are not UTF-8, Azure PowerShell single quotes and names without quotes, both send a template
 * padded with white space past 16 MB without it — so what they deploy must not be skipped because the schema
 * stands past the first bytes or is escaped.
 */
function looksLikeTemplate(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openRegularFile(file);
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let read = fs.readSync(fd, chunk, 0, chunk.length, 0);
    const encoding =
      chunk[0] === 0xff && chunk[1] === 0xfe
        ? 'utf-16le'
        : chunk[0] === 0xfe && chunk[1] === 0xff
          ? 'utf-16be'
          : 'utf-8';
    const decoder = new TextDecoder(encoding);
    let carried = '';
    const shape = { contentVersion: false, resources: false };
    for (let done = 0; read > 0; read = fs.readSync(fd, chunk, 0, chunk.length, done)) {
      done += read;
      const text = carried + decoder.decode(chunk.subarray(0, read), { stream: true });
      if (namesTemplateSchema(text)) return true;
      // A template's shape without its schema: the two names ARM requires of a template that deploys anything.
      const plain = unescaped(text);
      shape.contentVersion ||= /contentversion/i.test(plain);
      shape.resources ||= /resources/i.test(plain);
      if (shape.contentVersion && shape.resources) return true;
      if (done >= SCHEMA_SEARCH_BYTES) return true;
      carried = text.slice(-SCHEMA_SPELLING_CHARACTERS);
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Whether a file is a Git LFS pointer (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md: it starts with
 * its `version` line): a pull request that moves templates into LFS (`*.json filter=lfs` in .gitattributes) leaves a
 * checkout without LFS holding pointers, while a pipeline that fetches LFS deploys the templates.
 */
function isLfsPointer(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openRegularFile(file);
    const start = Buffer.alloc(64);
    const read = fs.readSync(fd, start, 0, start.length, 0);
    return /^version https:\/\/(git-lfs\.github\.com|hawser\.github\.com)\/spec\//.test(
      start.subarray(0, read).toString('latin1')
    );
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * The submodules `.gitmodules` names that are not checked out (their folder is missing or empty) under a folder a
 * pattern searches: a pull request can move templates into a submodule, which a pipeline that checks out submodules
 * deploys while a checkout without them holds an empty folder, which no pattern matches and nothing lists.
 */
function absentSubmodules(root: string, patterns: string[], cwd: string): string[] {
  let text: string;
  try {
    const file = path.join(root, '.gitmodules');
    if (!fs.lstatSync(file).isFile()) return [];
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const searched = patterns.map(pattern => patternBase(pattern, cwd));
  const absent: string[] = [];
  for (const match of text.matchAll(/^\s*path\s*=\s*(.+?)\s*$/gm)) {
    const folder = path.resolve(root, match[1]);
    if (!isWithin(root, folder) || !searched.some(base => isWithin(base, folder) || isWithin(folder, base))) continue;
    let entries: string[];
    try {
      entries = fs.readdirSync(folder);
    } catch {
      entries = [];
    }
    if (entries.length === 0) absent.push(folder);
  }
  return [...new Set(absent)];
}

/** Whether JSON text names the template schema, its `\uXXXX` escapes read as the characters they are. */
function namesTemplateSchema(text: string): boolean {
  return TEMPLATE_SCHEMA.test(text) || TEMPLATE_SCHEMA.test(unescaped(text));
}

/** JSON text with its `\uXXXX` escapes read as the characters they are. */
function unescaped(text: string): string {
  if (!text.includes('\\u')) return text;
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The explicit parameter files that belong to a template: all of them when one template
 * was found, otherwise those named `<template stem>.parameters….json` and the `.bicepparam`
 * files whose `using` names it.
 */
function explicitFilesFor(template: string, explicit: string[], templateCount: number): string[] {
  if (templateCount === 1) return explicit;
  const own = stem(template) + '.parameters';
  return explicit.filter(f =>
    isBicepParamFile(f)
      ? usingTargetOrNull(f) === path.resolve(template)
      : stem(f).startsWith(own) && path.dirname(f) === path.dirname(template)
  );
}

function usingTargetOrNull(file: string): string | null {
  try {
    return usingTarget(file);
  } catch {
    return null;
  }
}

/**
 * Whether two templates are the same but for their top-level `metadata` (where Bicep writes its version and
 * the template's hash, which change with the Bicep release that compiled it).
 */
function sameBesideMetadata(a: PositionedJson['value'], b: PositionedJson['value']): boolean {
  const withoutMetadata = (value: PositionedJson['value']) => {
    if (!isObject(value)) return value;
    const copy: { [key: string]: Value } = {};
    for (const key of Object.keys(value)) if (foldCase(key) !== 'metadata') setOwn(copy, key, value[key]);
    return copy;
  };
  return deepEquals(withoutMetadata(a) as Value, withoutMetadata(b) as Value);
}

/**
 * A template whose expansion threw something other than a UserError: out of stack, or a bug, said as such. ARM's
 * limit of 512 variables refuses a long chain of variables before any is evaluated, but not a deep one: 512 that
 * each read the one before through 50 nested calls run out of stack (__tests__/security/deep-values.test.ts).
 */
function templateFailure(error: unknown, file: string): UserError {
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return new UserError(
      'expanding this template ran out of stack: it chains thousands of variables, functions or references one after another (ARM allows at most 512 variables in a template); shorten the chain.',
      { file }
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UserError(`cmk-guard could not expand this template: ${INTERNAL_ERROR}: ${message}.`, {
    file
  });
}

/**
 * The template with the files its Bicep compile read among those it reads: a file `loadJsonContent()` loads
 * gives the template values though no resource is declared in it, so a pull request that changes only that
 * file changes what the template deploys.
 */
function readingToo(template: ExpandedTemplate, reads: string[]): ExpandedTemplate {
  return { ...template, linkedFiles: [...(template.linkedFiles ?? []), ...reads] };
}

/** Whether a parsed JSON template says Bicep compiled it (`metadata._generator.name` is `bicep`). */
function compiledByBicep(value: unknown): boolean {
  const metadata = (value as { metadata?: { _generator?: { name?: unknown } } } | null)?.metadata;
  return typeof metadata?._generator?.name === 'string' && foldCase(metadata._generator.name) === 'bicep';
}

export interface DiscoveryOptions extends TemplateLoadOptions {
  cwd: string;
  /** Told how many files have been read (and their templates expanded), then how many Bicep files compiled. */
  progress?: ProgressReport;
  /**
   * Given each template as soon as it is expanded, instead of `templates`: the caller evaluates it
   * and lets it go, so one template's resources and positions are in memory at a time, not all.
   */
  onTemplate?: (template: ExpandedTemplate) => void;
  /** Patterns that may match nothing (the base's, on a pull request): no error when one does. */
  mayMatchNothing?: readonly string[];
  /**
   * The files a pull request adds or changes, relative to `cwd`: a `.bicep` file among them that no pattern
   * matches is listed among the skipped files, wherever it is.
   */
  changedFiles?: readonly string[] | null;
}

/**
 * Finds the templates that globs, folders and files name and expands each. JSON files that are
 * not deployment templates (package.json, parameter files, anything without a template
 * `$schema`) are skipped with a reason when a glob or a folder happened to match them, and are
 * an error when the user named the file itself; a pattern that matches no template at all is an
 * error too, as nothing would be checked. `.bicep` files are compiled with the Bicep CLI, and a
 * `.bicepparam` file named as a template deploys the template its `using` names. An error in
 * one template does not stop the others.
 */
export function loadTemplates(patterns: string[], options: DiscoveryOptions): DiscoveryResult {
  const result: DiscoveryResult = { templates: [], errors: [], skipped: [] };
  const root = path.resolve(options.root ?? options.cwd);
  const reasons = escapeReasons(root);
  const known = new Map<string, string | null>();
  const escapeReason = (file: string): string | null => {
    let reason = known.get(file);
    if (reason === undefined) known.set(file, (reason = reasons(file)));
    return reason;
  };
  // A parameter file named outside the repository is refused before anything reads it (a
  // `.bicepparam` file is read to pair it with its template).
  const explicit: string[] = [];
  for (const file of (options.parameterFiles ?? []).map(f => path.resolve(options.cwd, f))) {
    const escape = escapeReason(file);
    if (escape)
      result.errors.push(
        new UserError(`cmk-guard does not read the parameter file ${file}: ${escape}; keep it inside the repository.`, {
          file
        })
      );
    else explicit.push(file);
  }
  const env = options.env ?? process.env;
  const files: string[] = [];
  const listed = new Set<string>();
  /** Files the user named one by one (not through a glob or a folder): skipping one would be a silent pass. */
  const named = new Set<string>();
  const matchedBy = new Map<string, string[]>();
  /** node_modules folders the walks passed over: a template in one would otherwise pass unseen. */
  const skippedFolders: string[] = [];
  /** `.bicep` files the globs walked past. */
  const bicepPassed: string[] = [];
  for (const pattern of patterns) {
    let matched: string[];
    try {
      matched = expandPattern(pattern, options.cwd, root, skippedFolders, bicepPassed);
    } catch (error) {
      // A walk past its limit is that pattern's error; the other patterns are still read.
      if (!(error instanceof UserError)) throw error;
      result.errors.push(error);
      continue;
    }
    if (matched.length === 0 && !options.mayMatchNothing?.includes(pattern)) {
      result.errors.push(new UserError(`no files match '${pattern}'; check the pattern or folder.`, { file: pattern }));
    }
    matchedBy.set(pattern, matched);
    if (!hasGlob(pattern) && matched.length === 1 && isFile(matched[0])) named.add(matched[0]);
    for (const file of matched) {
      if (listed.has(file)) continue;
      listed.add(file);
      files.push(file);
    }
  }
  for (const folder of new Set(skippedFolders))
    result.skipped.push({
      file: folder,
      reason: 'a node_modules folder: not searched; name it in a pattern of its own to check templates in it'
    });
  for (const entry of unmatchedBicep(files, bicepPassed, options)) result.skipped.push(entry);
  for (const folder of absentSubmodules(root, patterns, options.cwd))
    result.skipped.push({
      file: folder,
      reason:
        'a git submodule this checkout does not hold: its templates, if it has any, are not checked; check out with `submodules: true` (actions/checkout)'
    });
  const pass = (file: string, reason: string, fix: string): void => {
    if (named.has(file))
      result.errors.push(new UserError(`this file was named as a template, but it is ${reason}; ${fix}.`, { file }));
    else result.skipped.push({ file, reason });
  };
  /** Errors met while reading, then those of expanding: the order of reading every file before expanding any. */
  const expandErrors: UserError[] = [];
  const candidates: string[] = [];
  const bicepFiles: string[] = [];
  const bicepParamFiles: string[] = [];
  const failed = new Set<string>();
  const progress = options.progress;
  // Whether exactly one template is checked decides which parameter files go with it; Bicep files count by
  // their name alone, and JSON templates as they are read. A JSON template is held until the count is known
  // to be more than one (or the files are all read), then expanded and let go.
  const bicepCount = files.filter(
    file =>
      !escapeReason(file) &&
      !explicit.includes(file) &&
      (isBicepFile(file) || (isBicepParamFile(file) && named.has(file)))
  ).length;
  let held: { file: string; doc: PositionedJson } | undefined;
  /** JSON templates Bicep says it compiled from a Bicep file that is checked too. */
  const compiledBeside: { file: string; doc: PositionedJson; source: string }[] = [];
  const templateCount = () => candidates.length + bicepFiles.length + bicepParamFiles.length;
  const parameterFilesFor = (template: string, count: number): string[] => {
    const used = explicitFilesFor(template, explicit, count);
    return used.length ? used : conventionalParameterFiles(template);
  };
  const deliver = (expanded: ExpandedTemplate): void => {
    if (options.onTemplate) options.onTemplate(expanded);
    else result.templates.push(expanded);
  };
  const expand = (file: string, action: () => ExpandedTemplate): void => {
    let expanded: ExpandedTemplate;
    try {
      expanded = action();
    } catch (error) {
      if (error instanceof UserError) {
        expandErrors.push(error);
        failed.add(file);
        return;
      }
      // One template spoils only itself, whatever goes wrong in it: the other templates are still evaluated.
      expandErrors.push(templateFailure(error, file));
      failed.add(file);
      return;
    }
    append(expandErrors, expanded.errors);
    deliver(expanded);
  };
  const bicep = { env, root };
  const withParameters = (doc: PositionedJson, template: string, count: number) =>
    expandTemplateDocument(doc, { ...options, root, ...parameterSources(parameterFilesFor(template, count), bicep) });
  const expandHeld = (count: number): void => {
    if (!held) return;
    const { file, doc } = held;
    held = undefined;
    expand(file, () => withParameters(doc, file, count));
  };
  for (const [read, file] of files.entries()) {
    progress?.('reading templates', read, files.length);
    const escape = escapeReason(file);
    if (escape) {
      result.errors.push(
        new UserError(`cmk-guard does not read ${file}: ${escape}; keep templates inside the repository.`, {
          file
        })
      );
      failed.add(file);
      continue;
    }
    if (explicit.includes(file)) {
      pass(file, 'a parameter file given with --parameters', 'name it only as a parameter file');
      continue;
    }
    if (isBicepFile(file)) {
      bicepFiles.push(file);
      continue;
    }
    if (isBicepParamFile(file)) {
      if (named.has(file)) bicepParamFiles.push(file);
      else
        result.skipped.push({ file, reason: 'a Bicep parameter file (pair it with its template with --parameters)' });
      continue;
    }
    if (!/\.jsonc?$/i.test(file)) {
      pass(file, 'not a .json or .bicep file', 'give an ARM template (.json) or a Bicep file (.bicep)');
      continue;
    }
    let doc;
    try {
      doc = parseJsonWithPositions(readTextFile(file), file);
    } catch (error) {
      if (error instanceof JsonSyntaxError && isLfsPointer(file)) {
        // What the pipeline deploys is the file Git LFS stores, which this checkout does not hold.
        result.errors.push(
          new UserError(
            'this file is a Git LFS pointer, not the file it stands for: check out with `lfs: true` (actions/checkout) so that cmk-guard reads what is deployed.',
            { file }
          )
        );
        failed.add(file);
      } else if (error instanceof JsonSyntaxError && !looksLikeTemplate(file)) {
        pass(file, 'not valid JSON', 'fix the JSON, or leave the file out of the patterns');
      } else if (error instanceof UnreadableTextError && error.kind === 'too-large') {
        // Azure Resource Manager refuses templates over 4 MB; a file that says it is a template is an error.
        if (looksLikeTemplate(file) || named.has(file)) {
          result.errors.push(error);
          failed.add(file);
        } else result.skipped.push({ file, reason: `larger than ${describeBytes(limit('fileBytes'))}, not read` });
      } else if (error instanceof UnreadableTextError && !looksLikeTemplate(file)) {
        pass(file, 'not UTF-8 text', 'save it as UTF-8');
      } else if (error instanceof UserError) {
        result.errors.push(error);
        failed.add(file);
      } else {
        throw error;
      }
      continue;
    }
    const reason = notATemplateReason(doc.value);
    if (reason) {
      pass(file, reason, 'give a deployment template (its $schema ends in deploymentTemplate.json#)');
      continue;
    }
    // The JSON Bicep compiled, committed beside the Bicep file that is checked: the same resources twice,
    // unless it is not what the Bicep file compiles to (decided once that is compiled, below).
    const source = file.replace(/\.jsonc?$/i, '.bicep');
    if (
      compiledByBicep(doc.value) &&
      bicepFiles.concat(files).some(f => foldCase(f) === foldCase(source)) &&
      !named.has(file)
    ) {
      compiledBeside.push({ file, doc, source });
      continue;
    }
    candidates.push(file);
    // More than one template: the held one and this one are expanded now, with that count.
    if (candidates.length + bicepCount > 1) {
      expandHeld(2);
      expand(file, () => withParameters(doc, file, 2));
    } else held = { file, doc };
  }
  progress?.('reading templates', files.length, files.length);
  expandHeld(templateCount());
  const bicepTotal = bicepFiles.length + bicepParamFiles.length;
  let bicepDone = 0;
  /** What each Bicep file compiled to, by its name in lower case. */
  const compiledValues = new Map<string, PositionedJson['value']>();
  for (const file of bicepFiles) {
    progress?.('compiling Bicep files', bicepDone++, bicepTotal);
    expand(file, () => {
      const compiled = compileBicepFile(file, bicep);
      compiledValues.set(foldCase(file), compiled.template.value);
      return readingToo(withParameters(compiled.template, file, templateCount()), compiled.reads);
    });
  }
  for (const file of bicepParamFiles) {
    progress?.('compiling Bicep files', bicepDone++, bicepTotal);
    expand(file, () => {
      const compiled = compileBicepParamFile(file, bicep);
      return readingToo(
        expandTemplateDocument(compiled.template, {
          ...options,
          root,
          parameterDocuments: compiled.parameters ? [compiled.parameters] : []
        }),
        compiled.reads
      );
    });
  }
  if (bicepTotal) progress?.('compiling Bicep files', bicepTotal, bicepTotal);
  // A pull request could edit only the committed JSON (the file a pipeline may deploy) and keep its
  // metadata: it is left out only when it is what its Bicep file compiles to, metadata aside.
  for (const { file, doc, source } of compiledBeside) {
    const built = compiledValues.get(foldCase(source));
    if (built !== undefined && sameBesideMetadata(built, doc.value)) {
      result.skipped.push({ file, reason: `compiled from ${path.basename(source)}, which is checked instead` });
      continue;
    }
    candidates.push(file);
    expand(file, () => withParameters(doc, file, templateCount()));
  }
  append(result.errors, expandErrors);
  // A pattern that matched files but not one template checks nothing: say so rather than pass.
  const templateFiles = new Set([...candidates, ...bicepFiles, ...bicepParamFiles, ...failed]);
  for (const [pattern, matched] of matchedBy) {
    if (matched.length === 0 || matched.some(f => templateFiles.has(f)) || matched.every(f => named.has(f))) continue;
    const reasons = result.skipped.filter(s => matched.includes(s.file));
    const shown = reasons
      .slice(0, 3)
      .map(s => `${path.relative(options.cwd, s.file) || s.file} (${s.reason})`)
      .join(', ');
    result.errors.push(
      new UserError(
        `'${pattern}' matches ${matched.length} ${matched.length === 1 ? 'file' : 'files'} but no deployment template${shown ? `: ${shown}${reasons.length > 3 ? ', …' : ''}` : ''}; point it at your ARM templates (.json) or Bicep files (.bicep).`,
        { file: pattern }
      )
    );
  }
  return result;
}

/**
 * The `.bicep` files nothing checks that are listed with the skipped ones, so that the summary shows them: where no
 * pattern matches a Bicep file (the default `**` `/*.json`), those under the folders the globs search, and on a pull
 * request those it adds or changes that no pattern matches. A pull request that converts `main.json` to
 * `main.bicep` would otherwise take it out of the check unsaid. The default stays JSON: checking Bicep files needs
 * the Bicep CLI, and would check each module on its own. Skipped files are said, not failed (issue #14).
 */
function unmatchedBicep(
  files: readonly string[],
  passed: readonly string[],
  options: DiscoveryOptions
): { file: string; reason: string }[] {
  const listed = new Set(files.map(foldCase));
  const checksBicep = files.some(isBicepFile);
  const changed = (options.changedFiles ?? [])
    .filter(file => isBicepFile(file))
    .map(file => path.resolve(options.cwd, file))
    .filter(isFile);
  const seen = new Set<string>();
  const out: { file: string; reason: string }[] = [];
  for (const file of [...(checksBicep ? [] : passed), ...changed]) {
    const key = foldCase(file);
    if (listed.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push({
      file,
      reason: checksBicep
        ? 'a Bicep file no pattern of `templates` matches: not checked on its own (a module is checked where a checked file uses it); add it to `templates` to check it'
        : 'a Bicep file: add `**/*.bicep` to `templates` to check it (needs the Bicep CLI)'
    });
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
