/**
 * The one pipeline behind both doors: rules and definitions are loaded and compiled once,
 * resources come from templates, snapshots or both, the engine gives findings, and the
 * findings document is what every reporter renders.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readTextFile } from './model/textFile.js';
import {
  aliasCatalogFromPathLookup,
  compilePack,
  compileRule,
  type AliasCatalog,
  type PolicyDefinitionBody,
  type PolicySetDefinitionBody
} from './compiler/index.js';
import { aliasPath } from './engine/aliases.js';
import type { CompiledDefinition } from './engine/index.js';
import {
  evaluationPlan,
  isJsonFileName,
  isWalkedFolder,
  loadDefinition,
  loadDefinitionsFromPath,
  type PolicySet
} from './engine/index.js';
import type { Json } from './model/value.js';
import { collectUserErrors, throwUserErrors, UserError } from './model/errors.js';
import { findingResource, type Finding, type FindingsDocument } from './model/finding.js';
import type { ProgressReport } from './model/progress.js';
import type { Resource } from './model/resource.js';
import { bundledPolicies, displayPath, sourceRoot } from './paths.js';
import type { ComplianceRequest, LiveRequest, PublishOutcome, PublishRequest } from './azure/index.js';
import type { Pack, Rule } from './rules/index.js';
import { complianceFinding } from './compliance.js';
import { liveResources } from './sources/live.js';
import {
  compiledAtBuild,
  isRuleFileName,
  loadPolicyDirectory,
  readAtBuild,
  readPolicyDirectory,
  readRuleText,
  RuleTexts
} from './rules/index.js';
import { loadRuleTooling } from './rules/tooling.js';
import { applySelection, type RuleSelection, type Selectable } from './rules/selection.js';
import {
  confine,
  escapeReason,
  isWithin,
  loadTemplates,
  realPath,
  type DeploymentContext,
  type ExpandedTemplate
} from './sources/index.js';
import { conventionalParameterCandidates } from './sources/parameters.js';
import { RunDeadline } from './model/limits.js';
import type { FindingStore } from './report/store.js';
import { countVerdicts, documentStore, streamedDocument, type StreamedFindingsDocument } from './pipeline/document.js';
import { InputLoop } from './pipeline/inputLoop.js';
import { isolated } from './pipeline/isolated.js';
import { append } from './model/lists.js';
import { RelationPass, type PullRequestCheck } from './pipeline/relationPass.js';
import { VERSION } from './version.js';
import {
  inBaseCheckout,
  readBaseCheckout,
  readFilesAtCommit,
  readFolderAtCommit,
  readTreeAtCommit
} from './pr/baseCheckout.js';
import { compilePullRequestChecks } from './pr/rules.js';
import { pairResources } from './pr/transition.js';
import type { RuleOverride } from './config/load.js';
import { planOverrides, type OverridePlan } from './config/overrides.js';
import { applyExceptions } from './exceptions/apply.js';
import { readBaseline, type Baseline } from './exceptions/baseline.js';
import { inlineCoverage, markNewExceptions, type BaseText, type InlineCoverage } from './exceptions/pullRequest.js';
import type { Exception } from './exceptions/model.js';
import { inlineExceptions } from './exceptions/inline.js';
import { desiredExemptions, exceptionsFromExemptions } from './exceptions/azure.js';
import { foldCase } from './model/foldCase.js';

export type { StreamedFindingsDocument } from './pipeline/document.js';

export interface EvaluateRequest {
  /** The workspace: relative paths are resolved and reported from here. */
  cwd: string;
  /** Settings of the configuration file taken from the pull request's base (see config/settings.ts), listed with what was passed over. */
  pinned?: { file: string; reason: string }[];
  /**
   * A pull request's base (a git ref): the files of the repository's own rule folders are read as they are there
   * where they differ, so a pull request cannot change the rules that judge it; they apply once it is merged.
   */
  rulesAtBase?: string;
  /** Folders of cmk-guard rule files (each with its pack manifest). */
  policies?: string | string[];
  /** Azure Policy definition files or folders: the team's own, or Azure's built-ins. */
  definitions?: string[];
  /** Globs or folders of ARM templates. */
  templates?: string[];
  /** More patterns, from the base's configuration file: evaluated too, and one that matches nothing is no error. */
  templatesAtBase?: string[];
  /** Parameter files, paired with templates by name unless only one template is scanned. */
  parameters?: string[];
  /** Parameter values that win over defaults and parameter files. */
  parameterOverrides?: Record<string, Json>;
  /** What `resourceGroup().location` gives in the templates; unknown when absent. */
  resourceGroupLocation?: string;
  /** What `deployment().location` gives in templates deployed above a resource group; unknown when absent. */
  deploymentLocation?: string;
  /**
   * The resource group and subscription the templates deploy to: what `resourceGroup().name` and
   * `subscription().subscriptionId` give, and the ids of their resources; unknown (ids built with placeholders) when
   * absent. Given, they apply to the head's and the base's templates alike.
   */
  resourceGroup?: string;
  deploymentSubscriptionId?: string;
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
  /** Milliseconds, for the time bounds: each file's evaluation, the whole run (default Date.now; a fake one in tests). */
  clock?: () => number;
  /** Where to find the Bicep CLI (PATH); defaults to this process's environment. */
  env?: NodeJS.ProcessEnv;
  /**
   * The repository root (relative to `cwd`; default `cwd`): every input file, and every file a
   * template names, must resolve inside it (see src/sources/boundary.ts).
   */
  root?: string;
  /** A live scope: its resources of the types the definitions apply to, read from Azure Resource Graph. */
  live?: LiveRequest;
  /** Told how far reading, expanding and evaluating have come (the CLI's progress line). */
  progress?: ProgressReport;
  /** How many findings are held in memory before they go to a temporary file (default HELD_FINDINGS). */
  heldFindings?: number;
}

let engineCatalog: AliasCatalog | undefined;

