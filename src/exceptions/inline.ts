/**
 * Exceptions written inline, in a template resource's `metadata` (where ARM keeps a declaration's
 * metadata, and where Bicep's `@metadata({...})` and `@description` on a resource put it):
 *
 *   "metadata": { "cmkGuard": { "exceptions": [ { "rule": "foundry-tools-cmk", "reason": "…" } ] } }
 *
 * Each entry covers the resources its declaration deploys: every instance of a copy loop. Entries are
 * checked with the same schema as the configuration file's, and a mistake is an input error at the
 * template's line, never a silently ignored exception.
 */
import { UserError } from '../model/errors.js';
import type { Resource } from '../model/resource.js';
import type { Json } from '../model/value.js';
import { displayPath } from '../paths.js';
import { inlineExceptionSchema, configFieldHints, configPatternHints } from '../config/schema.js';
import { metaSchemaErrors } from '../rules/validate.js';
import { canonicalJson, isCalendarDate, type DeclaredResource, type Exception } from './model.js';
import { lazyFileValidator } from '../config/validator.js';
import { foldCase } from '../model/foldCase.js';

/** The key under a resource's `metadata` that holds cmk-guard's settings for it. */
export const INLINE_KEY = 'cmkGuard';

const inlineSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { exceptions: { type: 'array', items: inlineExceptionSchema } }
} as const;

const validator = lazyFileValidator(inlineSchema);

interface InlineEntry {
  rule: string | string[];
  reason: string;
  owner?: string;
  expires?: string;
  category?: 'waiver' | 'mitigated';
}

/** Whether a resource's declaration holds inline exceptions (what `inlineExceptions` reads). */
export function declaresInlineExceptions(resource: Resource): boolean {
  const metadata = resource.metadata;
  if (!metadata || resource.existing || !resource.source) return false;
  return Object.keys(metadata.value as object).some(k => foldCase(k) === foldCase(INLINE_KEY));
}

/**
 * The inline exceptions of these resources (one per entry per declaration, covering every resource
 * the declaration deploys) and the mistakes in them. Paths are shown relative to `cwd`.
 */
export function inlineExceptions(resources: Resource[], cwd: string): { exceptions: Exception[]; errors: UserError[] } {
  const byDeclaration = new Map<object, { exceptions: Exception[]; declared: DeclaredResource[] }>();
  const errors: UserError[] = [];
  for (const resource of resources) {
    const metadata = resource.metadata;
    if (!metadata || resource.existing || !resource.source) continue;
    const value = metadata.value as { [key: string]: Json };
    const key = Object.keys(value).find(k => foldCase(k) === foldCase(INLINE_KEY));
    if (key === undefined) continue;
    const file = displayPath(resource.source.file, cwd);
    let entry = byDeclaration.get(metadata.value as object);
    if (!entry) {
      entry = { exceptions: [], declared: [] };
      byDeclaration.set(metadata.value as object, entry);
      const base = `/${key}`;
      const doc = {
        file,
        value: value[key],
        positionOf: (pointer: string) => {
          const at = metadata.positionOf(base + pointer);
          return at ? { ...at, file } : null;
        }
      };
      const check = validator();
      if (!check(value[key])) {
        errors.push(...metaSchemaErrors(check.errors ?? [], doc, `\`metadata.${key}\``, '', hints));
        continue;
      }
      const entries = ((value[key] as { exceptions?: InlineEntry[] }).exceptions ?? []) as InlineEntry[];
      entries.forEach((written, i) => {
        const at = doc.positionOf(`/exceptions/${i}`) ?? { file, line: resource.source!.line, column: 1 };
        if (written.expires !== undefined && !isCalendarDate(written.expires)) {
          errors.push(
            new UserError(
              `\`expires\` is \`${written.expires}\`, which is not a day of the calendar; write a real date such as \`2027-03-31\`.`,
              doc.positionOf(`/exceptions/${i}/expires`) ?? at
            )
          );
          return;
        }
        entry!.exceptions.push({
          kind: 'inSource',
          rules: typeof written.rule === 'string' ? [written.rule] : written.rule,
          resources: [],
          declared: entry!.declared,
          reason: written.reason,
          ...(written.owner !== undefined ? { owner: written.owner } : {}),
          ...(written.expires !== undefined ? { expires: written.expires } : {}),
          category: written.category ?? 'waiver',
          source: at,
          entryText: canonicalJson(written)
        });
      });
    }
    entry.declared.push({ file, type: resource.type, name: resource.name, id: resource.id });
  }
  return { exceptions: [...byDeclaration.values()].flatMap(e => e.exceptions), errors };
}

const hints = {
  fields: { ...configFieldHints, exceptions: 'a list of exceptions, each with `rule` and `reason`' },
  patterns: configPatternHints
};
