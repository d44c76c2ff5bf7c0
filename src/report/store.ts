/**
 * Findings kept between evaluation and the reports, in the order the reports give them, in
 * bounded memory: past a number held, they are written to a temporary file in blocks and read
 * back a finding at a time, through a small window of the file. A tenant's snapshot gives
 * millions of findings; holding them all would make memory grow with the snapshot.
 *
 * A finding is held as its text from the moment it is added, in one buffer outside V8's heap, not as an object: an
 * object held for thousands of findings outlives the young generation's collections, is copied to the old one and
 * dies there, and so does every string it points into (a snapshot's resource names are cut from the window of
 * text they were read with). On a snapshot of 200,000 resources V8 promoted 355 MB when findings were held as
 * objects, 163 MB with them held as text (bench/HISTORY.md).
 *
 * Findings are added to numbered groups (a definition's findings, a relation rule's) and read
 * back group by group, in the order each group's findings were added. Findings added while an
 * input is evaluated can be taken back if the input turns out to fail as a whole (a snapshot
 * whose last line is not JSON), as if they had never been added.
 *
 * Findings are written out as the findings document writes them (`findingJson`), so the JSON report can copy
 * a block as it is. A store can be given what each finding is made into as it is added (`prepare`: the
 * document's rule fields and relative paths), so that what it writes out is the document's own text.
 */
import { nodeCrypto } from '../model/builtins.js';
import { closeSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FindingTally, type Finding } from '../model/finding.js';
import { NO_BYTES, roomForBytes } from '../model/bytes.js';
import { parseJson } from '../model/jsonText.js';
import { FINDING_DEPTH, findingJson } from './json.js';
import { itemSeparator, type ItemText } from './stream.js';

/** How many findings are held in memory before they are written out (their text, about 1.5 KB each). */
export const HELD_FINDINGS = 5_000;

/**
 * Findings of one group and one input not yet written out: where the text of each (as the findings document writes
 * it, `findingJson`, UTF-8) is in the store's buffer of held findings, and its size in bytes.
 */
interface Held {
  input: number;
  offsets: number[];
  sizes: number[];
  tally: FindingTally;
}

interface Block {
  input: number;
  offset: number;
  bytes: number;
  /**
   * The length of each finding's text, in bytes (UTF-8): the texts are joined by `SEPARATOR`. Two bytes a finding
   * where every one is shorter than 64 KB (nearly always: about 1 KB each), else four: kept for every finding of
   * the run, this is what the store's memory grows by.
   */
  sizes: Uint16Array | Uint32Array;
  /** What its findings are, counted. */
  tally: FindingTally;
}

/**
 * What separates findings written out one after another: what separates them in the findings document. ASCII, so
 * its length is its size in bytes.
 */
const SEPARATOR = itemSeparator(FINDING_DEPTH);
const SEPARATOR_BYTES = Buffer.from(SEPARATOR, 'utf8');

/** The least the buffer of held findings is made with: a few dozen findings, past Buffer's shared pool. */
const ARENA_START = 64 * 1024;

export class FindingStore implements Iterable<Finding> {
  /** By group: each input's findings, oldest first. Replaced, never cleared: see `writeOut`. */
  private held = new Map<number, Held[]>();
  /**
   * The text of every finding added since the last write-out, one after another (those taken back too, until the
   * next write-out): one buffer for the store's life, grown as needed, so that holding findings makes no garbage.
   */
  private arena = NO_BYTES;
  private arenaUsed = 0;
  private readonly blocks = new Map<number, Block[]>();
  /** Findings added since the last write-out, taken back or not: what the arena holds. */
  private heldCount = 0;
  private total = 0;
  private input = 0;
  private counted = new FindingTally();
  private file: { fd: number; name: string | null; end: number } | undefined;

  /**
   * @param limit how many findings are held before they are written out.
   * @param prepare what every finding is made into as it is added; what is read back is what it gave.
   */
  constructor(
    private readonly limit = HELD_FINDINGS,
    private readonly prepare?: (finding: Finding) => Finding
  ) {}