/** The engine's alias catalog, asked in the direction the compiler needs; built once. */
export function engineAliasCatalog(): AliasCatalog {
  // The bundled rules were compiled with this catalog at build time.
  if (!engineCatalog) engineCatalog = { ...aliasCatalogFromPathLookup(aliasPath), compiledBefore: compiledAtBuild };
  return engineCatalog;
}

export interface CompiledPolicies {
  pack: Pack | null;
  rules: Rule[];
  /** The pack's policy rules, in the pack's order: the initiative's members. */
  members: Rule[];
  /** Every policy rule compiled: the pack's members first, then rules the pack does not list. */
  definitions: PolicyDefinitionBody[];
  /** The initiative over the members; null without a pack manifest. */
  initiative: PolicySetDefinitionBody | null;
}

/**
 * Compiles a rule folder as `compile` writes it and `plan`/`deploy` publish it. `root` is the
 * folder rule paths in metadata are relative to (the repository root, so the output is the
 * same from any working directory); `definitionIdPrefix` is where the definitions live, for the
 * initiative's member ids. With `confineTo`, a rule file that leads outside that folder is refused
 * unread. Every rule's errors are reported together.
 */
export function compilePolicies(
  dir: string,
  options: { root: string; definitionIdPrefix?: string; confineTo?: string },
  aliases: AliasCatalog = engineAliasCatalog()
): CompiledPolicies {
  const { pack, rules } = loadPolicyDirectory(dir, options.confineTo);
  const errors: UserError[] = [];
  const definitions: PolicyDefinitionBody[] = [];
  let initiative: PolicySetDefinitionBody | null = null;
  let members: Rule[] = [];
  if (pack) {
    collectUserErrors(errors, () => {
      const compiled = compilePack(pack, rules, aliases, options);
      append(definitions, compiled.definitions);
      initiative = compiled.initiative;
    });
    const listed = new Set(pack.rules);
    members = pack.rules.flatMap(name => rules.filter(r => r.name === name && r.kind === 'policy'));
    // Policy rules the pack does not list are still compiled: they can be assigned on their own.
    for (const rule of rules) {
      if (rule.kind === 'policy' && !listed.has(rule.name))
        collectUserErrors(errors, () => definitions.push(compileRule(rule, aliases, options)));
    }
  } else {
    for (const rule of rules.filter(r => r.kind === 'policy'))
      collectUserErrors(errors, () => definitions.push(compileRule(rule, aliases, options)));
  }
  throwUserErrors(errors);
  return { pack, rules, members, definitions, initiative };
}

/**
 * The rule folder a pack is published or read from: the bundled one, or one inside the working folder (the
 * repository), which a pull request may change and must not lead out of.
 */
function packFolder(cwd: string, policies: string | undefined): string {
  if (policies === undefined) return bundledPolicies();
  return inputPath({ cwd }, policies, 'the rule folder');
}

export interface PublishPackRequest extends Omit<PublishRequest, 'exemptions'> {
  /** A rule folder with a pack manifest; the bundled pack when absent. */
  policies?: string;
  /**
   * The configuration file's exceptions, which `deploy` keeps in Azure as exemptions for the
   * assignment; undefined (no configuration file) leaves exemptions alone.
   */
  exceptions?: Exception[];
}

/**
 * `plan` and `deploy`: compiles the pack for the scope (member ids at the scope, rule paths
 * relative to the repository), then plans (and applies) it there. The Azure part is loaded
 * here, on first use, so commands that never reach Azure never load its SDKs.
 */
