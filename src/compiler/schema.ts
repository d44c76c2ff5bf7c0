/**
 * Compiles one JSON Schema (a rule's `schema` or `appliesTo`) into the Azure Policy
 * condition under which a resource violates it, collecting every keyword it must refuse.
 */
import type { SourcePosition } from '../model/resource.js';
import type { Json } from '../model/value.js';
import { FALSE, TRUE, anyOf, field, type Condition } from './policy.js';
import { resolveField, type AliasCatalog } from './aliases.js';
import { CompileError, childPointer, isSchemaObject, type Context } from './context.js';
import { vocabulary, knownKeywords } from './vocabulary.js';
import { unescapePointerSegment } from '../model/pointer.js';
import { decodeUriComponent } from '../model/uriText.js';

export interface SchemaSource {
  file: string;
  positionOf(pointer: string): SourcePosition | null;
}

export interface SchemaCompilation {
  source: SchemaSource;
  resourceType: string;
  aliases: AliasCatalog;
  errors: CompileError[];
}

/** Reads a JSON pointer (`/$defs/x`) inside `root`. */
function readPointer(root: Json, pointer: string): Json | undefined {
  if (pointer === '') return root;
  let node: Json | undefined = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = unescapePointerSegment(decodeUriComponent(raw));
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isSchemaObject(node)) node = Object.prototype.hasOwnProperty.call(node, token) ? node[token] : undefined;
    else return undefined;
  }
  return node;
}

/**
 * The violation condition of `schema`, which sits at `pointer` in the rule file and
 * applies to the resource root. Refusals are pushed to `compilation.errors`.
 */
export function compileSchema(schema: Json, pointer: string, compilation: SchemaCompilation): Condition {
  const rootPointer = pointer;
  const make = (schemaPointer: string, location: readonly string[], refs: readonly string[]): Context => {
    const context: Context = {
      file: compilation.source.file,
      resourceType: compilation.resourceType,
      pointer: schemaPointer,
      location,
      field(keyword, at = location) {
        const resolved = resolveField(at, compilation.resourceType, compilation.aliases);
        if ('refused' in resolved) {
          context.refuse(keyword, resolved.refused);
          return '<no field>';
        }
        return resolved.field;
      },
      present(keyword, at) {
        // ARM gives every resource a name, a type, an id and a `properties` object; an identity exists
        // exactly when its type does.
        if (at.length === 1 && ['properties', 'name', 'type', 'id'].includes(at[0])) return TRUE;
        if (at.length === 1 && at[0] === 'identity') return field('identity.type').exists(true);
        const resolved = resolveField(at, compilation.resourceType, compilation.aliases);
        if ('refused' in resolved) {
          // A member with no field: whatever its schema tests below it has been refused already, with this reason.
          if (!compilation.errors.some(e => e.reason === resolved.refused)) context.refuse(keyword, resolved.refused);
          return FALSE;
        }
        return field(resolved.field).exists(true);
      },
      violates(subschema, subPointer, subLocation) {
        return violates(subschema, make(subPointer, subLocation, refs));
      },
      resolveRef(ref) {
        const target = readPointer(schema, ref.slice(1));
        return target === undefined ? null : { schema: target, pointer: rootPointer + ref.slice(1) };
      },
      expanding(targetPointer) {
        return refs.includes(targetPointer);
      },
      violatesRef(target, targetPointer) {
        return violates(target, make(targetPointer, location, [...refs, targetPointer]));
      },
      refuse(keyword, reason) {
        const keywordPointer = childPointer(schemaPointer, keyword);
        const position = compilation.source.positionOf(keywordPointer) ?? { file: compilation.source.file };
        if (!compilation.errors.some(e => e.pointer === keywordPointer && e.reason === reason)) {
          compilation.errors.push(new CompileError(keyword, keywordPointer, reason, position));
        }
        return FALSE;
      }
    };
    return context;
  };
  return violates(schema, make(pointer, [], []));
}

function violates(schema: Json, context: Context): Condition {
  if (schema === true) return FALSE;
  if (schema === false) return TRUE;
  if (!isSchemaObject(schema)) {
    context.refuse('', 'a schema is an object or a boolean');
    return FALSE;
  }
  for (const keyword of Object.keys(schema)) {
    if (!knownKeywords.has(keyword)) {
      context.refuse(keyword, 'it is not a JSON Schema keyword cmk-guard knows; check its spelling');
    }
  }
  return anyOf(vocabulary.map(definition => definition.compile(schema, context)));
}
