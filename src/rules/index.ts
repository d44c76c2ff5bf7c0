/**
 * Rule files and the pack manifest: read (YAML or JSON) with source positions, validated
 * against the meta-schema, every mistake in every file reported at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SourcePosition } from '../model/resource.js';
import type { Severity } from '../model/finding.js';
import type { Json } from '../model/value.js';
import { collectUserErrors, throwUserErrors, UserError } from '../model/errors.js';
import { readTextFile } from '../model/textFile.js';
import { parseJson } from '../model/jsonText.js';
import { escapeReason } from '../sources/boundary.js';
import { isIndexedType } from '../engine/modes.js';
import type { CompilablePack, CompilableRule, JsonSchema } from '../compiler/index.js';
import { isParsedAtBuild, parseDocument, type ParsedDocument } from './positions.js';
import { generatedValidators } from './tooling.js';
import { checkedPackTexts, checkedRuleTexts, compiledRules } from './ruleTextCache.generated.js';
import { invalidSchemaErrors, metaSchemaErrors, unknownKeywordErrors } from './validate.js';
import { grantSchemas } from '../pr/relationSpec.js';

export type { JsonSchema } from '../compiler/context.js';

export type RuleKind = 'policy' | 'relation' | 'transition';

/**
 * A rule file, loaded and validated. Its fields are what the compiler reads (`CompilableRule`,
 * declared there so the compiler imports nothing of this folder), plus the relation of a
 * `relation` rule, whose shape src/pr checks.
 */
export interface Rule extends CompilableRule {
  kind: RuleKind;
  /** For `relation` rules: how resources in one template relate. */
  relation?: { [key: string]: Json };
  /** The statement of the requirements (the brief) the rule enforces, for `cmk-guard rules`. */
  requirement?: string;
}

/** A pack manifest, loaded and validated: what the compiler reads, with positions always known. */
export interface Pack extends CompilablePack {
  positionOf(pointer: string): SourcePosition | null;
}

const PACK_FILES = ['pack.yaml', 'pack.yml', 'pack.json'];
const RULE_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** Whether a rule folder's file of this name is a rule or pack file (what the folder is read for). */
export function isRuleFileName(name: string): boolean {
  return RULE_EXTENSIONS.includes(path.extname(name));
}

/** A rule or pack file's text, as it is parsed (without a byte order mark). */
export function readRuleText(file: string): string {
  // Rule files may come from the pull request itself: read them with the same bounds as templates.
  return readTextFile(file).replace(/^\uFEFF/, '');
}

function read(file: string, text = readRuleText(file)): ParsedDocument {
  if (text.trim() === '')
    throw new UserError('the file is empty; write a rule (see the rule-authoring guide).', {
      file,
      line: 1,
      column: 1
    });
  return parseDocument(file, text);
}