export async function publishPack(request: PublishPackRequest): Promise<PublishOutcome> {
  const azure = await import('./azure/index.js');
  const { scope } = azure.publishScopes(request.scope, request.assignmentScope);
  const policies = packFolder(request.cwd, request.policies);
  const compiled = compilePolicies(policies, {
    root: sourceRoot(policies),
    definitionIdPrefix: azure.resourceIdAt(scope, 'policyDefinitions', ''),
    confineTo: isWithin(bundledPolicies(), policies) ? undefined : request.cwd
  });
  if (!compiled.pack || !compiled.initiative) {
    throw new UserError(
      'plan and deploy publish a pack: the rule folder has no pack.yaml naming the rules of the initiative; add one (see policies/pack.yaml).',
      { file: displayPath(policies, request.cwd) }
    );
  }
  const { exceptions, ...publish } = request;
  const members = compiled.members.map(m => m.name);
  // Selectors other than plain ids are matched against the live resources of the types the members apply to.
  const types = typesToRead(
    compiled.definitions.filter(d => members.includes(d.name)).map(d => loadDefinition({ file: null, json: d }))
  );
  return azure.publishCompiled(
    {
      pack: compiled.pack,
      members: compiled.members,
      definitions: compiled.definitions,
      initiative: compiled.initiative
    },
    {
      ...publish,
      ...(exceptions
        ? {
            exemptions: async (assignmentId, owner, readResources) => {
              // Only selectors by name, type or a glob need the live resources (one by file never matches them).
              const needsResources = exceptions.some(
                e =>
                  e.kind !== 'inSource' &&
                  e.resources.some(s => s.file === undefined && (s.id === undefined || /[*?{]/.test(s.id)))
              );
              const rows = needsResources ? await readResources(types) : [];
              const resources = liveResources(rows, 'the assignment scope').map(r => findingResource(r, null));
              return {
                ...desiredExemptions(exceptions, { assignmentId, owner, members, resources }),
                types: types ?? []
              };
            }
          }
        : {})
    }
  );
}

interface LoadedRules {
  definitions: CompiledDefinition[];
  rules: Map<string, Rule>;
  relations: PullRequestCheck<'relations'>[];
  transitions: PullRequestCheck<'transitions'>[];
  /** Names of the transition rules that run: they need a base to compare with. */
  transitionRules: string[];
  /** The packs (initiatives) of the rule folders: each one's name and its members. */
  packs: { name: string; rules: string[] }[];
  /** Rule files read as they are at the pull request's base (or why they could not be), for the report. */
  rulesPinned: { file: string; reason: string }[];
  /** Rules and definitions the selection left out. */
  leftOut: NotRun[];
  overrides: OverridePlan;
  /** Files under the definitions paths that are not definitions (assignments, say). */
  skipped: { file: string; reason: string }[];
  /** Rule files and definitions that could not be read or compiled: each its own error. */
  errors: UserError[];
}

type NotRun = NonNullable<FindingsDocument['notRun']>[number];

/** The folder every input resolves inside: `root`, or the workspace. */
function rootOf(request: Pick<EvaluateRequest, 'cwd' | 'root'>): string {
  return path.resolve(request.cwd, request.root ?? '.');
}

/**
 * An input path from the request (an action input or a command-line option), resolved and
 * confined to the repository root. The bundled pack is cmk-guard's own and is read where it is.
 */
function inputPath(request: Pick<EvaluateRequest, 'cwd' | 'root'>, entry: string, what: string): string {
  const full = path.resolve(request.cwd, entry);
  if (isWithin(bundledPolicies(), full)) return full;
  return confine(full, rootOf(request), what, { file: entry });
}

/**
 * How many bytes the request's snapshot files hold together, for deciding where to evaluate them (see
 * src/commands/thread.ts); a file that is outside the repository or cannot be read counts nothing, and the
 * evaluation reports it.
 */
export function snapshotBytes(request: Pick<EvaluateRequest, 'cwd' | 'root' | 'resources'>): number {
  let bytes = 0;
  for (const file of request.resources ?? []) {
    try {
      bytes += statSync(inputPath(request, file, 'the resource snapshot')).size;
    } catch {
      // reported when the evaluation reads it
    }
  }
  return bytes;
}

/**
 * Whether reading the request's rules and definitions needs ajv, js-yaml or RE2 (src/rules/tooling.ts): unless
 * its rule folders hold only bundled texts read at build time, and it names no definitions (whose parameter
 * schemas ajv checks) and no live scope. The rule texts it reads are kept in `texts`, for the load.
 */
function needsRuleTooling(request: EvaluateRequest, texts: RuleTexts): boolean {
  if ((request.definitions?.length ?? 0) > 0 || request.live !== undefined) return true;
  const folders = request.policies === undefined ? [] : [request.policies].flat();
  return !folders.every(folder => {
    try {
      const dir = inputPath(request, folder, 'the rule folder');
      if (isWithin(bundledPolicies(), dir)) return readAtBuild(dir, undefined, texts);
      // On a pull request the repository's own rule files may be read as they are at the base, texts not
      // seen here.
      return request.rulesAtBase === undefined && readAtBuild(dir, rootOf(request), texts);
    } catch {
      return false;
    }
  });
}

/**
 * Rule files and definitions, each on its own: one that cannot be read, validated or compiled is
 * that file's error, and every other one still gives its verdicts.
 */
function loadRules(request: EvaluateRequest, texts: RuleTexts): LoadedRules {
  const errors: UserError[] = [];
  const definitionsPinned: LoadedRules['rulesPinned'] = [];
  const { definitions: external, skipped } = loadExternalDefinitions(request, errors, definitionsPinned);
  const { rules: loaded, packs, pinned } = loadPolicyFolders(request, errors, texts);
  const rulesPinned = [...pinned, ...definitionsPinned];
  const candidates: (Selectable & ({ rule: Rule } | { definition: CompiledDefinition }))[] = [
    ...loaded.map(rule => ({ name: rule.name, severity: rule.severity, rule })),
    ...external.map(definition => ({ name: definition.name, definition }))
  ];
  // With nothing left to evaluate, the files that failed are the whole story.
  if (candidates.length === 0) throwUserErrors(errors);
  if (candidates.length === 0)
    throw new UserError(
      'there is nothing to evaluate with: no rules (the policies are turned off) and no policy definitions; use the bundled rules, or give a rules folder or definitions.'
    );
  const { selected, leftOut } = applySelection(candidates, request.selection);
  const chosen = selected.flatMap(c => ('rule' in c ? [c.rule] : []));
  const definitions: CompiledDefinition[] = [];
  const rules = new Map<string, Rule>();
  const relations: LoadedRules['relations'] = [];
  const transitions: LoadedRules['transitions'] = [];
  for (const rule of chosen) {
    rules.set(rule.name, rule);
    isolated(errors, { file: rule.file }, `compile the rule ${rule.name}`, () => {
      if (rule.kind === 'policy') {
        const body = compileRule(rule, engineAliasCatalog());
        definitions.push(loadDefinition({ file: rule.file, json: body }));
        return;
      }
      const checks = compilePullRequestChecks([rule]);
      for (const check of checks.relations) relations.push({ rule, check });
      for (const check of checks.transitions) transitions.push({ rule, check });
    });
  }
  append(
    definitions,
    selected.flatMap(c => ('definition' in c ? [c.definition] : []))
  );
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
    relations,
    transitions,
    transitionRules: transitions.map(t => t.rule.name),
    packs,
    rulesPinned,
    leftOut: leftOut.map(entry => ({ rules: entry.names, reason: entry.reason })),
    overrides,
    skipped,
    errors
  };
}

/**
 * The rule files of every folder the request names, and the folders' packs; a name used in two folders is an
 * error. A folder or rule file that cannot be read is added to `errors` and the others still load.
 */
