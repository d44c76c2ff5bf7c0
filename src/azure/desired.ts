/**
 * What the pack compiles to at a scope, as the REST bodies cmk-guard would PUT: every
 * compiled definition, the initiative over the pack's rules (its members' ids are the ids the
 * definitions have at that scope), and one assignment of it, all carrying the owner id.
 *
 * The assignment sets each rule's effect where it is overridden, the enforcement mode, a
 * non-compliance message per rule (its remediation), and a system-assigned identity with a
 * location only when an effect needs one (DeployIfNotExists, Modify).
 */
import { nodeCrypto } from '../model/builtins.js';
import { effectParameterName, type CompilablePack, type CompilableRule } from '../compiler/index.js';
import type { PolicyDefinitionBody, PolicySetDefinitionBody } from '../compiler/index.js';
import { UserError } from '../model/errors.js';
import type { PlanItemKind } from '../model/plan.js';
import type { SourcePosition } from '../model/resource.js';
import type { Json } from '../model/value.js';
import type { RestBody } from './policyStore.js';
import { resourceIdAt, shortScope, type AzureScope } from './scope.js';
import { foldCase } from '../model/foldCase.js';

/** Effects that change resources: the assignment needs a managed identity (and a location) for them. */
const IDENTITY_EFFECTS = ['deployifnotexists', 'modify'];

export interface PublishOptions {
  /** Where definitions and the initiative go. */
  scope: AzureScope;
  /** Where the assignment goes: the scope itself, or one below it. */
  assignmentScope: AzureScope;
  /** Written into every resource's metadata; only resources with this owner are changed or deleted. */
  owner: string;
  enforcementMode: 'Default' | 'DoNotEnforce';
  /** Effects chosen per rule (`rule → effect`), overriding the rule's default. */
  effects: Record<string, string>;
  /**
   * The configuration file's `overrides.<rule>.effect`: what pull requests are checked with, so
   * the assignment's effect for the rules `effects` leaves. Names that are no pack member (a
   * rule that runs in pull requests only, a definition) are not the assignment's.
   */
  effectOverrides?: readonly EffectOverride[];
  /** Where the assignment's managed identity lives, when an effect needs one. */
  location?: string;
}

export interface DesiredItem {
  kind: PlanItemKind;
  name: string;
  id: string;
  scope: AzureScope;
  body: RestBody;
  /** The rule or pack file, relative to the repository root. */
  source: string;
  /** What the plan says of the item when it is created (the assignment's managed identity). */
  createNote?: string;
}

export interface DesiredState {
  definitions: DesiredItem[];
  initiative: DesiredItem;
  assignment: DesiredItem;
  effects: { rule: string; effect: string; overridden: boolean }[];
  /** Where the assignment's effect differs from the one pull requests are checked with. */
  notes: string[];
}

export interface EffectOverride {
  name: string;
  effect?: string;
  /** Where it is written (`cmk-guard.yaml` and its line). */
  at?: SourcePosition;
}

/**
 * The effects the assignment gives: `chosen` (`--effect`, the `effects` input, `azure.effects`)
 * first, then the file's overrides for the rest, each checked against the rule's allowed effects
 * at the line that asks for it. A choice that differs from an override is noted, as pull
 * requests are still checked with the override.
 */
