/** `$ref` to a local definition (`#/$defs/name`): compiled in place. A reference that
 * reaches itself again cannot be unrolled into a finite policy and is refused. */
import { FALSE } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const refKeyword: KeywordDefinition = {
  keywords: ['$ref'],
  compile(schema, context) {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return FALSE;
    if (!ref.startsWith('#')) {
      return context.refuse(
        '$ref',
        `only references inside the rule file (\`#/$defs/…\`) can be compiled, not \`${ref}\``
      );
    }
    const target = context.resolveRef(ref);
    if (!target) return context.refuse('$ref', `\`${ref}\` names nothing in this schema; define it under \`$defs\``);
    if (context.expanding(target.pointer)) {
      return context.refuse(
        '$ref',
        `\`${ref}\` refers to itself (a recursive schema), which Azure Policy cannot express as a finite condition`
      );
    }
    return context.violatesRef(target.schema, target.pointer);
  }
};
