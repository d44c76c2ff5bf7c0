/**
 * Random conditions and resources for comparing the generated condition (src/engine/generate.ts)
 * with the compiled closures it must agree with: every logical shape, field, value and count
 * conditions with every operator, `[*]` aliases, parameters with and without values, unknown
 * values in resources, keys in every case (U+0130 among them), missing against null against empty,
 * and strings that would break out of generated source if any entered it.
 */
import fc from 'fast-check';
import { loadDefinition, type CompiledDefinition, type Evaluation } from '../../src/engine/definition.js';
import { compileApplicability, applicabilityCondition } from '../../src/engine/applicability.js';
import { compileCondition, type ConditionCompiler } from '../../src/engine/conditions.js';
import { NOT_APPLICABLE, generateCondition, generateRule } from '../../src/engine/generate.js';
import { policyFunctions } from '../../src/engine/functions.js';
import { Runtime } from '../../src/engine/runtime.js';
import { library } from '../../src/expr/evaluate.js';
import { standardFunctions } from '../../src/expr/functions/index.js';
import { Unknown, setOwn, type Value } from '../../src/model/value.js';
import type { Resource } from '../../src/model/resource.js';
import { armResource } from '../support/arm-resource.js';

type Json = { [key: string]: Value };

/** Strings that end a string literal, a template, a comment or a line, in JavaScript. */
export const hostile = [
  "'",
  '"',
  '`${globalThis.generatedRan = 1}`',
  "'); globalThis.generatedRan = 1; ('",
  '*/ globalThis.generatedRan = 1; /*',
  'a\nb',
  'a\u2028b',
  '\\',
  '${x}'
];

/** Aliases of a made-up provider, declared to the loader: single values, `[*]` arrays and members of them. */
export const aliases: Record<string, string> = {
  'Test.P/things/a': 'properties.a',
  'Test.P/things/A.b': 'properties.a.b',
  'Test.P/things/a.b.c': 'properties.a.b.c',
  'Test.P/things/İd': 'properties.İd',
  'Test.P/things/list[*]': 'properties.list[*]',
  'Test.P/things/list[*].x': 'properties.list[*].x',
  'Test.P/things/list[*].y[*]': 'properties.list[*].y[*]',
  'Test.P/things/odd': "properties['x\u2028y'].z",
  'Test.P/things/upper': 'properties.A.B',
  'Test.P/things/ctor': 'properties.constructor',
  'Test.P/things/proto': 'properties.__proto__',
  'Test.P/things/str': 'properties.toString',
  'Test.P/things/str.x': 'properties.toString.x'
};
const fields = [...Object.keys(aliases), 'type', 'name', 'kind', 'location', 'tags', 'tags.env', "tags['cost center']"];
const wildcardFields = Object.keys(aliases).filter(a => a.includes('[*]'));

const scalars: Value[] = [
  'x',
  'X',
  'westeurope',
  'West Europe',
  'Test.P/things',
  'İ',
  'i̇',
  'i',
  '',
  '2',
  '10',
  'true',
  'a*',
  '*',
  '#?.',
  0,
  2,
  10,
  true,
  false,
  null,
  ...hostile
];

/** Every scalar; more often the ones that case folding, length or type tell apart. */
const scalar = fc.oneof(
  fc.constantFrom(...scalars),
  fc.constantFrom('İ', 'i̇', 'x', 'X', '', null, true, false, 2, '2', 'True')
);
const unknownValue = fc.constantFrom(new Unknown('reference(x)', 'u1'), new Unknown('the other', 'u2'));
const operand: fc.Arbitrary<Value> = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom("[parameters('known')]", "[parameters('notGiven')]", "[field('kind')]") },
  { weight: 1, arbitrary: fc.constantFrom('[[literal', "[concat('x', 'y')]") }
);

const operators = [
  'equals',
  'notEquals',
  'like',
  'notLike',
  'match',
  'notMatch',
  'matchInsensitively',
  'notMatchInsensitively',
  'contains',
  'notContains',
  'containsKey',
  'notContainsKey',
  'in',
  'notIn',
  'less',
  'lessOrEquals',
  'greater',
  'greaterOrEquals',
  'exists'
];

