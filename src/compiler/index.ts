/**
 * JSON Schema rules → Azure Policy definitions and the initiative that groups them.
 * The definition's `if` is: the resource is of the rule's type, satisfies `appliesTo`, and
 * violates `schema`. Everything it emits is built from policy.ts constructors.
 */
import path from 'node:path';
import type { SourcePosition } from '../model/resource.js';
import type { Severity } from '../model/finding.js';
import { setOwn, type Json } from '../model/value.js';
import { collectUserErrors, throwUserErrors, UserError } from '../model/errors.js';
import { allOf, anyOf, field, not, toPolicyJson } from './policy.js';
import type { AliasCatalog } from './aliases.js';
import { CompileError, type JsonSchema } from './context.js';
import { compileSchema, type SchemaCompilation } from './schema.js';
import { canonicalJson, sha256 } from './canonical.js';

export { CompileError } from './context.js';
export type { JsonSchema, SchemaObject } from './context.js';
export type { AliasCatalog, AliasEntry } from './aliases.js';
export {
  aliasCatalogFromEntries,
  aliasCatalogFromPathLookup,
  pathSegments,
  joinSegments,
  resolveField
} from './aliases.js';
export { knownKeywords, compiledKeywords } from './vocabulary.js';
export { refusedReasons } from './keywords/refused.js';

/** What the compiler reads of a rule (src/rules' `Rule` has all of it). */
export interface CompilableRule {
  name: string;
  displayName: string;
  description: string;
  category: string;
  version: string;
  severity: Severity;
  effect: { default: string; allowed: string[] };
  mode: string;
  resourceType: string | string[];
  appliesTo?: JsonSchema;
  schema: JsonSchema;
  remediation: string;
  references: string[];
  kind: 'policy' | 'relation' | 'transition';
  file: string;
  /** The rule file's content, as parsed: what the content hash covers. */
  document: Json;
  positionOf(pointer: string): SourcePosition | null;
}

export interface CompilablePack {
  name: string;
  displayName: string;
  description: string;
  version: string;
  rules: string[];
  file: string;
  document: Json;
  positionOf?(pointer: string): SourcePosition | null;
}

export interface CmkGuardMetadata {
  source: string;
  hash: string;
  kind: 'policy' | 'relation' | 'transition' | 'pack';
  severity?: Severity;
  remediation?: string;
  ruleVersion: string;
  references?: string[];
}

export interface PolicyDefinitionBody {
  name: string;
  properties: {
    displayName: string;
    description: string;
    policyType: 'Custom';
    mode: string;
    metadata: { category: string; version: string; cmkGuard: CmkGuardMetadata };
    parameters: { [name: string]: Json };
    policyRule: { if: Json; then: { effect: string } };
  };
}

export interface PolicySetDefinitionBody {
  name: string;
  properties: {
    displayName: string;
    description: string;
    policyType: 'Custom';
    metadata: { category: string; version: string; cmkGuard: CmkGuardMetadata };
    parameters: { [name: string]: Json };
    policyDefinitions: {
      policyDefinitionReferenceId: string;
      policyDefinitionId: string;
      parameters: { [name: string]: { value: string } };
    }[];
  };
}

export interface CompileOptions {
  /** Rule file paths in metadata are made relative to this folder (default: the working directory). */
  root?: string;
}

export interface PackOptions extends CompileOptions {
  /**
   * Prefix of each member's `policyDefinitionId`. Custom definitions live at a scope that
   * is only known at deploy time; the default is the scope-less form, which the deploy step
   * prefixes with the management group or subscription.
   */
  definitionIdPrefix?: string;
}

function sourcePath(file: string, root: string | undefined): string {
  return path
    .relative(root ?? process.cwd(), file)
    .split(path.sep)
    .join('/');
}

/**
 * A policy rule's condition (`policyRule.if`) and its content hash: compiled now, or as `aliases` compiled
 * exactly this document before.
 */
export function compileCondition(rule: CompilableRule, aliases: AliasCatalog): { condition: Json; hash: string } {
  const documentJson = canonicalJson(rule.document);
  const before = aliases.compiledBefore?.(documentJson);
  if (before) return before;
  const types = Array.isArray(rule.resourceType) ? rule.resourceType : [rule.resourceType];
  const errors: CompileError[] = [];
  const source = { file: rule.file, positionOf: (p: string) => rule.positionOf(p) };
  const perType = types.map(resourceType => {
    const compilation: SchemaCompilation = { source, resourceType, aliases, errors };
    const inScope = rule.appliesTo === undefined ? [] : [not(compileSchema(rule.appliesTo, '/appliesTo', compilation))];
    return allOf([field('type').equals(resourceType), ...inScope, compileSchema(rule.schema, '/schema', compilation)]);
  });
  throwUserErrors(errors);
  return { condition: toPolicyJson(anyOf(perType)), hash: sha256(documentJson) };
}