export function assignedEffects(
  members: CompilableRule[],
  chosen: Record<string, string>,
  overrides: readonly EffectOverride[]
): { effects: Record<string, string>; notes: string[] } {
  const effects = resolveEffects(members, chosen);
  const notes: string[] = [];
  for (const override of overrides) {
    const member = members.find(m => m.name === override.name);
    if (!member || override.effect === undefined) continue;
    const where = override.at?.file ? `${override.at.file}${override.at.line ? `:${override.at.line}` : ''}` : '';
    if (override.name in effects) {
      if (foldCase(effects[override.name]) !== foldCase(override.effect))
        notes.push(
          `The assignment gives ${override.name} the effect ${effects[override.name]}, as chosen for this deploy; ${where || 'the configuration file'} overrides it to ${override.effect}, which pull requests are checked with.`
        );
      continue;
    }
    const allowed = member.effect.allowed.find(a => foldCase(a) === foldCase(override.effect!));
    if (!allowed)
      throw new UserError(
        `\`${override.name}\` does not allow the effect \`${override.effect}\`; use one of ${member.effect.allowed.map(a => `\`${a}\``).join(', ')}.`,
        override.at ?? { file: member.file }
      );
    effects[override.name] = allowed;
  }
  return { effects, notes };
}

/** The compiled pack, as compilePack gives it, plus policy rules the manifest does not list. */
export interface CompiledPack {
  pack: CompilablePack;
  members: CompilableRule[];
  definitions: PolicyDefinitionBody[];
  initiative: PolicySetDefinitionBody;
}

/** Where the ownership mark lives: `metadata.cmkGuard.owner`. */
export function ownerOf(body: { properties?: { [key: string]: Json } } | undefined): string | undefined {
  const metadata = body?.properties?.metadata;
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) return undefined;
  const cmkGuard = metadata.cmkGuard;
  if (!cmkGuard || typeof cmkGuard !== 'object' || Array.isArray(cmkGuard)) return undefined;
  return typeof cmkGuard.owner === 'string' ? cmkGuard.owner : undefined;
}

function withOwner(properties: { [key: string]: Json }, owner: string): { [key: string]: Json } {
  const metadata = (properties.metadata ?? {}) as { [key: string]: Json };
  const cmkGuard = (metadata.cmkGuard ?? {}) as { [key: string]: Json };
  return { ...properties, metadata: { ...metadata, cmkGuard: { ...cmkGuard, owner } } };
}

/** Azure limits assignment names to 24 characters at a management group and 64 elsewhere. */
export function assignmentName(pack: string, scope: AzureScope): string {
  const limit = scope.kind === 'managementGroup' ? 24 : 64;
  if (pack.length <= limit) return pack;
  const hash = nodeCrypto().createHash('sha256').update(pack).digest('hex').slice(0, 8);
  return `${pack.slice(0, limit - 9).replace(/-+$/, '')}-${hash}`;
}

const MAX_MESSAGE = 1024;

/** `RULE=EFFECT` entries → a map; a rule given twice is an error. */
export function parseEffects(entries: readonly string[], what = '--effect'): Record<string, string> {
  const effects: Record<string, string> = {};
  for (const entry of entries) {
    const match = /^\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*=\s*([A-Za-z]+)\s*$/.exec(entry);
    if (!match) throw new UserError(`${what} '${entry}' is not RULE=EFFECT; write e.g. foundry-tools-cmk=Deny.`);
    if (match[1] in effects) throw new UserError(`${what} gives rule '${match[1]}' an effect twice; keep one.`);
    effects[match[1]] = match[2];
  }
  return effects;
}

/** Checks `--effect` choices against the rules: a pack member, one of its allowed effects (spelled as the rule spells it). */
export function resolveEffects(members: CompilableRule[], chosen: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [rule, effect] of Object.entries(chosen)) {
    const member = members.find(m => m.name === rule);
    if (!member) {
      throw new UserError(
        `--effect names rule '${rule}', which is not a policy rule of the pack; use one of ${members.map(m => m.name).join(', ')}.`
      );
    }
    const allowed = member.effect.allowed.find(a => foldCase(a) === foldCase(effect));
    if (!allowed) {
      throw new UserError(
        `--effect gives rule '${rule}' the effect '${effect}', which it does not allow; use one of ${member.effect.allowed.join(', ')}.`,
        member.positionOf('/effect/allowed') ?? { file: member.file }
      );
    }
    resolved[rule] = allowed;
  }
  return resolved;
}

export function desiredState(compiled: CompiledPack, options: PublishOptions): DesiredState {
  const { pack, members } = compiled;
  const { effects, notes } = assignedEffects(members, options.effects, options.effectOverrides ?? []);
  const definitions: DesiredItem[] = compiled.definitions.map(definition => ({
    kind: 'definition',
    name: definition.name,
    id: resourceIdAt(options.scope, 'policyDefinitions', definition.name),
    scope: options.scope,
    body: { properties: withOwner(definition.properties as unknown as { [key: string]: Json }, options.owner) },
    source: definition.properties.metadata.cmkGuard.source
  }));
  const initiativeId = resourceIdAt(options.scope, 'policySetDefinitions', compiled.initiative.name);
  const initiative: DesiredItem = {
    kind: 'initiative',
    name: compiled.initiative.name,
    id: initiativeId,
    scope: options.scope,
    body: {
      properties: withOwner(compiled.initiative.properties as unknown as { [key: string]: Json }, options.owner)
    },
    source: compiled.initiative.properties.metadata.cmkGuard.source
  };

  const effective = members.map(rule => ({
    rule: rule.name,
    effect: effects[rule.name] ?? rule.effect.default,
    overridden: rule.name in effects
  }));
  const needsIdentity = effective.filter(e => IDENTITY_EFFECTS.includes(foldCase(e.effect)));
  if (needsIdentity.length && !options.location) {
    throw new UserError(
      `the effect ${needsIdentity[0].effect} of rule '${needsIdentity[0].rule}' changes resources, so the assignment needs a managed identity, which lives in a region; give --location (e.g. westeurope).`
    );
  }
  const parameters: { [name: string]: Json } = {};
  for (const [rule, effect] of Object.entries(effects)) parameters[effectParameterName(rule)] = { value: effect };
  const properties: { [key: string]: Json } = {
    displayName: pack.displayName,
    description: pack.description,
    policyDefinitionId: initiativeId,
    enforcementMode: options.enforcementMode,
    metadata: {
      cmkGuard: {
        owner: options.owner,
        pack: pack.name,
        version: pack.version,
        source: initiative.source
      }
    },
    nonComplianceMessages: members.map(rule => ({
      message: (rule.remediation || rule.description).slice(0, MAX_MESSAGE),
      policyDefinitionReferenceId: rule.name
    }))
  };
  if (Object.keys(parameters).length) properties.parameters = parameters;
  const body: RestBody = { properties };
  if (needsIdentity.length) {
    body.identity = { type: 'SystemAssigned' };
    body.location = options.location;
  }
  const name = assignmentName(pack.name, options.assignmentScope);
  const assignment: DesiredItem = {
    kind: 'assignment',
    name,
    id: resourceIdAt(options.assignmentScope, 'policyAssignments', name),
    scope: options.assignmentScope,
    body,
    source: initiative.source
  };
  // "When you use an Azure SDK, the roles must manually be granted to the managed identity" (remediate-resources).
  if (needsIdentity.length)
    assignment.createNote = `with a system-assigned managed identity, for the effect${needsIdentity.length > 1 ? 's' : ''} ${needsIdentity.map(e => `${e.effect} of ${e.rule}`).join(', ')}: Azure grants it no role when an assignment is written through its API (only the portal does), and cmk-guard grants none; grant it the roles ${needsIdentity.length > 1 ? 'those effects need' : 'that effect needs'} at ${shortScope(options.assignmentScope)}, or ${needsIdentity.length > 1 ? 'their' : 'its'} remediation fails`;
  return { definitions, initiative, assignment, effects: effective, notes };
}
