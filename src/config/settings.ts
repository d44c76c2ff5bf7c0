/**
 * The one mapping from what a run is told — CLI flags or action inputs, and the configuration file —
 * to what the pipeline is asked. A flag or an input that is given wins over the file, setting by
 * setting (a list replaces the file's list; parameter values are merged, the flag's winning).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { throwUserErrors, UserError } from '../model/errors.js';
import type { Json } from '../model/value.js';
import type { Exception } from '../exceptions/model.js';
import type { RuleSelection } from '../rules/selection.js';
import { loadRuleTooling } from '../rules/tooling.js';
import { canonicalJson } from '../exceptions/model.js';
import { displayPath } from '../paths.js';
import { readFilesAtCommit } from '../pr/baseCheckout.js';
import { REGION_PATTERN, RESOURCE_GROUP_PATTERN, SUBSCRIPTION_ID_PATTERN } from './schema.js';
import {
  CONFIG_FILES,
  findConfigFile,
  loadConfig,
  type AzureConfig,
  type Config,
  type ConfigSettings,
  type RuleOverride,
  type Threshold
} from './load.js';
import { foldCase } from '../model/foldCase.js';

/** What the flags or inputs say: the configuration file's settings, and which file to read. */
export interface GivenSettings extends ConfigSettings {
  /** `--config` / the `config` input; `none` reads no file. */
  config?: string;
  /**
   * The repository root (`--root`; the workspace in the action): the configuration file and the
   * paths it names must be inside it. Default: the working folder.
   */
  root?: string;
  /**
   * The base commit of the pull request being checked: the settings of the configuration file that decide
   * whether the run fails are read as they are there, so a pull request cannot loosen its own gate.
   */
  gateBase?: string;
}

/** How each selection setting is spelt by the door, for messages (`--rules`, "the `rules` input"). */
export type Spelling = NonNullable<RuleSelection['spelling']>;

export interface Defaults {
  /** How the door's flags or inputs are called, for messages about the selection. */
  spelling?: Spelling;
  /** The rule pack used when neither the flags nor the file name rule folders. */
  bundledPolicies: string;
  /** The CLI evaluates only the definitions it is given; the action adds the pack to them. */
  packWithDefinitions: boolean;
  /** What to check when nothing names templates or resources (the action: every JSON file). */
  templates?: string[];
}

/** The pipeline's request as far as settings decide it (the door adds the base, changed files, the clock). */
export interface ResolvedSettings {
  cwd: string;
  policies?: string[];
  definitions: string[];
  templates: string[];
  /**
   * Patterns the base's configuration file names in `templates` that this pull request's leaves out: evaluated
   * too until the change is merged, and one that matches nothing now is no error.
   */
  templatesAtBase?: string[];
  parameters: string[];
  parameterOverrides: Record<string, Json>;
  /** Where the deployment goes, as far as it is given: `resourceGroup().location`, `deployment().location`. */
  resourceGroupLocation?: string;
  deploymentLocation?: string;
  /** The resource group and subscription the templates deploy to (`resource-group`, `deployment-subscription-id`). */
  resourceGroup?: string;
  deploymentSubscriptionId?: string;
  resources: string[];
  overrides: RuleOverride[];
  exceptions: Exception[];
  selection: RuleSelection;
  baseline?: string;
  /**
   * The settings this pull request changes in the configuration file that decide whether the run fails,
   * each with what it is at the base (which applies until the change is merged); or, when the base's file
   * cannot be read, why they were not compared. The findings document lists them with what it passed over.
   */
  pinned?: { file: string; reason: string }[];
  /** On a pull request, its base: the repository's own rule files are read as they are there (src/run.ts). */
  rulesAtBase?: string;
}

export interface Resolved {
  /** The configuration file read, if any. */
  config: Config | null;

  request: ResolvedSettings;
  failOn: Threshold;
  failOnIndeterminate: boolean;
  /** The CLI's report format, when the flags or the file name one. */
  format?: string;
}

