import { hash } from 'node:crypto';
import Parser from 'rss-parser';
import type { FeedItem } from '../core/feed';
import { stripControlCharacters } from '../core/plain-text';
import { boundedId } from '../core/text-limits';
import { decodeFeedBody } from './decode';
import { FeedError } from './errors';
import { canonicalLink, safeHttpLink } from './links';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions } from './options';
import {
  type FeedFormat,
  keepItems,
  LIFTED_PLACEHOLDER,
  type LiftedFields,
  type PreparedXml,
  RAW_FIELD,
  RENAMED_ITEM_FIELDS,
} from './prepared-xml';
import { flattenXmlValue, htmlToPlainText, truncateText } from './text';
import type { DocumentEnding } from './truncation';
import { prepareFeedXml } from './xml-preflight';

export interface ParsedFeedInfo {
  title: string;
  /** Primary language subtag of the feed, when it declares one. */
  language: string | null;
  /** URL the document was fetched from. */
  url: string;
  /** RSS <ttl> in minutes, a hint for the next poll. */
  ttlMinutes: number | null;
}

export interface ParsedFeedDocument {
  feed: ParsedFeedInfo;
  items: FeedItem[];
  /** Items dropped: unusable (no title, text or link), duplicate ids, or cut off by truncation. */
  skippedItems: number;
  /** Entries left unparsed because the previous document carried them character for character. */
  unchangedEntries: number;
  /** Digests of this document's entries (at most MAX_ENTRY_DIGESTS, first ones first), for the next poll. */
  entryDigests: string[];
  /** What the preflight saw of the document's end, for deciding whether it was cut short (truncation.ts). */
  ending: DocumentEnding;
}

/** How many entry digests a document keeps: a little more than the longest feeds carry. */
export const MAX_ENTRY_DIGESTS = 300;

/** 12 hex characters of the entry's SHA-1: small enough to keep hundreds per feed, collisions negligible per feed. */
export function entryDigest(entryXml: string): string {
  return sha1(entryXml).slice(0, 12);
}

export type ParseOptions = Pick<FetchOptions, 'maxNestingDepth' | 'maxContentChars'>;

const MAX_TITLE_CHARS = 1_000;
const MAX_DESCRIPTION_CHARS = 5_000;

type RawItem = Record<string, unknown>;

const CUSTOM_ITEM_FIELDS = [
  LIFTED_PLACEHOLDER,
  ...new Set(Object.values(RENAMED_ITEM_FIELDS).flatMap((renames) => [...renames.values()])),
];

function rawString(value: unknown): string {
  return flattenXmlValue(value).trim();
}

/** "en-GB" → "en"; anything that isn't a language tag → null. */
export function primaryLanguage(raw: unknown): string | null {
  const text = rawString(raw).toLowerCase();
  const match = /^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$/.exec(text);
  return match?.[1] ?? null;
}

/**
 * An RSS <pubDate>, read the way rss-parser reads it (Date's own parser), or rss-parser's isoDate, which it makes
 * from <dc:date> when there is no <pubDate>, and from Atom's <published> or <updated>. isoDate comes from
 * toISOString, so it is valid whenever present; it is absent for unreadable dates.
 */
function publishedOf(raw: RawItem, pubDate: unknown): string | null {
  const text = rawString(pubDate);
  if (text !== '') {
    const time = new Date(text);
    return Number.isNaN(time.getTime()) ? null : time.toISOString();
  }
  return typeof raw.isoDate === 'string' && raw.isoDate !== '' ? raw.isoDate : null;
}

/** One-shot hashing: a hasher object per entry costs more than hashing the entry itself. */
function sha1(text: string): string {
  return hash('sha1', text, 'hex');
}

/**
 * A renamed field of an item: its lifted text, or what rss-parser made of the element where the preflight left it
 * in the XML because it held markup.
 */
function renamedField(raw: RawItem, lifted: LiftedFields | undefined, field: string): unknown {
  return lifted?.get(field) ?? raw[field];
}

type FieldReader = (name: string) => unknown;

/** Reads an item's fields by their renamed names, from the lifted text when the preflight lifted it. */
function fieldReader(raw: RawItem, liftedFields: readonly LiftedFields[]): FieldReader {
  // The preflight renamed these item children so rss-parser hands them over raw (see RENAMED_ITEM_FIELDS).
  const placeholder = raw[LIFTED_PLACEHOLDER];
  const lifted = placeholder === undefined ? undefined : liftedFields[Number(placeholder)];
  return (name: string) => renamedField(raw, lifted, name);
}

