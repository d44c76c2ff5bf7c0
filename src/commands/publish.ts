/**
 * `cmk-guard plan --scope SCOPE` and `cmk-guard deploy --scope SCOPE`: the pack against what an
 * Azure scope holds, and (deploy) the writes that make it hold the pack. The Azure SDKs are
 * loaded only here, when one of these runs.
 */
import { UserError } from '../model/errors.js';
import type { DeploymentPlan } from '../model/plan.js';
import { renderPlanJson, renderPlanMarkdown, renderPlanText } from '../report/plan.js';
import { parseEffects } from '../azure/desired.js';
import { findConfigFile, loadConfig, type AzureConfig } from '../config/load.js';
import { azureScope, resolveAzureSettings } from '../config/settings.js';
import { publishPack, type PublishPackRequest } from '../run.js';
import type { Command, CommandIO, OptionSpec, OptionValues } from './command.js';
import { EXIT_FINDINGS, EXIT_OK, printOrWrite } from './command.js';
import { foldCase } from '../model/foldCase.js';
import { runDeadline, runTimeoutOption } from './azureOptions.js';

const formats = ['text', 'json', 'markdown'] as const;
type Format = (typeof formats)[number];
const enforcementModes = ['Default', 'DoNotEnforce'] as const;

/** The options plan and deploy share, as the action's inputs of the same names. */
export const publishOptions: Record<string, OptionSpec> = {
  scope: {
    type: 'string',
    placeholder: 'SCOPE',
    description:
      'Where the definitions and the initiative go: /providers/Microsoft.Management/managementGroups/ID or /subscriptions/ID.'
  },
  'assignment-scope': {
    type: 'string',
    placeholder: 'SCOPE',
    description:
      'Where the assignment goes, if not --scope: a management group, subscription or resource group below it.'
  },
  policies: {
    type: 'string',
    placeholder: 'DIR',
    description: 'Folder of rule files with pack.yaml (default: the bundled pack).'
  },
  owner: {
    type: 'string',
    placeholder: 'ID',
    description:
      'The owner id written into what is published; only items with it are changed or pruned (default: the repository, e.g. github.com/contoso/policies).'
  },
  'enforcement-mode': {
    type: 'string',
    placeholder: 'MODE',
    description: 'Default (deny takes effect; the default) or DoNotEnforce (audit only).'
  },
  effect: {
    type: 'string',
    multiple: true,
    placeholder: 'RULE=EFFECT',
    description: "A rule's effect in the assignment, e.g. foundry-tools-cmk=Deny (one of the rule's allowed effects)."
  },
  location: {
    type: 'string',
    placeholder: 'REGION',
    description: "The assignment's managed identity region, needed only when an effect is DeployIfNotExists or Modify."
  },
  prune: {
    type: 'boolean',
    description: 'Delete owned definitions, initiatives and assignments the pack no longer has.',
    default: false
  },
  format: {
    type: 'string',
    short: 'f',
    placeholder: 'FORMAT',
    description: 'text, json or markdown.',
    default: 'text'
  },
  output: {
    type: 'string',
    short: 'o',
    placeholder: 'FILE',
    description: 'Write the plan to FILE instead of standard output.'
  },
  cloud: {
    type: 'string',
    placeholder: 'CLOUD',
    description: 'AzureCloud (the default), AzureUSGovernment or AzureChinaCloud.'
  },
  config: {
    type: 'string',
    placeholder: 'FILE',
    description:
      'the configuration file whose `azure` section gives what these options do not (default: cmk-guard.yaml here, if there is one); none for no file'
  },
  'arm-endpoint': {
    type: 'string',
    placeholder: 'URL',
    description: 'Another Resource Manager endpoint (Azure Stack Hub, a test server); http only on loopback.'
  },
  base: {
    type: 'string',
    placeholder: 'REF',
    description:
      "A pull request's base commit: where to connect and what to act on (the `azure` section's cloud, arm-endpoint, tenant-id, client-id, scope, assignment-scope, subscription-id) are read from the configuration file as it is there wherever this checkout's says otherwise."
  },
  ...runTimeoutOption
};

function oneOf<T extends string>(option: string, value: unknown, allowed: readonly T[]): T {
  const match = allowed.find(a => typeof value === 'string' && foldCase(a) === foldCase(value));
  if (match) return match;
  throw new UserError(`--${option} must be one of ${allowed.join(', ')}; got '${String(value)}'.`);
}

