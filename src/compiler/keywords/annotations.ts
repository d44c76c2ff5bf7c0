/** Keywords that say something about a schema without constraining values, and the
 * containers `$ref` reads from: they compile to nothing. */
import { FALSE } from '../policy.js';
import type { KeywordDefinition } from '../context.js';

export const annotationKeywords: KeywordDefinition = {
  keywords: [
    'title',
    'description',
    '$comment',
    'examples',
    'default',
    'deprecated',
    'readOnly',
    'writeOnly',
    '$schema',
    '$defs',
    'definitions'
  ],
  compile() {
    return FALSE;
  }
};