/** The item's title, description and full content as plain text; the first two bounded in length. */
function itemTexts(
  raw: RawItem,
  format: FeedFormat,
  field: FieldReader,
): { title: string; description: string; content: string } {
  const atom = format === 'atom';
  // raw.title: rss-parser copies <dc:title> there when an item has no <title>.
  const title = truncateText(htmlToPlainText(rawString(field(RAW_FIELD.title) ?? raw.title)), MAX_TITLE_CHARS);
  const descriptionSource = atom
    ? (field(RAW_FIELD.summary) ?? field(RAW_FIELD.content))
    : (field(RAW_FIELD.description) ?? raw.summary);
  const description = truncateText(htmlToPlainText(rawString(descriptionSource)), MAX_DESCRIPTION_CHARS);
  const contentSource = atom ? field(RAW_FIELD.content) : field(RAW_FIELD.encoded);
  const content = contentSource === undefined ? '' : htmlToPlainText(rawString(contentSource));
  return { title, description, content };
}

/** The id the item declares (Atom <id>, RSS <guid>, RDF about), without control and bidi characters. */
function declaredItemId(raw: RawItem, format: FeedFormat, field: FieldReader): string {
  // Ids are printed and keyed on, so they lose control and bidi characters as the text fields do.
  const declared = format === 'atom' ? field(RAW_FIELD.id) : field(RAW_FIELD.guid);
  return stripControlCharacters(rawString(declared) || rawString(raw['rdf:about']));
}

/** The declared id scoped to the feed, else the canonical link, else a digest of the title and date. */
function itemKey(
  declaredId: string,
  sourceHost: string,
  fallback: { link: string | null; title: string; published: string | null },
): string {
  if (declaredId) return globalItemId(declaredId, sourceHost);
  if (fallback.link) return canonicalLink(fallback.link);
  return `sha1:${sha1(`${fallback.title}\n${fallback.published ?? ''}`)}`;
}

function normalizeItem(
  raw: RawItem,
  format: FeedFormat,
  source: { url: string; host: string; liftedFields: readonly LiftedFields[] },
  feedLanguage: string | null,
  options: ParseOptions,
): FeedItem | null {
  const sourceUrl = source.url;
  const field = fieldReader(raw, source.liftedFields);
  const { title, description, content } = itemTexts(raw, format, field);
  const link = safeHttpLink(rawString(format === 'atom' ? raw.link : field(RAW_FIELD.link)) || null, sourceUrl);
  if (!title && !description && !link) return null;
  const published = publishedOf(raw, format === 'atom' ? undefined : field(RAW_FIELD.pubDate));
  // Bounded in bytes here, at the entrance: the id goes into keys, queue messages and alerts (core/text-limits.ts).
  const id = boundedId(itemKey(declaredItemId(raw, format, field), source.host, { link, title, published }));
  const item: FeedItem = {
    id,
    title,
    description,
    link,
    published,
    source: sourceUrl,
    language: primaryLanguage(raw.language) ?? feedLanguage,
  };
  if (content) item.content = truncateText(content, options.maxContentChars);
  return item;
}

/**
 * Item ids key the store, so they must be unique across feeds. A guid with a URI scheme (a URL, urn:, tag:) is;
 * a bare one such as "12345" repeats between outlets, so it is scoped to the feed's host.
 */
function globalItemId(declaredId: string, sourceHost: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(declaredId) ? declaredId : `${sourceHost}/${declaredId}`;
}

/** The feed's host, once per document; an unparseable source still scopes ids by its text. */
function hostOf(sourceUrl: string): string {
  try {
    return new URL(sourceUrl).host;
  } catch {
    return sourceUrl;
  }
}

type ParsedXmlFeed = Record<string, unknown> & { items?: RawItem[] };

async function parseXml(xml: string): Promise<ParsedXmlFeed> {
  // A fresh parser per document: xml2js keeps state between calls and one failed parse must not poison the next.
  // defaultRSS: an <rss> root without a version attribute (common in old feeds) is read as RSS 2.0.
  return (await new Parser({ customFields: { item: CUSTOM_ITEM_FIELDS }, defaultRSS: 2 }).parseString(
    xml,
  )) as unknown as ParsedXmlFeed;
}

function parseFailure(error: unknown): FeedError {
  return new FeedError('parse', `feed XML could not be parsed: ${(error as Error).message.split('\n')[0]}`);
}

