import { LIFTED_PLACEHOLDER, type LiftedFields } from './prepared-xml';
import { decodeTextAndCdata, textOnlyContentEnd } from './xml-markup';
import type { XmlOutput } from './xml-output';

/** Where an item opened: its first chunk in the output, its depth in the element stack, its offset in the source. */
export interface OpenItem {
  outLength: number;
  depth: number;
  source: number;
}

/**
 * The preflight's bookkeeping of items: where each complete one lies in the output and in the source, and which
 * of its renamed children were lifted out of the XML. The scanner says when an item opens and closes.
 */
export class ItemTracker {
  readonly liftedFields: LiftedFields[] = [];
  /** Chunk indexes of the output bounding each complete item; turned into text offsets at the end. */
  readonly chunkSpans: Array<[number, number]> = [];
  readonly sourceSpans: Array<[number, number]> = [];
  lastClosedByAncestor = false;
  private current: OpenItem | null = null;
  /** Lifted fields of the open item, created with its first lifted child. */
  private fields: LiftedFields | null = null;
  /** Renamed fields of the open item met so far, lifted or not: only the first of each kind is lifted. */
  private readonly renamedSeen = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly output: XmlOutput,
  ) {}

  get open(): OpenItem | null {
    return this.current;
  }

  /** An item element opens at `open`, at stack depth `depth`. */
  start(open: number, depth: number): void {
    this.output.flush(open);
    this.current = { outLength: this.output.chunkCount, depth, source: open };
    this.fields = null;
    this.renamedSeen.clear();
  }

  /** `closedDepth` is the stack index of the element whose close tag ended the item: lower than its own when cut. */
  complete(end: number, closedDepth: number): void {
    const item = this.current;
    if (item === null) return;
    this.output.flush(end);
    this.chunkSpans.push([item.outLength, this.output.chunkCount]);
    this.sourceSpans.push([item.source, end]);
    this.lastClosedByAncestor = closedDepth < item.depth;
    this.current = null;
  }

  /** A truncated document ends inside the open item: its output is dropped. Returns its depth, or null. */
  dropUnfinished(): number | null {
    const item = this.current;
    if (item === null) return null;
    this.output.truncate(item.outLength);
    this.current = null;
    return item.depth;
  }

  /** A renamed child of the open item stays in the XML; a later one of its kind is not lifted either. */
  keep(renamed: string): void {
    this.renamedSeen.add(renamed);
  }

  /**
   * Takes the item child opening at [open, end) out of the XML if it is the item's first of its kind and holds only
   * text and CDATA: its decoded text goes to the item's LiftedFields, and the item's placeholder takes the place of
   * its first lifted child. Returns whether it did; the output's position is then just past the child's close tag.
   */
  lift(open: number, end: number, name: string, renamed: string): boolean {
    if (this.renamedSeen.has(renamed)) return false;
    const closeTag = `</${name}>`;
    const contentEnd = textOnlyContentEnd(this.text, end, closeTag);
    if (contentEnd === -1) return false;
    this.renamedSeen.add(renamed);
    let placeholder = '';
    if (this.fields === null) {
      this.fields = new Map();
      const index = this.liftedFields.push(this.fields) - 1;
      placeholder = `<${LIFTED_PLACEHOLDER}>${index}</${LIFTED_PLACEHOLDER}>`;
    }
    this.fields.set(renamed, decodeTextAndCdata(this.text, end, contentEnd));
    this.output.replace(open, contentEnd + closeTag.length, placeholder);
    return true;
  }
}
