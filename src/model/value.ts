/**
 * The value model shared by the expression language, the template expander and the
 * policy engine: plain JSON, plus `Unknown` for what cannot be known before deployment.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A value a template cannot know before deployment: a parameter with no value,
 * `reference()`, `listKeys()`, `newGuid()`. `key` identifies the unknown so that two
 * mentions of the same thing (an identity's principalId in a vault access policy and on
 * the account it belongs to) compare as the same; `reason` says it in words for users.
 */
export class Unknown {
  constructor(
    readonly reason: string,
    readonly key: string = reason
  ) {}

  toString(): string {
    return `<unknown: ${this.reason}>`;
  }
}

/**
 * What Azure Policy cannot evaluate at all: a template function that fails on the values it is given (`substring`
 * past the end of a name, `int('ab')`), a comparison of values of different types. It flows through conditions as an
 * unknown does, and where it decides the outcome, Azure's answer is known: "A failed evaluation is an implicit deny"
 * (definition-structure-policy-rule, "Avoiding template failures").
 */
export class EvaluationFailure extends Unknown {}

/** A value as expressions and the engine see it: JSON whose leaves or subtrees may be unknown. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value } | Unknown;

export function isUnknown(value: unknown): value is Unknown {
  return value instanceof Unknown;
}

export function isObject(value: unknown): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown);
}

/** The first unknown found in a value, depth first, or undefined when the value is fully known. */
export function findUnknown(value: Value): Unknown | undefined {
  if (value instanceof Unknown) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findUnknown(item);
      if (found) return found;
    }
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      const found = findUnknown(value[key]);
      if (found) return found;
    }
  }
  return undefined;
}

/*
 * Input is plain data. Every key a template, parameter file, snapshot, rule or definition writes —
 * `__proto__`, `constructor`, `prototype`, `toString` among them — is an ordinary key: in JSON and
 * in Azure a property named `__proto__` is a property like any other. So objects built from input
 * get their members through `setOwn` (a plain assignment to `__proto__` sets the object's prototype
 * instead of a member) and members named by input are read through `own`/`hasOwn` (a plain read of
 * `constructor` finds Object's). Static tables looked up by a name from input are read with `own` too.
 */

export function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** The object's own member `key`, or undefined: never one it inherits. */
export function own<T>(object: { readonly [key: string]: T }, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}

/** Sets the object's own member `key`, `__proto__` included. */
export function setOwn<T>(object: { [key: string]: T }, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    object[key] = value;
  }
}
