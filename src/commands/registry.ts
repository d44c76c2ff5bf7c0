import type { Command, OptionValues } from './command.js';
import { baselineCommand } from './baseline.js';
import { checkDefinitionsCommand } from './check-definitions.js';
import { compileCommand } from './compile.js';
import { complianceCommand } from './compliance.js';
import { demoCommand } from './demo.js';
import { evaluateCommand } from './evaluate.js';
import { expandCommand } from './expand.js';
import { rulesCommand } from './rules.js';
import { deployCommand, planCommand } from './publish.js';

/** Every CLI command, in the order --help lists them. */
export const commands: Command[] = [
  evaluateCommand,
  rulesCommand,
  baselineCommand,
  compileCommand,
  planCommand,
  deployCommand,
  complianceCommand,
  expandCommand,
  checkDefinitionsCommand,
  demoCommand
];

/** The oldest Node.js the CLI runs on (package.json's `engines`). */
export const CLI_NODE = 20;

function majorOf(nodeVersion: string): number {
  return Number(nodeVersion.replace(/^v/, '').split('.')[0]);
}

/** What the CLI says, and does nothing else, on a Node.js older than it runs on; null on one it runs on. */
export function cliNodeError(nodeVersion: string): string | null {
  if (!(majorOf(nodeVersion) < CLI_NODE)) return null;
  return `cmk-guard needs Node.js ${CLI_NODE} or later (22 or later for the commands that talk to Azure); this is Node.js ${nodeVersion.replace(/^v/, '')}. Install Node.js 22 or 24.`;
}

/** The oldest Node.js the Azure SDK for JavaScript supports (its packages declare `engines.node: >=22`). */
export const AZURE_SDK_NODE = 22;

/** Commands that talk to Azure through its SDK: these always, evaluate and baseline when they read a live scope. */
const AZURE_COMMANDS = new Set(['plan', 'deploy', 'compliance']);
const AZURE_WITH_SCOPE = new Set(['evaluate', 'baseline']);

/**
 * The warning a command that loads the Azure SDK gives on a Node.js older than the SDK supports, or null.
 * A warning, not a refusal: the SDK runs on Node.js 20 today, but its makers no longer support it there.
 */
export function azureSdkNodeWarning(command: string, options: OptionValues, nodeVersion: string): string | null {
  const usesAzure = AZURE_COMMANDS.has(command) || (AZURE_WITH_SCOPE.has(command) && typeof options.scope === 'string');
  if (!usesAzure || !(majorOf(nodeVersion) < AZURE_SDK_NODE)) return null;
  const what = AZURE_COMMANDS.has(command) ? command : `${command} --scope`;
  return `${what} talks to Azure through the Azure SDK for JavaScript, which needs Node.js ${AZURE_SDK_NODE} or later; this is Node.js ${nodeVersion.replace(/^v/, '')}, which it does not support. Run cmk-guard with Node.js ${AZURE_SDK_NODE} or 24.`;
}
