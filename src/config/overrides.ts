/**
 * Per-rule overrides from the configuration file: the severity a rule's findings get, and the effect
 * it is evaluated with. A policy rule (or definition) gets its effect as Azure would from an
 * assignment, through the definition's `effect` parameter, so `Disabled` means it does not run; a rule
 * that runs in pull requests only gets it on its findings. Each override must name a loaded rule and
 * an effect that rule allows, or it is an error at its line.
 */
import type { CompiledDefinition } from '../engine/index.js';
import { collectUserErrors, throwUserErrors, UserError } from '../model/errors.js';
import type { Finding, Severity } from '../model/finding.js';
import type { Value } from '../model/value.js';
import type { Rule } from '../rules/index.js';
import { closest } from '../rules/suggest.js';
import type { RuleOverride } from './load.js';
import { foldCase } from '../model/foldCase.js';

export interface OverridePlan {
  /** Assignment parameter values by definition name, for the engine. */
  parameters: Record<string, Record<string, Value>>;
  /** Severities, and effects of rules that run in pull requests only; `Disabled` drops their findings. */
  apply(findings: Finding[]): Finding[];
  /** Whether `apply` can change or drop a finding (false: it gives back what it is given). */
  changesFindings: boolean;
}

export function planOverrides(
  overrides: RuleOverride[],
  rules: Map<string, Rule>,
  definitions: CompiledDefinition[],
  /** Names loaded but left out by the selection: offered as suggestions, never called unknown. */
  leftOut: Set<string> = new Set()
): OverridePlan {
  const byDefinition = new Map(definitions.map(d => [d.name, d]));
  const parameters: Record<string, Record<string, Value>> = {};
  const severities = new Map<string, Severity>();
  const findingEffects = new Map<string, string>();
  const errors: UserError[] = [];
  for (const override of overrides) {
    collectUserErrors(errors, () => {
      const rule = rules.get(override.name);
      const definition = byDefinition.get(override.name);
      if (!rule && !definition) {
        const known = [...new Set([...rules.keys(), ...byDefinition.keys(), ...leftOut])];
        const suggestion = closest(override.name, known);
        throw new UserError(
          `\`overrides\` names \`${override.name}\`, which no loaded rule or definition is called; ${suggestion ? `did you mean \`${suggestion}\`?` : 'check the name.'}`,
          override.at
        );
      }
      if (override.severity) severities.set(override.name, override.severity);
      if (override.effect === undefined) return;
      if (definition) {
        const parameter = Object.keys(definition.parameters).find(p => foldCase(p) === 'effect');
        if (parameter === undefined)
          throw new UserError(
            `\`${override.name}\` has no \`effect\` parameter, so its effect cannot be chosen; remove \`effect\` from this override.`,
            override.at
          );
        const allowed = (definition.parameters[parameter].allowedValues ?? []).map(String);
        const effect = allowedEffect(override, allowed);
        parameters[definition.name] = { [parameter]: effect };
      } else {
        findingEffects.set(override.name, allowedEffect(override, rule!.effect.allowed));
      }
    });
  }
  throwUserErrors(errors);
  return {
    parameters,
    changesFindings: severities.size > 0 || findingEffects.size > 0,
    apply(findings) {
      if (severities.size === 0 && findingEffects.size === 0) return findings;
      const out: Finding[] = [];
      for (const finding of findings) {
        const effect = findingEffects.get(finding.definition);
        if (effect !== undefined && foldCase(effect) === 'disabled') continue;
        const severity = severities.get(finding.definition);
        out.push(
          effect === undefined && severity === undefined
            ? finding
            : { ...finding, ...(effect !== undefined ? { effect } : {}), ...(severity ? { severity } : {}) }
        );
      }
      return out;
    }
  };
}

/** The effect as the rule spells it, if the rule allows it (effects compare ignoring case). */
function allowedEffect(override: RuleOverride, allowed: string[]): string {
  const effect = allowed.find(a => foldCase(a) === foldCase(override.effect!));
  if (effect !== undefined || allowed.length === 0) return effect ?? override.effect!;
  throw new UserError(
    `\`${override.name}\` does not allow the effect \`${override.effect}\`; use one of ${allowed.map(a => `\`${a}\``).join(', ')}.`,
    override.at
  );
}
