import { UserError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import type { Json } from '../model/value.js';
import { parseEffects } from '../azure/desired.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { severities, type RuleSelection } from '../rules/selection.js';
import {
  parseDeploymentSubscriptionId,
  parseRegion,
  parseResourceGroupName,
  type GivenSettings
} from '../config/settings.js';
import { foldCase } from '../model/foldCase.js';

/**
 * Every input of action.yml, read once into one typed object. Lists are one entry per
 * line (globs may contain commas); blank lines and lines starting with `#` are ignored.
 */

export const commands = ['evaluate', 'compliance', 'compile', 'plan', 'deploy'] as const;
export type ActionCommand = (typeof commands)[number];
export const thresholds = ['error', 'warning', 'note', 'never'] as const;
export const enforcementModes = ['Default', 'DoNotEnforce'] as const;

/** Azure settings as given; undefined where the workflow leaves them to the configuration file or the default. */
export interface AzureInputs {
  scope?: string;
  /** `compliance`: where to read the states (default: `scope`). */
  assignmentScope?: string;
  /** `compliance`: start an on-demand evaluation and wait for it. */
  triggerScan: boolean;
  /** `compliance`: how long to wait for the scan, in milliseconds. */
  scanTimeoutMs?: number;
  /** Everything that reaches Azure: the whole run's time limit, in milliseconds (`run-timeout`). */
  runTimeoutMs?: number;
  clientId?: string;
  tenantId?: string;
  subscriptionId?: string;
  cloud?: string;
  armEndpoint?: string;
  owner?: string;
  prune?: boolean;
  enforcementMode?: (typeof enforcementModes)[number];
  /** `rule → effect`, from `rule=Effect` lines; undefined when there are none. */
  effects?: Record<string, string>;
  location?: string;
}

export interface ActionInputs {
  command: ActionCommand;
  /** The configuration file (default: cmk-guard.yaml at the repository root, if there is one); `none` for none. */
  config?: string;
  /** A rule folder, or undefined for the configuration file's or the bundled pack, or null for no rules (`none`). */
  policies: string | null | undefined;
  definitions: string[];
  /** Empty: the configuration file's, else every JSON file. */
  templates: string[];
  parameterFiles: string[];
  parameterOverrides: Record<string, Json>;
  /** What `resourceGroup().location` gives; undefined leaves it to the configuration file, else unknown. */
  resourceGroupLocation?: string;
  /** What `deployment().location` gives above a resource group; undefined leaves it to the configuration file. */
  deploymentLocation?: string;
  /**
   * The resource group and subscription the templates deploy to (`resource-group`, `deployment-subscription-id`):
   * undefined leaves them to the configuration file, else unknown. Not `subscription-id`, where plan, deploy and
   * live runs connect.
   */
  resourceGroup?: string;
  deploymentSubscriptionId?: string;
  resources: string[];
  /** A git ref; undefined means the pull request's base commit. */
  base?: string;
  /** `auto`: on pull requests only. */
  changedFilesOnly: boolean | 'auto';
  /** Undefined: the configuration file's, else `error`. */
  failOn?: Severity | 'never';
  /** Indeterminate findings at or above `failOn` fail the step too; undefined: the configuration file's, else no. */
  failOnIndeterminate?: boolean;
  /** Which rules and definitions run; empty lists leave it to the configuration file. */
  selection: RuleSelection;
  /** A findings document from an earlier run. */
  baseline?: string;
  /** Where to write SARIF and the findings JSON; undefined means a file in RUNNER_TEMP. */
  sarifFile?: string;
  findingsFile?: string;
  summary: boolean;
  comment: boolean;
  githubToken: string;
  /** `evaluate`: the live resources of the scope `compliance` takes, when the `scope` input is empty. */
  live: boolean;
  azure: AzureInputs;
}

export type InputReader = (name: string) => string;

export function readInputs(read: InputReader): ActionInputs {
  const text = (name: string): string | undefined => read(name).trim() || undefined;
  const list = (name: string): string[] =>
    read(name)
      .split(/\r?\n/)
      .map(line => line.trim())
      .filter(line => line && !line.startsWith('#'));
  function oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined;
  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  function oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T | undefined {
    const value = text(name);
    if (value === undefined) return fallback;
    const match = allowed.find(option => foldCase(option) === foldCase(value));
    if (match) return match;
    throw new UserError(`the input \`${name}\` is '${value}'; use one of ${allowed.join(', ')}.`);
  }
  const flag = (name: string, fallback?: boolean): boolean | undefined => {
    const value = text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', 'yes', 'on'].includes(value)) return true;
    if (['false', 'no', 'off'].includes(value)) return false;
    throw new UserError(`the input \`${name}\` is '${read(name).trim()}'; use true or false.`);
  };

  const seconds = (name: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) < 1)
      throw new UserError(`the input \`${name}\` is '${value}'; give a whole number of seconds, such as 1800.`);
    return Number(value) * 1000;
  };

  // `parameters` takes parameter files and `name=value` overrides, one per line.
  const parameterLines = list('parameters');
  const isOverride = (line: string) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line);
  const policies = text('policies');
  const region = (name: string): string | undefined =>
    text(name) === undefined ? undefined : parseRegion(text(name)!, `the input \`${name}\``);
  const changed = text('changed-files-only')?.toLowerCase();

  return {
    command: oneOf('command', commands, 'evaluate'),
    config: text('config'),
    policies: policies === undefined ? undefined : foldCase(policies) === 'none' ? null : policies,
    definitions: list('definitions'),
    templates: list('templates'),
    parameterFiles: parameterLines.filter(line => !isOverride(line)),
    parameterOverrides: parseParameterOverrides(parameterLines.filter(isOverride), 'the parameters input'),
    resourceGroupLocation: region('resource-group-location'),
    deploymentLocation: region('deployment-location'),
    resourceGroup:
      text('resource-group') === undefined
        ? undefined
        : parseResourceGroupName(text('resource-group')!, 'the input `resource-group`'),
    deploymentSubscriptionId:
      text('deployment-subscription-id') === undefined
        ? undefined
        : parseDeploymentSubscriptionId(text('deployment-subscription-id')!, 'the input `deployment-subscription-id`'),
    resources: list('resources'),
    base: text('base'),
    changedFilesOnly: changed === undefined || changed === 'auto' ? 'auto' : (flag('changed-files-only') as boolean),
    failOn: oneOf('fail-on', thresholds),
    failOnIndeterminate: flag('fail-on-indeterminate'),
    selection: {
      rules: list('rules'),
      skipRules: list('skip-rules'),
      ...(text('min-severity') ? { minSeverity: oneOf('min-severity', severities, 'note') } : {}),
      spelling: inputSpelling
    },
    baseline: text('baseline'),
    sarifFile: text('sarif-file'),
    findingsFile: text('findings-file'),
    summary: flag('summary', true) as boolean,
    comment: flag('comment', true) as boolean,
    githubToken: read('github-token').trim(),
    live: flag('live', false) as boolean,
    azure: {
      scope: text('scope'),
      assignmentScope: text('assignment-scope'),
      triggerScan: flag('trigger-scan', false) as boolean,
      scanTimeoutMs: seconds('scan-timeout'),
      runTimeoutMs: seconds('run-timeout'),
      clientId: text('client-id'),
      tenantId: text('tenant-id'),
      subscriptionId: text('subscription-id'),
      cloud: text('cloud'),
      armEndpoint: text('arm-endpoint'),
      owner: text('owner'),
      prune: flag('prune'),
      enforcementMode: oneOf('enforcement-mode', enforcementModes),
      ...(list('effects').length ? { effects: parseEffects(list('effects'), 'the effects input line') } : {}),
      location: text('location')
    }
  };
}

