/**
 * `cmk-guard check-definitions DIR`: loads every policy definition under DIR and reports the ones
 * that are malformed or use something the engine does not support.
 */
import path from 'node:path';
import fs from 'node:fs';
import { loadDefinitionsFromDirectory } from '../engine/index.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type Command } from './command.js';

export const checkDefinitionsCommand: Command = {
  name: 'check-definitions',
  summary: 'load every Azure Policy definition under a folder and report those that cannot be evaluated',
  usage: [
    'Usage: cmk-guard check-definitions DIR',
    '',
    "Loads every policy definition JSON under DIR (Azure's exported {properties:{policyRule}} shape,",
    '{name, properties}, or a bare {policyRule}) with the offline engine. Prints one line per file that',
    'is invalid or uses something unsupported, one `warning:` line per remark on a definition that loads',
    '(an alias the catalog does not know, a like pattern with several *, …), then',
    '`checked N definitions: L loaded, U unsupported, E invalid, W warnings`.',
    'Policy set definitions, assignments and other JSON are skipped and counted on a line of their own.',
    'Exit 0 only when nothing is unsupported or invalid (warnings do not fail).'
  ].join('\n'),
  options: {},
  positionals: { min: 1, max: 1, placeholder: 'DIR' },
  async run(_options, positionals, io) {
    const dir = path.resolve(io.cwd, positionals[0]);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      io.stderr(`cmk-guard: ${positionals[0]} is not a folder; give the folder that holds the policy definitions.\n`);
      return EXIT_USAGE;
    }
    const { loaded, failures, skipped } = loadDefinitionsFromDirectory(dir);
    for (const f of failures) io.stdout(`${path.relative(io.cwd, f.file) || f.file}: ${f.kind}: ${f.message}\n`);
    let warnings = 0;
    for (const def of loaded) {
      for (const note of def.notes) {
        warnings++;
        io.stdout(`${def.file ? path.relative(io.cwd, def.file) || def.file : def.name}: warning: ${note}\n`);
      }
    }
    const unsupported = failures.filter(f => f.kind === 'unsupported').length;
    const invalid = failures.length - unsupported;
    if (skipped.length > 0) io.stdout(`skipped ${skipped.length} JSON files that are not policy definitions\n`);
    io.stdout(
      `checked ${loaded.length + failures.length} definitions: ${loaded.length} loaded, ${unsupported} unsupported, ${invalid} invalid, ${warnings} warning${warnings === 1 ? '' : 's'}\n`
    );
    return failures.length === 0 ? EXIT_OK : EXIT_FINDINGS;
  }
};
