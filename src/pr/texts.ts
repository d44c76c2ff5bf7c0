/**
 * Texts kept outside V8's heap, for what a relation rule keeps of a whole snapshot (a tenant's vaults, their
 * access policies, role assignments): hundreds of thousands of short strings. Kept as JavaScript strings they
 * are small, but V8 lets its heap grow to about four times what is live after each full collection, so every
 * megabyte kept there costs about four of resident memory; bytes in a Buffer cost one.
 *
 * `TextStore` appends texts to one growing byte arena (Latin-1 where every code unit fits a byte, else UTF-16,
 * so any string, lone surrogates included, comes back the same). `TextMap` maps texts to numbers by open
 * addressing over typed arrays: a 32-bit hash a text, and every hit verified against the stored text, so two
 * texts with the same hash are never taken for one another. Keys are compared code unit by code unit, as a
 * `Map` compares them: fold their case first (foldCase) where case must not matter.
 */

import { NO_BYTES, roomForBytes } from '../model/bytes.js';

/** A 32-bit hash of a text's code units (FNV-1a). */
export type TextHash = (text: string) => number;

export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A typed array at least `needed` long: the same one, or a copy twice as long. */
export function room<A extends Int32Array | Uint32Array | Float64Array | Uint8Array>(array: A, needed: number): A {
  if (needed <= array.length) return array;
  const grown = new (array.constructor as new (length: number) => A)(Math.max(needed, array.length * 2));
  grown.set(array);
  return grown;
}

