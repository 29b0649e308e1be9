/** One line of a JSON Lines input: its text, or only its size when it was over the limit and was skipped. */
export type InputLine =
  | { lineNumber: number; text: string }
  | { lineNumber: number; text: null /** Bytes of the line (without its line break). */; bytes: number };

/** 1 MiB: far more than an archived article needs, little enough that a hostile line costs nothing to skip. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines (LF or CRLF) and never holds more than `maxLineBytes` of one line: the bytes of
 * a longer line are dropped as they arrive and only counted, so memory stays flat whatever the input. Lines are
 * decoded as UTF-8 once complete (a character split between chunks is joined first); a byte-order mark at the very
 * start is dropped.
 */
export async function* readBoundedLines(
  input: AsyncIterable<Buffer | string>,
  maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<InputLine> {
  const reader = new LineAccumulator(maxLineBytes);
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let from = 0;
    for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, from)) {
      reader.add(bytes.subarray(from, newline));
      yield reader.take();
      from = newline + 1;
    }
    reader.add(bytes.subarray(from));
  }
  if (reader.pending()) yield reader.take();
}

/** The line being read: its kept parts, or only a byte count once it went over the limit. */
class LineAccumulator {
  private parts: Buffer[] = [];
  private size = 0;
  private lineNumber = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Past this many bytes the line is too long even if its last byte is the CR of a CRLF ending. */
  private get overLimit(): boolean {
    return this.size > this.maxLineBytes + 1;
  }

  add(segment: Buffer): void {
    if (segment.length === 0) return;
    this.size += segment.length;
    if (this.overLimit) this.parts = [];
    else this.parts.push(segment);
  }

  pending(): boolean {
    return this.size > 0;
  }

  take(): InputLine {
    this.lineNumber += 1;
    const line = this.readLine();
    this.parts = [];
    this.size = 0;
    return line;
  }

  private readLine(): InputLine {
    const lineNumber = this.lineNumber;
    if (this.overLimit) return { lineNumber, text: null, bytes: this.size };
    const whole = Buffer.concat(this.parts, this.size);
    const length = whole.length > 0 && whole[whole.length - 1] === 0x0d ? whole.length - 1 : whole.length;
    if (length > this.maxLineBytes) return { lineNumber, text: null, bytes: length };
    const text = whole.toString('utf8', 0, length);
    return { lineNumber, text: lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  }
}
