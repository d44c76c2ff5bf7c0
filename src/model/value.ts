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
