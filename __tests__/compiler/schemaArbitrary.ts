/**
 * Rule schemas for the differential test, generated over a piece of the real resource shape of
 * `Microsoft.CognitiveServices/accounts` (every path below has an Azure Policy alias). They mix the
 * keywords the compiler compiles, and put `$defs`/`$ref`, `if`/`then`/`else`, `dependentRequired`,
 * `not` and boolean subschemas under optional properties, where the member may be absent, empty or
 * of another type.
 */
import fc from 'fast-check';
import type { Json } from '../../src/model/value.js';

type Obj = { [key: string]: Json };

type Shape =
  | { kind: 'object'; children: Record<string, Shape> }
  | { kind: 'array'; items: Shape }
  | { kind: 'string'; values: string[] }
  | { kind: 'boolean' }
  | { kind: 'number'; limits: number[] };

const object = (children: Record<string, Shape>): Shape => ({ kind: 'object', children });
const array = (items: Shape): Shape => ({ kind: 'array', items });
const text = (...values: string[]): Shape => ({ kind: 'string', values });
const bool: Shape = { kind: 'boolean' };
const number = (...limits: number[]): Shape => ({ kind: 'number', limits });

export const generatedResourceType = 'Microsoft.CognitiveServices/accounts';

/** The resource as the schemas see it; `identity` has only its type (Azure has no other identity field). */
const account: Shape = object({
  kind: text('OpenAI', 'AIServices'),
  location: text('eastus', 'westeurope'),
  tags: object({ env: text('prod', 'dev'), owner: text('team-a') }),
  sku: object({ name: text('S0', 'F0') }),
  identity: object({ type: text('SystemAssigned', 'UserAssigned') }),
  properties: object({
    publicNetworkAccess: text('Enabled', 'Disabled'),
    disableLocalAuth: bool,
    customSubDomainName: text('ai-one', 'ai-two'),
    encryption: object({
      keySource: text('Microsoft.KeyVault', 'Microsoft.CognitiveServices'),
      keyVaultProperties: object({
        keyName: text('k1', 'k2'),
        keyVaultUri: text('https://v.vault.azure.net/'),
        keyVersion: text('1'),
        identityClientId: text('c1')
      })
    }),
    networkAcls: object({
      defaultAction: text('Allow', 'Deny'),
      bypass: text('AzureServices', 'None'),
      ipRules: array(object({ value: text('10.0.0.1', '1.2.3.4') })),
      virtualNetworkRules: array(object({ id: text('/s/v1', '/s/v2'), state: text('Succeeded') }))
    }),
    callRateLimit: object({ count: number(1, 10), renewalPeriod: number(60) }),
    userOwnedStorage: array(object({ resourceId: text('/s/st1'), identityClientId: text('c1') }))
  })
});

/** A `match` pattern the value satisfies: letters `?`, digits `#`, anything else itself (`.` stays a wildcard). */
function matchPatternOf(value: string): string {
  return [...value].map(c => (/[A-Za-z]/.test(c) ? '?' : /[0-9]/.test(c) ? '#' : c)).join('');
}

function leaf(shape: Shape): fc.Arbitrary<Json> {
  switch (shape.kind) {
    case 'string': {
      const v = fc.constantFrom(...shape.values);
      return fc.oneof(
        v.map(c => ({ const: c })),
        fc.subarray(shape.values, { minLength: 1 }).map(e => ({ enum: e })),
        v.map(c => ({ like: `${c.slice(0, 2)}*` })),
        v.map(c => ({ not: { const: c } })),
        v.map(c => ({ match: matchPatternOf(c) })),
        // A regular expression of literal characters and classes the compiler turns into a match pattern.
        v.map(
          c =>
            ({
              pattern: `^${[...c].map(ch => (/[A-Za-z]/.test(ch) ? '\\p{L}' : /[0-9]/.test(ch) ? '\\p{Nd}' : /[-:/]/.test(ch) ? ch : '[\\s\\S]')).join('')}$`
            }) as Json
        ),
        fc.tuple(v, v).map(([a, b]) => ({ oneOf: [{ const: a }, { like: `${b.slice(0, 1)}*` }] }) as Json),
        fc.tuple(v, v).map(([a, b]) => ({ anyOf: [{ const: a }, { not: { const: b } }] }) as Json),
        fc.constantFrom<Json>({ minLength: 3, maxLength: 8 }, { maxLength: 5 }),
        fc.constantFrom<Json>(true, false)
      );
    }
    case 'boolean':
      return fc.oneof(
        fc.constantFrom<Json>({ const: true }, { const: false }, { not: { const: true } }),
        fc.constantFrom<Json>(true, false)
      );
    case 'number':
      return fc.oneof(
        fc.constantFrom(...shape.limits).map(n => ({ minimum: n }) as Json),
        fc.constantFrom(...shape.limits).map(n => ({ maximum: n, exclusiveMinimum: 0 }) as Json),
        fc.constantFrom(...shape.limits).map(n => ({ const: n }) as Json)
      );
    default:
      return fc.constant(true);
  }
}