/** An operator spelled in any case, with an operand it accepts at load time. */
const operatorAndOperand: fc.Arbitrary<[string, Value]> = fc
  .tuple(
    // The operators the generator writes out, more often.
    fc.oneof(fc.constantFrom(...operators), fc.constantFrom('equals', 'notEquals', 'in', 'notIn', 'exists')),
    operand,
    fc.boolean(),
    fc.boolean()
  )
  .map(([op, value, upper, boolOperand]): [string, Value] => {
    const name = upper ? op.toUpperCase() : op;
    if (op === 'exists') return [name, boolOperand ? 'True' : typeof value === 'boolean' ? value : false];
    if (
      (op === 'in' || op === 'notIn') &&
      !Array.isArray(value) &&
      !(typeof value === 'string' && value.startsWith('['))
    )
      return [name, [value]];
    if (op === 'like' || op === 'notLike')
      return [name, typeof value === 'string' ? value.replace(/\*.*\*/g, '*') : value];
    return [name, value];
  });

export type Condition = { [key: string]: unknown };

const fieldCondition: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom(...fields), operatorAndOperand, fc.boolean())
  .map(([field, [op, value], upper]) => ({ [upper ? 'FIELD' : 'field']: field, [op]: value }));

const valueCondition: fc.Arbitrary<Condition> = fc
  .tuple(
    fc.constantFrom("[field('Test.P/things/a')]", "[parameters('known')]", "[field('Test.P/things/list[*].x')]", 'x'),
    operatorAndOperand
  )
  .map(([value, [op, operandValue]]) => ({ value, [op]: operandValue }));

const whereCondition: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom(...wildcardFields, "[current('Test.P/things/list[*]')]"), operatorAndOperand)
  .map(([field, [op, value]]) => (field.startsWith('[') ? { value: field, [op]: value } : { field, [op]: value }));

const countCondition: fc.Arbitrary<Condition> = fc
  .tuple(
    fc.constantFrom('Test.P/things/list[*]', 'Test.P/things/list[*].y[*]'),
    fc.option(whereCondition, { nil: undefined }),
    fc.constantFrom('equals', 'greater', 'less', 'in'),
    fc.constantFrom(0, 1, 2)
  )
  .map(([field, where, op, n]) => ({
    count: where ? { field, where } : { field },
    [op]: op === 'in' ? [n, n + 1] : n
  }));

/** Values of few kinds, so that a field and an operand are often of one type (what the written-out tests decide). */
const few = fc.constantFrom<Value>(true, false, 2, 0, 'x', 'X', 'İ', 'i̇', null);

/** The conditions the generator writes out, on fields that random resources often have, with operands like their values. */
const writtenOut: fc.Arbitrary<Condition> = fc
  .tuple(
    fc.constantFrom(
      'kind',
      'Test.P/things/a',
      'Test.P/things/a.b.c',
      'Test.P/things/ctor',
      'Test.P/things/proto',
      'Test.P/things/str.x'
    ),
    fc.constantFrom('equals', 'notEquals', 'in', 'notIn', 'exists'),
    few,
    fc.array(few, { maxLength: 3 })
  )
  .map(([field, op, value, list]) => ({
    field,
    [op]: op === 'exists' ? value === true || value === 'x' : op === 'in' || op === 'notIn' ? list : value
  }));

export const condition: fc.Arbitrary<Condition> = fc.letrec<{ node: Condition }>(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: fieldCondition },
    { weight: 3, arbitrary: writtenOut },
    { weight: 1, arbitrary: valueCondition },
    { weight: 1, arbitrary: countCondition },
    { weight: 2, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map(items => ({ allOf: items })) },
    { weight: 2, arbitrary: fc.array(tie('node'), { maxLength: 4 }).map(items => ({ AnyOf: items })) },
    { weight: 1, arbitrary: tie('node').map(inner => ({ not: inner })) }
  )
})).node;

const keyOf = (lower: string) => fc.constantFrom(lower, lower.toUpperCase(), lower[0].toUpperCase() + lower.slice(1));

/** A value at a leaf of a resource: any scalar, unknown, an array or a small object. */
const leafValue: fc.Arbitrary<Value> = fc.letrec<{ v: Value }>(tie => ({
  v: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: scalar },
    { weight: 3, arbitrary: few },
    { weight: 2, arbitrary: unknownValue },
    { weight: 1, arbitrary: fc.array(tie('v'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('x', 'X', 'y', 'env', ...hostile), tie('v'), { maxKeys: 2 }) }
  )
})).v;