/**
 * The rule as an Azure Policy definition body (the REST API's PUT shape). Throws a
 * `CompileError` (or `UserErrors` holding several) for every keyword it cannot express.
 */
export function compileRule(
  rule: CompilableRule,
  aliases: AliasCatalog,
  options: CompileOptions = {}
): PolicyDefinitionBody {
  if (rule.kind !== 'policy') {
    const runs =
      rule.kind === 'relation'
        ? 'relation rules relate resources in one template'
        : 'transition rules compare a resource before and after a change';
    throw new UserError(
      `rule \`${rule.name}\` is a ${rule.kind} rule: ${runs}, so they run in pull requests only and are not compiled to Azure Policy.`,
      rule.positionOf('/kind') ?? { file: rule.file }
    );
  }
  const { condition, hash } = compileCondition(rule, aliases);
  const metadata: CmkGuardMetadata = {
    source: sourcePath(rule.file, options.root),
    hash,
    kind: rule.kind,
    severity: rule.severity,
    ...(rule.remediation ? { remediation: rule.remediation } : {}),
    ruleVersion: rule.version,
    ...(rule.references.length > 0 ? { references: [...rule.references] } : {})
  };
  return {
    name: rule.name,
    properties: {
      displayName: rule.displayName,
      description: rule.description,
      policyType: 'Custom',
      mode: rule.mode,
      metadata: { category: rule.category, version: rule.version, cmkGuard: metadata },
      parameters: {
        effect: {
          type: 'String',
          metadata: { displayName: 'Effect', description: 'Enable or disable the execution of the policy' },
          allowedValues: [...rule.effect.allowed],
          defaultValue: rule.effect.default
        }
      },
      policyRule: { if: condition, then: { effect: "[parameters('effect')]" } }
    }
  };
}

/** `kms-key-source` → `kmsKeySourceEffect`: the initiative parameter that sets one member's effect. */
export function effectParameterName(ruleName: string): string {
  return `${ruleName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}Effect`;
}

/**
 * Every policy rule of the pack compiled, and the initiative over them. Relation and
 * transition rules are PR-only and left out of both. Errors from every rule (and any pack
 * member that names no rule) are thrown together.
 */
export function compilePack(
  pack: CompilablePack,
  rules: CompilableRule[],
  aliases: AliasCatalog,
  options: PackOptions = {}
): { definitions: PolicyDefinitionBody[]; initiative: PolicySetDefinitionBody } {
  const errors: UserError[] = [];
  const byName = new Map(rules.map(r => [r.name, r]));
  const members: CompilableRule[] = [];
  pack.rules.forEach((name, i) => {
    const rule = byName.get(name);
    if (!rule) {
      const position = pack.positionOf?.(`/rules/${i}`) ?? { file: pack.file };
      errors.push(
        new UserError(
          `the pack lists rule \`${name}\`, but no rule file has that name; fix the name or add the rule.`,
          position
        )
      );
    } else if (rule.kind === 'policy') {
      members.push(rule);
    }
  });
  const definitions: PolicyDefinitionBody[] = [];
  for (const rule of members) collectUserErrors(errors, () => definitions.push(compileRule(rule, aliases, options)));
  throwUserErrors(errors);
  const prefix = options.definitionIdPrefix ?? '/providers/Microsoft.Authorization/policyDefinitions/';
  const parameters: { [name: string]: Json } = {};
  for (const rule of members) {
    setOwn(parameters, effectParameterName(rule.name), {
      type: 'String',
      metadata: { displayName: `Effect: ${rule.displayName}`, description: `Effect of ${rule.name}` },
      allowedValues: [...rule.effect.allowed],
      defaultValue: rule.effect.default
    });
  }
  const categories = [...new Set(members.map(r => r.category))];
  const initiative: PolicySetDefinitionBody = {
    name: pack.name,
    properties: {
      displayName: pack.displayName,
      description: pack.description,
      policyType: 'Custom',
      metadata: {
        category: categories.length === 1 ? categories[0] : 'Multiple',
        version: pack.version,
        cmkGuard: {
          source: sourcePath(pack.file, options.root),
          hash: sha256(canonicalJson(pack.document)),
          kind: 'pack',
          ruleVersion: pack.version
        }
      },
      parameters,
      policyDefinitions: members.map(rule => ({
        policyDefinitionReferenceId: rule.name,
        policyDefinitionId: `${prefix}${rule.name}`,
        parameters: { effect: { value: `[parameters('${effectParameterName(rule.name)}')]` } }
      }))
    }
  };
  return { definitions, initiative };
}
