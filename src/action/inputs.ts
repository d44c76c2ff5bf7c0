import { UserError } from '../model/errors.js';
import type { Severity } from '../model/finding.js';
import type { Json } from '../model/value.js';
import { parseParameterOverrides } from '../sources/overrides.js';
import { severities, type RuleSelection } from '../rules/selection.js';

/**
 * Every input of action.yml, read once into one typed object. Lists are one entry per
 * line (globs may contain commas); blank lines and lines starting with `#` are ignored.
 */

export const commands = ['evaluate', 'compile', 'plan', 'deploy'] as const;
export type ActionCommand = (typeof commands)[number];
export const thresholds = ['error', 'warning', 'note', 'never'] as const;
export const enforcementModes = ['Default', 'DoNotEnforce'] as const;

export interface AzureInputs {
  scope?: string;
  clientId?: string;
  tenantId?: string;
  subscriptionId?: string;
  environment: string;
  ownerId?: string;
  prune: boolean;
  enforcementMode: (typeof enforcementModes)[number];
}

export interface ActionInputs {
  command: ActionCommand;
  /** A rule folder, or undefined for the bundled pack, or null for no rules (`none`). */
  policies: string | null | undefined;
  definitions: string[];
  templates: string[];
  parameterFiles: string[];
  parameterOverrides: Record<string, Json>;
  resources: string[];
  /** A git ref; undefined means the pull request's base commit. */
  base?: string;
  /** `auto`: on pull requests only. */
  changedFilesOnly: boolean | 'auto';
  failOn: Severity | 'never';
  /** Indeterminate findings at or above `failOn` fail the step too. */
  failOnIndeterminate: boolean;
  /** Which rules and definitions run. */
  selection: RuleSelection;
  /** Where to write SARIF and the findings JSON; undefined means a file in RUNNER_TEMP. */
  sarifFile?: string;
  findingsFile?: string;
  summary: boolean;
  comment: boolean;
  githubToken: string;
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
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name);
    if (value === undefined) return fallback;
    const match = allowed.find(option => option.toLowerCase() === value.toLowerCase());
    if (match) return match;
    throw new UserError(`the input \`${name}\` is '${value}'; use one of ${allowed.join(', ')}.`);
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const value = text(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', 'yes', 'on'].includes(value)) return true;
    if (['false', 'no', 'off'].includes(value)) return false;
    throw new UserError(`the input \`${name}\` is '${read(name).trim()}'; use true or false.`);
  };

  // `parameters` takes parameter files and `name=value` overrides, one per line.
  const parameterLines = list('parameters');
  const isOverride = (line: string) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line);
  const policies = text('policies');
  const changed = text('changed-files-only')?.toLowerCase();

  return {
    command: oneOf('command', commands, 'evaluate'),
    policies: policies === undefined ? undefined : policies.toLowerCase() === 'none' ? null : policies,
    definitions: list('definitions'),
    templates: list('templates'),
    parameterFiles: parameterLines.filter(line => !isOverride(line)),
    parameterOverrides: parseParameterOverrides(parameterLines.filter(isOverride), 'the parameters input'),
    resources: list('resources'),
    base: text('base'),
    changedFilesOnly: changed === undefined || changed === 'auto' ? 'auto' : flag('changed-files-only', true),
    failOn: oneOf('fail-on', thresholds, 'error'),
    failOnIndeterminate: flag('fail-on-indeterminate', false),
    selection: {
      rules: list('rules'),
      skipRules: list('skip-rules'),
      ...(text('min-severity') ? { minSeverity: oneOf('min-severity', severities, 'note') } : {}),
      spelling: {
        rules: 'the `rules` input',
        skipRules: 'the `skip-rules` input',
        minSeverity: 'the `min-severity` input'
      }
    },
    sarifFile: text('sarif-file'),
    findingsFile: text('findings-file'),
    summary: flag('summary', true),
    comment: flag('comment', true),
    githubToken: read('github-token').trim(),
    azure: {
      scope: text('scope'),
      clientId: text('client-id'),
      tenantId: text('tenant-id'),
      subscriptionId: text('subscription-id'),
      environment: text('environment') ?? 'AzureCloud',
      ownerId: text('owner-id'),
      prune: flag('prune', false),
      enforcementMode: oneOf('enforcement-mode', enforcementModes, 'Default')
    }
  };
}
