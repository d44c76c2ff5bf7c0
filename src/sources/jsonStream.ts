/**
 * Reading a JSON file a value at a time, so a file far larger than memory (a snapshot of a whole
 * tenant) is never held whole: the file is decoded in chunks into a window of text, and the same
 * reader that reads templates (json.ts: the same syntax, errors and positions) reads the next
 * value from it. When a step runs into the end of the window (or ends so near it that more text
 * could change what it read: a line break split in two, a number cut short), more of the file is
 * read and the step is run again from where it started; lines and columns go on across windows.
 */
import * as fs from 'node:fs';
import { NO_BYTES, roomForBytes } from '../model/bytes.js';
import { UserError } from '../model/errors.js';
import { LIMIT_VARIABLES } from '../model/limits.js';
import {
  describeBytes,
  firstInvalidUtf8,
  maxInputBytes,
  openRegularFile,
  UnreadableTextError
} from '../model/textFile.js';
import { JsonSyntaxError, Reader } from './json.js';

/**
 * How much of the file is read at a time. A window this small is cut from V8's new space, and the resources read
 * from it die with it there; a megabyte window was a large object that every young collection it lived through
 * moved to the old generation, to wait for a full collection (bench/HISTORY.md, 2026-12-07).
 */
export const CHUNK_BYTES = 64 * 1024;

/** A step begins with more of the file read when less than this part of a chunk is left in the window. */
const READ_AHEAD = 4;

/** A step that ends this close to the end of the window may have been cut short by it: it is run again with more. */
const MARGIN = 8;

export class JsonStream {
  readonly reader: Reader;
  private readonly fd: number;
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  private encoding = 'utf-8';
  private text = '';
  private eof = false;
  private bytesRead = 0;
  private closed = false;
  /**
   * What the file is read into, kept from one read to the next (the decoder copies what it keeps): a buffer a read
   * would be memory outside the heap each time, freed only when the collector gets to it.
   */
  private chunk: Buffer | undefined;
  /** Where a window's text is made flat (`flat`), kept as `chunk` is. */
  private joined = NO_BYTES;

  constructor(
    private readonly file: string,
    private readonly chunkBytes = CHUNK_BYTES
  ) {
    this.fd = openRegularFile(file);
    this.reader = new Reader('', file);
    try {
      // Two bytes at least: a UTF-16 file is known by its first two.
      this.fill(0, Math.max(chunkBytes, 2));
    } catch (error) {
      this.close();
      throw error;
    }
  }

  /** Whether everything has been read: no more text will come. */
  atEnd(): boolean {
    return this.eof && this.reader.index >= this.reader.length;
  }

  /**
   * Runs `step` from the reader's position; if it fails or ends near the end of what has been
   * read, and the file has more, reads more and runs it again from the same place. A value
   * larger than `maxInputBytes()` is refused.
   */
  step<T>(step: (reader: Reader) => T, what = 'a value'): T {
    const r = this.reader;
    // Read on before a step that may well run into the end of the window: one cut short throws to say so, and is
    // read again from its start (with 64 KB windows, that was 2% of reading a snapshot).
    if (!this.eof && r.length - r.index < this.chunkBytes / READ_AHEAD) this.fill(r.index, this.chunkBytes);
    for (;;) {
      const mark = { index: r.index, line: r.line, column: r.column, depth: r.depth };
      try {
        const result = step(r);
        if (this.eof || r.index < r.length - MARGIN) return result;
      } catch (error) {
        if (!(error instanceof JsonSyntaxError) || this.eof || r.index < r.length - MARGIN) throw error;
      }
      r.index = mark.index;
      r.line = mark.line;
      r.column = mark.column;
      r.depth = mark.depth;
      const pending = r.length - mark.index;
      const most = maxInputBytes();
      if (pending > most) {
        throw new UserError(
          `${what} in ${this.file} is larger than ${describeBytes(most)}, the most cmk-guard reads at once (${LIMIT_VARIABLES.fileBytes}); split it.`,
          { file: this.file, line: mark.line, column: mark.column }
        );
      }
      // Twice as much each time a step needs more: a large value is read again a few times, not once per chunk.
      this.fill(mark.index, Math.max(this.chunkBytes, pending));
    }
  }