/**
 * Parses the whole document; if the parser refuses it, tries each item alone inside the feed's own
 * head and tail and parses again with only the items that passed, so a malformed item (an unquoted
 * attribute, a duplicate one) costs itself and not the feed.
 */
async function parseKeepingGoodItems(prepared: PreparedXml): Promise<{ parsed: ParsedXmlFeed; rejectedItems: number }> {
  try {
    return { parsed: await parseXml(prepared.xml), rejectedItems: 0 };
  } catch (error) {
    const spans = prepared.itemSpans;
    const first = spans[0];
    const last = spans[spans.length - 1];
    if (first === undefined || last === undefined) throw parseFailure(error);
    const head = prepared.xml.slice(0, first[0]);
    const tail = prepared.xml.slice(last[1]);
    const goodItems: string[] = [];
    for (const [from, to] of spans) {
      const item = prepared.xml.slice(from, to);
      try {
        await parseXml(head + item + tail);
        goodItems.push(item);
      } catch {
        // This item is the problem (or one of them); leave it out.
      }
    }
    try {
      return {
        parsed: await parseXml(head + goodItems.join('') + tail),
        rejectedItems: spans.length - goodItems.length,
      };
    } catch {
      // The fault is outside the items (channel head or tail): nothing can be trusted.
      throw parseFailure(error);
    }
  }
}

function parseTtl(raw: unknown): number | null {
  const minutes = Number(rawString(raw));
  return Number.isFinite(minutes) && minutes > 0 ? minutes : null;
}

/**
 * Decodes, checks, repairs and parses one feed document, then normalizes its items. Throws
 * FeedError ('decode', 'not_a_feed', 'parse') when the document as a whole is unusable; a bad
 * item only costs itself. Entries whose digest is in `knownEntries` (the previous document's) are
 * left out before parsing: a changed feed mostly repeats entries that were handed on already.
 */
export async function parseFeedDocument(
  body: Uint8Array,
  contentType: string | null,
  sourceUrl: string,
  options: ParseOptions = DEFAULT_FETCH_OPTIONS,
  knownEntries: ReadonlySet<string> = new Set(),
): Promise<ParsedFeedDocument> {
  const text = decodeFeedBody(body, contentType);
  const whole = prepareFeedXml(text, options.maxNestingDepth);
  if (whole.format !== 'atom' && !whole.hasChannel) {
    throw new FeedError('not_a_feed', `an <${whole.format === 'rss' ? 'rss' : 'RDF'}> root without a <channel>`);
  }
  // Entries past the cap are never remembered, so never known: no digest needed. Digests are of the source text:
  // the prepared XML holds placeholders for lifted text, which say nothing of its content.
  const digests = whole.itemSourceSpans
    .slice(0, MAX_ENTRY_DIGESTS)
    .map(([from, to]) => entryDigest(text.slice(from, to)));
  const known = digests.map((digest) => knownEntries.has(digest));
  const unchangedEntries = known.filter(Boolean).length;
  const prepared = unchangedEntries > 0 ? keepItems(whole, (index) => !known[index]) : whole;
  const { parsed, rejectedItems } = await parseKeepingGoodItems(prepared);
  const feedLanguage = primaryLanguage(parsed.language) ?? primaryLanguage(prepared.rootLanguage);
  const items: FeedItem[] = [];
  const seenIds = new Set<string>();
  let skippedItems = prepared.droppedItems + rejectedItems;
  const source = { url: sourceUrl, host: hostOf(sourceUrl), liftedFields: prepared.liftedFields };
  for (const raw of parsed.items ?? []) {
    const item = normalizeItem(raw, prepared.format, source, feedLanguage, options);
    if (item === null || seenIds.has(item.id)) {
      skippedItems++;
      continue;
    }
    seenIds.add(item.id);
    items.push(item);
  }
  return {
    feed: {
      title: truncateText(htmlToPlainText(rawString(parsed.title)), MAX_TITLE_CHARS),
      language: feedLanguage,
      url: sourceUrl,
      ttlMinutes: parseTtl(parsed.ttl),
    },
    items,
    skippedItems,
    unchangedEntries,
    entryDigests: digests,
    ending: {
      rootClosed: whole.rootClosed,
      lastItemClosedByAncestor: whole.lastItemClosedByAncestor,
      entries: whole.itemSourceSpans.length,
    },
  };
}