/**
 * Loads what reading the configuration file needs (js-yaml, ajv: src/rules/tooling.ts) when there is one, before
 * `resolveSettings` reads it. A file it cannot find says nothing here: `resolveSettings` says what is wrong.
 */
export async function prepareSettings(given: Pick<GivenSettings, 'config' | 'root'>, cwd: string): Promise<void> {
  let file: string | null;
  try {
    file = findConfigFile(cwd, given.config, path.resolve(cwd, given.root ?? '.'));
  } catch {
    return;
  }
  if (file !== null) await loadRuleTooling();
}

/** Reads the configuration file (if any) and merges it under what the flags or inputs give. */
export function resolveSettings(given: GivenSettings, cwd: string, defaults: Defaults): Resolved {
  const root = path.resolve(cwd, given.root ?? '.');
  const file = findConfigFile(cwd, given.config, root);
  const config = file === null ? null : loadConfig(file, cwd, root);
  const gate = gateAtBase(given, file, config, cwd, root, defaults.templates ?? []);
  const fromFile = { ...config?.settings, ...gate.settings };
  const pick = <K extends keyof ConfigSettings>(key: K): ConfigSettings[K] => {
    const value = given[key];
    const empty = value === undefined || (Array.isArray(value) && value.length === 0);
    return empty ? fromFile[key] : value;
  };
  const definitions = pick('definitions') ?? [];
  const spelling = (key: 'rules' | 'skipRules' | 'minSeverity', name: string) =>
    given[key] !== undefined && !(Array.isArray(given[key]) && given[key].length === 0)
      ? defaults.spelling?.[key]
      : `\`${name}\` in ${config?.file ?? 'the configuration file'}`;
  const minSeverity = pick('minSeverity');
  const policies = pick('policies');
  const resources = pick('resources') ?? [];
  const resourceGroupLocation = pick('resourceGroupLocation');
  const deploymentLocation = pick('deploymentLocation');
  const resourceGroup = pick('resourceGroup');
  const deploymentSubscriptionId = pick('deploymentSubscriptionId');
  const named = pick('templates') ?? [];
  const templates = named.length || resources.length ? named : (defaults.templates ?? []);
  // A pattern the base checks (its `templates`, or the default when it names neither templates nor snapshots) that
  // this change leaves out still names what the base checked: a pull request that narrowed `templates`, or named a
  // snapshot in place of them, would otherwise leave its own new template unchecked.
  const leftOut =
    gate.baseTemplates && !given.templates?.length ? gate.baseTemplates.filter(p => !templates.includes(p)) : [];
  if (leftOut.length)
    gate.pinned.push({
      file: gate.shown!,
      reason: `\`templates\` leaves out ${leftOut.map(p => JSON.stringify(p)).join(', ')} in this change, which the base checks: they are evaluated too until the change is merged.`
    });
  return {
    config,
    failOn: pick('failOn') ?? 'error',
    failOnIndeterminate: pick('failOnIndeterminate') ?? false,
    ...(pick('format') !== undefined ? { format: pick('format') } : {}),
    request: {
      cwd,
      policies:
        policies === null
          ? undefined
          : (policies ??
            (definitions.length && !defaults.packWithDefinitions ? undefined : [defaults.bundledPolicies])),
      definitions,
      templates,
      parameters: pick('parameters') ?? [],
      parameterOverrides: { ...fromFile.parameterValues, ...given.parameterValues },
      ...(resourceGroupLocation !== undefined ? { resourceGroupLocation: shortRegionName(resourceGroupLocation) } : {}),
      ...(deploymentLocation !== undefined ? { deploymentLocation: shortRegionName(deploymentLocation) } : {}),
      ...(resourceGroup !== undefined ? { resourceGroup } : {}),
      ...(deploymentSubscriptionId !== undefined ? { deploymentSubscriptionId } : {}),
      resources: [...resources, ...(gate.resourcesAtBase && !given.resources?.length ? gate.resourcesAtBase : [])],
      overrides: gate.overrides ?? config?.overrides ?? [],
      exceptions: config?.exceptions ?? [],
      selection: {
        rules: pick('rules') ?? [],
        skipRules: pick('skipRules') ?? [],
        ...(minSeverity !== undefined ? { minSeverity } : {}),
        spelling: {
          ...defaults.spelling,
          rules: spelling('rules', 'rules'),
          skipRules: spelling('skipRules', 'skip-rules'),
          minSeverity: spelling('minSeverity', 'min-severity')
        }
      },
      ...(pick('baseline') !== undefined ? { baseline: pick('baseline') } : {}),
      ...(leftOut.length ? { templatesAtBase: leftOut } : {}),
      ...(gate.pinned.length ? { pinned: gate.pinned } : {}),
      ...(given.gateBase !== undefined ? { rulesAtBase: given.gateBase } : {})
    }
  };
}