function loadPolicyFolders(
  request: EvaluateRequest,
  errors: UserError[],
  texts: RuleTexts
): { rules: Rule[]; packs: LoadedRules['packs']; pinned: LoadedRules['rulesPinned'] } {
  const folders = request.policies === undefined ? [] : [request.policies].flat();
  const byName = new Map<string, Rule>();
  const packs: LoadedRules['packs'] = [];
  const pinned: LoadedRules['rulesPinned'] = [];
  /** The rules of every folder, in order, and those that are the base's (or the action's own pack). */
  const loaded: Rule[] = [];
  const trusted = new Set<Rule>();
  for (const folder of folders) {
    isolated(errors, { file: folder }, 'read the rule folder', () => {
      const dir = inputPath(request, folder, 'the rule folder');
      const bundled = isWithin(bundledPolicies(), dir);
      const atBase = bundled ? undefined : rulesAtBase(request, dir, pinned);
      const read = readPolicyDirectory(dir, bundled ? undefined : rootOf(request), texts, atBase);
      append(errors, read.errors);
      if (read.pack) packs.push({ name: read.pack.name, rules: [...read.pack.rules] });
      loaded.push(...read.rules);
      for (const rule of read.rules) if (bundled || read.fromBase.has(rule)) trusted.add(rule);
    });
  }
  // A rule the base has (or the action bundles) keeps its name: a pull request that adds a rule file of that name
  // to a folder named earlier cannot turn it off.
  const ordered = trusted.size
    ? [...loaded.filter(r => trusted.has(r)), ...loaded.filter(r => !trusted.has(r))]
    : loaded;
  for (const rule of ordered) {
    const first = byName.get(rule.name);
    if (first) {
      errors.push(
        new UserError(
          `rule name \`${rule.name}\` is already used by ${first.file}; give one of the two rules another name, or leave one folder out.`,
          rule.positionOf('/name') ?? { file: rule.file }
        )
      );
      continue;
    }
    byName.set(rule.name, rule);
  }
  const kept = new Set(byName.values());
  return { rules: loaded.filter(rule => kept.has(rule)), packs, pinned };
}

/**
 * On a pull request, the rule files of the repository's folder `dir` as they are at its base, by name; each one
 * this change alters or removes is listed in `pinned`. The pull request's rules apply once it is merged: it cannot
 * loosen or drop the rule that judges it. Undefined without a base, or when the base cannot be read (said).
 */
function rulesAtBase(
  request: EvaluateRequest,
  dir: string,
  pinned: LoadedRules['rulesPinned']
): Map<string, string> | undefined {
  if (request.rulesAtBase === undefined) return undefined;
  const base = request.rulesAtBase;
  const atBase = readAtBase('rule', dir, request, pinned, () =>
    readFolderAtCommit(base, dir, request.cwd, isRuleFileName)
  );
  if (atBase === undefined) return undefined;
  const byPath = [...atBase].map(([name, text]) => [path.join(dir, name), text.replace(/^\uFEFF/, '')] as const);
  pinChangedFiles('rule', byPath, readRuleText, request, pinned);
  return atBase;
}

/**
 * On a pull request, the definition files at or under `target` that this change alters or removes, as they are at
 * its base, each listed in `pinned`: a pull request could loosen or delete the definition that judges it. A file it
 * adds is read as it is (`files` holds every file the base has, to tell which). Undefined without a base, or when
 * the base cannot be read (said).
 */
function definitionsAtBase(
  request: Pick<EvaluateRequest, 'cwd' | 'root' | 'rulesAtBase'>,
  target: string,
  pinned: LoadedRules['rulesPinned']
): { changed: Map<string, string>; files: ReadonlySet<string> } | undefined {
  if (request.rulesAtBase === undefined) return undefined;
  const base = request.rulesAtBase;
  // What a walk of the folder reads (src/engine/directory.ts); a file named as the path itself whatever its name.
  const atBase = readAtBase('definition', target, request, pinned, () =>
    readTreeAtCommit(base, target, request.cwd, inside => {
      if (inside === '') return true;
      const segments = inside.split('/');
      return isJsonFileName(segments.at(-1)!) && segments.slice(0, -1).every(isWalkedFolder);
    })
  );
  if (atBase === undefined) return undefined;
  const changed = pinChangedFiles('definition', atBase, readTextFile, request, pinned);
  return { changed: new Map([...atBase].filter(([file]) => changed.has(file))), files: new Set(atBase.keys()) };
}

/** What `read` gives of the pull request's base, or undefined when the base cannot be read: then `pinned` says so. */
function readAtBase<T>(
  kind: 'rule' | 'definition',
  target: string,
  request: Pick<EvaluateRequest, 'cwd'>,
  pinned: LoadedRules['rulesPinned'],
  read: () => T
): T | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    pinned.push({
      file: displayPath(target, request.cwd),
      reason: `the ${kind} files are read from this change, not compared with the base: ${error.message}`
    });
    return undefined;
  }
}

/**
 * The files of `atBase` (a path and its text at the base) that this change alters or removes, as `now` reads them
 * in the working tree (inside the repository); each is listed in `pinned`, read as it is at the base until the
 * change is merged.
 */
function pinChangedFiles(
  kind: 'rule' | 'definition',
  atBase: Iterable<readonly [string, string]>,
  now: (file: string) => string,
  request: Pick<EvaluateRequest, 'cwd' | 'root'>,
  pinned: LoadedRules['rulesPinned']
): Set<string> {
  const root = rootOf(request);
  const changed = new Set<string>();
  for (const [file, text] of atBase) {
    let current: string | null = null;
    try {
      if (!escapeReason(file, root) && statSync(file).isFile()) current = now(file);
    } catch {
      current = null;
    }
    if (current === text) continue;
    changed.add(file);
    pinned.push({
      file: displayPath(file, request.cwd),
      reason: `this change ${current === null ? 'removes' : 'alters'} the ${kind} file: it is read as it is at the base until the change is merged.`
    });
  }
  return changed;
}

/**
 * The Azure Policy definitions the request names, loaded, with initiatives evaluated through their
 * members. With `errors`, a file, folder or initiative that cannot be read is added there and the
 * others are still loaded; without, the errors are thrown together.
 */
