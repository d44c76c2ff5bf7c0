/**
 * The texts a relation rule keeps outside V8's heap come back exactly as they went in, and the hash tables over
 * them answer as a `Map` does: also when texts share a hash (a real FNV-1a collision, a hash that makes most
 * texts collide) and when a table starts at two slots and grows as it fills.
 */
import fc from 'fast-check';
import { jest } from '@jest/globals';
import { fnv1a, SMALL_TEXTS, TextLists, TextMap, TextStore, type TextHash } from '../../src/pr/texts.js';

/** Any string of UTF-16 code units: Latin-1, wider, lone surrogates. */
const anyText = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 12 })
  .map(units => String.fromCharCode(...units));

/** Texts that differ only in case, in how ARM folds case, or in width: a table compares code units, as a Map does. */
const closeText = fc.constantFrom(
  '',
  'k',
  'K',
  '\u212a', // the Kelvin sign
  's',
  '\u017f', // long s
  'kv-\u00e9',
  'kv-\u00c9',
  'kv-\u0117', // one code unit wider than Latin-1
  'kv-\u03c9',
  'kv-\u03a9',
  '\ud800',
  '\udc00x',
  'https://kv-539599.vault.azure.net',
  'https://kv-722382.vault.azure.net'
);

const keyArb = fc.oneof(closeText, anyText);

const hashes: [string, TextHash | undefined][] = [
  ['FNV-1a', undefined],
  ['one hash for every text', () => 7],
  ['two hashes', text => text.length & 1],
  ['FNV-1a in 8 values', text => fnv1a(text) & 7]
];

describe('TextStore', () => {
  it('makes no buffer while it holds only a few texts (a relation on a template makes a dozen stores)', () => {
    const made = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      const store = new TextStore();
      for (let i = 0; i < SMALL_TEXTS; i++) store.add(`/subscriptions/s/providers/microsoft.keyvault/vaults/kv${i}`);
      expect(made).not.toHaveBeenCalled();
      store.add('past the small ones');
      expect(made).toHaveBeenCalledTimes(1);
      expect(store.text(SMALL_TEXTS)).toBe('past the small ones');
      expect(store.text(3)).toBe('/subscriptions/s/providers/microsoft.keyvault/vaults/kv3');
    } finally {
      made.mockRestore();
    }
  });

  it('gives back every text as it was given, and compares texts without reading them out', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { maxLength: 40 }), anyText, fc.constantFrom(0, 3, 64), (texts, other, small) => {
        // The first `small` texts are kept as strings, the rest in the arena.
        const store = new TextStore(small, 4, 2);
        const numbers = texts.map(text => store.add(text));
        expect(numbers).toEqual(texts.map((_, i) => i));
        texts.forEach((text, i) => {
          expect(store.text(i)).toBe(text);
          expect(store.equals(i, text)).toBe(true);
          expect(store.equals(i, other)).toBe(other === text);
          expect(store.equals(i, text + 'x')).toBe(false);
        });
      }),
      { numRuns: 300 }
    );
  });
});

describe('TextMap', () => {
  it('has a real FNV-1a collision among the texts it is tested with', () => {
    const [a, b] = ['https://kv-539599.vault.azure.net', 'https://kv-722382.vault.azure.net'];
    expect(fnv1a(a)).toBe(fnv1a(b));
    const map = new TextMap();
    map.setFirst(a, 1);
    expect(map.get(b)).toBeUndefined();
    expect(map.setFirst(b, 2)).toBe(2);
    expect([map.get(a), map.get(b), map.size]).toEqual([1, 2, 2]);
  });

  it.each(hashes)('answers as a Map that keeps the first value set (%s)', (_, hash) => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), keyArb, fc.nat(1000)), { maxLength: 80 }),
        fc.constantFrom(2, 4, 16),
        (operations, capacity) => {
          // Keys kept in the arena from the first, or from the third, or as strings for the first 64.
          const map = new TextMap(hash, capacity, [0, 2, 64][capacity % 3]);
          const reference = new Map<string, number>();
          for (const [set, key, value] of operations) {
            if (set) {
              if (!reference.has(key)) reference.set(key, value);
              expect(map.setFirst(key, value)).toBe(reference.get(key));
            } else {
              expect(map.get(key)).toBe(reference.get(key));
            }
          }
          expect(map.size).toBe(reference.size);
          for (const [key, value] of reference) expect(map.get(key)).toBe(value);
        }
      ),
      { numRuns: 200 }
    );
  });
});

describe('TextLists', () => {
  it.each(hashes)('gives the numbers appended for a text, in order (%s)', (_, hash) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.nat(1000)), { maxLength: 60 }), keyArb, (appended, other) => {
        const lists = new TextLists(hash, 2, 0);
        const reference = new Map<string, number[]>();
        for (const [key, value] of appended) {
          lists.append(key, value);
          reference.set(key, [...(reference.get(key) ?? []), value]);
        }
        for (const [key, values] of reference) expect(lists.get(key)).toEqual(values);
        expect(lists.get(other)).toEqual(reference.get(other) ?? []);
      }),
      { numRuns: 200 }
    );
  });
});
