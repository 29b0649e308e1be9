/**
 * What the preflight hands the parser: the prepared document and the names it gave the item children storywatch
 * reads, and `keepItems`, which cuts items out of it. How the pass builds it is in `xml-preflight.ts`.
 */

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