  close(): void {
    if (!this.closed) fs.closeSync(this.fd);
    this.closed = true;
  }

  /** Reads up to `bytes` more of the file into the window, dropping the text before `keepFrom`. */
  private fill(keepFrom: number, bytes: number): void {
    if (!this.chunk || this.chunk.length < bytes) this.chunk = Buffer.allocUnsafe(bytes);
    const chunk = this.chunk;
    let read: number;
    try {
      read = fs.readSync(this.fd, chunk, 0, bytes, null);
    } catch (error) {
      throw new UserError(`cannot read ${this.file}: ${String(error)}; check the path.`, { file: this.file });
    }
    const data = chunk.subarray(0, read);
    if (!this.decoder) {
      this.encoding =
        data[0] === 0xff && data[1] === 0xfe ? 'utf-16le' : data[0] === 0xfe && data[1] === 0xff ? 'utf-16be' : 'utf-8';
      this.decoder = new TextDecoder(this.encoding, { fatal: true });
    }
    this.eof = read === 0;
    let decoded: string;
    try {
      decoded = this.decoder.decode(data, { stream: !this.eof });
    } catch {
      throw this.notText(data);
    }
    this.bytesRead += read;
    this.text = keepFrom < this.text.length ? this.flat(this.text.slice(keepFrom) + decoded) : decoded;
    this.reader.retext(this.text, this.reader.index - keepFrom);
    // Bytes that end inside a character give no text yet: read on.
    if (!this.eof && decoded === '') this.fill(0, bytes);
  }

  /**
   * The same text as one flat string: a joined one is read a character at a time through the join, which made
   * reading a quarter slower. A window is well formed (decoded with `fatal`, and cut only between values), so its
   * UTF-8 gives it back exactly, a U+FEFF included.
   */
  private flat(text: string): string {
    const bytes = Buffer.byteLength(text, 'utf8');
    // Room for what was left of a window and a chunk after it, or twice what a larger value needs.
    this.joined = roomForBytes(this.joined, 0, bytes, 2 * this.chunkBytes);
    this.joined.write(text, 0, bytes, 'utf8');
    return this.joined.toString('utf8', 0, bytes);
  }

  /** The error for bytes that are not text, where readTextFile would give it: the byte's offset, line and column. */
  private notText(data: Buffer): UnreadableTextError {
    const label = this.encoding.toUpperCase();
    let at = { offset: 0, line: 1, column: 1 };
    if (this.encoding === 'utf-8') {
      // The decoder may hold the start of a character from the chunk before: look from the start of that character.
      let start = Math.max(0, this.bytesRead - 3);
      const back = Buffer.alloc(this.bytesRead - start);
      fs.readSync(this.fd, back, 0, back.length, start);
      let skip = 0;
      while (skip < back.length && (back[skip] & 0xc0) === 0x80) skip++;
      start += skip;
      const offset = start + firstInvalidUtf8(Buffer.concat([back.subarray(skip), data])).offset;
      at = { offset, ...lineAndColumn(this.file, offset) };
    }
    return new UnreadableTextError(
      `${this.file} is not ${label} text (byte ${at.offset} is not valid ${label}); save it as UTF-8.`,
      { file: this.file, line: at.line, column: at.column },
      'not-text'
    );
  }
}

/** The line and column of a byte offset in a UTF-8 file whose bytes before it are valid. */
function lineAndColumn(file: string, offset: number): { line: number; column: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const decoder = new TextDecoder('utf-8');
    let line = 1;
    let last = '';
    for (let done = 0; done < offset;) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, offset - done));
      const read = fs.readSync(fd, chunk, 0, chunk.length, done);
      if (read === 0) break;
      done += read;
      const text = decoder.decode(chunk.subarray(0, read), { stream: done < offset });
      const lines = text.split('\n');
      line += lines.length - 1;
      last = lines.length > 1 ? lines[lines.length - 1] : last + lines[0];
    }
    return { line, column: last.length + 1 };
  } finally {
    fs.closeSync(fd);
  }
}
