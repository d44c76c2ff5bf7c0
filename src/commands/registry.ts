import type { Command } from './command.js';
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
