/**
 * `cmk-guard check-definitions PATH`: loads every policy definition in a file or under a folder and
 * reports the ones that are malformed or use something the engine does not support.
 */
import path from 'node:path';
import fs from 'node:fs';
import { evaluationPlan, loadDefinitionsFromPath } from '../engine/index.js';
import { escapeTerminal } from '../report/escape.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Command } from './command.js';

export const checkDefinitionsCommand: Command = {
  name: 'check-definitions',
  summary: 'load every Azure Policy definition in a file or folder and report those that cannot be evaluated',
  usage: [
    'Usage: cmk-guard check-definitions PATH',
    '',
    'Loads every policy definition in PATH (a folder of JSON files, or one file) with the offline engine:',
    "Azure's exported {properties:{policyRule}} shape, {name, properties}, a bare {policyRule}, the list",
    "`az policy definition list` and `az policy set-definition list` write, and the portal's export. Prints one",
    'line per definition that is invalid or uses something unsupported, one `warning:` line per remark on a',
    'definition that loads (an alias the catalog does not know, a like pattern with several *, …), then',
    '`checked N definitions: L loaded, U unsupported, E invalid, W warnings`. Initiatives are checked for',
    'members that are missing or given wrong values. Assignments and other JSON are counted on a line of',
    'their own. Exit 0 when everything loads (warnings do not fail), 1 when something does not, 2 when PATH',
    'holds no definition at all.',
    '',
    'Example:',
    '  az policy definition list --query "[?policyType==\'Custom\']" > custom.json',
    '  cmk-guard check-definitions custom.json'
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1, placeholder: 'PATH' },
  async run(_options, positionals, io) {
    const target = path.resolve(io.cwd, positionals[0]);
    if (!fs.existsSync(target)) {
      io.stderr(
        `cmk-guard: ${escapeTerminal(positionals[0])} does not exist; give the file or folder that holds the policy definitions.\n`
      );
      return EXIT_USAGE;
    }
    const { loaded, sets, failures, skipped } = loadDefinitionsFromPath(target);
    const shown = (file: string) => escapeTerminal(path.relative(io.cwd, file) || file);
    for (const f of failures) io.stdout(`${shown(f.file)}: ${f.kind}: ${escapeTerminal(f.message)}\n`);
    let warnings = 0;
    for (const def of loaded) {
      for (const note of def.notes) {
        warnings++;
        io.stdout(`${def.file ? shown(def.file) : escapeTerminal(def.name)}: warning: ${escapeTerminal(note)}\n`);
      }
    }
    const plan = evaluationPlan(loaded, sets);
    for (const e of plan.errors)
      io.stdout(`${e.location ? shown(e.location.file) : '(initiative)'}: invalid: ${escapeTerminal(e.message)}\n`);
    const unsupported = failures.filter(f => f.kind === 'unsupported').length;
    const invalid = failures.length - unsupported;
    if (skipped.length > 0)
      io.stdout(
        `skipped ${skipped.length} JSON ${skipped.length === 1 ? 'item' : 'items'} that are not policy definitions\n`
      );
    if (sets.length > 0)
      io.stdout(
        `checked ${sets.length} ${sets.length === 1 ? 'initiative' : 'initiatives'}: ${plan.errors.length} ${plan.errors.length === 1 ? 'problem' : 'problems'}\n`
      );
    const checked = loaded.length + failures.length;
    if (checked === 0 && sets.length === 0) {
      io.stderr(
        `cmk-guard: ${escapeTerminal(positionals[0])} holds no policy definition; give a definition file or folder, or the output of az policy definition list.\n`
      );
      return EXIT_USAGE;
    }
    io.stdout(
      `checked ${checked} definitions: ${loaded.length} loaded, ${unsupported} unsupported, ${invalid} invalid, ${warnings} warning${warnings === 1 ? '' : 's'}\n`
    );
    return failures.length === 0 && plan.errors.length === 0 ? EXIT_OK : EXIT_FINDINGS;
  }
};