/** The settings of the configuration file that decide whether a run fails, by their names in the file. */
const GATE_SETTINGS = {
  failOn: 'fail-on',
  failOnIndeterminate: 'fail-on-indeterminate',
  minSeverity: 'min-severity',
  rules: 'rules',
  skipRules: 'skip-rules',
  policies: 'policies',
  definitions: 'definitions',
  parameters: 'parameters',
  parameterValues: 'parameter-values',
  baseline: 'baseline',
  // Where the deployment goes decides what Allowed locations and the like find: a pull request could
  // name an allowed region for a group that is in another.
  resourceGroupLocation: 'resource-group-location',
  deploymentLocation: 'deployment-location',
  // So does the group's name and subscription (a rule on `resourceGroup().name like 'prod-*'`): a pull request could
  // move its templates, for its own run, to a group whose name passes.
  resourceGroup: 'resource-group',
  deploymentSubscriptionId: 'deployment-subscription-id'
} as const satisfies Partial<Record<keyof ConfigSettings, string>>;

type Pinned = NonNullable<ResolvedSettings['pinned']>;

/**
 * What a pull request's configuration file may not change for its own run: `fail-on: never`, a rule in
 * `skip-rules`, an override to `Disabled`, `parameter-values` or a parameter file that make a template compliant,
 * or a `baseline` naming another file would pass the pull request that adds them. Each of these settings
 * (and `overrides`) that differs from the file at the base commit is taken as it is there, and said so;
 * the change applies once it is merged. Flags and inputs still win over both. Without a base, or with
 * `config: none`, nothing is compared. Where the base's file cannot be read or is broken, this fails open (the
 * change's file applies, and an unread base is said): unlike where `plan` connects (`connectionAtBase`), what is at
 * stake is the pull request's own verdict, which the base's file, when there is one, decides.
 */
function gateAtBase(
  given: GivenSettings,
  file: string | null,
  config: Config | null,
  cwd: string,
  root: string,
  defaultTemplates: string[]
): {
  settings: Partial<ConfigSettings>;
  overrides?: RuleOverride[];
  /** The template patterns the base checks, once its file is read: its `templates`, or the default. */
  baseTemplates?: string[];
  resourcesAtBase?: string[];
  /** The file as the entries of `pinned` name it. */
  shown?: string;
  pinned: Pinned;
} {
  const none = { settings: {}, pinned: [] };
  if (given.gateBase === undefined) return none;
  const read = readConfigAtBase(given.gateBase, given.config, file, cwd, root);
  if (read === null) return none;
  if ('error' in read) {
    // Without a file here there is nothing this change could have loosened.
    if (file === null) return none;
    return {
      settings: {},
      pinned: [
        {
          file: read.shown,
          reason: `the settings that decide whether the run fails are read from this change, not compared with the base: ${read.error.message}`
        }
      ]
    };
  }
  // A base whose file is broken decided nothing: this change's file applies.
  if (read.broken) return none;
  const { base, atBase, shown } = read;
  const exists = (entry: string) => existsSync(path.resolve(cwd, entry));
  const otherFile: Pinned =
    atBase !== undefined && file !== null && atBase !== file
      ? [
          {
            file: shown,
            reason: `the base reads ${displayPath(atBase, cwd)}, not this file: the settings that decide whether the run fails are compared with that one.`
          }
        ]
      : [];
  const gate = gateSettingsAtBase(config, base, shown, exists);
  const snapshots = snapshotsAtBase(config, base, shown, exists);
  const overrides = overridesAtBase(config, base, shown);
  const baseNamed = base?.settings.templates ?? [];
  return {
    settings: gate.settings,
    ...(overrides ? { overrides: overrides.overrides } : {}),
    baseTemplates: baseNamed.length || base?.settings.resources?.length ? baseNamed : defaultTemplates,
    ...(snapshots.resourcesAtBase.length ? { resourcesAtBase: snapshots.resourcesAtBase } : {}),
    shown,
    pinned: [...otherFile, ...gate.pinned, ...snapshots.pinned, ...(overrides ? [overrides.entry] : [])]
  };
}