export function loadExternalDefinitions(
  request: Pick<EvaluateRequest, 'cwd' | 'definitions' | 'root' | 'progress' | 'rulesAtBase'>,
  errors?: UserError[],
  pinned: LoadedRules['rulesPinned'] = []
): {
  definitions: CompiledDefinition[];
  skipped: { file: string; reason: string }[];
} {
  const definitions: CompiledDefinition[] = [];
  const sets: PolicySet[] = [];
  const skipped: { file: string; reason: string }[] = [];
  const problems: UserError[] = errors ?? [];
  for (const entry of request.definitions ?? []) {
    isolated(problems, { file: entry }, `read the definitions in ${entry}`, () => {
      const target = inputPath(request, entry, 'the definitions path');
      const bundled = isWithin(bundledPolicies(), target);
      const base = bundled ? undefined : definitionsAtBase(request, target, pinned);
      const atBase = base?.changed;
      if (!existsSync(target) && !atBase?.size)
        throw new UserError('cannot read the definitions path: it does not exist; check the path.', { file: entry });
      // Files a folder holds are confined too: a symbolic link among them is read only when it stays inside.
      const contents = loadDefinitionsFromPath(
        target,
        request.progress,
        bundled ? undefined : file => confine(file, rootOf(request), 'the definition file', { file }),
        atBase
      );
      for (const f of contents.failures) problems.push(new UserError(f.message, f.location ?? { file: f.file }));
      // A definitions path the user named that holds no definition would check nothing.
      if (contents.loaded.length === 0 && contents.sets.length === 0 && contents.failures.length === 0)
        problems.push(
          new UserError(
            `holds no policy definition or initiative${contents.skipped.length ? ` (${contents.skipped.length} JSON ${contents.skipped.length === 1 ? 'file is' : 'files are'} something else, e.g. ${contents.skipped[0].reason})` : ''}; give a definition file or folder, or the output of az policy definition list.`,
            { file: entry }
          )
        );
      // What a file the base does not have defines waits for the merge to change how the base's are evaluated.
      if (base) {
        for (const item of [...contents.loaded, ...contents.sets])
          if (item.file !== null && !base.files.has(item.file)) item.addedByChange = true;
      }
      append(definitions, contents.loaded);
      append(sets, contents.sets);
      for (const s of contents.skipped) skipped.push({ file: displayPath(s.file, request.cwd), reason: s.reason });
    });
  }
  const plan = evaluationPlan(definitions, sets);
  append(problems, plan.errors);
  if (!errors) throwUserErrors(problems);
  return { definitions: plan.definitions, skipped };
}

/** The pipeline with every finding in memory, for callers that need them all (the action, `demo`, tests). */
export async function evaluateRepository(request: EvaluateRequest): Promise<FindingsDocument> {
  const document = await evaluateRepositoryStreamed(request);
  try {
    return { ...document, findings: [...document.findings] };
  } finally {
    document.findings.dispose();
  }
}

/**
 * The pipeline in memory bounded by what must be kept, not by the number of resources: each template is
 * evaluated as it is expanded and let go, each snapshot as it is read (a batch of resources at a time),
 * and the findings are kept in a `FindingStore` (on disk past a bound). Relation rules keep what relates
 * subjects to targets (the targets, their grants) and read a snapshot a second time for its subjects.
 * When a definition's existence condition looks among other resources, every input is read before any
 * is evaluated, as those may be in any of them. Exceptions, the baseline and the filters are applied a
 * finding at a time as the findings are read: once to count them for the summary, then again by each
 * report. Call `findings.dispose()` when done.
 */
export async function evaluateRepositoryStreamed(request: EvaluateRequest): Promise<StreamedFindingsDocument> {
  const run = new RunDeadline(request.clock);
  const texts = new RuleTexts();
  if (needsRuleTooling(request, texts)) await loadRuleTooling();
  const loaded = loadRules(request, texts);
  const { definitions, relations, transitions } = loaded;
  // The report's order: findings grouped by definition (the first of a name), then by relation rule, then
  // by transition rule; each group in the order of the inputs and their resources.
  const store = documentStore(loaded.rules, request.cwd, request.heldFindings);
  const firstOfName = new Map<string, number>();
  definitions.forEach((definition, i) => {
    if (!firstOfName.has(definition.name)) firstOfName.set(definition.name, i);
  });
  const relationPass = new RelationPass(relations, store, i => definitions.length + 1 + i);
  const hasBase = request.base !== undefined || (request.baseTemplates?.length ?? 0) > 0;
  const transitionsWanted = hasBase && transitions.length > 0 && templatePatterns(request).length > 0;
  const inputs = new InputLoop({
    definitions,
    parameters: loaded.overrides.parameters,
    store,
    definitionGroup: name => firstOfName.get(name) ?? definitions.length,
    relations: relationPass,
    keepResources: transitionsWanted,
    cwd: request.cwd,
    clock: request.clock,
    run,
    progress: request.progress
  });
  try {
    // The files each template read, to report its findings when the change touched any of them.
    const readSets: Set<string>[] = [];
    const read = await readInputs(request, loaded, inputs, readSets);
    await inputs.readInline();
    inputs.evaluateHeld();
    const transitionProblems: UserError[] = [];
    // What the base's inline exceptions covered, where the base's templates were expanded: one the change puts on
    // more resources (moved or copied onto another declaration, a copy loop or a linked template used more) is new.
    const transitionsRun = transitionsWanted
      ? runTransitions(request, loaded, inputs.resources, store, read.notRun, transitionProblems)
      : { ran: false };
    let baseCoverage = transitionsRun.coverage;
    // Problems in the order a run that read every input before evaluating any would meet them.
    const problems = [...read.readProblems, ...inputs.problems, ...relationPass.problems.flat(), ...transitionProblems];
    const errors: NonNullable<FindingsDocument['errors']> = problems.map(problem => inputError(problem, request.cwd));
    // Exceptions and the baseline see every finding, so one whose findings lie in files the pull request did not
    // change, or below the minimum severity, is not called stale. Exceptions only for rules the selection left
    // out wait for a run that has them.
    for (const error of inputs.inline.errors) errors.push(inputError(error, request.cwd));
    const leftOutNames = new Set(loaded.leftOut.flatMap(entry => entry.rules));
    const exceptions = [...inputs.inline.exceptions, ...(request.exceptions ?? []), ...read.azureExceptions].filter(e =>
      e.rules.some(rule => !leftOutNames.has(rule))
    );
    const baseline = readBaselineOf(request, errors);
    const baseText = baseTextOf(request, exceptions, baseline, read.skipped);
    if (baseText && baseCoverage === undefined && !transitionsWanted)
      baseCoverage = baseInlineCoverage(request, exceptions);
    // What the base commit accepted is read from its configuration file (YAML).
    if (baseText) await loadRuleTooling();
    if (baseText) markNewExceptions(exceptions, baseText, file => headText(request.cwd, file), baseCoverage);
    return streamedDocument(store, {
      cwd: request.cwd,
      overrides: loaded.overrides,
      rules: loaded.rules,
      exceptions,
      baseline,
      baseText,
      now: request.now ?? new Date(),
      changedFiles: request.changedFiles && widenChanged(request.changedFiles, readSets),
      selection: request.selection,
      knownRules: [...loaded.rules.keys(), ...definitions.map(d => d.name), ...leftOutNames],
      resources: inputs.resourceCount,
      definitions: definitions.length + relations.length + (transitionsRun.ran ? transitions.length : 0),
      errors,
      skipped: [
        ...[...(request.pinned ?? []), ...loaded.rulesPinned].map(entry => ({ ...entry, atBase: true as const })),
        ...read.skipped
      ],
      notes: read.notes,
      notRun: read.notRun
    });
  } catch (error) {
    // Nothing of the run is left behind: what the findings were written to goes with it.
    store.dispose();
    throw error;
  }
}

