/** The deterministic, context-free template functions, one family per module. */
import type { FunctionDefinition } from '../evaluate.js';
import { arrayFunctions } from './array.js';
import { cidrFunctions } from './cidr.js';
import { comparisonFunctions } from './comparison.js';
import { dateFunctions } from './date.js';
import { lambdaFunctions } from './lambda.js';
import { logicalFunctions } from './logical.js';
import { numericFunctions } from './numeric.js';
import { stringFunctions } from './string.js';

export {
  arrayFunctions,
  cidrFunctions,
  comparisonFunctions,
  dateFunctions,
  lambdaFunctions,
  logicalFunctions,
  numericFunctions,
  stringFunctions
};

export const standardFunctions: FunctionDefinition[] = [
  ...stringFunctions,
  ...arrayFunctions,
  ...comparisonFunctions,
  ...logicalFunctions,
  ...numericFunctions,
  ...dateFunctions,
  ...lambdaFunctions,
  ...cidrFunctions
];