/** Optional members: missing, or present with any value (null and empty among them). */
function members(entries: [fc.Arbitrary<string>, fc.Arbitrary<Value>][]): fc.Arbitrary<Json> {
  return fc.tuple(...entries.map(([k, v]) => fc.option(fc.tuple(k, v), { nil: undefined, freq: 2 }))).map(pairs => {
    const out: Json = {};
    for (const pair of pairs) if (pair) setOwn(out, pair[0], pair[1]);
    return out;
  });
}

const listMember: fc.Arbitrary<Value> = fc.oneof(
  members([
    [keyOf('x'), leafValue],
    [keyOf('y'), fc.oneof(fc.array(leafValue, { maxLength: 3 }), leafValue)]
  ]),
  leafValue
);

const aValue: fc.Arbitrary<Value> = fc.oneof(
  members([
    [fc.constant('b'), fc.oneof(members([[keyOf('c'), leafValue]]), leafValue)],
    [fc.constantFrom('B', 'b'), fc.oneof(members([[keyOf('c'), leafValue]]), leafValue)]
  ]),
  leafValue,
  unknownValue
);

const properties: fc.Arbitrary<Value> = fc.oneof(
  {
    weight: 8,
    arbitrary: members([
      // Two spellings of one key at once: a lookup takes the exact one first.
      [fc.constant('a'), aValue],
      [fc.constantFrom('A', 'a'), aValue],
      [fc.constantFrom('İd', 'i̇d', 'id', 'ID'), leafValue],
      [keyOf('list'), fc.oneof(fc.array(listMember, { maxLength: 3 }), leafValue)],
      [fc.constantFrom('x\u2028y', 'X\u2028Y'), members([[keyOf('z'), leafValue]])],
      // Names every object inherits: only an own member counts.
      [fc.constantFrom('constructor', 'Constructor'), leafValue],
      [fc.constantFrom('__proto__', '__PROTO__'), leafValue],
      [fc.constantFrom('toString', 'tostring'), fc.oneof(members([[keyOf('x'), leafValue]]), leafValue)]
    ])
  },
  { weight: 1, arbitrary: leafValue }
);

export const resource: fc.Arbitrary<Resource> = fc
  .tuple(
    fc.constantFrom('Test.P/things', 'test.p/THINGS', 'Other.P/x'),
    fc.option(scalar, { nil: undefined }),
    fc.option(fc.constantFrom('westeurope', 'West Europe', 'eastus'), { nil: undefined }),
    fc.option(
      members([
        [keyOf('env'), leafValue],
        [fc.constantFrom('cost center', 'Cost Center'), leafValue]
      ]),
      {
        nil: undefined
      }
    ),
    fc.option(properties, { nil: undefined }),
    fc.constantFrom('r', 'vault/r', ...hostile.slice(0, 3))
  )
  .map(([type, kind, location, tags, props, name]) => {
    const json: Json = { name, type };
    if (kind !== undefined) json.kind = kind;
    if (location !== undefined) json.location = location;
    if (tags !== undefined) json.tags = tags;
    if (props !== undefined) json.properties = props;
    return armResource(json);
  });

const functions = library(standardFunctions, policyFunctions);

/** What `loadDefinition` gives its conditions: the made-up provider's aliases, two parameters. */
export function compilerFor(): ConditionCompiler {
  const byName = new Map(Object.entries(aliases).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    file: null,
    functions,
    declared: new Set(['known', 'notgiven', 'effect']),
    notes: [],
    fields: [],
    aliases: name => byName.get(name.toLowerCase())
  };
}

export const parameterValues = new Map<string, Value>([
  ['known', 'X'],
  ['notgiven', new Unknown('parameter `notGiven`', 'parameter:notGiven')],
  ['effect', 'Audit']
]);

const makeRuntime = (r: Resource, params: Map<string, Value>) =>
  new Runtime(r, params, functions, '/providers/Microsoft.Authorization/policyDefinitions/t', undefined);