/**
 * Each of GATE_SETTINGS that the change sets otherwise than its base, as the base has it. Of the files the base
 * names in `parameters` or `baseline`, those the change removes are left out (and said): the change decides what
 * is in the repository, not which of its files the run reads.
 */
function gateSettingsAtBase(
  config: Config | null,
  base: Config | null,
  shown: string,
  exists: (entry: string) => boolean
): { settings: Partial<ConfigSettings>; pinned: Pinned } {
  const settings: Partial<ConfigSettings> = {};
  const pinned: Pinned = [];
  for (const [key, name] of Object.entries(GATE_SETTINGS) as [keyof typeof GATE_SETTINGS, string][]) {
    const head = config?.settings[key];
    const before = base?.settings[key];
    if (sameSetting(head, before)) continue;
    const gone =
      key === 'parameters' || key === 'baseline' ? [before ?? []].flat().filter(entry => !exists(entry as string)) : [];
    // Of the base's files, those still here (no baseline once its file is gone).
    (settings as Record<string, unknown>)[key] =
      gone.length === 0 ? before : key === 'parameters' ? (before as string[]).filter(exists) : undefined;
    const removed = gone.length
      ? ` (this change removes ${gone.map(g => JSON.stringify(g)).join(', ')}: ${key === 'baseline' ? 'no baseline applies' : 'the others apply'})`
      : '';
    pinned.push(baseApplies(shown, `\`${name}\``, head, before, removed));
  }
  return { settings, pinned };
}

/**
 * The snapshots the base names in `resources` that the change leaves out: those still in the repository are
 * evaluated too, and one the change removes cannot be read, and is said. A snapshot the change adds is read: it
 * is content to judge.
 */
function snapshotsAtBase(
  config: Config | null,
  base: Config | null,
  shown: string,
  exists: (entry: string) => boolean
): { resourcesAtBase: string[]; pinned: Pinned } {
  const headResources = config?.settings.resources ?? [];
  const resourcesLeftOut = (base?.settings.resources ?? []).filter(p => !headResources.includes(p));
  const resourcesAtBase = resourcesLeftOut.filter(exists);
  if (!resourcesLeftOut.length) return { resourcesAtBase, pinned: [] };
  const names = (entries: string[]) => entries.map(p => JSON.stringify(p)).join(', ');
  const missing = resourcesLeftOut.filter(p => !exists(p));
  const parts = [
    ...(resourcesAtBase.length
      ? [
          `${missing.length ? `${names(resourcesAtBase)} ${resourcesAtBase.length === 1 ? 'is' : 'are'}` : 'they are'} evaluated too until the change is merged`
        ]
      : []),
    ...(missing.length ? [`this change removes ${names(missing)}`] : [])
  ];
  return {
    resourcesAtBase,
    pinned: [
      {
        file: shown,
        reason: `\`resources\` leaves out ${names(resourcesLeftOut)} in this change, which the base names: ${parts.join('; ')}.`
      }
    ]
  };
}