  /** Whether the findings were made into something as they were added (`prepare`). */
  get prepared(): boolean {
    return this.prepare !== undefined;
  }

  /** How many findings the store holds. */
  get size(): number {
    return this.total;
  }

  /** What the findings held are, counted: the same as counting them as they are read back. */
  tally(): FindingTally {
    const copy = new FindingTally();
    copy.addTally(this.counted);
    return copy;
  }

  /** Findings added from now on belong to a new input, which `discardInput` can take back. */
  beginInput(): void {
    this.input++;
  }

  add(group: number, added: Finding): void {
    const finding = this.prepare ? this.prepare(added) : added;
    let list = this.held.get(group);
    if (!list) this.held.set(group, (list = []));
    let last = list[list.length - 1];
    if (last?.input !== this.input) {
      last = { input: this.input, offsets: [], sizes: [], tally: new FindingTally() };
      list.push(last);
    }
    const [offset, size] = this.hold(findingJson(finding, FINDING_DEPTH));
    last.offsets.push(offset);
    last.sizes.push(size);
    last.tally.add(finding);
    this.counted.add(finding);
    this.heldCount++;
    this.total++;
    if (this.heldCount >= this.limit) this.writeOut();
  }

  /** Takes back what the current input added: to `group` only, or to every group. */
  discardInput(group?: number): void {
    const input = this.input;
    for (const [key, list] of this.held) {
      if (group !== undefined && key !== group) continue;
      const kept: Held[] = [];
      for (const entry of list) {
        if (entry.input !== input) {
          kept.push(entry);
          continue;
        }
        this.counted.addTally(entry.tally, -1);
        this.total -= entry.sizes.length;
      }
      this.held.set(key, kept);
    }
    for (const [key, list] of this.blocks) {
      if (group !== undefined && key !== group) continue;
      for (const block of list) {
        if (block.input !== input) continue;
        this.total -= block.sizes.length;
        this.counted.addTally(block.tally, -1);
      }
      this.blocks.set(
        key,
        list.filter(block => block.input !== input)
      );
    }
  }

  /** Every finding, group by group (in ascending group number), each group in the order added. */
  *[Symbol.iterator](): Iterator<Finding> {
    for (const group of this.groups()) yield* this.group(group);
  }

  private groups(): number[] {
    return [...new Set([...this.blocks.keys(), ...this.held.keys()])].sort((a, b) => a - b);
  }

  /**
   * The findings of one group in the order added, a finding at a time: groups can be read side by side. Findings
   * written out are read through a window of the file and decoded one by one; a block is never one string.
   */
  *group(group: number): Generator<Finding> {
    const blocks = this.blocks.get(group) ?? [];
    if (blocks.length) {
      const window = new FileWindow(this.file!.fd);
      for (const block of blocks) {
        let at = block.offset;
        for (const size of block.sizes) {
          yield parseJson(window.text(at, size, block.offset + block.bytes)) as Finding;
          at += size + SEPARATOR.length;
        }
      }
    }
    // A copy: the list may be replaced while the caller reads (a discard), never changed in place. Each input's texts
    // are taken before any is given: should more be added while the caller reads, a write-out reuses the buffer.
    for (const entry of [...(this.held.get(group) ?? [])]) {
      const texts = entry.offsets.map((offset, i) => this.arena.toString('utf8', offset, offset + entry.sizes[i]));
      for (const text of texts) yield parseJson(text) as Finding;
    }
  }

  /**
   * Every finding as the findings document writes it (`findingJson` at `FINDING_DEPTH`), in the order the
   * store gives them, as `Streamed.texts` takes them: the findings of a block written out as its bytes (UTF-8, a
   * window of the file at a time, each window valid only until the next is read), those held as theirs, so the
   * report copies them without decoding them.
   */
  *jsonTexts(): Generator<ItemText> {
    // One buffer for every block: a block's bytes are copied before the next piece is asked for.
    let buffer: Buffer | undefined;
    for (const group of this.groups()) {
      for (const block of this.blocks.get(group) ?? [])
        yield this.blockBytes(block, (buffer ??= Buffer.allocUnsafe(WINDOW)));
      for (const entry of [...(this.held.get(group) ?? [])]) if (entry.sizes.length > 0) yield this.heldBytes(entry);
    }
  }