/** A truth as data: unknowns by class, reason and key. */
export function truthData(t: boolean | Unknown): unknown {
  return typeof t === 'boolean' ? t : { unknown: t.constructor.name, reason: t.reason, key: t.key };
}

/**
 * The condition's truth and applicability for the resource, from the closures and from the
 * generated functions (the condition alone, its applicability alone, and the rule that answers
 * both in one call, asked with and without applicability), or null where the loader refuses the
 * condition (both must refuse it alike).
 */
export function bothWays(rule: Condition, r: Resource): { interpreted: unknown[]; generated: unknown[] } | null {
  const compiler = compilerFor();
  let interpreted;
  try {
    interpreted = compileCondition(rule, 'if', compiler);
  } catch {
    return null;
  }
  const applies = compileApplicability(rule, 'if', compiler);
  const generated = generateCondition(rule, 'if', compiler, makeRuntime);
  const generatedApplies = generateCondition(applicabilityCondition(rule), 'if', compiler, makeRuntime);
  const generatedRule = generateRule(rule, applicabilityCondition(rule), 'if', compiler, makeRuntime);
  const truth = interpreted(makeRuntime(r, parameterValues));
  const applied = applies(makeRuntime(r, parameterValues));
  const ruleData = (t: ReturnType<typeof generatedRule>) => (t === NOT_APPLICABLE ? 'not applicable' : truthData(t));
  return {
    interpreted: [
      truthData(truth),
      truthData(applied),
      truthData(truth),
      truth === false && applied !== true ? 'not applicable' : truthData(truth)
    ],
    generated: [
      truthData(generated(r, parameterValues, {})),
      truthData(generatedApplies(r, parameterValues, {})),
      ruleData(generatedRule(r, parameterValues, {}, false)),
      ruleData(generatedRule(r, parameterValues, {}, true))
    ]
  };
}

/** A definition of the rule, as the loader reads it, with or without generated code. */
export function definitionOf(rule: Condition, effect: string, interpret: boolean): CompiledDefinition | null {
  try {
    return loadDefinition(
      {
        file: null,
        json: {
          properties: {
            mode: 'All',
            parameters: {
              effect: { type: 'String', defaultValue: effect },
              known: { type: 'String', defaultValue: 'X' },
              notGiven: { type: 'String' }
            },
            policyRule: {
              if: rule,
              then: {
                effect: "[parameters('effect')]",
                ...(effect === 'AuditIfNotExists' ? { details: { type: 'Test.P/things' } } : {})
              }
            }
          }
        }
      },
      { aliases, interpret }
    );
  } catch {
    return null;
  }
}

/**
 * Random conditions over random resources: the generated truth and applicability are the closures',
 * and most conditions load (the comparison is not vacuous).
 */
export function checkTruths(runs: number, maxResources: number): void {
  let compared = 0;
  fc.assert(
    fc.property(condition, fc.array(resource, { minLength: 1, maxLength: maxResources }), (rule, resources) => {
      for (const r of resources) {
        const both = bothWays(rule, r);
        if (both === null) return;
        compared++;
        expect(both.generated).toEqual(both.interpreted);
      }
    }),
    { numRuns: runs }
  );
  expect(compared).toBeGreaterThan(runs / 2);
}

/** Random definitions over random resources: with generated code, every evaluation is the closures'. */
export function checkEvaluations(runs: number, maxResources: number, effects: string[]): void {
  fc.assert(
    fc.property(
      condition,
      fc.constantFrom(...effects),
      fc.array(resource, { minLength: 1, maxLength: maxResources }),
      (rule, effect, resources) => {
        const generated = definitionOf(rule, effect, false);
        const interpreted = definitionOf(rule, effect, true);
        expect(generated === null).toBe(interpreted === null);
        if (!generated || !interpreted) return;
        for (const r of resources) {
          const options = { related: resources };
          expect(evaluationData(generated.evaluate(r, options))).toEqual(
            evaluationData(interpreted.evaluate(r, options))
          );
        }
      }
    ),
    { numRuns: runs }
  );
}

/** An evaluation as data, its lazily made message and pointers included. */
export function evaluationData(e: Evaluation): unknown {
  const { applicable, verdict, effect, reason, message, pointers } = e;
  return { applicable, verdict, effect, reason, message, pointers };
}
