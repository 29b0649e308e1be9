/**
 * Character-level readers the preflight scanner uses at a known position of the decoded text. Each looks at as
 * little of the text as it can: the scanner makes one linear pass and these must not turn it into a quadratic one.
 */
import { FeedError } from './errors';
import type { FeedFormat } from './prepared-xml';
import { decodeXmlText } from './text';

export function localName(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon === -1 ? qualifiedName : qualifiedName.slice(colon + 1);
}

export function isNameStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 58 || code >= 0xc0;
}

/** Index just past the `>` that ends the tag starting at `start`, skipping `>` inside quoted attribute values. */
export function findTagEnd(text: string, start: number): number {
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
export function findDeclarationEnd(text: string, start: number): number {
  let depth = 0;
  for (let index = start + 2; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 34 || code === 39) {
      index = closingQuoteOf(text, index);
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

/** Where the literal quoted at `open` ends (nothing inside it counts); the text's length when it never does. */
function closingQuoteOf(text: string, open: number): number {
  const close = text.indexOf(text.charAt(open), open + 1);
  return close === -1 ? text.length : close;
}

/** The five references XML predefines, at a position just after `&`; sticky, so it tests that spot only. */
const PREDEFINED_REFERENCE = /(?:amp|lt|gt|quot|apos);/y;

/**
 * Whether any `&` in [from, to) is something other than a predefined XML reference. Most feeds
 * escape correctly, and this check is far cheaper than running the repair regex to change nothing.
 */
export function needsAmpersandRepair(text: string, from: number, to: number): boolean {
  for (let index = from; index !== -1 && index < to; index = text.indexOf('&', index + 1)) {
    PREDEFINED_REFERENCE.lastIndex = index + 1;
    if (!PREDEFINED_REFERENCE.test(text)) return true;
  }
  return false;
}

export function readName(text: string, start: number): string {
  let end = start;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code === 32 || code === 9 || code === 10 || code === 13 || code === 47 || code === 62) break;
    end++;
  }
  return text.slice(start, end);
}

export function formatOfRoot(rootName: string): FeedFormat {
  const name = localName(rootName);
  if (rootName === 'rss') return 'rss';
  if (name === 'RDF') return 'rdf';
  if (name === 'feed') return 'atom';
  if (name.toLowerCase() === 'html') throw new FeedError('not_a_feed', 'the body is an HTML page, not a feed');
  throw new FeedError('not_a_feed', `root element <${rootName}> is not RSS, RDF or Atom`);
}

/**
 * Where the content starting at `from` ends, if it is only text and CDATA sections up to `closeTag`: the index of
 * that close tag. -1 when an element, comment or stray `<` comes first, or the document ends.
 */
export function textOnlyContentEnd(text: string, from: number, closeTag: string): number {
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
export function decodeTextAndCdata(text: string, from: number, to: number): string {
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
