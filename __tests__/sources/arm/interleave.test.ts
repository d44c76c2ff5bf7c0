import fc from 'fast-check';
import { interleave } from '../../../src/sources/arm/functions/index.js';

/** The rule as ARM states it: type segments and name segments alternate after the namespace. */
function reference(type: string, names: string[]): string | null {
  const segments = type.split('/').filter(s => s !== '');
  if (segments.length < 2) return null;
  const flat = names.flatMap(n => n.split('/'));
  if (flat.length !== segments.length - 1) return null;
  return segments.slice(1).reduce((out, segment, i) => `${out}/${segment}/${flat[i]}`, segments[0]);
}

describe('interleave', () => {
  test('puts each name segment after its type segment', () => {
    expect(interleave('Microsoft.KeyVault/vaults/keys', ['kv', 'k1'])).toBe('Microsoft.KeyVault/vaults/kv/keys/k1');
    expect(interleave('Microsoft.KeyVault/vaults/keys', ['kv/k1'])).toBe('Microsoft.KeyVault/vaults/kv/keys/k1');
    expect(interleave('Microsoft.KeyVault/vaults/keys', ['kv'])).toBeNull();
    expect(interleave('Microsoft.KeyVault', [])).toBeNull();
  });

  test('agrees with the rule for any type and names (empty segments, doubled slashes)', () => {
    const part = fc.constantFrom('', 'a', 'B', '/', 'a/b', '//', 'x//y', '/lead', 'trail/');
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 5 }).map(p => p.join('/')),
        fc.array(part, { maxLength: 4 }),
        (type, names) => {
          expect(interleave(type, names)).toBe(reference(type, names));
        }
      ),
      { numRuns: 500 }
    );
  });
});
