/**
 * Splitting a byte stream into lines without decoding it first: a newline byte (0x0A) never occurs
 * inside a multi-byte UTF-8 sequence, so splitting on raw bytes is exact, and a line that is not
 * valid UTF-8 stays a problem of that line alone. Memory is one line at most, and not even that
 * for a line over the cap: its bytes are counted and dropped until the next newline.
 */

/**
 * 8 MiB. A text example at the largest token limit (65,536 tokens) is a few hundred KB, a few MB
 * even with every character JSON-escaped, so a longer line is almost surely not one example; it
 * is also what one line may cost in memory (its bytes, the decoded string, the parsed object).
 * Raise it for files with inline base64 images.
 */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface LineHandler {
  /** A complete line, without its `\n` or `\r\n`; 1-based numbers count every line, blank ones too. */
  line(lineNumber: number, bytes: Uint8Array): void;
  /** A line longer than the cap: only its length is known. */
  tooLong(lineNumber: number, length: number): void;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  /** Bytes pushed so far. */
  bytes = 0;
  private lineNumber = 0;
  private pending: Uint8Array[] = [];
  private pendingLength = 0;
  /** Set while dropping the rest of an over-long line: the bytes of it seen so far. */
  private skipping = -1;
  private readonly sink: LineHandler;
  private readonly maxLineBytes: number;

  constructor(sink: LineHandler, maxLineBytes: number) {
    this.sink = sink;
    this.maxLineBytes = maxLineBytes;
  }

  /** Lines seen so far (all of them, once end() has run). */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start));
        return;
      }
      this.finish(chunk.subarray(start, nl));
      start = nl + 1;
    }
  }

  /** The end of the stream: a last line without a newline still counts. */
  end(): void {
    if (this.skipping >= 0 || this.pendingLength > 0) this.finish(new Uint8Array(0));
  }

  /** The unterminated tail of a chunk: copied, since a source may reuse its buffer for the next one. */
  private hold(rest: Uint8Array): void {
    if (rest.length === 0) return;
    if (this.skipping >= 0) {
      this.skipping += rest.length;
    } else if (this.pendingLength + rest.length > this.maxLineBytes + 1) {
      // +1: a trailing \r is not part of the line, so a line of exactly the cap may still hold one.
      this.skipping = this.pendingLength + rest.length;
      this.pending = [];
      this.pendingLength = 0;
    } else {
      this.pending.push(rest.slice());
      this.pendingLength += rest.length;
    }
  }

  private finish(last: Uint8Array): void {
    const n = ++this.lineNumber;
    if (this.skipping >= 0) {
      const length = this.skipping + last.length;
      this.skipping = -1;
      this.sink.tooLong(n, length);
      return;
    }
    let line = last;
    if (this.pendingLength > 0) {
      line = concat(this.pending, this.pendingLength, last);
      this.pending = [];
      this.pendingLength = 0;
    }
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (n === 1 && line[0] === 0xef && line[1] === 0xbb && line[2] === 0xbf) line = line.subarray(3);
    if (line.length > this.maxLineBytes) this.sink.tooLong(n, line.length);
    else this.sink.line(n, line);
  }
}

function concat(parts: Uint8Array[], length: number, last: Uint8Array): Uint8Array {
  const out = new Uint8Array(length + last.length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(last, at);
  return out;
}

/** Spaces, tabs and stray carriage returns only: skipped, not an example. */
export function isBlank(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x09 && b !== CR) return false;
  }
  return true;
}