/** The base's `overrides` when the change's differ from them (in any rule's severity or effect, in any order). */
function overridesAtBase(
  config: Config | null,
  base: Config | null,
  shown: string
): { overrides: RuleOverride[]; entry: Pinned[number] } | undefined {
  const overridesOf = (c: Config | null) =>
    canonicalJson(
      (c?.overrides ?? [])
        .map(({ name, severity, effect }) => ({ name, severity: severity ?? null, effect: effect ?? null }))
        .sort((a, b) => (a.name < b.name ? -1 : 1))
    );
  if (overridesOf(config) === overridesOf(base)) return undefined;
  return {
    overrides: base?.overrides ?? [],
    entry: {
      file: shown,
      reason: `\`overrides\` differ from the base's in this change: the base's apply until the change is merged.`
    }
  };
}

/** Whether a setting is the same in the change and at the base; `policies: none` (null) differs from no `policies`. */
function sameSetting(head: unknown, before: unknown): boolean {
  return (
    head === before || (head !== undefined && before !== undefined && canonicalJson(head) === canonicalJson(before))
  );
}

/** The entry that says a setting the change sets otherwise is taken as the base has it; `note` adds to the reason. */
function baseApplies(file: string, setting: string, head: unknown, before: unknown, note = ''): Pinned[number] {
  return {
    file,
    reason: `${setting} is ${showSetting(head)} in this change and ${showSetting(before)} at the base: the base's applies until the change is merged${note}.`
  };
}

/** The configuration file of a pull request's base: the file it reads, as that commit has it. */
type ConfigAtBase =
  /** The base could not be read (not fetched, not a git checkout). */
  | { error: UserError; shown: string }
  /**
   * `base` is null when the base has no file; `broken` when its file cannot be loaded. `atBase` is the file the
   * base reads, `shown` the file as entries about it name it.
   */
  | { base: Config | null; atBase?: string; broken?: true; shown: string };

/**
 * Reads the configuration file as the pull request's base has it: the one named, else the first of the usual
 * names the base has (a pull request that adds cmk-guard.yaml beside the base's cmk-guard.yml, or deletes
 * cmk-guard.yaml to leave a looser .yml, changes which file is read). Null when there is nothing to compare:
 * `config: none`, or no file named and none of the usual names to look for.
 */
function readConfigAtBase(
  ref: string,
  named: string | undefined,
  file: string | null,
  cwd: string,
  root: string
): ConfigAtBase | null {
  if (named !== undefined && foldCase(named) === 'none') return null;
  const candidates = named !== undefined ? (file !== null ? [file] : []) : CONFIG_FILES.map(n => path.join(cwd, n));
  if (!candidates.length) return null;
  let texts: Map<string, string | null>;
  try {
    texts = readFilesAtCommit(ref, candidates, cwd);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { error, shown: displayPath(file ?? candidates[0], cwd) };
  }
  const atBase = candidates.find(candidate => typeof texts.get(candidate) === 'string');
  const shown = displayPath(file ?? atBase ?? candidates[0], cwd);
  if (atBase === undefined) return { base: null, shown };
  try {
    return { base: loadConfig(atBase, cwd, root, texts.get(atBase)!), atBase, shown };
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { base: null, atBase, broken: true, shown };
  }
}

/** A setting's value as the entries taken from the base say it. */
function showSetting(value: unknown): string {
  return value === undefined ? 'not set' : value === null ? 'none' : JSON.stringify(value);
}

/**
 * A region given for the deployment (`--resource-group-location`, the input or the key of that name) as ARM
 * returns it from `resourceGroup().location`: its short name, `westeurope` for `West Europe`. `what` names
 * where it was given, for the message.
 */
export function parseRegion(value: string, what: string): string {
  const region = value.trim();
  if (!new RegExp(REGION_PATTERN).test(region))
    throw new UserError(`${what} is '${value}', which is not a region; give a region name such as westeurope.`);
  return shortRegionName(region);
}

