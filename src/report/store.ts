/**
 * Findings kept between evaluation and the reports, in the order the reports give them, in
 * bounded memory: past a number held, they are written to a temporary file in blocks and read
 * back a finding at a time, through a small window of the file. A tenant's snapshot gives
 * millions of findings; holding them all would make memory grow with the snapshot.
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
import { parseJson } from '../model/jsonText.js';
import { FINDING_DEPTH, findingJson } from './json.js';
import { itemSeparator, type ItemText } from './stream.js';

/** How many findings are held in memory before they are written out (about 1 KB each). */
export const HELD_FINDINGS = 5_000;

interface Held {
  input: number;
  finding: Finding;
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

export class FindingStore implements Iterable<Finding> {
  private readonly held = new Map<number, Held[]>();
  private readonly blocks = new Map<number, Block[]>();
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
    list.push({ input: this.input, finding });
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
        if (entry.input !== input) kept.push(entry);
        else this.counted.add(entry.finding, -1);
      }
      this.heldCount -= list.length - kept.length;
      this.total -= list.length - kept.length;
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
    // A copy: the list may be replaced while the caller reads (a discard), never changed in place.
    for (const entry of [...(this.held.get(group) ?? [])]) yield entry.finding;
  }

  /**
   * Every finding as the findings document writes it (`findingJson` at `FINDING_DEPTH`), in the order the
   * store gives them, as `Streamed.texts` takes them: a finding held in memory as its text, the findings
   * written out as the bytes of their block (UTF-8, a window of the file at a time, each window valid only
   * until the next is read), so the report copies them without decoding them.
   */
  *jsonTexts(): Generator<ItemText> {
    // One buffer for every block: a block's bytes are copied before the next piece is asked for.
    let buffer: Buffer | undefined;
    for (const group of this.groups()) {
      for (const block of this.blocks.get(group) ?? [])
        yield this.blockBytes(block, (buffer ??= Buffer.allocUnsafe(WINDOW)));
      for (const entry of [...(this.held.get(group) ?? [])]) yield findingJson(entry.finding, FINDING_DEPTH);
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
    this.held.clear();
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
   * Writes every held finding out: one block per group and input, as the findings document writes them. The
   * text goes to the file through one small buffer, a finding at a time: a block joined as one string and
   * encoded whole would make two copies of megabytes for every block, each kept until a full collection.
   */
  private writeOut(): void {
    if (!this.file) this.file = { ...openFindingsFile(), end: 0 };
    const out = new FileWriter(this.file.fd, this.file.end);
    for (const [group, list] of this.held) {
      let from = 0;
      while (from < list.length) {
        const input = list[from].input;
        const offset = out.end;
        let to = from;
        const sizes: number[] = [];
        const tally = new FindingTally();
        for (; to < list.length && list[to].input === input; to++) {
          if (to > from) out.write(SEPARATOR);
          const start = out.end;
          out.write(findingJson(list[to].finding, FINDING_DEPTH));
          sizes.push(out.end - start);
          tally.add(list[to].finding);
        }
        let blocks = this.blocks.get(group);
        if (!blocks) this.blocks.set(group, (blocks = []));
        const sized = sizes.every(size => size <= 0xffff) ? Uint16Array.from(sizes) : Uint32Array.from(sizes);
        blocks.push({ input, offset, bytes: out.end - offset, sizes: sized, tally });
        from = to;
      }
    }
    out.flush();
    this.file.end = out.end;
    this.held.clear();
    this.heldCount = 0;
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

/** Text written to a file at a position, encoded as UTF-8 into one buffer and written when it is full. */
class FileWriter {
  private readonly buffer = Buffer.allocUnsafe(WINDOW);
  private used = 0;

  /** @param end where the next byte goes. */
  constructor(
    private readonly fd: number,
    public end: number
  ) {}

  write(text: string): void {
    // At most three bytes a UTF-16 unit (a surrogate pair, two units, is four bytes).
    if (text.length * 3 > this.buffer.length - this.used) this.flush();
    if (text.length * 3 > this.buffer.length) this.writeBytes(Buffer.from(text, 'utf8'));
    else {
      const bytes = this.buffer.write(text, this.used, 'utf8');
      this.used += bytes;
      this.end += bytes;
    }
  }

  flush(): void {
    this.writeAt(this.buffer.subarray(0, this.used), this.end - this.used);
    this.used = 0;
  }

  private writeBytes(bytes: Buffer): void {
    this.writeAt(bytes, this.end);
    this.end += bytes.length;
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
