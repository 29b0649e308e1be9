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

  private closeOpenElement(): string {
    return `</${this.outputNames.pop()}>`;
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

  run(maxDepth: number): PreparedXml {
    const text = this.text;
    const length = text.length;
    let renames: ReadonlyMap<string, string> = new Map();
    let rootLanguage: string | null = null;
    let itemStart: { outLength: number; depth: number; source: number } | null = null;
    /** Chunk indexes of `out` bounding each complete item; turned into text offsets at the end. */
    const itemChunkSpans: Array<[number, number]> = [];
    const itemSourceSpans: Array<[number, number]> = [];
    let dateTextStart = -1;
    let position = 0;

    while (position < length) {
      const open = text.indexOf('<', position);
      if (open === -1) {
        this.handleText(position, length);
        position = length;
        break;
      }
      if (open > position) this.handleText(position, open);
      position = open;
      const next = text.charCodeAt(open + 1);

      if (next === 33 /* ! */) {
        if (text.startsWith('<!--', open)) {
          const end = text.indexOf('-->', open + 4);
          if (end === -1) break;
          this.replace(open, end + 3, '');
          position = end + 3;
          continue;
        }
        if (text.startsWith('<![CDATA[', open)) {
          const end = text.indexOf(']]>', open + 9);
          if (end === -1) break;
          if (this.stack.length === 0) this.replace(open, end + 3, '');
          position = end + 3;
          continue;
        }
        const end = findDeclarationEnd(text, open);
        const declaration = text.slice(open, end === -1 ? length : end);
        // Entity declarations are how billion-laughs and external-entity attacks start; no feed needs them.
        if (/<!ENTITY/i.test(declaration)) {
          throw new FeedError('parse', 'DOCTYPE with ENTITY declarations refused');
        }
        if (/^<!DOCTYPE\s+html\b/i.test(declaration)) {
          throw new FeedError('not_a_feed', 'the body is an HTML page, not a feed');
        }
        if (end === -1) break;
        this.replace(open, end, '');
        position = end;
        continue;
      }

      if (next === 63 /* ? */) {
        // Processing instructions, including the XML declaration whose encoding no longer applies to decoded text.
        const end = text.indexOf('?>', open + 2);
        if (end === -1) break;
        this.replace(open, end + 2, '');
        position = end + 2;
        continue;
      }

      if (next === 47 /* / */) {
        const end = findTagEnd(text, open);
        if (end === -1) break;
        const name = readName(text, open + 2);
        position = end;
        const depth = this.stack.lastIndexOf(name);
        // A close tag nobody opened is dropped; one that skips open elements closes them first.
        if (depth === -1) {
          this.replace(open, end, '');
          continue;
        }
        const local = localName(name);
        if (dateTextStart !== -1 && depth === this.stack.length - 1 && DATE_LOCAL_NAMES.has(local)) {
          const raw = text.slice(dateTextStart, open).replace(CDATA_MARKERS, '').trim();
          if (Number.isNaN(Date.parse(raw))) this.replace(dateTextStart, open, '');
        }
        dateTextStart = -1;
        const closers: string[] = [];
        while (this.stack.length > depth + 1) {
          this.stack.pop();
          closers.push(this.closeOpenElement());
        }
        this.stack.pop();
        const outputName = this.outputNames.pop();
        if (closers.length > 0 || outputName !== name) this.replace(open, end, `${closers.join('')}</${outputName}>`);
        if (itemStart !== null && this.stack.length <= itemStart.depth) {
          this.flush(end);
          itemChunkSpans.push([itemStart.outLength, this.out.length]);
          itemSourceSpans.push([itemStart.source, end]);
          itemStart = null;
        }
        if (this.stack.length === 0) {
          this.flush(end);
          this.copied = length;
          break;
        }
        continue;
      }

      if (!isNameStart(next)) {
        // A literal `<` in text ("a < b").
        if (this.stack.length > 0) this.replace(open, open + 1, '&lt;');
        position = open + 1;
        continue;
      }

      const end = findTagEnd(text, open);
      if (end === -1) {
        // No later `<` at all means the document was cut inside this tag.
        if (text.indexOf('<', open + 1) === -1) break;
        if (this.stack.length > 0) this.replace(open, open + 1, '&lt;');
        position = open + 1;
        continue;
      }
      const name = readName(text, open + 1);
      position = end;
      if (this.format === null) {
        this.format = formatOfRoot(name);
        renames = RENAMED_ITEM_FIELDS[this.format];
        rootLanguage = XML_LANG.exec(text.slice(open, end))?.[1] ?? null;
      } else if (this.stack.length === 0) {
        break;
      }
      const selfClosing = text.charCodeAt(end - 2) === 47;
      const local = localName(name);
      const isItemChild = itemStart !== null && this.stack.length === itemStart.depth + 1;
      const renamed = isItemChild ? renames.get(name) : undefined;
      if (!selfClosing && this.format === 'atom' && XHTML_TYPE.test(text.slice(open, end))) {
        // xml2js splits mixed content into keyed children and loses word order ("Kyiv the proposal accepts");
        // carrying the xhtml as escaped HTML keeps it intact for the plain-text conversion.
        const close = text.indexOf(`</${name}>`, end);
        if (close !== -1) {
          const outputName = renamed ?? name;
          if (renamed !== undefined) this.itemRenamedSeen.add(renamed);
          const inner = text.slice(end, close).replaceAll(']]>', ']]]]><![CDATA[>');
          this.replace(
            open,
            close + name.length + 3,
            `<${outputName} type="html"><![CDATA[${inner}]]></${outputName}>`,
          );
          position = close + name.length + 3;
          continue;
        }
      }
      if (!selfClosing && ITEM_LOCAL_NAMES.has(local) && itemStart === null) {
        this.flush(open);
        itemStart = { outLength: this.out.length, depth: this.stack.length, source: open };
        this.itemFields = null;
        this.itemRenamedSeen.clear();
      }
      if (renamed !== undefined && !selfClosing && this.liftField(open, end, name, renamed)) {
        position = this.copied;
        continue;
      }
      if (renamed !== undefined) this.itemRenamedSeen.add(renamed);
      const tagHasAmpersand = this.hasAmpersand(open, end) && needsAmpersandRepair(text, this.nextAmpersand, end);
      if (tagHasAmpersand || renamed !== undefined) {
        let tag = text.slice(open, end);
        if (renamed !== undefined) tag = renamedTag(tag, name, renamed);
        this.replace(open, end, tagHasAmpersand ? repairAmpersands(tag) : tag);
      }
      if (selfClosing) continue;
      this.stack.push(name);
      this.outputNames.push(renamed ?? name);
      if (this.stack.length > maxDepth) throw new FeedError('parse', `elements nested deeper than ${maxDepth} levels`);
      if (DATE_LOCAL_NAMES.has(local)) dateTextStart = end;
    }

    if (this.format === null) {
      throw new FeedError('not_a_feed', text.trim() === '' ? 'the body is empty' : 'no XML root element found');
    }
    let droppedItems = 0;
    if (this.stack.length > 0) {
      // Truncated document: drop the unfinished item, then close whatever is still open.
      if (itemStart !== null) {
        this.out.length = itemStart.outLength;
        this.stack.length = itemStart.depth;
        this.outputNames.length = itemStart.depth;
        droppedItems = 1;
      } else {
        // Scanning stopped at the start of the unfinished construct; everything before it is kept.
        this.flush(position);
      }
      while (this.stack.length > 0) {
        this.stack.pop();
        this.out.push(this.closeOpenElement());
      }
    }
    const chunkOffsets: number[] = [0];
    for (const chunk of this.out) chunkOffsets.push((chunkOffsets[chunkOffsets.length - 1] ?? 0) + chunk.length);
    const itemSpans = itemChunkSpans.map(([from, to]): [number, number] => [
      chunkOffsets[from] ?? 0,
      chunkOffsets[to] ?? 0,
    ]);
    return {
      xml: this.out.join(''),
      format: this.format,
      rootLanguage,
      droppedItems,
      itemSpans,
      itemSourceSpans,
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
