import { stripControlCharacters } from '../core/plain-text';
import { clipText } from '../core/text-limits';

/**
 * HTML named references seen in feeds; XML only predefines five, so these must be translated before parsing.
 * A Map, so that `&constructor;` or `&toString;` in a feed finds nothing instead of Object.prototype's methods.
 */
const NAMED_ENTITIES: ReadonlyMap<string, number> = new Map(
  Object.entries({
    amp: 38,
    lt: 60,
    gt: 62,
    quot: 34,
    apos: 39,
    nbsp: 160,
    iexcl: 161,
    cent: 162,
    pound: 163,
    euro: 8364,
    yen: 165,
    sect: 167,
    copy: 169,
    laquo: 171,
    raquo: 187,
    reg: 174,
    deg: 176,
    plusmn: 177,
    middot: 183,
    para: 182,
    frac12: 189,
    times: 215,
    divide: 247,
    ndash: 8211,
    mdash: 8212,
    lsquo: 8216,
    rsquo: 8217,
    sbquo: 8218,
    ldquo: 8220,
    rdquo: 8221,
    bdquo: 8222,
    dagger: 8224,
    bull: 8226,
    hellip: 8230,
    prime: 8242,
    lsaquo: 8249,
    rsaquo: 8250,
    trade: 8482,
    thinsp: 8201,
    ensp: 8194,
    emsp: 8195,
    zwnj: 8204,
    zwj: 8205,
    shy: 173,
    acute: 180,
    uml: 168,
    ordm: 186,
    ordf: 170,
    aacute: 225,
    eacute: 233,
    iacute: 237,
    oacute: 243,
    uacute: 250,
    agrave: 224,
    egrave: 232,
    ccedil: 231,
    ntilde: 241,
    ouml: 246,
    uuml: 252,
    auml: 228,
    szlig: 223,
    Eacute: 201,
    Aacute: 193,
    Ouml: 214,
    Uuml: 220,
    Auml: 196,
    larr: 8592,
    rarr: 8594,
    uarr: 8593,
    darr: 8595,
    hearts: 9829,
    check: 10003,
  }),
);

const XML_PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

function isAllowedCodePoint(code: number): boolean {
  if (code === 0x9 || code === 0xa || code === 0xd) return true;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  return code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffe && code !== 0xffff;
}

const AMPERSAND_REFERENCE = /&(?:(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});)?/g;

/** The code point of a numeric reference's body: "#8217" or "#x2019". */
function numericReferenceCode(reference: string): number {
  return reference[1] === 'x' || reference[1] === 'X'
    ? Number.parseInt(reference.slice(2), 16)
    : Number.parseInt(reference.slice(1), 10);
}

/**
 * Makes the ampersands of raw XML text well-formed: a bare `&` becomes `&amp;`, HTML-only named
 * references become numeric ones, references to forbidden code points are dropped.
 */
export function repairAmpersands(xmlText: string): string {
  return xmlText.replace(AMPERSAND_REFERENCE, (whole, reference: string | undefined) => {
    if (reference === undefined) return '&amp;';
    if (reference.charCodeAt(0) === 35 /* # */) return isAllowedCodePoint(numericReferenceCode(reference)) ? whole : '';
    if (XML_PREDEFINED.has(reference)) return whole;
    const code = NAMED_ENTITIES.get(reference);
    return code === undefined ? `&amp;${reference};` : `&#${code};`;
  });
}

/**
 * The character data an XML parser makes of raw text after repairAmpersands, in one step: references
 * decoded, a bare `&` kept as itself, an unknown name kept as written, forbidden code points dropped.
 */
export function decodeXmlText(xmlText: string): string {
  if (!xmlText.includes('&')) return xmlText;
  return xmlText.replace(AMPERSAND_REFERENCE, (whole, reference: string | undefined) => {
    if (reference === undefined) return '&';
    const code =
      reference.charCodeAt(0) === 35 /* # */ ? numericReferenceCode(reference) : NAMED_ENTITIES.get(reference);
    if (code === undefined) return whole;
    return isAllowedCodePoint(code) ? String.fromCodePoint(code) : '';
  });
}

const ANY_REFERENCE = /&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ANY_REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    const code =
      decimal !== undefined
        ? Number.parseInt(decimal, 10)
        : hex !== undefined
          ? Number.parseInt(hex, 16)
          : NAMED_ENTITIES.get(name ?? '');
    if (code === undefined) return whole;
    return isAllowedCodePoint(code) ? String.fromCodePoint(code) : '';
  });
}

/**
 * One pass over the markup: comments and invisible elements (with their contents) and every tag.
 * Groups: 1 = invisible element name, 2 = tag name.
 */
const MARKUP =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[|\]\]>|<(script|style|noscript|template|iframe)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)|<\/?([A-Za-z][A-Za-z0-9]*)\b[^>]*>/gi;
// Block-level tags separate words; inline ones (<b>, <a>, <span>) sit inside words and sentences.
const BLOCK_ELEMENTS = new Set(
  'p br div li ul ol h1 h2 h3 h4 h5 h6 tr td th table blockquote section article header footer figure figcaption hr pre dd dt dl'.split(
    ' ',
  ),
);
// Runs of whitespace and lone non-space whitespace. A lone space, by far the most common case, is
// never matched, which makes this pass several times cheaper than replacing every /\s+/.
const WHITESPACE_TO_FOLD = /\s{2,}|[^\S ]/g;

function replaceMarkup(_whole: string, invisible: string | undefined, tagName: string | undefined): string {
  if (invisible !== undefined || tagName === undefined) return ' ';
  return BLOCK_ELEMENTS.has(tagName.toLowerCase()) ? ' ' : '';
}

/** Entity decoding rounds: text HTML-escaped twice (or three times) turns into markup again when decoded. */
const MAX_DECODING_ROUNDS = 3;

/** Markup-free, entity-decoded, single-spaced text. */
export function htmlToPlainText(html: string): string {
  // Controls go first: a NUL inside a tag ('<\0title>') would otherwise hide it from the markup pattern.
  let text = stripControlCharacters(html);
  let decodedAny = false;
  for (let round = 0; round < MAX_DECODING_ROUNDS; round += 1) {
    if (text.includes('<')) text = text.replace(MARKUP, replaceMarkup);
    if (!text.includes('&')) break;
    const decoded = decodeHtmlEntities(text);
    if (decoded === text) break;
    text = decoded;
    decodedAny = true;
  }
  if (decodedAny) {
    // Whatever the last decoding produced is stripped too; deeper escaping stays as harmless entity text.
    if (text.includes('<')) text = text.replace(MARKUP, replaceMarkup);
    // References may spell invisible formatting characters (&#x200B;, &#x202E;) that decoding lets through.
    text = stripControlCharacters(text);
  }
  return text.replace(WHITESPACE_TO_FOLD, ' ').trim();
}

/**
 * xml2js hands back strings, `{ _: text, $: attrs }` objects, or nested element objects (Atom
 * xhtml). Collects the text in document order as far as xml2js kept it, ignoring attributes.
 */
export function flattenXmlValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(flattenXmlValue).join(' ');
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === '$') continue;
      parts.push(flattenXmlValue(child));
    }
    return parts.join(' ');
  }
  return '';
}

/** Feed text cut to a stored size: the one text policy, without an ellipsis (the item's link keeps the rest). */
export const truncateText = (text: string, maxChars: number): string => clipText(text, maxChars, { ellipsis: '' });