function isMapping(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every mistake in a rule file. A text of the bundled pack was checked when it was built (the texts that
 * had none are in ruleTextCache.generated.ts, which a test keeps current): the very same text has none
 * now, and checking it again (its schemas compiled by ajv) was most of a short run's start.
 */
function ruleErrors(doc: ParsedDocument, text: string): UserError[] {
  return checkedRuleTexts.has(text) ? [] : checkRule(doc);
}

/**
 * A bundled policy rule as compiled at build time with the engine's alias catalog (ruleTextCache.generated.ts,
 * which a test keeps current), found by the rule document's canonical JSON: only exactly that document is
 * found. For the engine's catalog only (`AliasCatalog.compiledBefore`).
 */
export function compiledAtBuild(documentJson: string): { condition: Json; hash: string } | undefined {
  const entry = compiledRules().get(documentJson);
  return entry && { condition: parseJson(entry[0]) as Json, hash: entry[1] };
}

/** Every mistake in a rule file, checked now. */
export function checkRule(doc: ParsedDocument): UserError[] {
  const value = doc.value;
  const top = { file: doc.file, line: 1, column: 1 };
  if (!isMapping(value))
    return [new UserError('a rule file holds a mapping of fields (`name:`, `schema:` …); rewrite it as one.', top)];
  const validate = generatedValidators.get().ruleFile();
  const errors: UserError[] = validate(value) ? [] : metaSchemaErrors(validate.errors ?? [], doc, 'the rule');
  const kind = (value.kind ?? 'policy') as string;
  const at = (pointer: string, key = false) => doc.positionOf(pointer, key) ?? top;
  if ((kind === 'policy' || kind === 'transition') && !('schema' in value)) {
    errors.push(
      new UserError(
        `the rule is missing \`schema\`; add the JSON Schema a compliant ${kind === 'transition' ? 'change (`{before, after}`)' : 'resource'} satisfies.`,
        top
      )
    );
  }
  if (kind === 'relation' && !('relation' in value)) {
    errors.push(
      new UserError('the rule is a relation rule but has no `relation`; add it, or remove `kind: relation`.', top)
    );
  }
  if (kind !== 'relation' && 'relation' in value) {
    errors.push(
      new UserError(
        '`relation` belongs to relation rules only; add `kind: relation` or remove `relation`.',
        at('/relation', true)
      )
    );
  }
  const effect = value.effect;
  if (
    isMapping(effect) &&
    typeof effect.default === 'string' &&
    Array.isArray(effect.allowed) &&
    !effect.allowed.includes(effect.default)
  ) {
    errors.push(
      new UserError(
        `\`effect.default\` is \`${effect.default}\`, which \`effect.allowed\` does not list; add it to \`allowed\` or pick one of ${effect.allowed.map(e => `\`${String(e)}\``).join(', ')}.`,
        at('/effect/default')
      )
    );
  }
  if (kind === 'policy' && value.mode === 'Indexed') errors.push(...unevaluatedTypeErrors(value.resourceType, at));
  const relation = isMapping(value.relation) ? value.relation : undefined;
  const grants = relation && isMapping(relation.grants) ? relation.grants : undefined;
  const schemas: [string, Json | undefined][] = [
    ['/schema', value.schema],
    ['/appliesTo', value.appliesTo],
    ...(grantSchemas(grants) as [string, Json | undefined][])
  ];
  for (const [pointer, schema] of schemas) {
    if (
      schema === undefined ||
      (typeof schema !== 'object' && typeof schema !== 'boolean') ||
      Array.isArray(schema) ||
      schema === null
    )
      continue;
    const unknown = unknownKeywordErrors(schema, pointer, doc);
    errors.push(...(unknown.length > 0 ? unknown : invalidSchemaErrors(schema, pointer, doc)));
  }
  return errors;
}

/**
 * A policy rule in mode Indexed about a type Indexed never evaluates: "indexed: only evaluate resource types that
 * support tags and location" (definition-structure-basics#resource-manager-modes). Azure accepts such a definition and
 * it never reports; by the tag-support page (src/engine/modes.ts) the type is one of those, so the rule is refused
 * here, where its author can still choose mode All.
 */
function unevaluatedTypeErrors(resourceType: Json | undefined, at: (pointer: string) => SourcePosition): UserError[] {
  const types = typeof resourceType === 'string' ? [resourceType] : Array.isArray(resourceType) ? resourceType : [];
  const pointer = (i: number) => (typeof resourceType === 'string' ? '/resourceType' : `/resourceType/${i}`);
  return types.flatMap((type, i) =>
    typeof type === 'string' && !isIndexedType(type)
      ? [
          new UserError(
            `mode Indexed never evaluates ${type}: Azure Policy's Indexed mode evaluates only resource types that support tags and location, and by the tag-support page this one does not, so the rule would never report on it. Write \`mode: All\`, or name a type Indexed evaluates.`,
            at(pointer(i))
          )
        ]
      : []
  );
}

function toRule(doc: ParsedDocument): Rule {
  const v = doc.value as { [key: string]: Json };
  return {
    name: v.name as string,
    displayName: v.displayName as string,
    description: v.description as string,
    category: v.category as string,
    version: v.version as string,
    severity: v.severity as Severity,
    effect: v.effect as { default: string; allowed: string[] },
    mode: v.mode as string,
    resourceType: v.resourceType as string | string[],
    ...(v.appliesTo !== undefined ? { appliesTo: v.appliesTo as JsonSchema } : {}),
    schema: (v.schema ?? true) as JsonSchema,
    remediation: v.remediation as string,
    references: v.references as string[],
    kind: (v.kind ?? 'policy') as RuleKind,
    ...(v.relation !== undefined ? { relation: v.relation as { [key: string]: Json } } : {}),
    ...(typeof v.requirement === 'string' ? { requirement: v.requirement } : {}),
    file: doc.file,
    document: v,
    positionOf: pointer => doc.positionOf(pointer)
  };
}

