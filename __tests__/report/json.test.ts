import fc from 'fast-check';
import type { Finding } from '../../src/model/finding.js';
import { FINDING_MEMBERS, findingJson, renderJson, RESOURCE_MEMBERS } from '../../src/report/json.js';
import { indentedJson, jsonless } from '../../src/report/stream.js';
import { hostileDocument } from './fixture.js';

describe('renderJson', () => {
  it('is the findings document itself, two-space indented with one trailing newline', () => {
    const document = hostileDocument();
    const text = renderJson(document);
    expect(JSON.parse(text)).toEqual(document);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "tool": {');
  });

  it('keeps hostile strings as data, escaped by JSON', () => {
    expect(renderJson(hostileDocument())).toContain('"name": "vault`s|name\\nnext"');
  });
});

/** Member values a finding may have, and some it should not (which must still be written as JSON.stringify does). */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.constantFrom('Audit', 'error', 'compliant', 'infra/a.json', 'Fix — "it"\nnow\u2028') },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double()) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, undefined, -0, Number.NaN, Number.POSITIVE_INFINITY) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, ['a', 1], { a: [null] }, new Date(0), () => 1, Symbol('s')) }
);

/** An object with `names` as members in order, then changed: a member left out, moved or added, one inherited, a toJSON. */
function shaped(names: readonly string[], values: unknown[], change: number, extra: unknown): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  names.forEach((name, i) => (object[name] = values[i]));
  const name = names[change % names.length];
  switch (Math.floor(change / names.length)) {
    case 1:
      delete object[name];
      break;
    case 2: {
      const moved = object[name];
      delete object[name];
      object[name] = moved;
      break;
    }
    case 3:
      object.suppressed = extra;
      break;
    case 4:
      return Object.assign(Object.create({ inherited: 1 }), object) as Record<string, unknown>;
    case 5:
      object.toJSON = () => [extra];
      break;
    case 6: {
      // Not a plain object: a toJSON no member lists.
      const proto = Object.defineProperty({}, 'toJSON', { value: () => ({ extra }) });
      return Object.assign(Object.create(proto), object) as Record<string, unknown>;
    }
  }
  return object;
}

describe('findingJson', () => {
  it('writes a finding as JSON.stringify with two spaces does, indented to its depth, whatever its members', () => {
    const values = (names: readonly string[], plain: boolean) =>
      fc.tuple(
        ...names.map(() => (plain ? fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constant(null)) : value))
      );
    fc.assert(
      fc.property(
        fc.boolean(),
        values(FINDING_MEMBERS, false),
        values(RESOURCE_MEMBERS, false),
        values(FINDING_MEMBERS, true),
        values(RESOURCE_MEMBERS, true),
        // Half of them unchanged, as most findings are.
        fc.oneof(fc.constant(0), fc.nat({ max: 80 })),
        fc.oneof(fc.constant(0), fc.nat({ max: 48 })),
        value,
        fc.nat({ max: 4 }),
        (plain, anyValues, anyResource, plainValues, plainResource, change, resourceChange, extra, depth) => {
          const resource = shaped(RESOURCE_MEMBERS, plain ? plainResource : anyResource, resourceChange, extra);
          const finding = shaped(FINDING_MEMBERS, plain ? plainValues : anyValues, change, extra);
          if ('resource' in finding) finding.resource = resource;
          expect(findingJson(finding as unknown as Finding, depth)).toBe(
            jsonless(finding) ? 'null' : indentedJson(finding, depth)
          );
        }
      ),
      { numRuns: 300 }
    );
  });

  it('writes a reported finding as the findings document does', () => {
    const finding = {
      ...hostileDocument().findings[0],
      remediation: 'Set `x`.\n',
      helpUri: 'https://example.com/a?b="c"',
      enforcement: 'azure' as const
    };
    const text = renderJson({ ...hostileDocument(), findings: [finding] });
    expect(text).toContain(`\n    ${findingJson(finding, 2)}\n  ]`);
    expect(findingJson(finding, 2)).toBe(JSON.stringify(finding, null, 2).replace(/\n/g, '\n    '));
  });
});
