/**
 * The one pipeline behind both doors: rules and definitions are loaded and compiled once,
 * resources come from templates, snapshots or both, the engine gives findings, and the
 * findings document is what every reporter renders.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { aliasCatalogFromPathLookup, compileRule, type AliasCatalog } from './compiler/index.js';
import { aliasPath } from './engine/aliases.js';
import type { CompiledDefinition } from './engine/index.js';
import {
  evaluateDefinitions,
  evaluationPlan,
  loadDefinition,
  loadDefinitionsFromPath,
  type PolicySet
} from './engine/index.js';
import type { Json } from './model/value.js';
import { collectUserErrors, throwUserErrors, UserError, UserErrors } from './model/errors.js';
import type { Finding, FindingsDocument } from './model/finding.js';
import type { Resource } from './model/resource.js';
import { displayPath } from './paths.js';
import type { Rule } from './rules/index.js';
import { loadPolicyDirectory } from './rules/index.js';
import { applySelection, atOrAboveMinimum, type RuleSelection, type Selectable } from './rules/selection.js';
import { loadResourceSnapshot, loadTemplates } from './sources/index.js';
import { VERSION } from './version.js';
import { inBaseCheckout, readBaseCheckout, readFilesAtCommit } from './pr/baseCheckout.js';
import { compilePullRequestChecks, type PullRequestChecks } from './pr/rules.js';
import { pairResources } from './pr/transition.js';
import type { RuleOverride } from './config/load.js';
import { planOverrides, type OverridePlan } from './config/overrides.js';
import { applyExceptions } from './exceptions/apply.js';
import { applyBaseline, readBaseline } from './exceptions/baseline.js';
import { inlineExceptions } from './exceptions/inline.js';
import { baselineChange, markNewExceptions, type BaseText } from './exceptions/pullRequest.js';
import type { Exception } from './exceptions/model.js';
import { closest } from './rules/suggest.js';

export interface EvaluateRequest {
  /** The workspace: relative paths are resolved and reported from here. */
  cwd: string;
  /** Folders of cmk-guard rule files (each with its pack manifest). */
  policies?: string | string[];
  /** Azure Policy definition files or folders: the team's own, or Azure's built-ins. */
  definitions?: string[];
  /** Globs or folders of ARM templates. */
  templates?: string[];
  /** Parameter files, paired with templates by name unless only one template is scanned. */
  parameters?: string[];
  /** Parameter values that win over defaults and parameter files. */
  parameterOverrides?: Record<string, Json>;
  /** Resource snapshots: a JSON array, or `{"value": [...]}`. */
  resources?: string[];
  /** The PR's base (a git ref) for transition rules: the same templates, read from git at that commit. */
  base?: string;
  /** Or the base's templates as files (globs or folders): for comparing two folders, or a checkout of the base. */
  baseTemplates?: string[];
  /**
   * Whether a base that cannot be read is an error (the user named it) or a note that transition
   * rules were not evaluated (the action's default, the pull request's base commit, in a shallow clone).
   */
  baseRequired?: boolean;
  /** When set, only findings in these files (workspace-relative) are reported. */
  changedFiles?: string[] | null;
  /** Which rules and definitions run (`--rules`, `--skip-rules`, `--min-severity`); absent runs them all. */
  selection?: RuleSelection;
  /** Per-rule severity and effect, from the configuration file. */
  overrides?: RuleOverride[];
  /** Accepted exceptions from the configuration file (inline ones are read from the templates). */
  exceptions?: Exception[];
  /** A findings document from an earlier run: its findings are marked `baselined` and do not fail. */
  baseline?: string;
  /** The run's clock, for exceptions' expiry dates (fixed in tests). */
  now?: Date;
  /** Where to find the Bicep CLI (PATH); defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
}

let engineCatalog: AliasCatalog | undefined;

/** The engine's alias catalog, asked in the direction the compiler needs; built once. */
export function engineAliasCatalog(): AliasCatalog {
  if (!engineCatalog) engineCatalog = aliasCatalogFromPathLookup(aliasPath);
  return engineCatalog;
}

interface LoadedRules {
  definitions: CompiledDefinition[];
  rules: Map<string, Rule>;
  pullRequest: PullRequestChecks;
  /** Names of the transition rules that run: they need a base to compare with. */
  transitionRules: string[];
  /** Rules and definitions the selection left out. */
  leftOut: NotRun[];
  overrides: OverridePlan;
  /** Files under the definitions paths that are not definitions (assignments, say). */
  skipped: { file: string; reason: string }[];
}

type NotRun = NonNullable<FindingsDocument['notRun']>[number];