function text(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Whether the CLI runs in a GitHub Actions job of a pull request (`pull_request`, `pull_request_target`, …). */
function inPullRequestJob(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_EVENT_NAME?.startsWith('pull_request') === true;
}

/**
 * The request the CLI builds from its options, and what it took from the base (`--base`): the settings of where
 * to connect and what to act on that this checkout's configuration file sets otherwise.
 */
export function publishRequest(
  options: OptionValues,
  io: CommandIO,
  apply: boolean
): PublishPackRequest & { pinned?: { file: string; reason: string }[] } {
  if (apply && inPullRequestJob(io.env))
    throw new UserError(
      `deploy does not run in a pull request's job (GITHUB_EVENT_NAME is ${io.env.GITHUB_EVENT_NAME}): it would publish rules and settings no one has merged; run plan there, and deploy on a push to the default branch.`
    );
  const deadline = runDeadline(options);
  const effects = Array.isArray(options.effect) ? options.effect : text(options.effect) ? [String(options.effect)] : [];
  const mode = text(options['enforcement-mode']);
  const given: AzureConfig = {
    scope: text(options.scope),
    assignmentScope: text(options['assignment-scope']),
    owner: text(options.owner),
    cloud: text(options.cloud),
    armEndpoint: text(options['arm-endpoint']),
    location: text(options.location),
    ...(mode !== undefined ? { enforcementMode: oneOf('enforcement-mode', mode, enforcementModes) } : {}),
    ...(options.prune === true ? { prune: true } : {}),
    ...(effects.length ? { effects: parseEffects(effects) } : {})
  };
  // The options over the configuration file's `azure` section over the defaults.
  const named = text(options.config);
  const file = findConfigFile(io.cwd, named);
  const config = file === null ? null : loadConfig(file, io.cwd);
  const base = text(options.base);
  const azure = resolveAzureSettings(
    given,
    config,
    base !== undefined ? { base, file, ...(named !== undefined ? { named } : {}), cwd: io.cwd } : undefined
  );
  // Without a scope, the subscription the file's `azure.subscription-id` names, as the action does with its input.
  const scope = azureScope(azure, {
    door: 'cli',
    command: apply ? 'deploy' : 'plan',
    kinds: 'a management group or subscription'
  });
  return {
    cwd: io.cwd,
    env: io.env,
    scope,
    assignmentScope: azure.assignmentScope,
    policies: text(options.policies),
    owner: azure.owner,
    enforcementMode: azure.enforcementMode,
    effects: azure.effects,
    effectOverrides: azure.effectOverrides,
    location: azure.location,
    prune: azure.prune,
    apply,
    connection: {
      cloud: azure.cloud,
      armEndpoint: azure.armEndpoint,
      // In a pull request's job, the token in CMK_GUARD_AZURE_TOKEN goes only to the endpoint the flag names (or a
      // named cloud's), never to one only the pull request's configuration file names.
      ...(inPullRequestJob(io.env) ? { staticTokenEndpoints: given.armEndpoint ? [given.armEndpoint] : [] } : {}),
      ...(deadline ? { deadline } : {})
    },
    // With a configuration file, its exceptions are kept in Azure as exemptions for the assignment.
    ...(config ? { exceptions: config.exceptions } : {}),
    log: line => io.stderr(`${line}\n`),
    ...(azure.pinned ? { pinned: azure.pinned } : {})
  };
}

export function renderPlan(plan: DeploymentPlan, format: Format): string {
  if (format === 'json') return renderPlanJson(plan);
  if (format === 'markdown') return renderPlanMarkdown(plan, { heading: '###', limit: 1024 * 1024 });
  return renderPlanText(plan);
}

/** 0: done (or nothing to do); 1: a conflict, or something deploy could not write. */
export function publishExitCode(plan: DeploymentPlan): number {
  if (plan.items.some(i => i.action === 'conflict')) return EXIT_FINDINGS;
  if (plan.results?.some(r => r.outcome !== 'applied')) return EXIT_FINDINGS;
  return EXIT_OK;
}

function makePublishCommand(name: 'plan' | 'deploy'): Command {
  const apply = name === 'deploy';
  return {
    name,
    summary: apply
      ? 'publish the pack to an Azure scope: definitions, the initiative and its assignment, only what changed'
      : 'show what deploy would change at an Azure scope, field by field, without writing anything',
    usage: [
      `Usage: cmk-guard ${name} --scope SCOPE [--assignment-scope SCOPE] [--owner ID] [--prune] [--format text|json|markdown]`,
      '',
      ...(apply
        ? [
            'Compiles the pack and writes to the scope what differs from it: policy definitions, then the',
            'initiative, then its assignment (deletions in reverse, with --prune). Items of the same name that',
            'cmk-guard does not own are conflicts: deploy then stops before writing anything. A second deploy',
            'with no change writes nothing.'
          ]
        : [
            'Compiles the pack and compares it with what the scope holds, ignoring what Azure adds itself: each',
            'definition, the initiative and the assignment is create, update (with the fields that change),',
            'unchanged, replace, delete (with --prune) or conflict.'
          ]),
      'Signs in with CMK_GUARD_AZURE_TOKEN when set, else with OpenID Connect or azure/login in GitHub Actions,',
      'else with the default Azure credential chain (az login).',
      `Exit codes: 0 ${apply ? 'deployed' : 'planned'}, 1 ${apply ? 'a conflict or a write that failed (what is left is listed)' : 'a conflict deploy would stop on'}, 2 bad usage, bad input or Azure refused.`,
      '',
      'Example:',
      apply
        ? '  cmk-guard deploy --scope /providers/Microsoft.Management/managementGroups/platform --prune'
        : '  cmk-guard plan --scope /subscriptions/<id> --assignment-scope /subscriptions/<id>/resourceGroups/ai-prod'
    ].join('\n'),
    options: publishOptions,
    positionals: { min: 0, max: 0 },
    async run(options, _positionals, io) {
      const format = oneOf('format', options.format, formats);
      const { pinned, ...request } = publishRequest(options, io, apply);
      const { plan, stoppedForConflicts } = await publishPack(request);
      const shown = pinned ? { ...plan, skipped: pinned.map(entry => ({ ...entry, atBase: true as const })) } : plan;
      printOrWrite(renderPlan(shown, format), options.output, io);
      if (stoppedForConflicts)
        io.stderr('cmk-guard: deploy stopped before writing anything: resolve the conflicts the plan lists.\n');
      return publishExitCode(plan);
    }
  };
}

export const planCommand = makePublishCommand('plan');
export const deployCommand = makePublishCommand('deploy');