/**
 * The files a template's resources come from, as reports show them: the template, its parameter files, every
 * linked template and linked parameter file it reads, and every file that declares one of its resources. A change
 * to a parameter file, to the template that passes a linked template its values, or to a linked template whose
 * outputs the template reads (one with no resource of its own) changes what the template deploys, though the
 * findings lie in another file.
 */
function filesRead(template: ExpandedTemplate, cwd: string): Set<string> {
  const read = new Set<string>([
    template.file,
    // The files paired with it by name count whether they are there or not: deleting or renaming one changes it.
    ...conventionalParameterCandidates(template.file),
    ...(template.parameterFiles ?? []),
    ...(template.linkedFiles ?? [])
  ]);
  for (const resource of template.resources) if (resource.source) read.add(resource.source.file);
  // A file read through a symbolic link is changed when the file it leads to changes, and when the link (or a
  // link to a folder on its way) is added or retargeted: its real path and every folder above it count too.
  const realRoot = realPath(cwd);
  const shown = new Set<string>();
  for (const file of read) {
    const name = displayPath(file, cwd);
    shown.add(name);
    for (let folder = path.posix.dirname(name); folder !== '.' && folder !== '/'; folder = path.posix.dirname(folder))
      shown.add(folder);
    const real = realPath(file);
    if (isWithin(realRoot, real)) shown.add(path.relative(realRoot, real).split(path.sep).join('/'));
  }
  return shown;
}

/**
 * The files whose findings a pull request is reported (and judged) on: those it changes, and every file a
 * template read if it changes any of them. Without the second, a pull request that changes only a parameter
 * file passes however noncompliant the template becomes.
 */
export function widenChanged(changed: string[], readSets: Set<string>[]): string[] {
  const touched = new Set(changed);
  const widened = new Set(changed);
  for (const files of readSets) {
    if ([...files].some(file => touched.has(file))) for (const file of files) widened.add(file);
  }
  return [...widened];
}

/** A file's text in the working tree, as the change has it; undefined when it cannot be read. */
function headText(cwd: string, file: string): string | undefined {
  try {
    return readTextFile(path.resolve(cwd, file));
  } catch {
    return undefined;
  }
}

/** What reading the inputs gave besides findings: problems in reading order, and notes for the document. */
interface InputsRead {
  readProblems: UserError[];
  skipped: NonNullable<FindingsDocument['skipped']>;
  notes: NonNullable<FindingsDocument['notes']>;
  notRun: NotRun[];
  /** Exemptions Azure holds for an assignment of the pack's initiative: exceptions like the file's. */
  azureExceptions: Exception[];
}

