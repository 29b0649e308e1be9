import { needsAmpersandRepair } from './xml-markup';

/**
 * The preflight's output as chunks of the source text and replacements: untouched stretches are copied in one
 * piece when the next change comes, so a feed that needs no repair costs one slice per item boundary.
 */
export class XmlOutput {
  private readonly chunks: string[] = [];
  /** Source text before this index is already in `chunks` or deliberately dropped. */
  private copied = 0;
  /**
   * Positions only move forward, so the next `&` is found once and reused: asking indexOf from every
   * tag would rescan the rest of the document each time in a feed with few ampersands.
   */
  private nextAmpersand: number;

  constructor(private readonly text: string) {
    this.nextAmpersand = text.indexOf('&');
  }

  /** Where the source has been consumed up to. */
  get position(): number {
    return this.copied;
  }

  /** How many chunks are out so far; item spans are kept in chunks until the end. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Whether [from, to) holds an `&` that is not a predefined XML reference. */
  needsAmpersandRepair(from: number, to: number): boolean {
    if (this.nextAmpersand !== -1 && this.nextAmpersand < from) this.nextAmpersand = this.text.indexOf('&', from);
    if (this.nextAmpersand === -1 || this.nextAmpersand >= to) return false;
    return needsAmpersandRepair(this.text, this.nextAmpersand, to);
  }

  /** Copies the source up to `upTo`. */
  flush(upTo: number): void {
    if (upTo > this.copied) this.chunks.push(this.text.slice(this.copied, upTo));
    this.copied = upTo;
  }

  /** Copies the source up to `from`, then puts `replacement` where [from, to) was. */
  replace(from: number, to: number, replacement: string): void {
    this.flush(from);
    if (replacement !== '') this.chunks.push(replacement);
    this.copied = to;
  }

  /** Copies the source up to `upTo` and drops everything after it (what follows the root's end). */
  finishAt(upTo: number): void {
    this.flush(upTo);
    this.copied = this.text.length;
  }

  /** Adds text that has no place in the source, as the close tags of a truncated document. */
  append(text: string): void {
    this.chunks.push(text);
  }

  /** Forgets every chunk from `chunkCount` on: an unfinished item at the end of a cut document. */
  truncate(chunkCount: number): void {
    this.chunks.length = chunkCount;
  }

  /** The output text, with spans given in chunk indexes turned into offsets in it. */
  build(chunkSpans: ReadonlyArray<[number, number]>): { xml: string; spans: Array<[number, number]> } {
    const offsets: number[] = [0];
    for (const chunk of this.chunks) offsets.push((offsets[offsets.length - 1] ?? 0) + chunk.length);
    const spans = chunkSpans.map(([from, to]): [number, number] => [offsets[from] ?? 0, offsets[to] ?? 0]);
    return { xml: this.chunks.join(''), spans };
  }
}
