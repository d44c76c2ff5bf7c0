/**
 * The keywords the compiler knows, in the order it compiles them (like ajv's vocabularies:
 * an ordered list of keyword modules). A keyword in no module is unknown and refused.
 */
import type { KeywordDefinition } from './context.js';
import { annotationKeywords } from './keywords/annotations.js';
import { constKeyword } from './keywords/const.js';
import { enumKeyword } from './keywords/enum.js';
import { typeKeyword } from './keywords/type.js';
import { likeKeyword } from './keywords/like.js';
import { matchKeyword } from './keywords/match.js';
import { patternKeyword } from './keywords/pattern.js';
import { limitNumberKeyword } from './keywords/limitNumber.js';
import { limitLengthKeyword } from './keywords/limitLength.js';
import { requiredKeyword } from './keywords/required.js';
import { dependentRequiredKeyword } from './keywords/dependentRequired.js';
import { propertiesKeyword } from './keywords/properties.js';
import { limitItemsKeyword } from './keywords/limitItems.js';
import { itemsKeyword } from './keywords/items.js';
import { containsKeyword } from './keywords/contains.js';
import { notKeyword } from './keywords/not.js';
import { allOfKeyword } from './keywords/allOf.js';
import { anyOfKeyword } from './keywords/anyOf.js';
import { oneOfKeyword } from './keywords/oneOf.js';
import { ifThenElseKeyword } from './keywords/ifThenElse.js';
import { refKeyword } from './keywords/ref.js';
import { refusedKeywords } from './keywords/refused.js';

export const vocabulary: readonly KeywordDefinition[] = [
  annotationKeywords,
  refusedKeywords,
  typeKeyword,
  constKeyword,
  enumKeyword,
  likeKeyword,
  matchKeyword,
  patternKeyword,
  limitNumberKeyword,
  limitLengthKeyword,
  requiredKeyword,
  dependentRequiredKeyword,
  propertiesKeyword,
  limitItemsKeyword,
  itemsKeyword,
  containsKeyword,
  refKeyword,
  notKeyword,
  allOfKeyword,
  anyOfKeyword,
  oneOfKeyword,
  ifThenElseKeyword
];

/** Every keyword a rule schema may use, compiled or refused (the rule loader reports the rest as unknown). */
export const knownKeywords: ReadonlySet<string> = new Set(vocabulary.flatMap(k => k.keywords));

/** Keywords that compile to a condition (not annotations, not refused). */
export const compiledKeywords: ReadonlySet<string> = new Set(
  vocabulary.filter(k => k !== annotationKeywords && k !== refusedKeywords).flatMap(k => k.keywords)
);