/**
 * The resource group the templates deploy to (`--resource-group`, the input or the key of that name), as Azure
 * allows one to be named: 1 to 90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a
 * period. `what` names where it was given, for the message.
 */
export function parseResourceGroupName(value: string, what: string): string {
  const name = value.trim();
  if (!new RegExp(RESOURCE_GROUP_PATTERN, 'u').test(name))
    throw new UserError(
      `${what} is '${value}', which is not a resource group name; give 1 to 90 letters, digits, underscores, hyphens, periods or parentheses, not ending in a period.`
    );
  return name;
}

/**
 * The subscription the templates deploy to (`--deployment-subscription-id`, the input or the key of that name):
 * a GUID, lowercased as ARM returns it from `subscription().subscriptionId`.
 */
export function parseDeploymentSubscriptionId(value: string, what: string): string {
  const id = value.trim();
  if (!new RegExp(SUBSCRIPTION_ID_PATTERN).test(id))
    throw new UserError(
      `${what} is '${value}', which is not a subscription id; give its GUID, e.g. 00000000-0000-0000-0000-000000000000.`
    );
  return foldCase(id);
}

/** `West Europe` → `westeurope`: the name ARM gives back for a region however it was written. */
export function shortRegionName(region: string): string {
  return foldCase(region.replace(/ /g, ''));
}

/** Where and how `plan` and `deploy` publish, with the defaults filled in. */
export interface AzureSettings extends AzureConfig {
  cloud: string;
  effects: Record<string, string>;
  /**
   * `overrides.<rule>.effect` of the configuration file: the effect a rule is evaluated with, as
   * an assignment would give it, so the assignment gives it too (for the rules `effects` leaves).
   */
  effectOverrides: RuleOverride[];
  enforcementMode: 'Default' | 'DoNotEnforce';
  prune: boolean;
  /** Where the initiative is assigned: the scope unless the file or an input says otherwise. */
  assignmentScope?: string;
  /**
   * On a pull request, the settings of where to connect and what to act on that it changes in the configuration
   * file, each with what it is at the base (which applies until the change is merged).
   */
  pinned?: { file: string; reason: string }[];
}

/**
 * The subscription scope a subscription id names (`/subscriptions/<id>`), or undefined without one. What `named`
 * says is how the setting is named in the error for one that is not a GUID (the file's has passed the schema's
 * pattern at its line, so only an input can fail here).
 */
export function subscriptionScope(
  subscriptionId: string | undefined,
  named = 'the input `subscription-id`'
): string | undefined {
  if (subscriptionId === undefined) return undefined;
  const id = subscriptionId.trim();
  if (!new RegExp(SUBSCRIPTION_ID_PATTERN).test(id))
    throw new UserError(
      `${named} is '${id}', which is not a subscription id; give its GUID, e.g. 00000000-0000-0000-0000-000000000000.`
    );
  return `/subscriptions/${id.toLowerCase()}`;
}

/** Which command asks for a scope, and through which door, for the error when nothing gives one. */
export type ScopeAsker = { door: 'cli'; command: string; kinds: string } | { door: 'action'; asked: string };

/**
 * The Azure scope a command acts on (plan, deploy, compliance, evaluate --live), as the settings resolved from the
 * inputs or flags over the configuration file give it: the scope (input or flag, else `azure.scope`), else the
 * subscription `subscription-id` names (the input, the one `azure/login` takes, over the file's
 * `azure.subscription-id`). On a pull request the file's are the base's (`resolveAzureSettings`,
 * `resolveScopeSettings`). Without any, an error that says every way to give one.
 */