function fitsOneByte(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * How many texts a store keeps as strings of their own before it starts its arena. A template's relation makes a
 * dozen stores and most hold a few texts: as strings they die young with the rest of the template, where buffers
 * and typed arrays of their own would wait outside the heap for a full collection. A snapshot's stores fill
 * thousands; only their first texts are strings.
 */
export const SMALL_TEXTS = 64;

/**
 * A string as one of its own: a string cut from a larger one (a window of a snapshot) keeps the larger one
 * alive. Written out and read back, it is one flat string of its length.
 */
function ownString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Texts appended to one arena, each read back by its number; the first `smallTexts` of them kept as strings. */
export class TextStore {
  private readonly small: string[] = [];
  /** Grown from no bytes at the first text past the small ones. */
  private bytes: Buffer = NO_BYTES;
  private used = 0;
  private starts: Float64Array;
  /** Each arena text's length in bytes; negative when it is kept as UTF-16 (two bytes a code unit). */
  private lengths: Int32Array;
  private count = 0;

  constructor(
    private readonly smallTexts = SMALL_TEXTS,
    private readonly firstBytes = 128,
    texts = 8
  ) {
    this.starts = new Float64Array(texts);
    this.lengths = new Int32Array(texts);
  }

  get size(): number {
    return this.count;
  }

  /** Appends `text`; its number. */
  add(text: string): number {
    const n = this.count++;
    if (n < this.smallTexts) {
      this.small.push(ownString(text));
      return n;
    }
    const narrow = fitsOneByte(text);
    const length = narrow ? text.length : text.length * 2;
    this.bytes = roomForBytes(this.bytes, this.used, length, this.firstBytes);
    this.bytes.write(text, this.used, length, narrow ? 'latin1' : 'utf16le');
    const i = n - this.smallTexts;
    this.starts = room(this.starts, i + 1);
    this.lengths = room(this.lengths, i + 1);
    this.starts[i] = this.used;
    this.lengths[i] = narrow ? length : -length;
    this.used += length;
    return n;
  }

  text(n: number): string {
    if (n < this.smallTexts) return this.small[n];
    const i = n - this.smallTexts;
    const start = this.starts[i];
    const length = this.lengths[i];
    const bytes = this.bytes;
    return length >= 0
      ? bytes.toString('latin1', start, start + length)
      : bytes.toString('utf16le', start, start - length);
  }

  /** Whether text `n` is `text`, without making a string of it. */
  equals(n: number, text: string): boolean {
    if (n < this.smallTexts) return this.small[n] === text;
    const i = n - this.smallTexts;
    const start = this.starts[i];
    const length = this.lengths[i];
    const bytes = this.bytes;
    if (length >= 0) {
      if (length !== text.length) return false;
      for (let k = 0; k < length; k++) if (bytes[start + k] !== text.charCodeAt(k)) return false;
      return true;
    }
    if (-length !== text.length * 2) return false;
    for (let k = 0; k < text.length; k++) {
      const at = start + 2 * k;
      if ((bytes[at] | (bytes[at + 1] << 8)) !== text.charCodeAt(k)) return false;
    }
    return true;
  }
}

/** Texts to numbers, the first number set for a text kept (`setFirst`). */
export class TextMap {
  private readonly keys: TextStore;
  private hashes: Uint32Array;
  private values: Int32Array;
  /** Open addressing, linear probing: a key's number plus one, 0 where empty; never more than half full. */
  private slots: Int32Array;

  /** `hash`, `capacity` (a power of two) and `smallTexts` are for tests that make texts collide. */
  constructor(
    private readonly hash: TextHash = fnv1a,
    capacity = 8,
    smallTexts = SMALL_TEXTS
  ) {
    this.keys = new TextStore(smallTexts, capacity * 16, capacity);
    this.hashes = new Uint32Array(capacity);
    this.values = new Int32Array(capacity);
    this.slots = new Int32Array(Math.max(2, capacity));
  }

  get size(): number {
    return this.keys.size;
  }

  /** The number set for `key`; undefined when none is. */
  get(key: string): number | undefined {
    const hash = this.hash(key) >>> 0;
    const mask = this.slots.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const slot = this.slots[at];
      if (slot === 0) return undefined;
      if (this.hashes[slot - 1] === hash && this.keys.equals(slot - 1, key)) return this.values[slot - 1];
    }
  }

  /** Sets `key` to `value` unless it is set already; the number `key` has now. */
  setFirst(key: string, value: number): number {
    const hash = this.hash(key) >>> 0;
    const mask = this.slots.length - 1;
    let at = hash & mask;
    for (; ; at = (at + 1) & mask) {
      const slot = this.slots[at];
      if (slot === 0) break;
      if (this.hashes[slot - 1] === hash && this.keys.equals(slot - 1, key)) return this.values[slot - 1];
    }
    const n = this.keys.add(key);
    this.hashes = room(this.hashes, n + 1);
    this.values = room(this.values, n + 1);
    this.hashes[n] = hash;
    this.values[n] = value;
    this.slots[at] = n + 1;
    if (2 * (n + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    return value;
  }

  private rehash(capacity: number): void {
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let n = 0; n < this.keys.size; n++) {
      let at = this.hashes[n] & mask;
      while (slots[at] !== 0) at = (at + 1) & mask;
      slots[at] = n + 1;
    }
    this.slots = slots;
  }
}

/**
 * Lists of numbers by a text, each in the order its numbers were appended (role assignments by their scope,
 * access-policy resources by their vault's name): one chain through typed arrays.
 */
export class TextLists {
  /** A key's list number. */
  private readonly lists: TextMap;
  private firsts = new Int32Array(16);
  private lasts = new Int32Array(16);
  /** The items of every list: their numbers, and the next item of the same list (-1 at its end). */
  private items = new Int32Array(16);
  private next = new Int32Array(16);
  private count = 0;

  /** `hash`, `capacity` and `smallTexts` as for TextMap. */
  constructor(hash?: TextHash, capacity?: number, smallTexts?: number) {
    this.lists = new TextMap(hash, capacity, smallTexts);
  }

  append(key: string, value: number): void {
    const item = this.count++;
    this.items = room(this.items, this.count);
    this.next = room(this.next, this.count);
    this.items[item] = value;
    this.next[item] = -1;
    const fresh = this.lists.size;
    const list = this.lists.setFirst(key, fresh);
    if (list === fresh) {
      this.firsts = room(this.firsts, fresh + 1);
      this.lasts = room(this.lasts, fresh + 1);
      this.firsts[list] = item;
    } else {
      this.next[this.lasts[list]] = item;
    }
    this.lasts[list] = item;
  }

  /** The numbers appended for `key`, in order (empty when none). */
  get(key: string): number[] {
    const found: number[] = [];
    const list = this.lists.get(key);
    if (list === undefined) return found;
    for (let item = this.firsts[list]; item !== -1; item = this.next[item]) found.push(this.items[item]);
    return found;
  }
}
