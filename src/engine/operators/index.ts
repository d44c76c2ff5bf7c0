/** Every condition operator, by its lower-cased name (operator names are case-insensitive). */
import { contains, containsKey, notContains, notContainsKey } from './contains.js';
import { equals, notEquals } from './equality.js';
import { exists } from './exists.js';
import { inOperator, notIn } from './inclusion.js';
import { like, notLike } from './like.js';
import { match, matchInsensitively, notMatch, notMatchInsensitively } from './match.js';
import { greater, greaterOrEquals, less, lessOrEquals } from './ordering.js';
import type { Operator } from './types.js';
import { foldCase } from '../../model/foldCase.js';

export type { Operator } from './types.js';

export const operators: ReadonlyMap<string, Operator> = new Map(
  [
    equals,
    notEquals,
    like,
    notLike,
    match,
    notMatch,
    matchInsensitively,
    notMatchInsensitively,
    contains,
    notContains,
    containsKey,
    notContainsKey,
    inOperator,
    notIn,
    less,
    lessOrEquals,
    greater,
    greaterOrEquals,
    exists
  ].map(op => [foldCase(op.name), op])
);
