/** `cmk-guard rules`: what the pack (or a rules folder, and any definitions) holds, so `--rules` can name it. */
import path from 'node:path';
import { UserError } from '../model/errors.js';
import { bundledPolicies } from '../paths.js';
import { escapeTerminal } from '../report/escape.js';
import { loadPolicyDirectory, type Rule } from '../rules/index.js';
import { loadExternalDefinitions } from '../run.js';
import { EXIT_OK, optionList, type Command } from './command.js';
import { evaluateOptions } from './evaluate.js';
import { foldCase } from '../model/foldCase.js';

interface Listed {
  name: string;
  kind: 'policy' | 'relation' | 'transition' | 'definition';
  severity: string | null;
  effect: string | null;
  allowedEffects: string[];
  displayName: string;
  description: string | null;
  requirement: string | null;
  /** Where it is enforced: by Azure Policy (and in pull requests), or in pull requests only. */
  runs: 'azure' | 'pr-only';
  file: string | null;
}

function fromRule(rule: Rule, cwd: string): Listed {
  return {
    name: rule.name,
    kind: rule.kind,
    severity: rule.severity,
    effect: rule.effect.default,
    allowedEffects: rule.effect.allowed,
    displayName: rule.displayName,
    description: rule.description,
    requirement: rule.requirement ?? null,
    runs: rule.kind === 'policy' ? 'azure' : 'pr-only',
    file: path.relative(cwd, rule.file) || rule.file
  };
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'list the rules of the pack (or of a rules folder) and any policy definitions, with what each checks',
  usage: [
    'Usage: cmk-guard rules [--policies DIR] [--definitions PATH]... [--format text|json]',
    '',
    'Lists every rule: its name (what --rules and --skip-rules take), kind, severity, default effect, what it',
    'checks, and the requirement of the brief it comes from. Policy rules are enforced by Azure Policy and in',
    'pull requests; relation and transition rules run in pull requests only. With --definitions, the Azure',
    'Policy definitions there are listed too.',
    '',
    'Example:',
    '  cmk-guard rules',
    "  cmk-guard evaluate --templates 'infra/**/*.json' --rules 'key-vault-*'"
  ].join('\n'),
  options: {
    policies: evaluateOptions.policies,
    definitions: {
      ...evaluateOptions.definitions,
      description: 'Azure Policy definition files or folders to list as well'
    },
    format: { type: 'string', short: 'f', placeholder: 'FORMAT', description: 'text or json', default: 'text' }
  },
  positionals: { min: 0, max: 0 },
  async run(options, _positionals, io) {
    const format = typeof options.format === 'string' ? foldCase(options.format.trim()) : '';
    if (format !== 'text' && format !== 'json')
      throw new UserError(`--format must be one of text, json; got '${String(options.format)}'.`);
    const definitionPaths = optionList(options.definitions);
    // `--policies none` turns the rules off, as it does for evaluate: only the definitions are listed.
    const policies =
      typeof options.policies === 'string'
        ? foldCase(options.policies.trim()) === 'none'
          ? undefined
          : path.resolve(io.cwd, options.policies)
        : definitionPaths.length
          ? undefined
          : bundledPolicies();
    const listed: Listed[] = [];
    let pack: { name: string; version: string } | null = null;
    if (policies) {
      const loaded = loadPolicyDirectory(policies);
      if (loaded.pack) pack = { name: loaded.pack.name, version: loaded.pack.version };
      const order = new Map((loaded.pack?.rules ?? []).map((name, i) => [name, i]));
      const rules = [...loaded.rules].sort(
        (a, b) => (order.get(a.name) ?? order.size) - (order.get(b.name) ?? order.size) || (a.name < b.name ? -1 : 1)
      );
      listed.push(...rules.map(rule => fromRule(rule, io.cwd)));
    }
    for (const definition of loadExternalDefinitions({ cwd: io.cwd, definitions: definitionPaths }).definitions) {
      listed.push({
        name: definition.name,
        kind: 'definition',
        severity: null,
        effect: null,
        allowedEffects: [],
        displayName: definition.displayName,
        description: definition.description ?? null,
        requirement: null,
        runs: 'azure',
        file: definition.file === null ? null : path.relative(io.cwd, definition.file) || definition.file
      });
    }
    if (format === 'json') {
      io.stdout(JSON.stringify({ pack, rules: listed }, null, 2) + '\n');
      return EXIT_OK;
    }
    io.stdout(renderRules(pack, listed));
    return EXIT_OK;
  }
};

function renderRules(pack: { name: string; version: string } | null, listed: Listed[]): string {
  const lines: string[] = [];
  if (pack) lines.push(`Rule pack ${escapeTerminal(pack.name)} ${escapeTerminal(pack.version)}`, '');
  const width = Math.max(0, ...listed.map(r => r.name.length));
  for (const rule of listed) {
    const facts = [
      rule.kind,
      rule.severity ?? '',
      rule.effect ? `${rule.effect} (allowed: ${rule.allowedEffects.join(', ')})` : '',
      rule.kind === 'definition' ? '' : rule.runs === 'azure' ? 'Azure Policy and pull requests' : 'pull requests only'
    ].filter(Boolean);
    lines.push(`${escapeTerminal(rule.name).padEnd(width)}  ${facts.map(escapeTerminal).join(' · ')}`);
    lines.push(`  ${escapeTerminal(rule.displayName)}`);
    if (rule.requirement) lines.push(`  requirement: ${escapeTerminal(rule.requirement)}`);
    if (rule.kind === 'definition' && rule.file) lines.push(`  file: ${escapeTerminal(rule.file)}`);
    lines.push('');
  }
  lines.push(`${listed.length} ${listed.length === 1 ? 'rule' : 'rules'}`);
  return lines.join('\n') + '\n';
}