/** Every input the request names, in order (templates, snapshots, a live scope), handed to `inputs`. */
async function readInputs(
  request: EvaluateRequest,
  loaded: LoadedRules,
  inputs: InputLoop,
  readSets: Set<string>[]
): Promise<InputsRead> {
  const readProblems: UserError[] = [...loaded.errors];
  const notRun: NotRun[] = [...loaded.leftOut];
  let skipped: NonNullable<FindingsDocument['skipped']> = [];
  const notes: NonNullable<FindingsDocument['notes']> = [];
  const patterns = templatePatterns(request);
  if (patterns.length) {
    const discovered = loadTemplates(patterns, {
      cwd: request.cwd,
      mayMatchNothing: request.templatesAtBase,
      changedFiles: request.changedFiles,
      env: request.env,
      root: rootOf(request),
      parameterFiles: request.parameters?.map(p => path.resolve(request.cwd, p)),
      parameterOverrides: request.parameterOverrides,
      scope: deploymentContext(request),
      // Findings are reported on these: their ids must not depend on where the deployment goes.
      stableNames: true,
      progress: request.progress,
      onTemplate: template => {
        if (request.changedFiles) readSets.push(filesRead(template, request.cwd));
        for (const note of template.fileNotes ?? [])
          notes.push({ file: displayPath(template.file, request.cwd), note });
        inputs.template(template);
      }
    });
    append(readProblems, discovered.errors);
    skipped = discovered.skipped.map(s => ({ file: displayPath(s.file, request.cwd), reason: s.reason }));
  }
  append(skipped, loaded.skipped);
  for (const file of request.resources ?? []) {
    isolated(readProblems, { file }, `read the snapshot ${file}`, () => {
      inputs.snapshot(file, inputPath(request, file, 'the resource snapshot'));
    });
  }
  const azureExceptions: Exception[] = [];
  if (request.live) {
    // Loaded here, on first use: commands that never reach Azure never load its SDKs.
    const azure = await import('./azure/index.js');
    const packs = loaded.packs;
    const live = await azure.readLiveResources(request.live, typesToRead(loaded.definitions), {
      initiatives: packs.map(p => p.name)
    });
    const resources = liveResources(live.rows, live.where);
    inputs.live({ file: `(${live.where})`, resources });
    append(
      azureExceptions,
      exceptionsFromExemptions(
        live.exemptions,
        packs.flatMap(p => p.rules),
        resources.map(r => ({
          id: r.id,
          type: r.type,
          ...(typeof r.json.location === 'string' ? { location: r.json.location } : {})
        })),
        live.groupsOf
      )
    );
    // Relation and transition rules are not what an assignment enforces: a live scope is not a deployment.
    if (loaded.relations.length || loaded.transitions.length)
      skipped.push({
        file: `(${live.where})`,
        reason:
          'rules that run in pull requests only (relation and transition rules) are not evaluated on a live scope; Azure Policy cannot enforce them'
      });
  }
  const hasBase = request.base !== undefined || (request.baseTemplates?.length ?? 0) > 0;
  if (loaded.transitions.length && !(hasBase && templatePatterns(request).length)) {
    notRun.push({
      rules: loaded.transitionRules,
      reason: templatePatterns(request).length
        ? 'no base to compare with: give --base REF or --base-templates PATTERN (in the action: run on a pull request or a push, or set `base`)'
        : 'they compare templates before and after a change, and no templates were given'
    });
  }
  return { readProblems, skipped, notes, notRun, azureExceptions };
}

/**
 * Transition rules on the head's resources against the base's: whether they ran, and what the base's inline
 * exceptions covered where the base was read from its commit. A base that cannot be read is an error when the user
 * named it, else a note that they did not run.
 */
function runTransitions(
  request: EvaluateRequest,
  loaded: LoadedRules,
  head: Resource[],
  store: FindingStore,
  notRun: NotRun[],
  problems: UserError[]
): { ran: boolean; coverage?: InlineCoverage } {
  let base: BaseResources | null = null;
  try {
    base = request.baseTemplates?.length
      ? { resources: loadBaseTemplates(request, request.baseTemplates) }
      : loadBaseResources(request);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // A base the user named is an input like any other: its error, and every other finding still reported.
    if (request.baseRequired) problems.push(error);
    else
      notRun.push({
        rules: loaded.transitionRules,
        reason: `the base could not be read: ${error.message}`,
        warning: true
      });
  }
  if (!base) return { ran: false };
  const pairs = pairResources(base.resources, head);
  const firstGroup = loaded.definitions.length + 1 + loaded.relations.length;
  loaded.transitions.forEach(({ rule, check }, i) => {
    isolated(problems, { file: rule.file }, `evaluate the rule ${rule.name}`, () => {
      for (const finding of check(pairs)) store.add(firstGroup + i, finding);
    });
  });
  return { ran: true, coverage: base.coverage };
}

/**
 * The baseline the request names. One that cannot be read (or is outside the repository) is its own error in
 * `errors`: every finding is then reported as new, and the run exits 2.
 */
function readBaselineOf(
  request: EvaluateRequest,
  errors: NonNullable<FindingsDocument['errors']>
): Baseline | undefined {
  if (request.baseline === undefined) return undefined;
  const named = request.baseline;
  let baseline: Baseline | undefined;
  const problems: UserError[] = [];
  isolated(problems, { file: named }, `read the baseline ${named}`, () => {
    // Placed where the templates are: an entry written before the group was given still accepts its finding.
    baseline = readBaseline(inputPath(request, named, 'the baseline'), request.cwd, {
      subscriptionId: request.deploymentSubscriptionId,
      resourceGroup: request.resourceGroup
    });
  });
  for (const problem of problems) errors.push(inputError(problem, request.cwd));
  return baseline;
}

/**
 * The base commit's text of the files exceptions and the baseline come from, to say what this change adds to
 * what is accepted (a git ref only: files named with --base-templates have no configuration or baseline of
 * their own). Undefined when there is nothing to compare, or the base cannot be read (noted in `skipped`).
 */
function baseTextOf(
  request: EvaluateRequest,
  exceptions: Exception[],
  baseline: Baseline | undefined,
  skipped: NonNullable<FindingsDocument['skipped']>
): BaseText | undefined {
  if (request.base === undefined || !(exceptions.length || baseline)) return undefined;
  const files = [...new Set([...exceptions.map(e => e.source.file), ...(baseline ? [baseline.file] : [])])];
  try {
    const texts = readFilesAtCommit(request.base, files, request.cwd);
    return file => texts.get(file);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    skipped.push({
      file: '(base)',
      reason: `exceptions and baseline entries this change adds are not marked as new: ${error.message}`
    });
    return undefined;
  }
}

/** A user error as the findings document lists it: its file, and the paths in its message, relative to `cwd`. */
export function inputError(error: UserError, cwd: string): NonNullable<FindingsDocument['errors']>[number] {
  const location = error.location;
  return {
    file: location ? displayPath(location.file, cwd) : '',
    line: location?.line ?? null,
    column: location?.column ?? null,
    message: error.messageRelativeTo(cwd)
  };
}

/** The types (lowercased) any definition can apply to, or null when one may apply to every type. */
export function typesToRead(definitions: readonly CompiledDefinition[]): string[] | null {
  const types = new Set<string>();
  for (const definition of definitions) {
    if (definition.resourceTypes === null) return null;
    for (const type of definition.resourceTypes) types.add(type);
  }
  return [...types].sort();
}