export function azureScope(settings: Pick<AzureConfig, 'scope' | 'subscriptionId'>, asker: ScopeAsker): string {
  const scope =
    settings.scope ??
    subscriptionScope(
      settings.subscriptionId,
      asker.door === 'cli' ? '`azure.subscription-id`' : 'the input `subscription-id`'
    );
  if (scope) return scope;
  const file = 'or `azure.scope` or `azure.subscription-id` in cmk-guard.yaml';
  throw new UserError(
    asker.door === 'cli'
      ? `${asker.command} needs --scope (${asker.kinds}), ${file}.`
      : `${asker.asked}, which needs the input \`scope\` (or \`subscription-id\`, for that subscription), ${file}.`
  );
}

/** On a pull request: its base commit, and the configuration file as it was looked for, to read it there too. */
export interface AzureBase {
  base: string;
  /** The configuration file read in the working tree, or null. */
  file: string | null;
  /** How the `config` input or `--config` named it, if it did (`none` reads no file). */
  named?: string;
  cwd: string;
  /** The repository root, the paths the file names must be inside (default: `cwd`). */
  root?: string;
}

/**
 * The `azure:` settings that decide where cmk-guard connects, what it signs in as and which scope it acts on, by
 * their names in the file. The OpenID Connect audience is not among them: it is always Entra ID's
 * (src/azure/credential.ts), and the token's scope is the endpoint's.
 */
const CONNECTION_SETTINGS = {
  cloud: 'cloud',
  armEndpoint: 'arm-endpoint',
  tenantId: 'tenant-id',
  clientId: 'client-id',
  scope: 'scope',
  assignmentScope: 'assignment-scope',
  subscriptionId: 'subscription-id'
} as const satisfies Partial<Record<keyof AzureConfig, string>>;

/**
 * The Azure settings the flags or inputs give, over the configuration file's, over the defaults. On a pull request
 * (`pullRequest`), each setting of where to connect and what to act on (CONNECTION_SETTINGS) that the change sets
 * otherwise than its base is taken as the base has it, and listed in `pinned`; the rest of the section (owner,
 * prune, enforcement mode, effects, location) is what the change proposes, which `plan` shows.
 */
export function resolveAzureSettings(
  given: AzureConfig,
  config: Config | null,
  pullRequest?: AzureBase
): AzureSettings {
  const atBase = pullRequest ? connectionAtBase(given, config, pullRequest) : undefined;
  const merged: AzureConfig = { ...(atBase?.azure ?? config?.azure) };
  for (const [key, value] of Object.entries(given) as [keyof AzureConfig, AzureConfig[keyof AzureConfig]][])
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  const effectOverrides = (config?.overrides ?? []).filter(o => o.effect !== undefined);
  // Within one file, the pull request check and the assignment must not be told two things.
  const errors: UserError[] = [];
  for (const override of effectOverrides) {
    const assigned = Object.entries(config?.azure.effects ?? {}).find(([rule]) => rule === override.name)?.[1];
    if (assigned !== undefined && foldCase(assigned) !== foldCase(override.effect!))
      errors.push(
        new UserError(
          `\`overrides\` gives \`${override.name}\` the effect \`${override.effect}\`, but \`azure.effects\` assigns it \`${assigned}\`: pull requests would be checked with one and Azure would enforce the other. Keep one of them.`,
          override.at
        )
      );
  }
  throwUserErrors(errors);
  return {
    ...merged,
    effectOverrides,
    cloud: merged.cloud ?? 'AzureCloud',
    enforcementMode: merged.enforcementMode ?? 'Default',
    prune: merged.prune ?? false,
    effects: merged.effects ?? {},
    ...((merged.assignmentScope ?? merged.scope) ? { assignmentScope: merged.assignmentScope ?? merged.scope } : {}),
    ...(atBase?.pinned.length ? { pinned: atBase.pinned } : {})
  };
}

/** What a command acts on, of the settings of CONNECTION_SETTINGS: the rest say where it connects. */
const SCOPE_SETTINGS = ['scope', 'assignmentScope', 'subscriptionId'] as const;