function loadRules(request: EvaluateRequest): LoadedRules {
  const { definitions: external, skipped } = loadExternalDefinitions(request);
  const loaded = loadPolicyFolders(request);
  const candidates: (Selectable & ({ rule: Rule } | { definition: CompiledDefinition }))[] = [
    ...loaded.map(rule => ({ name: rule.name, severity: rule.severity, rule })),
    ...external.map(definition => ({ name: definition.name, definition }))
  ];
  if (candidates.length === 0)
    throw new UserError(
      'there is nothing to evaluate with: no rules (the policies are turned off) and no policy definitions; use the bundled rules, or give a rules folder or definitions.'
    );
  const { selected, leftOut } = applySelection(candidates, request.selection);
  const chosen = selected.flatMap(c => ('rule' in c ? [c.rule] : []));
  const definitions: CompiledDefinition[] = [];
  const rules = new Map<string, Rule>();
  let pullRequest: PullRequestChecks = { relations: [], transitions: [] };
  const errors: UserError[] = [];
  for (const rule of chosen) rules.set(rule.name, rule);
  collectUserErrors(errors, () => {
    pullRequest = compilePullRequestChecks(chosen);
  });
  for (const rule of chosen) {
    if (rule.kind !== 'policy') continue;
    collectUserErrors(errors, () => {
      const body = compileRule(rule, engineAliasCatalog());
      definitions.push(loadDefinition({ file: rule.file, json: body }));
    });
  }
  if (errors.length) throw new UserErrors(errors);
  definitions.push(...selected.flatMap(c => ('definition' in c ? [c.definition] : [])));
  // An override of a rule the selection left out waits for a run that has it; one naming nothing loaded is an error.
  const leftOutNames = new Set(leftOut.flatMap(entry => entry.names));
  const overrides = planOverrides(
    (request.overrides ?? []).filter(o => !leftOutNames.has(o.name)),
    rules,
    definitions,
    leftOutNames
  );
  return {
    definitions,
    rules,
    pullRequest,
    transitionRules: chosen.filter(r => r.kind === 'transition').map(r => r.name),
    leftOut: leftOut.map(entry => ({ rules: entry.names, reason: entry.reason })),
    overrides,
    skipped
  };
}

/** The rule files of every folder the request names; a name used in two folders is an error. */
function loadPolicyFolders(request: EvaluateRequest): Rule[] {
  const folders = request.policies === undefined ? [] : [request.policies].flat();
  const byName = new Map<string, Rule>();
  const errors: UserError[] = [];
  for (const folder of folders) {
    collectUserErrors(errors, () => {
      for (const rule of loadPolicyDirectory(path.resolve(request.cwd, folder)).rules) {
        const first = byName.get(rule.name);
        if (first)
          throw new UserError(
            `rule name \`${rule.name}\` is already used by ${first.file}; give one of the two rules another name, or leave one folder out.`,
            rule.positionOf('/name') ?? { file: rule.file }
          );
        byName.set(rule.name, rule);
      }
    });
  }
  if (errors.length) throw new UserErrors(errors);
  return [...byName.values()];
}

