import { Unknown, type Value } from '../../src/model/value.js';
import { defineFunction, evaluateString, library, type FunctionLibrary } from '../../src/expr/evaluate.js';
import { standardFunctions } from '../../src/expr/functions/index.js';

/** A stand-in for the consumers' parameters(): known values, or an Unknown for a parameter without one. */
export function withParameters(values: Record<string, Value>): FunctionLibrary {
  return library(standardFunctions, [
    defineFunction({
      name: 'parameters',
      minArgs: 1,
      maxArgs: 1,
      call: args => {
        const name = args[0] as string;
        return name in values ? values[name] : new Unknown(`parameter '${name}' has no value`, `parameters('${name}')`);
      }
    })
  ]);
}

const standard = withParameters({});

/** Evaluates a template string with the standard library and the given parameters. */
export function ev(text: string, parameters?: Record<string, Value>): Value {
  return evaluateString(text, { functions: parameters ? withParameters(parameters) : standard });
}
