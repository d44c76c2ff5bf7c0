/**
 * What a keyword module sees while it compiles: where the schema is in the rule file (for
 * errors), where its value is in the resource (for fields), and how to recurse.
 */
import type { SourcePosition } from '../model/resource.js';
import type { Json } from '../model/value.js';
import { UserError } from '../model/errors.js';
import type { Condition } from './policy.js';

export type SchemaObject = { [keyword: string]: Json };
export type JsonSchema = boolean | SchemaObject;

/** A keyword the compiler will not turn into Azure Policy, with where and why. */
export class CompileError extends UserError {
  constructor(
    readonly keyword: string,
    readonly pointer: string,
    readonly reason: string,
    position: SourcePosition | { file: string }
  ) {
    super(`\`${keyword}\` at ${pointer || '/'} cannot be compiled to Azure Policy: ${reason}`, position);
    this.name = 'CompileError';
  }
}

export interface Context {
  readonly file: string;
  readonly resourceType: string;
  /** JSON pointer of the current schema object in the rule file, e.g. `/schema/properties/kind`. */
  readonly pointer: string;
  /** Location of the value the schema applies to, in the resource (see aliases.ts). */
  readonly location: readonly string[];
  /** The Azure Policy field for the current location (or `[…]` of it); refuses `keyword` when there is none. */
  field(keyword: string, location?: readonly string[]): string;
  /**
   * The condition that a value is present at `location` (JSON Schema applies a subschema only to
   * present members); refuses `keyword` when Azure has no field to test.
   */
  present(keyword: string, location: readonly string[]): Condition;
  /** Compiles a subschema: the condition under which the value at `location` violates it. */
  violates(schema: Json, pointer: string, location: readonly string[]): Condition;
  /** Resolves a local `$ref`: the schema it names and that schema's pointer in the rule file. */
  resolveRef(ref: string): { schema: Json; pointer: string } | null;
  /** Whether `pointer` is being expanded through `$ref` already (a recursive reference). */
  expanding(pointer: string): boolean;
  /** Compiles `schema` as the target of a `$ref` (tracked for recursion). */
  violatesRef(schema: Json, pointer: string): Condition;
  /** Records that `keyword` cannot be compiled; the rule fails to compile with every such error. */
  refuse(keyword: string, reason: string): Condition;
}

/** A keyword module: the keywords it reads, and the condition under which a value violates them. */
export interface KeywordDefinition {
  readonly keywords: readonly string[];
  compile(schema: SchemaObject, context: Context): Condition;
}

/** `pointer` extended by tokens, each escaped: the pointer of a subschema in the rule file. */
export { joinPointer as childPointer } from '../model/pointer.js';

export function isSchemaObject(value: unknown): value is SchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strings, numbers and booleans: the values Azure's `equals` and `in` compare. */
export function isScalar(value: Json): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
