/**
 * `cmk-guard compliance --scope SCOPE`: Azure Policy's own compliance states for the pack's
 * initiative, reported like findings (text, JSON, SARIF without file locations).
 */
import { UserError } from '../model/errors.js';
import { exitCodeFor } from '../model/finding.js';
import { bundledPolicies } from '../paths.js';
import { escapeTerminal } from '../report/escape.js';
import { complianceReport } from '../run.js';
import { azureConnectionOptions, connectionFromOptions } from './azureOptions.js';
import type { Command } from './command.js';
import { evaluateOptions, oneOf, thresholds, writeEvaluationReport } from './evaluate.js';
import { parseFormat } from '../report/formats.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { azureScope, resolveScopeSettings } from '../config/settings.js';
import type { Severity } from '../model/finding.js';

/** `--scan-timeout` in seconds → milliseconds. */
function scanTimeout(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim()) || seconds < 1)
    throw new UserError(`--scan-timeout is '${String(value)}'; give a whole number of seconds, such as 1800.`);
  return seconds * 1000;
}

export const complianceCommand: Command = {
  name: 'compliance',
  summary: "report Azure Policy's compliance states for the pack's initiative at a scope",
  usage: [
    'Usage: cmk-guard compliance [--scope SCOPE] [--assignment-scope SCOPE] [--trigger-scan] [options]',
    '',
    "Reads Azure Policy's latest compliance states for the initiative the pack compiles to (published at",
    '--scope, as `deploy` does; without it, at the scope deploy takes from cmk-guard.yaml: `azure.scope`, else',
    'the subscription `azure.subscription-id` names) from Policy Insights, at the assignment scope',
    '(--assignment-scope, else `azure.assignment-scope`, else the scope), and reports each resource',
    'and rule as a finding. --trigger-scan first starts an on-demand evaluation of every subscription',
    'there and waits for it. Sign in with `az login` or set CMK_GUARD_AZURE_TOKEN; the identity needs',
    'Reader, and for a scan Microsoft.PolicyInsights/policyStates/triggerEvaluation/action (Resource Policy',
    'Contributor or Contributor).',
    '',
    'Examples:',
    '  cmk-guard compliance --scope /providers/Microsoft.Management/managementGroups/platform --trigger-scan',
    '  cmk-guard compliance --scope /subscriptions/<id> --assignment-scope /subscriptions/<id>/resourceGroups/ai -f sarif'
  ].join('\n'),
  options: {
    scope: {
      type: 'string',
      placeholder: 'SCOPE',
      description:
        "the management group or subscription the initiative is published at (default: cmk-guard.yaml's azure.scope, else azure.subscription-id)"
    },
    'assignment-scope': {
      type: 'string',
      placeholder: 'SCOPE',
      description:
        "where to read the states (the assignment scope); default: cmk-guard.yaml's azure.assignment-scope, else the scope"
    },
    policies: {
      type: 'string',
      placeholder: 'DIR',
      description: 'the rule folder the initiative was compiled from (default: the bundled pack)'
    },
    'trigger-scan': {
      type: 'boolean',
      description: 'start an on-demand compliance evaluation and wait for it before reading'
    },
    'scan-timeout': {
      type: 'string',
      placeholder: 'SECONDS',
      description: 'how long to wait for the scan',
      default: '3600'
    },
    ...azureConnectionOptions,
    config: evaluateOptions.config,
    format: evaluateOptions.format,
    output: evaluateOptions.output,
    'fail-on': evaluateOptions['fail-on']
  },
  positionals: { min: 0, max: 0 },
  async run(options, _positionals, io) {
    // The configuration file's format and threshold apply here as they do to evaluate.
    const configFile = findConfigFile(io.cwd, typeof options.config === 'string' ? options.config : undefined);
    const config = configFile === null ? null : loadConfig(configFile, io.cwd);
    const settings = config?.settings ?? {};
    const format = parseFormat(options.format ?? settings.format ?? 'text');
    const failOn = (
      options['fail-on'] === undefined ? (settings.failOn ?? 'error') : oneOf('fail-on', options['fail-on'], thresholds)
    ) as Severity | 'never';
    // Without --scope, what plan and deploy take: the file's azure.scope, else its azure.subscription-id.
    const where = resolveScopeSettings(
      {
        ...(typeof options.scope === 'string' ? { scope: options.scope } : {}),
        ...(typeof options['assignment-scope'] === 'string' ? { assignmentScope: options['assignment-scope'] } : {})
      },
      config
    );
    const scope = azureScope(where, {
      door: 'cli',
      command: 'compliance',
      kinds: 'a management group or subscription'
    });
    const document = await complianceReport({
      exceptions: config?.exceptions ?? [],
      ...(io.now ? { now: io.now } : {}),
      cwd: io.cwd,
      policies: typeof options.policies === 'string' ? options.policies : bundledPolicies(),
      env: io.env,
      scope,
      assignmentScope: where.assignmentScope,
      triggerScan: options['trigger-scan'] === true,
      scanTimeoutMs: scanTimeout(options['scan-timeout']),
      connection: connectionFromOptions(options),
      log: line => io.stderr(`cmk-guard: ${escapeTerminal(line)}\n`)
    });
    const report = {
      format,
      failOn,
      ...(typeof options.output === 'string' ? { output: options.output } : {})
    };
    writeEvaluationReport(document, report, io);
    return exitCodeFor(document, report);
  }
};