/** The Azure Policy definitions the request names, loaded. */
export function loadExternalDefinitions(request: Pick<EvaluateRequest, 'cwd' | 'definitions'>): {
  definitions: CompiledDefinition[];
  skipped: { file: string; reason: string }[];
} {
  const definitions: CompiledDefinition[] = [];
  const sets: PolicySet[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const errors: UserError[] = [];
  for (const entry of request.definitions ?? []) {
    const target = path.resolve(request.cwd, entry);
    if (!existsSync(target))
      throw new UserError('cannot read the definitions path: it does not exist; check the path.', { file: entry });
    const contents = loadDefinitionsFromPath(target);
    errors.push(...contents.failures.map(f => new UserError(f.message, { file: displayPath(f.file, request.cwd) })));
    // A definitions path the user named that holds no definition would check nothing.
    if (contents.loaded.length === 0 && contents.sets.length === 0 && contents.failures.length === 0)
      errors.push(
        new UserError(
          `holds no policy definition or initiative${contents.skipped.length ? ` (${contents.skipped.length} JSON ${contents.skipped.length === 1 ? 'file is' : 'files are'} something else, e.g. ${contents.skipped[0].reason})` : ''}; give a definition file or folder, or the output of az policy definition list.`,
          { file: entry }
        )
      );
    definitions.push(...contents.loaded);
    sets.push(...contents.sets);
    skipped.push(...contents.skipped.map(s => ({ file: displayPath(s.file, request.cwd), reason: s.reason })));
  }
  throwUserErrors(errors);
  const plan = evaluationPlan(definitions, sets);
  throwUserErrors(plan.errors);
  return { definitions: plan.definitions, skipped };
}

function relativeFindings(findings: Finding[], cwd: string): Finding[] {
  return findings.map(f =>
    f.resource.file === null ? f : { ...f, resource: { ...f.resource, file: displayPath(f.resource.file, cwd) } }
  );
}

export async function evaluateRepository(request: EvaluateRequest): Promise<FindingsDocument> {
  const {
    definitions,
    rules,
    pullRequest,
    transitionRules,
    leftOut,
    overrides,
    skipped: notDefinitions
  } = loadRules(request);
  const notRun: NotRun[] = [...leftOut];
  const resources: Resource[] = [];
  const deployments: Resource[][] = [];
  const errors: NonNullable<FindingsDocument['errors']> = [];
  let skipped: NonNullable<FindingsDocument['skipped']> = [];

  if (request.templates?.length) {
    const discovered = loadTemplates(request.templates, {
      cwd: request.cwd,
      env: request.env,
      parameterFiles: request.parameters?.map(p => path.resolve(request.cwd, p)),
      parameterOverrides: request.parameterOverrides
    });
    for (const template of discovered.templates) {
      resources.push(...template.resources);
      deployments.push(template.resources);
    }
    for (const error of discovered.errors) errors.push(inputError(error, request.cwd));
    skipped = discovered.skipped.map(s => ({ file: displayPath(s.file, request.cwd), reason: s.reason }));
  }
  skipped.push(...notDefinitions);
  for (const file of request.resources ?? []) {
    const snapshot = loadResourceSnapshot(path.resolve(request.cwd, file));
    // A loop, not push(...snapshot): a tenant's snapshot has more resources than a call has arguments.
    for (const resource of snapshot) resources.push(resource);
    deployments.push(snapshot);
  }

  const evaluated = resources.filter(r => !r.existing);
  const raw = evaluateDefinitions(definitions, evaluated, { parameters: overrides.parameters });
  // Relations hold between resources of one deployment (a template with its nested and linked ones, or one
  // snapshot): two templates may deploy to different resource groups even where their names coincide.
  for (const relation of pullRequest.relations)
    for (const deployment of deployments) for (const finding of relation(deployment)) raw.push(finding);
  let transitionsRan = false;
  const hasBase = request.base !== undefined || (request.baseTemplates?.length ?? 0) > 0;
  if (pullRequest.transitions.length && !(hasBase && request.templates?.length)) {
    notRun.push({
      rules: transitionRules,
      reason: request.templates?.length
        ? 'no base to compare with: give --base REF or --base-templates PATTERN (in the action: run on a pull request or a push, or set `base`)'
        : 'they compare templates before and after a change, and no templates were given'
    });
  }
  if (hasBase && pullRequest.transitions.length && request.templates?.length) {
    let base: Resource[] | null = null;
    try {
      base = request.baseTemplates?.length
        ? loadBaseTemplates(request, request.baseTemplates)
        : loadBaseResources(request);
    } catch (error) {
      if (request.baseRequired || !(error instanceof UserError)) throw error;
      notRun.push({ rules: transitionRules, reason: `the base could not be read: ${error.message}`, warning: true });
    }
    if (base) {
      transitionsRan = true;
      const pairs = pairResources(base, resources);
      for (const transition of pullRequest.transitions) for (const finding of transition(pairs)) raw.push(finding);
    }
  }
  let findings = relativeFindings(overrides.apply(raw), request.cwd).map(f => {
    const rule = rules.get(f.definition);
    if (!rule) return f;
    return {
      ...f,
      remediation: rule.remediation,
      helpUri: rule.references[0],
      enforcement: rule.kind === 'policy' ? ('azure' as const) : ('pr-only' as const)
    };
  });
  // Exceptions and the baseline see every finding, so one whose findings lie in files the pull request did not
  // change, or below the minimum severity, is not called stale. Exceptions only for rules the selection left
  // out wait for a run that has them.
  const inline = inlineExceptions(evaluated, request.cwd);
  for (const error of inline.errors) errors.push(inputError(error, request.cwd));
  const leftOutNames = new Set(leftOut.flatMap(entry => entry.rules));
  const exceptions = [...inline.exceptions, ...(request.exceptions ?? [])].filter(e =>
    e.rules.some(rule => !leftOutNames.has(rule))
  );
  const baseline = request.baseline === undefined ? undefined : readBaseline(request.baseline, request.cwd);
  // What this change adds to what is accepted, compared with the base commit (a git ref only: files named
  // with --base-templates have no configuration or baseline of their own).
  let baseText: BaseText | undefined;
  if (request.base !== undefined && (exceptions.length || baseline)) {
    const files = [...new Set([...exceptions.map(e => e.source.file), ...(baseline ? [baseline.file] : [])])];
    try {
      const texts = readFilesAtCommit(request.base, files, request.cwd);
      baseText = file => texts.get(file);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      skipped.push({
        file: '(base)',
        reason: `exceptions and baseline entries this change adds are not marked as new: ${error.message}`
      });
    }
  }
  if (baseText) markNewExceptions(exceptions, baseText);
  const accepted = applyExceptions(findings, exceptions, request.now ?? new Date());
  findings = accepted.findings;
  // A stale exception often only misspells its rule: say which names nothing loaded has.
  const known = [...rules.keys(), ...definitions.map(d => d.name), ...leftOutNames];
  for (const report of accepted.report) {
    if (report.status !== 'stale') continue;
    const unknown = report.rules.filter(name => !known.includes(name));
    if (unknown.length) report.unknownRules = unknown.map(name => ({ name, suggestion: closest(name, known) }));
  }
  let baselineReport: FindingsDocument['baseline'];
  if (baseline) {
    const applied = applyBaseline(findings, baseline);
    findings = applied.findings;
    baselineReport = {
      file: baseline.file,
      entries: baseline.entries,
      matched: applied.matched,
      ...(baseText ? baselineChange(baseline, baseText) : {})
    };
  }
  if (request.changedFiles) {
    const changed = new Set(request.changedFiles);
    findings = findings.filter(f => f.resource.file === null || changed.has(f.resource.file));
  }
  findings = findings.filter(f => atOrAboveMinimum(f.severity, request.selection));
  const ruleCount =
    definitions.length + pullRequest.relations.length + (transitionsRan ? pullRequest.transitions.length : 0);
  const document = buildDocument(findings, evaluated.length, ruleCount, errors, skipped, notRun);
  if (accepted.report.length) document.exceptions = accepted.report;
  if (baselineReport) document.baseline = baselineReport;
  return document;
}

function inputError(error: UserError, cwd: string): NonNullable<FindingsDocument['errors']>[number] {
  const location = error.location;
  return {
    file: location ? displayPath(location.file, cwd) : '',
    line: location?.line ?? null,
    column: location?.column ?? null,
    message: error.message
  };
}

/** Base templates named as files: every resource they deploy is a candidate to pair with the head's. */
function loadBaseTemplates(request: EvaluateRequest, patterns: string[]): Resource[] {
  const discovered = loadTemplates(patterns, {
    cwd: request.cwd,
    env: request.env,
    parameterOverrides: request.parameterOverrides
  });
  return discovered.templates.flatMap(t => t.resources);
}

/** The head's templates as they were at the PR's base: what transition rules compare against. */
function loadBaseResources(request: EvaluateRequest): Resource[] {
  const patterns = request.templates ?? [];
  const folders = patterns.map(pattern => staticPrefix(pattern, request.cwd));
  const checkout = readBaseCheckout(request.base as string, folders, request.cwd);
  try {
    const cwd = inBaseCheckout(checkout, '.', request.cwd);
    const discovered = loadTemplates(patterns, {
      cwd,
      env: request.env,
      parameterFiles: request.parameters?.map(p => inBaseCheckout(checkout, p, request.cwd)),
      parameterOverrides: request.parameterOverrides
    });
    // A template the base cannot expand (new, or broken then) has nothing to compare against.
    return discovered.templates.flatMap(t => t.resources);
  } finally {
    checkout.dispose();
  }
}

/** The folder part of a glob before its first wildcard: `infra/**\/*.json` → `infra`. */
function staticPrefix(pattern: string, cwd: string): string {
  const target = path.resolve(cwd, pattern);
  if (existsSync(target) && statSync(target).isDirectory()) return pattern;
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?{[]/.test(part)) break;
    fixed.push(part);
  }
  if (fixed.length === parts.length) fixed.pop(); // a file: take its folder
  return fixed.join('/') || '.';
}

export function buildDocument(
  findings: Finding[],
  resources: number,
  definitions: number,
  errors: FindingsDocument['errors'] = [],
  skipped: FindingsDocument['skipped'] = [],
  notRun: FindingsDocument['notRun'] = []
): FindingsDocument {
  const counts = { compliant: 0, noncompliant: 0, indeterminate: 0, suppressed: 0, baselined: 0 };
  for (const finding of findings) {
    if (finding.verdict !== 'compliant' && finding.suppressed) counts.suppressed++;
    else if (finding.verdict !== 'compliant' && finding.baselined) counts.baselined++;
    else counts[finding.verdict]++;
  }
  return {
    tool: { name: 'cmk-guard', version: VERSION },
    summary: { resources, definitions, ...counts },
    findings,
    errors,
    skipped,
    notRun
  };
}