  /** The bytes the store keeps in memory for the findings it wrote out, besides a few for each block: their sizes. */
  get writtenOutIndexBytes(): number {
    let bytes = 0;
    for (const list of this.blocks.values()) for (const block of list) bytes += block.sizes.byteLength;
    return bytes;
  }

  /** Whether findings were written to the temporary file. */
  get writtenOut(): boolean {
    return this.file !== undefined;
  }

  /** Closes (and where it still has a name, removes) the temporary file, if one was written. The store is empty afterwards. */
  dispose(): void {
    this.held = new Map();
    this.arena = NO_BYTES;
    this.arenaUsed = 0;
    this.blocks.clear();
    this.counted = new FindingTally();
    this.heldCount = 0;
    this.total = 0;
    if (this.file) {
      closeFindingsFile(this.file.fd, this.file.name);
      this.file = undefined;
    }
  }

  /**
   * Writes every held finding out: one block per group and input, the bytes held as they are. The map of held
   * findings is replaced, not cleared: a cleared map's old table keeps a link to the new one, so an old table that
   * had reached the old generation kept each new one, and all it held, alive through the next young collection,
   * and every finding held was promoted however few were held at a time (measured when findings were held as
   * objects: 210 against 24 MB promoted while reading 200,000 resources, 100 findings held at a time).
   */
  private writeOut(): void {
    if (!this.file) this.file = { ...openFindingsFile(), end: 0 };
    const out = new BytesWriter(this.file.fd, this.file.end);
    for (const [group, list] of this.held) {
      for (const entry of list) {
        if (entry.sizes.length === 0) continue;
        const offset = out.end;
        for (const piece of this.heldBytes(entry)) out.write(piece);
        let blocks = this.blocks.get(group);
        if (!blocks) this.blocks.set(group, (blocks = []));
        const sizes = entry.sizes.every(size => size <= 0xffff)
          ? Uint16Array.from(entry.sizes)
          : Uint32Array.from(entry.sizes);
        blocks.push({ input: entry.input, offset, bytes: out.end - offset, sizes, tally: entry.tally });
      }
    }
    out.flush();
    this.file.end = out.end;
    this.held = new Map();
    this.heldCount = 0;
    this.arenaUsed = 0;
  }

  /** The bytes of an input's held findings as a block holds them: their texts, joined by `SEPARATOR`. */
  private *heldBytes(entry: Held): Generator<Uint8Array> {
    for (let i = 0; i < entry.offsets.length; i++) {
      if (i > 0) yield SEPARATOR_BYTES;
      yield this.arena.subarray(entry.offsets[i], entry.offsets[i] + entry.sizes[i]);
    }
  }

  /** Puts a finding's text in the arena: where it is, and its size in bytes. */
  private hold(text: string): [number, number] {
    // At most three bytes a UTF-16 unit (a surrogate pair, two units, is four bytes).
    if (this.arena.length - this.arenaUsed < text.length * 3) {
      const needed = Buffer.byteLength(text, 'utf8');
      this.arena = roomForBytes(this.arena, this.arenaUsed, needed, ARENA_START);
    }
    const offset = this.arenaUsed;
    const size = this.arena.write(text, offset, 'utf8');
    this.arenaUsed += size;
    return [offset, size];
  }

  /** A block's bytes, a window of the file at a time, read into `buffer` (each window valid until the next). */
  private *blockBytes(block: Block, buffer: Buffer): Generator<Uint8Array> {
    for (let done = 0; done < block.bytes;) {
      const size = Math.min(buffer.length, block.bytes - done);
      readFully(this.file!.fd, buffer, size, block.offset + done);
      yield buffer.subarray(0, size);
      done += size;
    }
  }
}

