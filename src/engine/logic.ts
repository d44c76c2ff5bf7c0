/**
 * Three-valued logic. A condition is true, false, or unknown (an `Unknown` that says what it
 * depended on). Kleene's rules: `allOf` is false as soon as one branch is false, whatever the
 * others are; `anyOf` is true as soon as one branch is true; otherwise an unknown branch makes the
 * whole unknown.
 */
import { Unknown, isUnknown } from '../model/value.js';

export type Truth = boolean | Unknown;

export function and(values: Iterable<Truth>): Truth {
  let unknown: Unknown | undefined;
  for (const v of values) {
    if (v === false) return false;
    if (v !== true) unknown ??= v;
  }
  return unknown ?? true;
}

export function or(values: Iterable<Truth>): Truth {
  let unknown: Unknown | undefined;
  for (const v of values) {
    if (v === true) return true;
    if (v !== false) unknown ??= v;
  }
  return unknown ?? false;
}

export function not(value: Truth): Truth {
  return typeof value === 'boolean' ? !value : value;
}

/** A closure that evaluates conditions lazily, so `allOf`/`anyOf` stop at the first deciding branch. */
export type Predicate<C> = (ctx: C) => Truth;

export function allOf<C>(branches: Predicate<C>[]): Predicate<C> {
  if (branches.length === 1) return branches[0];
  return ctx => {
    let unknown: Unknown | undefined;
    for (const branch of branches) {
      const v = branch(ctx);
      if (v === false) return false;
      if (v !== true) unknown ??= v;
    }
    return unknown ?? true;
  };
}

export function anyOf<C>(branches: Predicate<C>[]): Predicate<C> {
  if (branches.length === 1) return branches[0];
  return ctx => {
    let unknown: Unknown | undefined;
    for (const branch of branches) {
      const v = branch(ctx);
      if (v === true) return true;
      if (v !== false) unknown ??= v;
    }
    return unknown ?? false;
  };
}

export function negate<C>(inner: Predicate<C>): Predicate<C> {
  return ctx => {
    const v = inner(ctx);
    return typeof v === 'boolean' ? !v : v;
  };
}

export { isUnknown };