/** Reads and validates one rule file; throws `UserErrors` with every mistake in it. */
export function loadRuleFile(file: string, text = readRuleText(file)): Rule {
  const doc = read(file, text);
  throwUserErrors(ruleErrors(doc, text));
  return toRule(doc);
}

/** Every mistake in a pack manifest, checked now. */
export function checkPack(doc: ParsedDocument): UserError[] {
  if (!isMapping(doc.value))
    return [
      new UserError('a pack manifest holds a mapping of fields (`name:`, `rules:` …); rewrite it as one.', {
        file: doc.file,
        line: 1,
        column: 1
      })
    ];
  const validate = generatedValidators.get().packFile();
  return validate(doc.value) ? [] : metaSchemaErrors(validate.errors ?? [], doc, 'the pack');
}

/** Reads and validates a pack manifest. */
export function loadPackFile(file: string, text = readRuleText(file)): Pack {
  const doc = read(file, text);
  // A text of the bundled pack was checked when it was built (as rule texts are: see ruleErrors).
  if (!checkedPackTexts.has(text)) throwUserErrors(checkPack(doc));
  const value = doc.value as { [key: string]: Json };
  return {
    name: value.name as string,
    displayName: value.displayName as string,
    description: value.description as string,
    version: value.version as string,
    rules: value.rules as string[],
    file,
    document: value,
    positionOf: pointer => doc.positionOf(pointer)
  };
}

/**
 * Every rule file (`*.yaml`, `*.yml`, `*.json`) in `dir` and its pack manifest
 * (`pack.yaml`), in file-name order. Throws `UserErrors` with every error in every file,
 * including two rules with one name and pack members no rule defines.
 */
export function loadPolicyDirectory(dir: string, root?: string): { pack: Pack | null; rules: Rule[] } {
  const { pack, rules, errors } = readPolicyDirectory(dir, root);
  throwUserErrors(errors);
  return { pack, rules };
}

/**
 * The rule files of `dir` that load, and an error for each one that does not (or for the folder):
 * a broken rule file spoils only itself. With `root`, a rule file that leads outside it (a
 * symbolic link) is refused unread. With `atBase` (the folder's rule files at a pull request's base, by
 * name), each file the base has is read as it is there, and one the base does not have as it is now.
 */
export function readPolicyDirectory(
  dir: string,
  root?: string,
  texts?: RuleTexts,
  atBase?: ReadonlyMap<string, string>
): { pack: Pack | null; rules: Rule[]; errors: UserError[]; fromBase: ReadonlySet<Rule> } {
  let entries: string[];
  try {
    entries = [...new Set([...fs.readdirSync(dir), ...(atBase?.keys() ?? [])])].sort();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    const problem = new UserError(`cannot read the policy directory (${reason}); check the path.`, { file: dir });
    return { pack: null, rules: [], errors: [problem], fromBase: new Set() };
  }
  const errors: UserError[] = [];
  const rules: Rule[] = [];
  /** The rules read as the base has them (on a pull request): a rule the change adds cannot take their names. */
  const fromBase = new Set<Rule>();
  let pack: Pack | null = null;
  for (const entry of entries) {
    const file = path.join(dir, entry);
    if (!RULE_EXTENSIONS.includes(path.extname(entry))) continue;
    // A file the base commit has is read as it is there (the pull request's file, or link, is not read).
    const baseText = atBase?.get(entry);
    if (baseText !== undefined) {
      if (PACK_FILES.includes(entry)) collectUserErrors(errors, () => void (pack = loadPackFile(file, baseText)));
      else
        collectUserErrors(errors, () => {
          const rule = loadRuleFile(file, baseText);
          rules.push(rule);
          fromBase.add(rule);
        });
      continue;
    }
    const escape = root === undefined ? null : escapeReason(file, root);
    if (escape) {
      errors.push(new UserError(`cmk-guard does not read the rule file ${file}: ${escape}.`, { file }));
      continue;
    }
    if (!isFile(file)) continue;
    if (PACK_FILES.includes(entry)) {
      collectUserErrors(errors, () => {
        pack = loadPackFile(file, texts?.take(file));
      });
    } else {
      collectUserErrors(errors, () => {
        rules.push(loadRuleFile(file, texts?.take(file)));
      });
    }
  }
  if (rules.length === 0 && errors.length === 0) throw noRuleFiles(dir, entries);
  const byName = new Map<string, Rule>();
  // The base's rules first: a rule file a pull request adds under the name of one of them is the one refused.
  for (const rule of [...rules.filter(r => fromBase.has(r)), ...rules.filter(r => !fromBase.has(r))]) {
    const first = byName.get(rule.name);
    if (first) {
      errors.push(
        new UserError(
          `rule name \`${rule.name}\` is already used by ${first.file}; give this rule another name.`,
          rule.positionOf('/name') ?? { file: rule.file }
        )
      );
    } else byName.set(rule.name, rule);
  }
  const manifest = pack as Pack | null;
  // A member may be missing only because its file failed to load: say so only when all loaded.
  if (errors.length === 0)
    manifest?.rules.forEach((name, i) => {
      if (!byName.has(name)) {
        errors.push(
          new UserError(
            `the pack lists rule \`${name}\`, but no rule file in ${dir} has that name; fix the name or add the rule.`,
            manifest.positionOf(`/rules/${i}`) ?? { file: manifest.file }
          )
        );
      }
    });
  // Rules that loaded are used even when another file failed; two rules with one name are both left out, but for
  // one read at the base, which is kept: a pull request cannot turn a rule off by adding a file of its name.
  const duplicated = new Set(rules.filter(r => byName.get(r.name) !== r).map(r => r.name));
  const baseNames = [...fromBase].map(r => r.name);
  const kept = (rule: Rule) =>
    !duplicated.has(rule.name) || (fromBase.has(rule) && baseNames.filter(name => name === rule.name).length === 1);
  return { pack: manifest, rules: rules.filter(kept), errors, fromBase };
}