/** Where the templates are deployed, as far as the run is told: the same for the head's and the base's. */
function deploymentContext(request: EvaluateRequest): DeploymentContext {
  return {
    ...(request.resourceGroupLocation !== undefined ? { resourceGroupLocation: request.resourceGroupLocation } : {}),
    ...(request.deploymentLocation !== undefined ? { deploymentLocation: request.deploymentLocation } : {}),
    ...(request.resourceGroup !== undefined ? { resourceGroup: request.resourceGroup } : {}),
    ...(request.deploymentSubscriptionId !== undefined ? { subscriptionId: request.deploymentSubscriptionId } : {})
  };
}

/** Base templates named as files: every resource they deploy is a candidate to pair with the head's. */
function loadBaseTemplates(request: EvaluateRequest, patterns: string[]): Resource[] {
  const discovered = loadTemplates(patterns, {
    cwd: request.cwd,
    env: request.env,
    root: rootOf(request),
    parameterOverrides: request.parameterOverrides,
    scope: deploymentContext(request)
  });
  return discovered.templates.flatMap(t => t.resources);
}

/**
 * What the base's inline exceptions covered, when no transition rule expanded the base's templates already and the
 * head has inline exceptions: undefined when there is no base commit or it cannot be read (each exception's novelty is
 * then judged from the texts of its file alone).
 */
function baseInlineCoverage(request: EvaluateRequest, exceptions: readonly Exception[]): InlineCoverage | undefined {
  if (request.base === undefined || request.baseTemplates?.length || !templatePatterns(request).length)
    return undefined;
  if (!exceptions.some(exception => exception.kind === 'inSource')) return undefined;
  try {
    return loadBaseResources(request).coverage;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return undefined;
  }
}

/** The head's template patterns: those given and those the base's configuration file adds. */
function templatePatterns(request: Pick<EvaluateRequest, 'templates' | 'templatesAtBase'>): string[] {
  return [...(request.templates ?? []), ...(request.templatesAtBase ?? [])];
}

/** The base's resources, and (read from its commit) what its inline exceptions covered. */
interface BaseResources {
  resources: Resource[];
  coverage?: InlineCoverage;
}

/** The head's templates as they were at the PR's base: what transition rules compare against. */
function loadBaseResources(request: EvaluateRequest): BaseResources {
  const patterns = templatePatterns(request);
  const folders = patterns.map(pattern => staticPrefix(pattern, request.cwd));
  const checkout = readBaseCheckout(request.base as string, folders, request.cwd);
  try {
    const cwd = inBaseCheckout(checkout, '.', request.cwd);
    const discovered = loadTemplates(patterns, {
      cwd,
      mayMatchNothing: request.templatesAtBase,
      env: request.env,
      root: inBaseCheckout(checkout, rootOf(request), request.cwd),
      parameterFiles: request.parameters?.map(p => inBaseCheckout(checkout, p, request.cwd)),
      parameterOverrides: request.parameterOverrides,
      scope: deploymentContext(request)
    });
    // A template the base cannot expand (new, or broken then) has nothing to compare against.
    const resources = discovered.templates.flatMap(t => t.resources);
    return { resources, coverage: inlineCoverage(inlineExceptions(resources, cwd).exceptions) };
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
  return {
    tool: { name: 'cmk-guard', version: VERSION },
    summary: { resources, definitions, ...countVerdicts(findings) },
    findings,
    errors,
    skipped,
    notRun
  };
}

export interface ComplianceReportRequest extends Omit<ComplianceRequest, 'initiative'> {
  cwd: string;
  /** The configuration file's exceptions: they accept compliance findings as they accept the others. */
  exceptions?: Exception[];
  /** The run's clock, for expiry dates (fixed in tests). */
  now?: Date;
  /** The rule folder the initiative was compiled from (its pack names it); the bundled pack by default. */
  policies: string;
}

/**
 * `compliance`: Azure Policy's own compliance states for the pack's initiative at a scope, as a
 * findings document, named by the rules the initiative was compiled from.
 */
export async function complianceReport(request: ComplianceReportRequest): Promise<FindingsDocument> {
  const dir = packFolder(request.cwd, request.policies);
  const { pack, rules } = loadPolicyDirectory(dir, isWithin(bundledPolicies(), dir) ? undefined : request.cwd);
  if (!pack) {
    throw new UserError(
      "compliance reads the states of the pack's initiative: the rule folder has no pack.yaml naming it; add one (see policies/pack.yaml).",
      { file: displayPath(dir, request.cwd) }
    );
  }
  const azure = await import('./azure/index.js');
  const result = await azure.readCompliance({ ...request, initiative: pack.name });
  const byName = new Map(rules.map(rule => [rule.name, rule]));
  // What an exemption in Azure (or an exception of the file) accepts is listed as accepted, never dropped.
  const accepted = applyExceptions(
    result.records.map(record => complianceFinding(record, byName)),
    [
      ...exceptionsFromExemptions(
        result.exemptions,
        pack.rules,
        result.records.map(r => ({
          id: r.resourceId,
          type: r.resourceType,
          ...(r.resourceLocation ? { location: r.resourceLocation } : {})
        })),
        result.groupsOf
      ),
      ...(request.exceptions ?? [])
    ],
    request.now ?? new Date()
  );
  const findings = accepted.findings;
  const skipped: NonNullable<FindingsDocument['skipped']> = [];
  if (result.records.length === 0) {
    skipped.push({
      file: `(${result.where})`,
      reason: `Azure Policy holds no compliance state for the initiative ${result.initiativeId} here: it is not assigned at or below this scope, or Azure has not evaluated it yet (use --trigger-scan).`
    });
  }
  const resources = new Set(result.records.map(r => foldCase(r.resourceId))).size;
  const members = new Set(result.records.map(r => foldCase(r.policyDefinitionReferenceId))).size;
  const document = buildDocument(findings, resources, members || pack.rules.length, [], skipped);
  if (accepted.report.length) document.exceptions = accepted.report;
  return document;
}
