import { FeedError } from './errors';
import { decodeXmlText, repairAmpersands } from './text';

export type FeedFormat = 'rss' | 'rdf' | 'atom';

export interface PreparedXml {
  /** Well-formed XML for the parser: no declaration, no DOCTYPE, ampersands repaired, tags balanced. */
  xml: string;
  format: FeedFormat;
  /** xml:lang of the root element, if any. */
  rootLanguage: string | null;
  /** Items lost to truncation of the document. */
  droppedItems: number;
  /** Whether the root element's end was reached; false for a document cut short (then closed here). */
  rootClosed: boolean;
  /**
   * Whether the last complete item ended at an ancestor's close tag instead of its own, as when a body cut inside
   * an item had the channel's end appended after the cut.
   */
  lastItemClosedByAncestor: boolean;
  /** Whether the root has a <channel> child, without which RSS 0.9x, 1.0 and 2.0 carry no items at all. */
  hasChannel: boolean;
  /** [start, end) of every complete item in `xml`, so a parse failure can be narrowed down to the items at fault. */
  itemSpans: Array<[number, number]>;
  /** The same items' [start, end) in the decoded source text: what they were, before any lifting or repair. */
  itemSourceSpans: Array<[number, number]>;
  /** Text fields taken out of `xml`, per item; the item's `<_swl>` placeholder holds its index here. */
  liftedFields: LiftedFields[];
}

/**
 * An item's renamed children that held only text and CDATA, by renamed name (a RAW_FIELD value), decoded here.
 * The XML keeps one placeholder element per item instead of them: the parser skips what is usually most of an
 * item's characters (escaped or CDATA HTML), which sax reads one at a time, and one element per field.
 */
export type LiftedFields = Map<string, string>;

const ITEM_LOCAL_NAMES = new Set(['item', 'entry']);
/** Atom dates: rss-parser turns them into ISO strings with a call that throws on a bad value. */
const DATE_LOCAL_NAMES = new Set(['published', 'updated']);

function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58 || code >= 0xc0;
}

/** Index just past the `>` that ends the tag starting at `start`, skipping `>` inside quoted attribute values. */
function findTagEnd(text: string, start: number): number {
  let quote = 0;
  for (let index = start + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 34 || code === 39) {
      quote = code;
    } else if (code === 62) {
      return index + 1;
    } else if (code === 60) {
      // A `<` before the `>`: the tag was never closed (truncated or not markup at all).
      return -1;
    }
  }
  return -1;
}

/** End of a `<!...>` declaration, including a DOCTYPE internal subset in brackets. */
function findDeclarationEnd(text: string, start: number): number {
  let depth = 0;
  let quote = 0;
  for (let index = start + 2; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 34 || code === 39) {
      quote = code;
    } else if (code === 91) {
      depth++;
    } else if (code === 93) {
      depth--;
    } else if (code === 62 && depth <= 0) {
      return index + 1;
    }
  }
  return -1;
}

/** The five references XML predefines, at a position just after `&`; sticky, so it tests that spot only. */
const PREDEFINED_REFERENCE = /(?:amp|lt|gt|quot|apos);/y;

/**
 * Whether any `&` in [from, to) is something other than a predefined XML reference. Most feeds
 * escape correctly, and this check is far cheaper than running the repair regex to change nothing.
 */
function needsAmpersandRepair(text: string, from: number, to: number): boolean {
  for (let index = from; index !== -1 && index < to; index = text.indexOf('&', index + 1)) {
    PREDEFINED_REFERENCE.lastIndex = index + 1;
    if (!PREDEFINED_REFERENCE.test(text)) return true;
  }
  return false;
}

function readName(text: string, start: number): string {
  let end = start;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === 32 || code === 9 || code === 10 || code === 13 || code === 47 || code === 62) break;
    end++;
  }
  return text.slice(start, end);
}

function formatOfRoot(rootName: string): FeedFormat {
  const name = localName(rootName);
  if (rootName === 'rss') return 'rss';
  if (name === 'RDF') return 'rdf';
  if (name === 'feed') return 'atom';
  if (name.toLowerCase() === 'html') throw new FeedError('not_a_feed', 'the body is an HTML page, not a feed');
  throw new FeedError('not_a_feed', `root element <${rootName}> is not RSS, RDF or Atom`);
}