/**
 * Rule and pack texts read ahead (by `readAtBuild`), each handed over once to the load that reads the same
 * file: the folder is read once, and what decided the tooling is what is loaded.
 */
export class RuleTexts {
  private readonly texts = new Map<string, string>();

  keep(file: string, text: string): void {
    this.texts.set(file, text);
  }

  /** The text read ahead for `file`, or undefined (then it is read now); a text is handed over once. */
  take(file: string): string | undefined {
    const text = this.texts.get(file);
    this.texts.delete(file);
    return text;
  }
}

/**
 * Whether every rule and pack file of `dir` is a bundled text read and checked at build time: then reading the
 * folder needs nothing of ./tooling.ts. False when it cannot tell (a file it cannot read, or one that leads
 * outside `root`): reading the folder then says what is wrong. The texts it reads are kept in `texts`.
 */
export function readAtBuild(dir: string, root?: string, texts?: RuleTexts): boolean {
  try {
    const files = fs
      .readdirSync(dir)
      .filter(entry => RULE_EXTENSIONS.includes(path.extname(entry)))
      .map(entry => ({ entry, file: path.join(dir, entry) }));
    return files.every(({ entry, file }) => {
      if (root !== undefined && escapeReason(file, root)) return false;
      if (!isFile(file)) return true;
      const text = readRuleText(file);
      texts?.keep(file, text);
      const checked = PACK_FILES.includes(entry) ? checkedPackTexts : checkedRuleTexts;
      return checked.has(text) && isParsedAtBuild(text);
    });
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A rules folder without a rule file would check nothing: say where the rules are, if they are in a subfolder. */
function noRuleFiles(dir: string, entries: string[]): UserError {
  const nested: string[] = [];
  for (const entry of entries) {
    const sub = path.join(dir, entry);
    try {
      if (!fs.statSync(sub).isDirectory()) continue;
      for (const inner of fs.readdirSync(sub).sort())
        if (RULE_EXTENSIONS.includes(path.extname(inner)) && !PACK_FILES.includes(inner))
          nested.push(path.join(entry, inner));
    } catch {
      // unreadable: nothing to suggest
    }
  }
  const hint = nested.length
    ? ` Rule files are read from the folder itself, not its subfolders: ${nested.slice(0, 3).join(', ')}${nested.length > 3 ? ', …' : ''} ${nested.length === 1 ? 'is' : 'are'} in a subfolder; give that folder instead.`
    : ' Give the folder that holds the rule files (*.yaml, *.yml, *.json).';
  return new UserError(`the rules folder holds no rule files.${hint}`, { file: dir });
}