/** What the inputs say that the configuration file can say too; undefined where they leave it to the file. */
export function givenSettings(inputs: ActionInputs): GivenSettings {
  return {
    config: inputs.config,
    ...(inputs.policies !== undefined ? { policies: inputs.policies === null ? null : [inputs.policies] } : {}),
    definitions: inputs.definitions,
    templates: inputs.templates,
    parameters: inputs.parameterFiles,
    parameterValues: inputs.parameterOverrides,
    ...(inputs.resourceGroupLocation !== undefined ? { resourceGroupLocation: inputs.resourceGroupLocation } : {}),
    ...(inputs.deploymentLocation !== undefined ? { deploymentLocation: inputs.deploymentLocation } : {}),
    ...(inputs.resourceGroup !== undefined ? { resourceGroup: inputs.resourceGroup } : {}),
    ...(inputs.deploymentSubscriptionId !== undefined
      ? { deploymentSubscriptionId: inputs.deploymentSubscriptionId }
      : {}),
    resources: inputs.resources,
    ...(inputs.failOn !== undefined ? { failOn: inputs.failOn } : {}),
    ...(inputs.failOnIndeterminate !== undefined ? { failOnIndeterminate: inputs.failOnIndeterminate } : {}),
    rules: inputs.selection.rules,
    skipRules: inputs.selection.skipRules,
    ...(inputs.selection.minSeverity !== undefined ? { minSeverity: inputs.selection.minSeverity } : {}),
    ...(inputs.baseline !== undefined ? { baseline: inputs.baseline } : {})
  };
}

/** How the action's inputs are called in messages about the selection. */
export const inputSpelling = {
  rules: 'the `rules` input',
  skipRules: 'the `skip-rules` input',
  minSeverity: 'the `min-severity` input'
};