/** How much of the findings file is read or written at a time. */
const WINDOW = 64 * 1024;

/**
 * Text read back from the findings file through one buffer of `WINDOW` bytes: a finding is decoded from the bytes
 * already read when they hold it, else the window moves to it. A finding longer than the window is read alone.
 */
class FileWindow {
  private buffer: Buffer | undefined;
  /** Where in the file the buffer's bytes come from, and how many it holds. */
  private start = 0;
  private filled = 0;

  constructor(private readonly fd: number) {}

  /** The text of the `size` bytes at `position`, read ahead up to `end` (the end of what is read, a block). */
  text(position: number, size: number, end: number): string {
    if (size > WINDOW) {
      const alone = Buffer.allocUnsafe(size);
      readFully(this.fd, alone, size, position);
      return alone.toString('utf8');
    }
    if (position < this.start || position + size > this.start + this.filled) {
      this.buffer ??= Buffer.allocUnsafe(WINDOW);
      this.filled = Math.min(WINDOW, end - position);
      this.start = position;
      readFully(this.fd, this.buffer, this.filled, position);
    }
    return this.buffer!.toString('utf8', position - this.start, position - this.start + size);
  }
}

function readFully(fd: number, buffer: Buffer, size: number, position: number): void {
  for (let read = 0; read < size;) {
    const n = readSync(fd, buffer, read, size - read, position + read);
    if (n === 0) throw new Error('the findings file ended early');
    read += n;
  }
}

/** Bytes written to a file from a position on, copied into one buffer and written when it is full. */
class BytesWriter {
  private readonly buffer = Buffer.allocUnsafe(WINDOW);
  private used = 0;

  /** @param end where the next byte goes. */
  constructor(
    private readonly fd: number,
    public end: number
  ) {}

  write(bytes: Uint8Array): void {
    if (bytes.length > this.buffer.length - this.used) this.flush();
    if (bytes.length > this.buffer.length) this.writeAt(bytes, this.end);
    else {
      this.buffer.set(bytes, this.used);
      this.used += bytes.length;
    }
    this.end += bytes.length;
  }

  flush(): void {
    this.writeAt(this.buffer.subarray(0, this.used), this.end - this.used);
    this.used = 0;
  }

  private writeAt(bytes: Uint8Array, position: number): void {
    for (let written = 0; written < bytes.length;)
      written += writeSync(this.fd, bytes, written, bytes.length - written, position + written);
  }
}

/**
 * Files still named in the temporary folder, with their descriptors: only where the system cannot remove an
 * open file's name (Windows). They are removed by `dispose`, or when the process exits.
 */
const named = new Map<string, number>();
let exitHooked = false;

/**
 * A new temporary file for findings, open for reading and writing, made only by this process (it must not
 * exist, and only its owner may read it). Its name is removed at once where the system allows it, so the file
 * is gone however the run ends (an exception, a signal, a crash): the system frees it when the process closes
 * it or exits. Elsewhere the name is kept (`name`) and removed by `dispose` or at exit.
 */
function openFindingsFile(): { fd: number; name: string | null } {
  for (;;) {
    const name = path.join(os.tmpdir(), `cmk-guard-findings-${nodeCrypto().randomBytes(8).toString('hex')}.jsonl`);
    let fd: number;
    try {
      fd = openSync(name, 'wx+', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
    try {
      unlinkSync(name);
      return { fd, name: null };
    } catch {
      if (!exitHooked) process.once('exit', closeNamedFiles);
      exitHooked = true;
      named.set(name, fd);
      return { fd, name };
    }
  }
}

function closeFindingsFile(fd: number, name: string | null): void {
  closeSync(fd);
  if (name === null) return;
  named.delete(name);
  rmSync(name, { force: true });
}

function closeNamedFiles(): void {
  for (const [name, fd] of [...named]) {
    try {
      closeFindingsFile(fd, name);
    } catch {
      // The process is ending: what cannot be removed now is the temporary folder's to clear.
    }
  }
}
