/**
 * `cmk-guard compile --policies DIR --out OUT`: compiles the rule files in DIR and writes
 * `OUT/policyDefinitions/<name>.json` and `OUT/policySetDefinitions/<pack>.json`, the
 * bodies Azure's REST API takes. `--check` writes nothing and fails when OUT is stale,
 * which is how CI keeps the committed output honest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../model/errors.js';
import type { AliasCatalog } from '../compiler/index.js';
import { parseDefinitionScope, resourceIdAt, type AzureScope } from '../azure/scope.js';
import { sourceRoot } from '../paths.js';
import { compilePolicies, engineAliasCatalog } from '../run.js';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, printUserError, type Command } from './command.js';

/**
 * The output files for a policy folder: path under OUT → content. With `scope`, the
 * initiative's members have the ids the definitions get at that scope; without, the
 * scope-less form (`/providers/Microsoft.Authorization/policyDefinitions/<name>`).
 */
export function compileToFiles(
  policies: string,
  aliases: AliasCatalog,
  root: string,
  scope?: AzureScope
): Map<string, string> {
  const { definitions, initiative } = compilePolicies(
    policies,
    { root, ...(scope ? { definitionIdPrefix: `${resourceIdAt(scope, 'policyDefinitions', '')}` } : {}) },
    aliases
  );
  const files = new Map<string, string>();
  const write = (file: string, body: unknown) => files.set(file, `${JSON.stringify(body, null, 2)}\n`);
  for (const definition of definitions) write(`policyDefinitions/${definition.name}.json`, definition);
  if (initiative) write(`policySetDefinitions/${initiative.name}.json`, initiative);
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function existingOutputs(out: string): string[] {
  const found: string[] = [];
  for (const folder of ['policyDefinitions', 'policySetDefinitions']) {
    const dir = path.join(out, folder);
    if (!fs.existsSync(dir)) continue;
    for (const entry of fs.readdirSync(dir)) if (entry.endsWith('.json')) found.push(`${folder}/${entry}`);
  }
  return found;
}

export function makeCompileCommand(aliases: () => AliasCatalog): Command {
  return {
    name: 'compile',
    summary: 'compile rule files into Azure Policy definitions and an initiative, in the shape the REST API takes',
    usage: [
      'Usage: cmk-guard compile --policies DIR --out OUT [--scope SCOPE] [--check]',
      '',
      'Writes OUT/policyDefinitions/<name>.json for each policy rule in DIR and',
      'OUT/policySetDefinitions/<pack>.json for the pack manifest, in the shape the Azure REST API accepts.',
      'With --scope (a management group or subscription), the initiative references the definitions by the',
      'ids they get there, so `az policy` can publish the output as it is. Each definition records the rule',
      'file it comes from, relative to the repository that holds DIR (the nearest folder above it with .git,',
      'else the folder above DIR), so the output is the same from any working folder. With --check, writes',
      'nothing and exits 1 when OUT differs from what DIR compiles to.',
      '',
      'Example:',
      '  cmk-guard compile --policies policies --out policies/compiled --check'
    ].join('\n'),
    options: {
      policies: { type: 'string', placeholder: 'DIR', description: 'Folder of rule files and pack.yaml.' },
      out: { type: 'string', placeholder: 'OUT', description: 'Folder to write the compiled definitions to.' },
      scope: {
        type: 'string',
        placeholder: 'SCOPE',
        description:
          'Where the definitions will live (/providers/Microsoft.Management/managementGroups/ID or /subscriptions/ID): the initiative then references them by their ids there.'
      },
      check: { type: 'boolean', description: 'Fail (exit 1) when OUT is stale instead of writing it.', default: false }
    },
    positionals: { min: 0, max: 0 },
    async run(options, _positionals, io) {
      if (typeof options.policies !== 'string' || typeof options.out !== 'string') {
        io.stderr('compile needs --policies DIR and --out OUT.\n');
        return EXIT_USAGE;
      }
      const policies = path.resolve(io.cwd, options.policies);
      const out = path.resolve(io.cwd, options.out);
      let files: Map<string, string>;
      try {
        const scope = typeof options.scope === 'string' ? parseDefinitionScope(options.scope, '--scope') : undefined;
        files = compileToFiles(policies, aliases(), sourceRoot(policies), scope);
      } catch (error) {
        if (error instanceof UserError) {
          printUserError(io, error);
          return EXIT_USAGE;
        }
        throw error;
      }
      const extra = existingOutputs(out).filter(f => !files.has(f));
      if (options.check === true) {
        const stale = [...files].filter(([f, text]) => {
          const target = path.join(out, f);
          return !fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text;
        });
        for (const [f] of stale)
          io.stderr(
            `${path.join(options.out, f)} is stale; run cmk-guard compile --policies ${options.policies} --out ${options.out}.\n`
          );
        for (const f of extra) io.stderr(`${path.join(options.out, f)} comes from no rule; delete it.\n`);
        if (stale.length + extra.length > 0) return EXIT_FINDINGS;
        io.stdout(`${files.size} compiled files in ${options.out} are up to date.\n`);
        return EXIT_OK;
      }
      for (const [f, text] of files) {
        const target = path.join(out, f);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
      }
      for (const f of extra) io.stderr(`warning: ${path.join(options.out, f)} comes from no rule; delete it.\n`);
      io.stdout(`Wrote ${files.size} files to ${options.out}.\n`);
      return EXIT_OK;
    }
  };
}

export const compileCommand: Command = makeCompileCommand(engineAliasCatalog);
