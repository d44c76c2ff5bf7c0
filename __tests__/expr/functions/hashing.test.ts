import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  GUID_NAMESPACE,
  guid,
  murmurHash64,
  nameBasedUuid,
  uniqueString
} from '../../../src/expr/functions/hashing.js';
import { ev } from '../support.js';

describe('uniqueString', () => {
  // Computed by Microsoft's own ARM expression library (Azure.Deployments.Expression) in
  // microsoft/commercial-marketplace-offer-deploy, test/Tests/UnitTests/ArmFunctionsTests.cs
  // ("UniqueStringShouldEqualValueCreatedFromArmTemplate").
  it('matches the value ARM computed for a VM resource id', () => {
    expect(
      uniqueString([
        '/subscriptions/31e9f9a0-9fd2-4294-a0a3-0101246d9700/resourceGroups/rg-modm201-20230913120256/providers/Microsoft.Compute/virtualMachines/bobjacmodm201'
      ])
    ).toBe('yvjxno3je5on2');
  });

  // Vectors from a public bash re-implementation (uniquestring.sh, "verified against Bicep
  // uniqueString() output"); they cover every tail length and multi-argument joining.
  it.each([
    [['test'], 'rbgf3xv4ufgzg'],
    [['hello', 'world'], 'a7wkljktk6wne'],
    [['abc'], 'cgtzqvhu4i23s'],
    [['/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg'], 'bmg7c6xu4tw46'],
    [['foo', 'bar', 'baz'], 'xzi4ioaxtmth4']
  ])('uniqueString(%j) is %s', (parts, expected) => {
    expect(uniqueString(parts)).toBe(expected);
    expect(ev(`[uniqueString(${parts.map(p => `'${p}'`).join(', ')})]`)).toBe(expected);
  });

  it("joins arguments with '-' (documented)", () => {
    expect(uniqueString(['a', 'b'])).toBe(uniqueString(['a-b']));
    expect(uniqueString(['a', 'b'])).not.toBe(uniqueString(['ab']));
  });

  it('renders the 64-bit hash as 13 base32 characters from its highest bits, for texts it keeps and texts it does not', () => {
    // The rendering as the 64-bit number it is: five bits at a time from the top, the last character its lowest
    // four bits and a zero bit. Results are kept by their text (a copy loop hashes the same text again and again),
    // short texts only: a long one, asked for twice, is hashed twice, with the same answer.
    const reference = (parts: string[]): string => {
      const [high, low] = murmurHash64(Buffer.from(parts.join('-'), 'utf8'));
      let value = (BigInt(high) << 32n) | BigInt(low);
      let out = '';
      for (let i = 0; i < 13; i++) {
        out += 'abcdefghijklmnopqrstuvwxyz234567'[Number((value >> 59n) & 31n)];
        value = (value << 5n) & 0xffffffffffffffffn;
      }
      return out;
    };
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.string({ unit: 'grapheme', minLength: 500 })), { maxLength: 3 }),
        parts => {
          expect(uniqueString(parts)).toBe(reference(parts));
          expect(uniqueString(parts)).toBe(reference(parts));
        }
      ),
      { numRuns: 500 }
    );
    expect(uniqueString(['x'.repeat(600)])).toBe(reference(['x'.repeat(600)]));
  });
});

describe('guid', () => {
  // The version-5 mechanics, with published RFC 9562 / Python vectors (namespace DNS).
  it.each([
    ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org', '886313e1-3b8a-5372-9b90-0c9aee199e5d']
  ])('uuid5(%s, %s) is %s', (namespace, name, expected) => {
    expect(nameBasedUuid(namespace, name)).toBe(expected);
  });

  it("is a v5 UUID of the '-'-joined arguments in ARM's namespace", () => {
    expect(GUID_NAMESPACE).toBe('11fb06fb-712d-4ddd-98c7-e71bbd588830');
    expect(guid(['a', 'b', 'c'])).toBe(nameBasedUuid(GUID_NAMESPACE, 'a-b-c'));
    expect(guid(['a', 'b'])).not.toBe(guid(['ab']));
  });
});
