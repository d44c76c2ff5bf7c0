/**
 * `cmk-guard.yaml`: found at the repository root or named by `--config` / the `config` input, read
 * with source positions, validated against the published schema (schema.ts), and turned into typed
 * settings, per-rule overrides and exceptions. Every mistake is reported at once, each with its file,
 * line and a sentence saying what to change.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { throwUserErrors, UserError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import type { SourcePosition } from '../model/resource.js';
import { readTextFile } from '../model/textFile.js';
import type { Json } from '../model/value.js';
import { escapePointerSegment } from '../model/pointer.js';
import { displayPath } from '../paths.js';
import { parseDocument } from '../rules/positions.js';
import { confine, escapeReason } from '../sources/boundary.js';
import { hasGlob } from '../sources/glob.js';
import { metaSchemaErrors } from '../rules/validate.js';
import { canonicalJson, isCalendarDate, type Exception, type ResourceSelector } from '../exceptions/model.js';
import { configFieldHints, configPatternHints, configSchema, type thresholds } from './schema.js';
import { lazyFileValidator } from './validator.js';
import { foldCase } from '../model/foldCase.js';

/** Looked for, in this order, at the repository root when no file is named. */
export const CONFIG_FILES = ['cmk-guard.yaml', 'cmk-guard.yml'];

export type Threshold = (typeof thresholds)[number];

/** What the file sets that a flag or an input can also set; absent when the file does not say. */
export interface ConfigSettings {
  /** Rule folders; null for `none`. */
  policies?: string[] | null;
  definitions?: string[];
  templates?: string[];
  parameters?: string[];
  parameterValues?: Record<string, Json>;
  /** What `resourceGroup().location` gives (`resource-group-location`); unknown when no one says. */
  resourceGroupLocation?: string;
  /** What `deployment().location` gives above a resource group (`deployment-location`). */
  deploymentLocation?: string;
  /** The resource group the templates deploy to (`resource-group`): what `resourceGroup().name` gives. */
  resourceGroup?: string;
  /** The subscription the templates deploy to (`deployment-subscription-id`). */
  deploymentSubscriptionId?: string;
  resources?: string[];
  failOn?: Threshold;
  failOnIndeterminate?: boolean;
  /** Names or globs of the rules and definitions to run, and not to run. */
  rules?: string[];
  skipRules?: string[];
  minSeverity?: Severity;
  /** The CLI's report format. */
  format?: string;
  baseline?: string;
}

/** A rule's severity and effect as this repository wants them. */
export interface RuleOverride {
  name: string;
  severity?: Severity;
  effect?: string;
  /** Where the override is written, for errors about it. */
  at: SourcePosition;
}

export interface AzureConfig {
  scope?: string;
  assignmentScope?: string;
  owner?: string;
  enforcementMode?: 'Default' | 'DoNotEnforce';
  cloud?: string;
  armEndpoint?: string;
  tenantId?: string;
  clientId?: string;
  subscriptionId?: string;
  prune?: boolean;
  /** `rule → effect` in the assignment. */
  effects?: Record<string, string>;
  location?: string;
}

export interface Config {
  /** The file, as reports show it (relative to the workspace). */
  file: string;
  settings: ConfigSettings;
  overrides: RuleOverride[];
  exceptions: Exception[];
  azure: AzureConfig;
  /** The entries as written, for comparing with the pull request's base. */
  document: { [key: string]: Json };
}

const validator = lazyFileValidator(configSchema);

const hints = {
  fields: {
    ...configFieldHints,
    policies: 'a folder of rule files, a list of folders, or `none`'
  },
  patterns: configPatternHints
};

/**
 * The configuration file to read: the one named (an error if it is missing), else `cmk-guard.yaml`
 * at `cwd` if there is one, else none. `none` turns the file off. Either must be inside the
 * repository `root` (the workspace, or `--root`) after symbolic links: a pull request can make
 * `cmk-guard.yaml` a link to a runner's file, and the file's text reaches its error messages.
 */
export function findConfigFile(cwd: string, named: string | undefined, root: string = cwd): string | null {
  if (named !== undefined) {
    if (foldCase(named) === 'none') return null;
    const file = path.resolve(cwd, named);
    // Refused before it is looked at: whether a file outside the repository exists is not said either.
    confine(file, root, 'the configuration file', { file: named });
    if (!existsSync(file))
      throw new UserError(`the configuration file ${named} does not exist; check the path, or leave it out.`, {
        file: named
      });
    return file;
  }
  for (const name of CONFIG_FILES) {
    const file = path.join(cwd, name);
    if (existsSync(file) && statSync(file).isFile())
      return confine(file, root, 'the configuration file', { file: name });
  }
  return null;
}

