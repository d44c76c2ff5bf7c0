/**
 * What a Modify operation may write: tags, `identity.type`, and aliases Azure marks modifiable.
 * Azure refuses to create a definition whose operations write an alias that is not
 * ("The policy definition '…' has operations referring to aliases that are not modifiable: '…'",
 * InvalidPolicyRuleModifyDetails; e.g. Azure/azure-rest-api-specs#26759, Azure/azure-policy#1002), so
 * such a definition is refused here too. Where no public data says whether an alias is modifiable,
 * the definition loads with a note saying so.
 * https://learn.microsoft.com/azure/governance/policy/concepts/effect-modify
 */
import { isObject, type Value } from '../model/value.js';
import { aliasModifiable } from './aliases.js';
import { declareField, type ConditionCompiler } from './conditions.js';
import { DefinitionError } from './errors.js';
import { foldCase } from '../model/foldCase.js';

const keyOf = (obj: Record<string, unknown>, lower: string) => Object.keys(obj).find(k => foldCase(k) === lower);

/** Checks the fields of `details.operations` (whatever the effect: an effect parameter may choose Modify). */
export function checkModifyOperations(details: unknown, path: string, c: ConditionCompiler): void {
  if (!isObject(details as Value)) return;
  const d = details as Record<string, unknown>;
  const opsKey = keyOf(d, 'operations');
  const ops = opsKey === undefined ? undefined : d[opsKey];
  if (!Array.isArray(ops)) return;
  const notModifiable: string[] = [];
  ops.forEach((raw, i) => {
    if (!isObject(raw as Value)) return;
    const op = raw as Record<string, unknown>;
    const fieldKey = keyOf(op, 'field');
    const field = fieldKey === undefined ? undefined : op[fieldKey];
    if (typeof field !== 'string' || (field.startsWith('[') && !field.startsWith('[['))) return;
    const text = field.startsWith('[[') ? field.slice(1) : field;
    const at = `${path}.${opsKey}[${i}].${fieldKey}`;
    const lower = foldCase(text);
    if (!text.includes('/')) {
      if (lower === 'tags' || lower.startsWith('tags.') || lower.startsWith('tags[') || lower === 'identity.type')
        return;
      declareField(c, text, at);
      throw new DefinitionError(
        `a modify operation writes tags, identity.type or a modifiable alias, not '${text}'.`,
        c.file,
        at
      );
    }
    declareField(c, text, at);
    const modifiable = aliasModifiable(text);
    if (modifiable === false) notModifiable.push(text);
    else if (modifiable === undefined) {
      c.notes.push(
        `${at}: no public alias data says whether Azure lets a modify operation write '${text}'; Azure refuses the definition if it does not (InvalidPolicyRuleModifyDetails).`
      );
    }
  });
  if (notModifiable.length > 0) {
    throw new DefinitionError(
      `the modify operations write ${notModifiable.map(a => `'${a}'`).join(', ')}, which Azure does not mark modifiable; Azure refuses the definition (InvalidPolicyRuleModifyDetails). Change the property with deployIfNotExists instead, or audit/deny it.`,
      c.file,
      `${path}.${opsKey}`
    );
  }
}