const XHTML_TYPE = /\stype\s*=\s*["']xhtml["']/;
const CDATA_MARKERS = /<!\[CDATA\[|\]\]>/g;
const XML_LANG = /\sxml:lang\s*=\s*["']([^"']*)["']/;

/** What the preflight renames item children to: short, as sax tests every character of a tag name on its own. */
export const RAW_FIELD = {
  title: '_swt',
  link: '_swk',
  guid: '_swg',
  pubDate: '_swp',
  id: '_swi',
  summary: '_sws',
  description: '_swd',
  encoded: '_swe',
  content: '_swc',
} as const;

/** The element standing in for an item's lifted fields; its text is the index into PreparedXml.liftedFields. */
export const LIFTED_PLACEHOLDER = '_swl';

/**
 * The item children storywatch reads as text, renamed before parsing. Those holding only text and CDATA are
 * lifted (see LiftedFields); the others (markup inside) reach rss-parser under these names and come back as raw
 * custom fields. Either way rss-parser never builds its HTML "snippets" of the bodies, with a slow regex
 * stripper whose output we would not use (it keeps <script> contents); the plain text is made once, by
 * htmlToPlainText.
 */
const RSS_RENAMES: ReadonlyMap<string, string> = new Map([
  ['title', RAW_FIELD.title],
  ['link', RAW_FIELD.link],
  ['guid', RAW_FIELD.guid],
  ['pubDate', RAW_FIELD.pubDate],
  ['description', RAW_FIELD.description],
  ['content:encoded', RAW_FIELD.encoded],
]);

export const RENAMED_ITEM_FIELDS: Readonly<Record<FeedFormat, ReadonlyMap<string, string>>> = {
  rss: RSS_RENAMES,
  // rss-parser reads RSS 1.0 items with its RSS 2.0 item code, so the same fields mean the same there.
  rdf: RSS_RENAMES,
  // Not Atom's <link>: its URL is an attribute, which rss-parser reads (and picks rel="alternate").
  atom: new Map([
    ['title', RAW_FIELD.title],
    ['id', RAW_FIELD.id],
    ['summary', RAW_FIELD.summary],
    ['content', RAW_FIELD.content],
  ]),
};

function renamedTag(tag: string, name: string, renamed: string): string {
  return `<${renamed}${tag.slice(name.length + 1)}`;
}

/**
 * Where the content starting at `from` ends, if it is only text and CDATA sections up to `closeTag`: the index of
 * that close tag. -1 when an element, comment or stray `<` comes first, or the document ends.
 */
function textOnlyContentEnd(text: string, from: number, closeTag: string): number {
  let position = from;
  for (;;) {
    const open = text.indexOf('<', position);
    if (open === -1) return -1;
    if (!text.startsWith('<![CDATA[', open)) return text.startsWith(closeTag, open) ? open : -1;
    const cdataEnd = text.indexOf(']]>', open + 9);
    if (cdataEnd === -1) return -1;
    position = cdataEnd + 3;
  }
}

/**
 * Text and CDATA sections as the parser would hand them over: references decoded outside CDATA only.
 * [from, to) is content textOnlyContentEnd accepted, so every `<` in it opens a complete CDATA section.
 */
function decodeTextAndCdata(text: string, from: number, to: number): string {
  let decoded = '';
  let position = from;
  for (;;) {
    // Searching for `<` stops at the close tag at the latest; searching for `<![CDATA[` would run on to the end.
    const cdata = text.indexOf('<', position);
    if (cdata >= to) return decoded + decodeXmlText(text.slice(position, to));
    decoded += decodeXmlText(text.slice(position, cdata));
    const cdataEnd = text.indexOf(']]>', cdata + 9);
    decoded += text.slice(cdata + 9, cdataEnd);
    position = cdataEnd + 3;
  }
}

/**
 * One linear pass over the decoded text that runs before the XML parser: it refuses what must never
 * reach the parser (entity declarations, runaway nesting, non-feeds) and repairs what real feeds
 * get wrong (bare `&`, HTML entities, stray or mismatched tags, truncation) so one bad item never
 * costs the others. Untouched stretches are copied in one piece when the next change comes.
 */
export function prepareFeedXml(text: string, maxDepth: number): PreparedXml {
  return new FeedXmlScanner(text).run(maxDepth);
}

/** Where an item opened: its first chunk in `out`, its depth in the element stack, its offset in the source. */
interface OpenItem {
  outLength: number;
  depth: number;
  source: number;
}

/** Returned by the markup handlers instead of a position: scanning ends here. */
const STOP = -1;

/** State of one preflight pass; a class so its helpers are shared methods rather than per-call closures. */
class FeedXmlScanner {
  private readonly out: string[] = [];
  private readonly stack: string[] = [];
  /** Output names of the open elements, where renaming made them differ from the source names. */
  private readonly outputNames: string[] = [];
  private readonly liftedFields: LiftedFields[] = [];
  /** Renamed fields of the open item met so far, lifted or not: only the first of each kind is lifted. */
  private itemFields: LiftedFields | null = null;
  private itemRenamedSeen = new Set<string>();
  private format: FeedFormat | null = null;
  private renames: ReadonlyMap<string, string> = new Map();
  private rootLanguage: string | null = null;
  private item: OpenItem | null = null;
  /** Chunk indexes of `out` bounding each complete item; turned into text offsets at the end. */
  private readonly itemChunkSpans: Array<[number, number]> = [];
  private readonly itemSourceSpans: Array<[number, number]> = [];
  private lastItemClosedByAncestor = false;
  private hasChannel = false;
  /** Where the text of an open Atom date element starts, or -1. */
  private dateTextStart = -1;
  /** Source text before this index is already in `out` or deliberately dropped. */
  private copied = 0;
  /**
   * Positions only move forward, so the next `&` is found once and reused: asking indexOf from every
   * tag would rescan the rest of the document each time in a feed with few ampersands.
   */
  private nextAmpersand: number;

  constructor(private readonly text: string) {
    this.nextAmpersand = text.indexOf('&');
  }

  run(maxDepth: number): PreparedXml {
    return this.finish(this.scan(maxDepth));
  }

  /** The main loop: text between tags, then the markup at each `<`. Returns where scanning stopped. */
  private scan(maxDepth: number): number {
    const text = this.text;
    let position = 0;
    while (position < text.length) {
      const open = text.indexOf('<', position);
      if (open === -1) {
        this.handleText(position, text.length);
        return text.length;
      }
      if (open > position) this.handleText(position, open);
      const next = this.markupAt(open, maxDepth);
      if (next === STOP) return open;
      position = next;
    }
    return position;
  }

  private hasAmpersand(from: number, to: number): boolean {
    if (this.nextAmpersand !== -1 && this.nextAmpersand < from) this.nextAmpersand = this.text.indexOf('&', from);
    return this.nextAmpersand !== -1 && this.nextAmpersand < to;
  }

  private flush(upTo: number): void {
    if (upTo > this.copied) this.out.push(this.text.slice(this.copied, upTo));
    this.copied = upTo;
  }

  private replace(from: number, to: number, replacement: string): void {
    this.flush(from);
    if (replacement !== '') this.out.push(replacement);
    this.copied = to;
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
      this.replace(from, to, '');
      return;
    }
    if (this.hasAmpersand(from, to) && needsAmpersandRepair(this.text, this.nextAmpersand, to)) {
      this.replace(from, to, repairAmpersands(this.text.slice(from, to)));
    }
  }

  /** The markup starting at `open`, by its second character. Returns where scanning goes on, or STOP. */
  private markupAt(open: number, maxDepth: number): number {
    const next = this.text.charCodeAt(open + 1);
    if (next === 33 /* ! */) return this.declarationAt(open);
    if (next === 63 /* ? */) {
      // Processing instructions, including the XML declaration whose encoding no longer applies to decoded text.
      const end = this.text.indexOf('?>', open + 2);
      if (end === -1) return STOP;
      this.replace(open, end + 2, '');
      return end + 2;
    }
    if (next === 47 /* / */) return this.closeTagAt(open);
    if (!isNameStart(next)) {
      // A literal `<` in text ("a < b").
      if (this.stack.length > 0) this.replace(open, open + 1, '&lt;');
      return open + 1;
    }
    return this.openTagAt(open, maxDepth);
  }

  /** Comments, CDATA sections and DOCTYPEs. */
  private declarationAt(open: number): number {
    const text = this.text;
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end === -1) return STOP;
      this.replace(open, end + 3, '');
      return end + 3;
    }
    if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open + 9);
      if (end === -1) return STOP;
      if (this.stack.length === 0) this.replace(open, end + 3, '');
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
    this.replace(open, end, '');
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
      this.replace(open, end, '');
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
    if (closers.length > 0 || outputName !== name) this.replace(open, end, `${closers.join('')}</${outputName}>`);
    if (this.item !== null && this.stack.length <= this.item.depth) this.completeItem(this.item, end, depth);
    if (this.stack.length === 0) {
      this.flush(end);
      this.copied = text.length;
      return STOP;
    }
    return end;
  }

  /** Empties an Atom date element closing at `open` whose text Date cannot read. */
  private checkDateText(open: number, depth: number, name: string): void {
    if (this.dateTextStart !== -1 && depth === this.stack.length - 1 && DATE_LOCAL_NAMES.has(localName(name))) {
      const raw = this.text.slice(this.dateTextStart, open).replace(CDATA_MARKERS, '').trim();
      if (Number.isNaN(Date.parse(raw))) this.replace(this.dateTextStart, open, '');
    }
    this.dateTextStart = -1;
  }

  /** `closedDepth` is the stack index of the element whose close tag ended the item: lower than its own when cut. */
  private completeItem(item: OpenItem, end: number, closedDepth: number): void {
    this.flush(end);
    this.itemChunkSpans.push([item.outLength, this.out.length]);
    this.itemSourceSpans.push([item.source, end]);
    this.lastItemClosedByAncestor = closedDepth < item.depth;
    this.item = null;
  }

  private openTagAt(open: number, maxDepth: number): number {
    const text = this.text;
    const end = findTagEnd(text, open);
    if (end === -1) {
      // No later `<` at all means the document was cut inside this tag.
      if (text.indexOf('<', open + 1) === -1) return STOP;
      if (this.stack.length > 0) this.replace(open, open + 1, '&lt;');
      return open + 1;
    }
    const name = readName(text, open + 1);
    if (this.format === null) this.readRoot(name, open, end);
    else if (this.stack.length === 0) return STOP;
    const selfClosing = text.charCodeAt(end - 2) === 47;
    const isItemChild = this.item !== null && this.stack.length === this.item.depth + 1;
    const renamed = isItemChild ? this.renames.get(name) : undefined;
    if (!selfClosing && this.format === 'atom' && XHTML_TYPE.test(text.slice(open, end))) {
      const after = this.carryXhtmlAsHtml(open, end, name, renamed);
      if (after !== STOP) return after;
    }
    const local = localName(name);
    if (!selfClosing && ITEM_LOCAL_NAMES.has(local) && this.item === null) this.openItem(open);
    if (renamed !== undefined && !selfClosing && this.liftField(open, end, name, renamed)) return this.copied;
    if (renamed !== undefined) this.itemRenamedSeen.add(renamed);
    this.copyTag(open, end, name, renamed);
    if (this.stack.length === 1 && local === 'channel') this.hasChannel = true;
    if (selfClosing) {
      if (this.stack.length > 0) return end;
      // A root that closes itself: the whole document.
      this.flush(end);
      this.copied = text.length;
      return STOP;
    }
    this.stack.push(name);
    this.outputNames.push(renamed ?? name);
    if (this.stack.length > maxDepth) throw new FeedError('parse', `elements nested deeper than ${maxDepth} levels`);
    if (DATE_LOCAL_NAMES.has(local)) this.dateTextStart = end;
    return end;
  }

  private readRoot(name: string, open: number, end: number): void {
    this.format = formatOfRoot(name);
    this.renames = RENAMED_ITEM_FIELDS[this.format];
    this.rootLanguage = XML_LANG.exec(this.text.slice(open, end))?.[1] ?? null;
  }

  private openItem(open: number): void {
    this.flush(open);
    this.item = { outLength: this.out.length, depth: this.stack.length, source: open };
    this.itemFields = null;
    this.itemRenamedSeen.clear();
  }

  /** The tag [open, end) as the parser must see it: renamed if it is a field we read, ampersands repaired. */
  private copyTag(open: number, end: number, name: string, renamed: string | undefined): void {
    const text = this.text;
    const tagHasAmpersand = this.hasAmpersand(open, end) && needsAmpersandRepair(text, this.nextAmpersand, end);
    if (!tagHasAmpersand && renamed === undefined) return;
    let tag = text.slice(open, end);
    if (renamed !== undefined) tag = renamedTag(tag, name, renamed);
    this.replace(open, end, tagHasAmpersand ? repairAmpersands(tag) : tag);
  }

  /**
   * xml2js splits mixed content into keyed children and loses word order ("Kyiv the proposal accepts"); carrying
   * the xhtml as escaped HTML keeps it intact for the plain-text conversion. STOP when it has no close tag.
   */
  private carryXhtmlAsHtml(open: number, end: number, name: string, renamed: string | undefined): number {
    const close = this.text.indexOf(`</${name}>`, end);
    if (close === -1) return STOP;
    const outputName = renamed ?? name;
    if (renamed !== undefined) this.itemRenamedSeen.add(renamed);
    const inner = this.text.slice(end, close).replaceAll(']]>', ']]]]><![CDATA[>');
    const after = close + name.length + 3;
    this.replace(open, after, `<${outputName} type="html"><![CDATA[${inner}]]></${outputName}>`);
    return after;
  }

  /**
   * Takes the item child opening at [open, end) out of the XML if it is the item's first of its kind and holds only
   * text and CDATA: its decoded text goes to the item's LiftedFields, and the item's placeholder takes the place of
   * its first lifted child. Returns whether it did; `copied` is then just past the child's close tag.
   */
  private liftField(open: number, end: number, name: string, renamed: string): boolean {
    if (this.itemRenamedSeen.has(renamed)) return false;
    const closeTag = `</${name}>`;
    const contentEnd = textOnlyContentEnd(this.text, end, closeTag);
    if (contentEnd === -1) return false;
    this.itemRenamedSeen.add(renamed);
    let placeholder = '';
    if (this.itemFields === null) {
      this.itemFields = new Map();
      const index = this.liftedFields.push(this.itemFields) - 1;
      placeholder = `<${LIFTED_PLACEHOLDER}>${index}</${LIFTED_PLACEHOLDER}>`;
    }
    this.itemFields.set(renamed, decodeTextAndCdata(this.text, end, contentEnd));
    this.replace(open, contentEnd + closeTag.length, placeholder);
    return true;
  }

  /** Closes what a truncated document left open and turns chunk spans into offsets. */
  private finish(stoppedAt: number): PreparedXml {
    if (this.format === null) {
      throw new FeedError('not_a_feed', this.text.trim() === '' ? 'the body is empty' : 'no XML root element found');
    }
    const rootClosed = this.stack.length === 0;
    let droppedItems = 0;
    if (!rootClosed) {
      // Truncated document: drop the unfinished item, then close whatever is still open.
      if (this.item !== null) {
        this.out.length = this.item.outLength;
        this.stack.length = this.item.depth;
        this.outputNames.length = this.item.depth;
        droppedItems = 1;
      } else {
        // Scanning stopped at the start of the unfinished construct; everything before it is kept.
        this.flush(stoppedAt);
      }
      while (this.stack.length > 0) {
        this.stack.pop();
        this.out.push(this.closeOpenElement());
      }
    }
    const chunkOffsets: number[] = [0];
    for (const chunk of this.out) chunkOffsets.push((chunkOffsets[chunkOffsets.length - 1] ?? 0) + chunk.length);
    const itemSpans = this.itemChunkSpans.map(([from, to]): [number, number] => [
      chunkOffsets[from] ?? 0,
      chunkOffsets[to] ?? 0,
    ]);
    return {
      xml: this.out.join(''),
      format: this.format,
      rootLanguage: this.rootLanguage,
      droppedItems,
      rootClosed,
      lastItemClosedByAncestor: this.lastItemClosedByAncestor,
      hasChannel: this.hasChannel,
      itemSpans,
      itemSourceSpans: this.itemSourceSpans,
      liftedFields: this.liftedFields,
    };
  }
}

/**
 * The same document with only the items `keep` accepts (by position among itemSpans); everything between and
 * around the items stays as it was, and the spans are those of the new text.
 */
export function keepItems(prepared: PreparedXml, keep: (index: number) => boolean): PreparedXml {
  const parts: string[] = [];
  const itemSpans: Array<[number, number]> = [];
  const itemSourceSpans: Array<[number, number]> = [];
  let cursor = 0;
  let length = 0;
  const append = (text: string) => {
    parts.push(text);
    length += text.length;
  };
  prepared.itemSpans.forEach(([from, to], index) => {
    append(prepared.xml.slice(cursor, from));
    cursor = to;
    if (!keep(index)) return;
    const start = length;
    append(prepared.xml.slice(from, to));
    itemSpans.push([start, length]);
    const source = prepared.itemSourceSpans[index];
    if (source !== undefined) itemSourceSpans.push(source);
  });
  append(prepared.xml.slice(cursor));
  return { ...prepared, xml: parts.join(''), itemSpans, itemSourceSpans };
}
