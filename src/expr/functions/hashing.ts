/**
 * The hashes behind ARM's uniqueString() and guid().
 *
 * uniqueString: the '-'-joined arguments, UTF-8 encoded, hashed with the 64-bit MurmurHash
 * variant ARM uses (two 32-bit lanes over 8-byte blocks, MurmurHash3 x86 constants, seed 0),
 * rendered as 13 lower-case RFC 4648 base32 characters taken from the high bits.
 *
 * guid: an RFC 4122 name-based (version 5, SHA-1) UUID of the '-'-joined arguments, UTF-8
 * encoded, in ARM's namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830.
 */
import { nodeCrypto } from '../../model/builtins.js';

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const F1 = 0x85ebca6b;
const F2 = 0xc2b2ae35;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

function le32(bytes: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = count - 1; i >= 0; i--) value = (value << 8) | bytes[at + i];
  return value;
}

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), F1);
  h = Math.imul(h ^ (h >>> 13), F2);
  return (h ^ (h >>> 16)) >>> 0;
}

/** ARM's 64-bit MurmurHash of the bytes, as [high, low] 32-bit halves. */
export function murmurHash64(bytes: Uint8Array): [number, number] {
  const length = bytes.length;
  let h1 = 0;
  let h2 = 0;
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    let k1 = le32(bytes, i, 4);
    let k2 = le32(bytes, i + 4, 4);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 = (Math.imul(rotl(h1 ^ k1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 17), C1);
    h2 = (Math.imul(rotl(h2 ^ k2, 13) + h1, 5) + 0x0bcaa747) | 0;
  }
  const rest = length - i;
  if (rest > 0) {
    const k1 = le32(bytes, i, Math.min(rest, 4));
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    if (rest > 4) {
      const k2 = le32(bytes, i + 4, rest - 4);
      h2 ^= Math.imul(rotl(Math.imul(k2, C2), 17), C1);
    }
  }
  h2 ^= length;
  h1 = ((h1 ^ length) + h2) | 0;
  h2 = (h2 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = (h1 + h2) >>> 0;
  h2 = (h2 + h1) >>> 0;
  return [h2, h1];
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * uniqueString of the '-'-joined arguments. A template computes the same one again and again (each copy of a
 * loop hashes `resourceGroup().id`), so the last results are kept by their text: up to a few thousand, of
 * short texts only, so that what is kept stays small whatever a template hashes.
 */
export function uniqueString(parts: readonly string[]): string {
  const text = parts.join('-');
  if (text.length > KEPT_TEXT_LENGTH) return base32(murmurHash64(Buffer.from(text, 'utf8')));
  let out = uniqueStrings.get(text);
  if (out === undefined) {
    out = base32(murmurHash64(Buffer.from(text, 'utf8')));
    if (uniqueStrings.size >= KEPT_TEXTS) uniqueStrings.clear();
    uniqueStrings.set(text, out);
  }
  return out;
}

const uniqueStrings = new Map<string, string>();
const KEPT_TEXTS = 4096;
const KEPT_TEXT_LENGTH = 512;

/**
 * The 64-bit value `high`:`low` as 13 base32 characters, five bits each from the highest down (the last one
 * the lowest four bits and a zero bit).
 */
function base32([high, low]: [number, number]): string {
  let out = '';
  for (let shift = 59; shift > -5; shift -= 5) {
    let bits: number;
    if (shift >= 32) bits = high >>> (shift - 32);
    else if (shift > 27) bits = (low >>> shift) | (high << (32 - shift));
    else if (shift >= 0) bits = low >>> shift;
    else bits = low << -shift;
    out += BASE32[bits & 31];
  }
  return out;
}

/** ARM's namespace for guid(). */
export const GUID_NAMESPACE = '11fb06fb-712d-4ddd-98c7-e71bbd588830';

/** RFC 4122 / RFC 9562 version-5 UUID: SHA-1 of the namespace's bytes and the UTF-8 name. */
export function nameBasedUuid(namespace: string, name: string): string {
  const hash = nodeCrypto()
    .createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function guid(parts: readonly string[]): string {
  return nameBasedUuid(GUID_NAMESPACE, parts.join('-'));
}