function arraySchema(shape: Extract<Shape, { kind: 'array' }>, depth: number): fc.Arbitrary<Json> {
  return fc.oneof(
    schemaFor(shape.items, depth + 1).map(s => ({ items: s }) as Json),
    schemaFor(shape.items, depth + 1).map(s => ({ contains: s }) as Json),
    fc.constantFrom<Json>({ minItems: 1 }, { maxItems: 1 }, { minItems: 1, maxItems: 2 }),
    fc.constantFrom<Json>(true, false)
  );
}

function objectSchema(shape: Extract<Shape, { kind: 'object' }>, depth: number): fc.Arbitrary<Json> {
  const names = Object.keys(shape.children);
  // Azure has no field for the whole `properties` or `identity` object, only for what is in them.
  const testable = shape === account ? names.filter(n => n !== 'properties' && n !== 'identity') : names;
  const props = fc
    .subarray(names, { maxLength: shape === account ? names.length : Math.min(3, names.length) })
    .chain(chosen => fc.tuple(...chosen.map(n => schemaFor(shape.children[n], depth + 1).map(s => [n, s] as const))))
    .map(entries => Object.fromEntries(entries) as Obj);
  const plain = fc.record(
    {
      required: fc.subarray(names, { maxLength: Math.min(2, names.length) }),
      properties: props,
      dependentRequired: fc
        .tuple(
          fc.constantFrom(...testable),
          fc.subarray(testable, { minLength: 1, maxLength: Math.min(2, testable.length) })
        )
        .map(([a, deps]) => ({ [a]: deps }) as Json)
    },
    { requiredKeys: [] }
  ) as fc.Arbitrary<Json>;
  if (depth >= 3) return plain;
  const sub = objectSchema(shape, depth + 1);
  return fc.oneof(
    { weight: 5, arbitrary: plain },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, sub, fc.option(sub))
        .map(([i, t, e]) => ({ if: i, then: t, ...(e === null ? {} : { else: e }) }) as Json)
    },
    { weight: 1, arbitrary: sub.map(s => ({ not: s }) as Json) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => ({ allOf: [a, b] }) as Json) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => ({ anyOf: [a, b] }) as Json) },
    { weight: 1, arbitrary: fc.tuple(sub, sub).map(([a, b]) => ({ oneOf: [a, b] }) as Json) },
    { weight: 1, arbitrary: fc.constantFrom<Json>(true, false) }
  );
}

function schemaFor(shape: Shape, depth: number): fc.Arbitrary<Json> {
  if (shape.kind === 'object') return objectSchema(shape, depth);
  if (shape.kind === 'array') return arraySchema(shape, depth);
  return leaf(shape);
}

/**
 * Moves some object subschemas under `properties` into `$defs` and refers to them with `$ref`
 * (`pick` decides which, from a generated number), so references sit under optional members.
 */
function hoist(schema: Json, pick: number): Json {
  const defs: Obj = {};
  let n = 0;
  const walk = (node: Json, path: string): Json => {
    if (Array.isArray(node)) return node.map((s, i) => walk(s, `${path}${i}`));
    if (node === null || typeof node !== 'object') return node;
    const out: Obj = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const props: Obj = {};
        for (const [name, s] of Object.entries(v)) {
          const inner = walk(s, `${path}-${name}`);
          n += 1;
          if (inner !== null && typeof inner === 'object' && !Array.isArray(inner) && (pick >> (n % 16)) & 1) {
            const id = `d${Object.keys(defs).length}${path.replace(/[^A-Za-z0-9]/g, '')}${name}`;
            defs[id] = inner;
            props[name] = { $ref: `#/$defs/${id}` };
          } else {
            props[name] = inner;
          }
        }
        out[k] = props;
      } else {
        out[k] = walk(v, `${path}${k}`);
      }
    }
    return out;
  };
  const top = walk(schema, '');
  if (Object.keys(defs).length === 0 || top === null || typeof top !== 'object' || Array.isArray(top)) return top;
  return { $defs: defs, ...top };
}

/** A rule schema over `Microsoft.CognitiveServices/accounts`. */
export function schemaArbitrary(): fc.Arbitrary<Json> {
  return fc
    .tuple(objectSchema(account as Extract<Shape, { kind: 'object' }>, 0), fc.nat({ max: 0xffff }))
    .map(([schema, pick]) => hoist(schema, pick));
}