/**
 * Reads and checks a configuration file; throws every mistake in it at once. The paths it names
 * (rule and definition folders, templates, parameter files, snapshots, the baseline) must lead
 * inside the repository `root`: one that does not is a mistake at its line.
 */
export function loadConfig(file: string, cwd: string, root: string = cwd, written?: string): Config {
  const shown = displayPath(file, cwd);
  // The file comes from the pull request's checkout: read it with the same bounds as a template
  // (`written`: its text at another commit, read from git).
  const text = (written ?? readTextFile(file)).replace(/^\uFEFF/, '');
  // A file of comments only (a fresh one, with the schema line) is an empty configuration.
  const empty = text.split(/\r?\n/).every(line => /^\s*(#.*)?$/.test(line));
  const doc = empty ? null : parseDocument(shown, text);
  const value = (doc?.value ?? {}) as Json;
  const top = { file: shown, line: 1, column: 1 };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new UserError(
      'the configuration file holds a mapping of settings (`templates:`, `exceptions:` …); rewrite it as one.',
      top
    );
  const check = validator();
  if (doc && !check(value))
    throwUserErrors(byLine(metaSchemaErrors(check.errors ?? [], doc, 'the configuration', '', hints)));
  const at = (pointer: string, key = false): SourcePosition => doc?.positionOf(pointer, key) ?? top;
  const v = value as ConfigDocument;

  const errors: UserError[] = pathsOutside(v, cwd, root, at);
  const exceptions: Exception[] = [];
  (v.exceptions ?? []).forEach((entry, i) => {
    if (entry.expires !== undefined && !isCalendarDate(entry.expires)) {
      errors.push(
        new UserError(
          `\`exceptions[${i}].expires\` is \`${entry.expires}\`, which is not a day of the calendar; write a real date such as \`2027-03-31\`.`,
          at(`/exceptions/${i}/expires`)
        )
      );
      return;
    }
    exceptions.push({
      kind: 'external',
      rules: typeof entry.rule === 'string' ? [entry.rule] : entry.rule,
      resources: entry.resources,
      declared: [],
      reason: entry.reason,
      ...(entry.owner !== undefined ? { owner: entry.owner } : {}),
      ...(entry.expires !== undefined ? { expires: entry.expires } : {}),
      category: entry.category ?? 'waiver',
      source: at(`/exceptions/${i}`),
      entryText: canonicalJson(entry)
    });
  });
  throwUserErrors(byLine(errors));

  const overrides = Object.entries(v.overrides ?? {}).map(([name, override]): RuleOverride => ({
    name,
    ...override,
    at: at(`/overrides/${escapePointerSegment(name)}`, true)
  }));
  const policies = v.policies === undefined ? undefined : typeof v.policies === 'string' ? [v.policies] : v.policies;
  const settings: ConfigSettings = {
    ...(policies !== undefined
      ? { policies: policies.length === 1 && foldCase(policies[0]) === 'none' ? null : policies }
      : {}),
    ...(v.definitions !== undefined ? { definitions: v.definitions } : {}),
    ...(v.templates !== undefined ? { templates: v.templates } : {}),
    ...(v.parameters !== undefined ? { parameters: v.parameters } : {}),
    ...(v['parameter-values'] !== undefined ? { parameterValues: v['parameter-values'] } : {}),
    ...(v['resource-group-location'] !== undefined ? { resourceGroupLocation: v['resource-group-location'] } : {}),
    ...(v['deployment-location'] !== undefined ? { deploymentLocation: v['deployment-location'] } : {}),
    ...(v['resource-group'] !== undefined ? { resourceGroup: v['resource-group'] } : {}),
    ...(v['deployment-subscription-id'] !== undefined
      ? { deploymentSubscriptionId: foldCase(v['deployment-subscription-id']) }
      : {}),
    ...(v.resources !== undefined ? { resources: v.resources } : {}),
    ...(v['fail-on'] !== undefined ? { failOn: v['fail-on'] } : {}),
    ...(v['fail-on-indeterminate'] !== undefined ? { failOnIndeterminate: v['fail-on-indeterminate'] } : {}),
    ...(v.rules !== undefined ? { rules: v.rules } : {}),
    ...(v['skip-rules'] !== undefined ? { skipRules: v['skip-rules'] } : {}),
    ...(v['min-severity'] !== undefined ? { minSeverity: v['min-severity'] } : {}),
    ...(v.format !== undefined ? { format: v.format } : {}),
    ...(v.baseline !== undefined ? { baseline: v.baseline } : {})
  };
  const azure = v.azure ?? {};
  return {
    file: shown,
    settings,
    overrides,
    exceptions,
    azure: {
      ...(azure.scope !== undefined ? { scope: azure.scope } : {}),
      ...(azure['assignment-scope'] !== undefined ? { assignmentScope: azure['assignment-scope'] } : {}),
      ...(azure.owner !== undefined ? { owner: azure.owner } : {}),
      ...(azure['enforcement-mode'] !== undefined ? { enforcementMode: azure['enforcement-mode'] } : {}),
      ...(azure.cloud !== undefined ? { cloud: azure.cloud } : {}),
      ...(azure['arm-endpoint'] !== undefined ? { armEndpoint: azure['arm-endpoint'] } : {}),
      ...(azure.effects !== undefined ? { effects: azure.effects } : {}),
      ...(azure.location !== undefined ? { location: azure.location } : {}),
      ...(azure['tenant-id'] !== undefined ? { tenantId: azure['tenant-id'] } : {}),
      ...(azure['client-id'] !== undefined ? { clientId: azure['client-id'] } : {}),
      ...(azure['subscription-id'] !== undefined ? { subscriptionId: azure['subscription-id'] } : {}),
      ...(azure.prune !== undefined ? { prune: azure.prune } : {})
    },
    document: value as { [key: string]: Json }
  };
}

/** The settings that name files, and what each names (for messages). */
const PATH_SETTINGS = {
  policies: 'the rule folder',
  definitions: 'the definitions path',
  templates: 'the templates',
  parameters: 'the parameter files',
  resources: 'the resource snapshot',
  baseline: 'the baseline'
} as const;

/**
 * Every path the file names that leads outside the repository, as a mistake at its line. A glob is
 * judged by its folder part (`../other/**` leads out; what `infra/**` finds is confined when it is
 * read). Files found inside are confined again, after symbolic links, where they are read.
 */
function pathsOutside(
  v: ConfigDocument,
  cwd: string,
  root: string,
  at: (pointer: string) => SourcePosition
): UserError[] {
  const errors: UserError[] = [];
  for (const [key, what] of Object.entries(PATH_SETTINGS) as [keyof typeof PATH_SETTINGS, string][]) {
    const value = v[key];
    const entries = value === undefined ? [] : typeof value === 'string' ? [value] : value;
    entries.forEach((entry, i) => {
      if (key === 'policies' && foldCase(entry) === 'none') return;
      const folder = staticPart(entry);
      const reason = escapeReason(path.resolve(cwd, folder), root);
      if (reason)
        errors.push(
          new UserError(
            `\`${key}\` names ${entry}, and cmk-guard does not read ${what} there: ${reason}; keep the files it reads inside the repository.`,
            at(typeof value === 'string' ? `/${key}` : `/${key}/${i}`)
          )
        );
    });
  }
  return errors;
}

/** The part of a path before its first segment with a glob character (the whole path when there is none). */
function staticPart(pattern: string): string {
  const segments = pattern.split(/[\\/]/);
  const first = segments.findIndex(segment => hasGlob(segment));
  if (first === -1) return pattern;
  const kept = segments.slice(0, first).join('/');
  return kept === '' && pattern.startsWith('/') ? '/' : kept === '' ? '.' : kept;
}

/** Mistakes in the order they are in the file. */
function byLine(errors: UserError[]): UserError[] {
  return [...errors].sort(
    (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0)
  );
}

/** The file's shape once the schema has passed it. */
interface ConfigDocument {
  policies?: string | string[];
  definitions?: string[];
  templates?: string[];
  parameters?: string[];
  'parameter-values'?: Record<string, Json>;
  'resource-group-location'?: string;
  'deployment-location'?: string;
  'resource-group'?: string;
  'deployment-subscription-id'?: string;
  resources?: string[];
  'fail-on'?: Threshold;
  'fail-on-indeterminate'?: boolean;
  rules?: string[];
  'skip-rules'?: string[];
  'min-severity'?: Severity;
  format?: string;
  baseline?: string;
  overrides?: Record<string, { severity?: Severity; effect?: string }>;
  exceptions?: {
    rule: string | string[];
    resources: ResourceSelector[];
    reason: string;
    owner?: string;
    expires?: string;
    category?: 'waiver' | 'mitigated';
  }[];
  azure?: {
    scope?: string;
    'assignment-scope'?: string;
    owner?: string;
    'enforcement-mode'?: 'Default' | 'DoNotEnforce';
    cloud?: string;
    'arm-endpoint'?: string;
    effects?: Record<string, string>;
    location?: string;
    'tenant-id'?: string;
    'client-id'?: string;
    'subscription-id'?: string;
    prune?: boolean;
  };
}