/**
 * What `compliance` and `evaluate --live` act on: the scope, the assignment scope (by default the scope) and the
 * subscription id the flags or inputs give, over the configuration file's `azure:` section, as `plan` and `deploy`
 * take them (`resolveAzureSettings`), with the file's taken from the base on a pull request where the change sets
 * them otherwise (listed in `pinned`). Where they connect (cloud, endpoint, tenant, client) stays what the flags or
 * inputs say: these commands read Azure with the job's identity on pull requests too.
 */
export function resolveScopeSettings(
  given: Pick<AzureConfig, (typeof SCOPE_SETTINGS)[number]>,
  config: Config | null,
  pullRequest?: AzureBase,
  assigned = true
): Pick<AzureSettings, (typeof SCOPE_SETTINGS)[number] | 'pinned'> {
  // Only what the command will use is taken from the base (and said to be): the subscription only without a scope.
  const used = SCOPE_SETTINGS.filter(
    key => (key !== 'assignmentScope' || assigned) && (key === 'assignmentScope' || given.scope === undefined)
  );
  const atBase = pullRequest ? connectionAtBase(given, config, pullRequest, used) : undefined;
  const file = atBase?.azure ?? config?.azure ?? {};
  const scope = given.scope ?? file.scope;
  const assignmentScope = assigned ? (given.assignmentScope ?? file.assignmentScope ?? scope) : undefined;
  const subscriptionId = given.subscriptionId ?? file.subscriptionId;
  return {
    ...(scope !== undefined ? { scope } : {}),
    ...(assignmentScope !== undefined ? { assignmentScope } : {}),
    ...(subscriptionId !== undefined ? { subscriptionId } : {}),
    ...(atBase?.pinned.length ? { pinned: atBase.pinned } : {})
  };
}

/**
 * The file's `azure:` section with each setting of CONNECTION_SETTINGS that no flag or input gives as the base has
 * it, where the change sets it otherwise: a pull request that names another `arm-endpoint` would have the token
 * sent there, and one that names another `scope`, `tenant-id` or `client-id` would have the job's identity read
 * what the workflow did not point it at. When the base cannot be read, a change that sets any of them stops the
 * run: nothing tells whether it changed them. A base whose file is broken sets none of them.
 */
function connectionAtBase(
  given: AzureConfig,
  config: Config | null,
  pullRequest: AzureBase,
  keys: readonly (keyof typeof CONNECTION_SETTINGS)[] = Object.keys(
    CONNECTION_SETTINGS
  ) as (keyof typeof CONNECTION_SETTINGS)[]
): { azure: AzureConfig; pinned: { file: string; reason: string }[] } {
  const { base, file, named, cwd } = pullRequest;
  const azure: AzureConfig = { ...config?.azure };
  const read = readConfigAtBase(base, named, file, cwd, path.resolve(cwd, pullRequest.root ?? '.'));
  if (read === null) return { azure, pinned: [] };
  const decided = keys.filter(key => given[key] === undefined);
  const setting = (key: keyof typeof CONNECTION_SETTINGS) => `\`azure.${CONNECTION_SETTINGS[key]}\``;
  if ('error' in read) {
    const set = decided.filter(key => azure[key] !== undefined);
    if (!set.length) return { azure, pinned: [] };
    throw new UserError(
      `${set.map(setting).join(', ')} in ${read.shown} ${set.length === 1 ? 'decides' : 'decide'} where cmk-guard connects or what it acts on, and on a pull request ${set.length === 1 ? 'it is' : 'they are'} taken from the base, which cannot be read: ${read.error.message} Fetch the base, or give ${set.length === 1 ? 'it as an input' : 'them as inputs'}.`,
      { file: read.shown }
    );
  }
  const before = read.base?.azure ?? {};
  const pinned: { file: string; reason: string }[] = [];
  for (const key of decided) {
    if (sameSetting(azure[key], before[key])) continue;
    if (before[key] === undefined) delete azure[key];
    else azure[key] = before[key];
    pinned.push(baseApplies(read.shown, setting(key), config?.azure[key], before[key]));
  }
  return { azure, pinned };
}
