import { FeedError } from './errors';
import { type FeedFormat, type PreparedXml, RENAMED_ITEM_FIELDS } from './prepared-xml';
import { repairAmpersands } from './text';
import { ItemTracker } from './xml-items';
import { findDeclarationEnd, findTagEnd, formatOfRoot, isNameStart, localName, readName } from './xml-markup';
import { XmlOutput } from './xml-output';

const ITEM_LOCAL_NAMES = new Set(['item', 'entry']);
/** Atom dates: rss-parser turns them into ISO strings with a call that throws on a bad value. */
const DATE_LOCAL_NAMES = new Set(['published', 'updated']);

const XHTML_TYPE = /\stype\s*=\s*["']xhtml["']/;
const CDATA_MARKERS = /<!\[CDATA\[|\]\]>/g;
const XML_LANG = /\sxml:lang\s*=\s*["']([^"']*)["']/;

/**
 * One linear pass over the decoded text that runs before the XML parser: it refuses what must never
 * reach the parser (entity declarations, runaway nesting, non-feeds) and repairs what real feeds
 * get wrong (bare `&`, HTML entities, stray or mismatched tags, truncation) so one bad item never
 * costs the others. The output keeps untouched stretches whole (`xml-output.ts`); items and their
 * lifted fields are tracked in `xml-items.ts`.
 */
export function prepareFeedXml(text: string, maxDepth: number): PreparedXml {
  return new FeedXmlScanner(text, maxDepth).run();
}

/** Returned by the markup handlers instead of a position: scanning ends here. */
const STOP = -1;

/** State of one preflight pass; a class so its helpers are shared methods rather than per-call closures. */
class FeedXmlScanner {
  private readonly output: XmlOutput;
  private readonly items: ItemTracker;
  private readonly stack: string[] = [];
  /** Output names of the open elements, where renaming made them differ from the source names. */
  private readonly outputNames: string[] = [];
  private format: FeedFormat | null = null;
  private renames: ReadonlyMap<string, string> = new Map();
  private rootLanguage: string | null = null;
  private hasChannel = false;
  /** Where the text of an open Atom date element starts, or -1. */
  private dateTextStart = -1;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    this.output = new XmlOutput(text);
    this.items = new ItemTracker(text, this.output);
  }

  run(): PreparedXml {
    return this.finish(this.scan());
  }

  /** The main loop: text between tags, then the markup at each `<`. Returns where scanning stopped. */
  private scan(): number {
    const text = this.text;
    let position = 0;
    while (position < text.length) {
      const open = text.indexOf('<', position);
      if (open === -1) {
        this.handleText(position, text.length);
        return text.length;
      }
      if (open > position) this.handleText(position, open);
      const next = this.markupAt(open);
      if (next === STOP) return open;
      position = next;
    }
    return position;
  }

  private handleText(from: number, to: number): void {
    if (this.stack.length === 0) {
      if (this.format === null) {
        const segment = this.text.slice(from, to).trim();
        if (segment !== '') {
          const looksJson = segment[0] === '{' || segment[0] === '[';
          throw new FeedError('not_a_feed', looksJson ? 'the body is JSON, not a feed' : 'the body is not XML');
        }
      }
      this.output.replace(from, to, '');
      return;
    }
    if (this.output.needsAmpersandRepair(from, to)) {
      this.output.replace(from, to, repairAmpersands(this.text.slice(from, to)));
    }
  }

  /** The markup starting at `open`, by its second character. Returns where scanning goes on, or STOP. */
  private markupAt(open: number): number {
    const next = this.text.charCodeAt(open + 1);
    if (next === 33 /* ! */) return this.declarationAt(open);
    if (next === 63 /* ? */) {
      // Processing instructions, including the XML declaration whose encoding no longer applies to decoded text.
      const end = this.text.indexOf('?>', open + 2);
      if (end === -1) return STOP;
      this.output.replace(open, end + 2, '');
      return end + 2;
    }
    if (next === 47 /* / */) return this.closeTagAt(open);
    if (!isNameStart(next)) {
      // A literal `<` in text ("a < b").
      if (this.stack.length > 0) this.output.replace(open, open + 1, '&lt;');
      return open + 1;
    }
    return this.openTagAt(open);
  }

  /** Comments, CDATA sections and DOCTYPEs. */
  private declarationAt(open: number): number {
    const text = this.text;
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end === -1) return STOP;
      this.output.replace(open, end + 3, '');
      return end + 3;
    }
    if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open + 9);
      if (end === -1) return STOP;
      if (this.stack.length === 0) this.output.replace(open, end + 3, '');
      return end + 3;
    }
    const end = findDeclarationEnd(text, open);
    const declaration = text.slice(open, end === -1 ? text.length : end);
    // Entity declarations are how billion-laughs and external-entity attacks start; no feed needs them.
    if (/<!ENTITY/i.test(declaration)) {
      throw new FeedError('parse', 'DOCTYPE with ENTITY declarations refused');
    }
    if (/^<!DOCTYPE\s+html\b/i.test(declaration)) {
      throw new FeedError('not_a_feed', 'the body is an HTML page, not a feed');
    }
    if (end === -1) return STOP;
    this.output.replace(open, end, '');
    return end;
  }

  private closeOpenElement(): string {
    return `</${this.outputNames.pop()}>`;
  }

  private closeTagAt(open: number): number {
    const text = this.text;
    const end = findTagEnd(text, open);
    if (end === -1) return STOP;
    const name = readName(text, open + 2);
    const depth = this.stack.lastIndexOf(name);
    // A close tag nobody opened is dropped; one that skips open elements closes them first.
    if (depth === -1) {
      this.output.replace(open, end, '');
      return end;
    }
    this.checkDateText(open, depth, name);
    const closers: string[] = [];
    while (this.stack.length > depth + 1) {
      this.stack.pop();
      closers.push(this.closeOpenElement());
    }
    this.stack.pop();
    const outputName = this.outputNames.pop();
    if (closers.length > 0 || outputName !== name)
      this.output.replace(open, end, `${closers.join('')}</${outputName}>`);
    const item = this.items.open;
    if (item !== null && this.stack.length <= item.depth) this.items.complete(end, depth);
    if (this.stack.length === 0) {
      this.output.finishAt(end);
      return STOP;
    }
    return end;
  }

  /** Empties an Atom date element closing at `open` whose text Date cannot read. */
  private checkDateText(open: number, depth: number, name: string): void {
    if (this.dateTextStart !== -1 && depth === this.stack.length - 1 && DATE_LOCAL_NAMES.has(localName(name))) {
      const raw = this.text.slice(this.dateTextStart, open).replace(CDATA_MARKERS, '').trim();
      if (Number.isNaN(Date.parse(raw))) this.output.replace(this.dateTextStart, open, '');
    }
    this.dateTextStart = -1;
  }

  private openTagAt(open: number): number {
    const text = this.text;
    const end = findTagEnd(text, open);
    if (end === -1) return this.unclosedTagAt(open);
    const name = readName(text, open + 1);
    if (this.format === null) this.readRoot(name, open, end);
    else if (this.stack.length === 0) return STOP;
    const selfClosing = text.charCodeAt(end - 2) === 47;
    const inItem = this.items.open !== null;
    const renamed = this.renamedItemChild(name);
    const local = localName(name);
    if (!selfClosing) {
      const after = this.openContentTag(open, end, { name, local, renamed, inItem });
      if (after !== undefined) return after;
    }
    if (renamed !== undefined) this.items.keep(renamed);
    this.copyTag(open, end, name, renamed);
    if (this.stack.length === 1 && local === 'channel') this.hasChannel = true;
    if (selfClosing) return this.selfClosedAt(end);
    return this.pushElement(name, renamed ?? name, local, end);
  }

  /** A `<` with no tag end after it: escaped inside the document, or the document was cut inside the tag. */
  private unclosedTagAt(open: number): number {
    // No later `<` at all means the document was cut inside this tag.
    if (this.text.indexOf('<', open + 1) === -1) return STOP;
    if (this.stack.length > 0) this.output.replace(open, open + 1, '&lt;');
    return open + 1;
  }

  /** The name a direct child of the open item is renamed to when it is a field we read; otherwise undefined. */
  private renamedItemChild(name: string): string | undefined {
    const item = this.items.open;
    return item !== null && this.stack.length === item.depth + 1 ? this.renames.get(name) : undefined;
  }

  /**
   * What an element with content may need before its tag is copied: xhtml carried as HTML, the start of an item,
   * a field lifted out whole. The position to go on from when that dealt with the element, else undefined.
   */
  private openContentTag(
    open: number,
    end: number,
    tag: { name: string; local: string; renamed: string | undefined; inItem: boolean },
  ): number | undefined {
    if (this.format === 'atom' && XHTML_TYPE.test(this.text.slice(open, end))) {
      const after = this.carryXhtmlAsHtml(open, end, tag.name, tag.renamed);
      if (after !== STOP) return after;
    }
    if (ITEM_LOCAL_NAMES.has(tag.local) && !tag.inItem) this.items.start(open, this.stack.length);
    if (tag.renamed !== undefined && this.items.lift(open, end, tag.name, tag.renamed)) return this.output.position;
    return undefined;
  }

  /** A self-closing tag: the document goes on, unless it was the root, which then is the whole document. */
  private selfClosedAt(end: number): number {
    if (this.stack.length > 0) return end;
    this.output.finishAt(end);
    return STOP;
  }

  private pushElement(name: string, outputName: string, local: string, end: number): number {
    this.stack.push(name);
    this.outputNames.push(outputName);
    if (this.stack.length > this.maxDepth) {
      throw new FeedError('parse', `elements nested deeper than ${this.maxDepth} levels`);
    }
    if (DATE_LOCAL_NAMES.has(local)) this.dateTextStart = end;
    return end;
  }

  private readRoot(name: string, open: number, end: number): void {
    this.format = formatOfRoot(name);
    this.renames = RENAMED_ITEM_FIELDS[this.format];
    this.rootLanguage = XML_LANG.exec(this.text.slice(open, end))?.[1] ?? null;
  }

  /** The tag [open, end) as the parser must see it: renamed if it is a field we read, ampersands repaired. */
  private copyTag(open: number, end: number, name: string, renamed: string | undefined): void {
    const tagHasAmpersand = this.output.needsAmpersandRepair(open, end);
    if (!tagHasAmpersand && renamed === undefined) return;
    let tag = this.text.slice(open, end);
    if (renamed !== undefined) tag = `<${renamed}${tag.slice(name.length + 1)}`;
    this.output.replace(open, end, tagHasAmpersand ? repairAmpersands(tag) : tag);
  }

  /**
   * xml2js splits mixed content into keyed children and loses word order ("Kyiv the proposal accepts"); carrying
   * the xhtml as escaped HTML keeps it intact for the plain-text conversion. STOP when it has no close tag.
   */
  private carryXhtmlAsHtml(open: number, end: number, name: string, renamed: string | undefined): number {
    const close = this.text.indexOf(`</${name}>`, end);
    if (close === -1) return STOP;
    const outputName = renamed ?? name;
    if (renamed !== undefined) this.items.keep(renamed);
    const inner = this.text.slice(end, close).replaceAll(']]>', ']]]]><![CDATA[>');
    const after = close + name.length + 3;
    this.output.replace(open, after, `<${outputName} type="html"><![CDATA[${inner}]]></${outputName}>`);
    return after;
  }

  /** Closes what a truncated document left open and turns chunk spans into offsets. */
  private finish(stoppedAt: number): PreparedXml {
    if (this.format === null) {
      throw new FeedError('not_a_feed', this.text.trim() === '' ? 'the body is empty' : 'no XML root element found');
    }
    const rootClosed = this.stack.length === 0;
    const droppedItems = rootClosed ? 0 : this.closeTruncated(stoppedAt);
    const { xml, spans } = this.output.build(this.items.chunkSpans);
    return {
      xml,
      format: this.format,
      rootLanguage: this.rootLanguage,
      droppedItems,
      rootClosed,
      lastItemClosedByAncestor: this.items.lastClosedByAncestor,
      hasChannel: this.hasChannel,
      itemSpans: spans,
      itemSourceSpans: this.items.sourceSpans,
      liftedFields: this.items.liftedFields,
    };
  }

  /** Truncated document: drops the unfinished item, then closes whatever is still open. Returns items dropped. */
  private closeTruncated(stoppedAt: number): number {
    const itemDepth = this.items.dropUnfinished();
    if (itemDepth !== null) {
      this.stack.length = itemDepth;
      this.outputNames.length = itemDepth;
    } else {
      // Scanning stopped at the start of the unfinished construct; everything before it is kept.
      this.output.flush(stoppedAt);
    }
    while (this.stack.length > 0) {
      this.stack.pop();
      this.output.append(this.closeOpenElement());
    }
    return itemDepth === null ? 0 : 1;
  }
}
