import { FeedError } from './errors';
import { repairAmpersands } from './text';

export type FeedFormat = 'rss' | 'rdf' | 'atom';

export interface PreparedXml {
  /** Well-formed XML for the parser: no declaration, no DOCTYPE, ampersands repaired, tags balanced. */
  xml: string;
  format: FeedFormat;
  /** xml:lang of the root element, if any. */
  rootLanguage: string | null;
  /** Items lost to truncation of the document. */
  droppedItems: number;
}

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

/**
 * One linear pass over the decoded text that runs before the XML parser: it refuses what must never
 * reach the parser (entity declarations, runaway nesting, non-feeds) and repairs what real feeds
 * get wrong (bare `&`, HTML entities, stray or mismatched tags, truncation) so one bad item never
 * costs the others.
 */
export function prepareFeedXml(text: string, maxDepth: number): PreparedXml {
  const out: string[] = [];
  const stack: string[] = [];
  let format: FeedFormat | null = null;
  let rootLanguage: string | null = null;
  let itemStart: { outLength: number; stack: string[] } | null = null;
  let dateTextStart = -1;
  let position = 0;
  const length = text.length;

  const emitText = (segment: string) => {
    if (stack.length === 0) {
      if (format === null && segment.trim() !== '') {
        const head = segment.trimStart().charAt(0);
        const looksJson = head === '{' || head === '[';
        throw new FeedError('not_a_feed', looksJson ? 'the body is JSON, not a feed' : 'the body is not XML');
      }
      return;
    }
    out.push(segment.includes('&') ? repairAmpersands(segment) : segment);
  };

  while (position < length) {
    const open = text.indexOf('<', position);
    if (open === -1) {
      emitText(text.slice(position));
      position = length;
      break;
    }
    if (open > position) emitText(text.slice(position, open));
    const next = text.charCodeAt(open + 1);

    if (next === 33 /* ! */) {
      if (text.startsWith('<!--', open)) {
        const end = text.indexOf('-->', open + 4);
        if (end === -1) break;
        position = end + 3;
        continue;
      }
      if (text.startsWith('<![CDATA[', open)) {
        const end = text.indexOf(']]>', open + 9);
        if (end === -1) break;
        if (stack.length > 0) out.push(text.slice(open, end + 3));
        position = end + 3;
        continue;
      }
      const end = findDeclarationEnd(text, open);
      const declaration = text.slice(open, end === -1 ? length : end);
      // Entity declarations are how billion-laughs and external-entity attacks start; no feed needs them.
      if (/<!ENTITY/i.test(declaration)) {
        throw new FeedError('parse', 'DOCTYPE with ENTITY declarations refused');
      }
      if (/^<!DOCTYPE\s+html\b/i.test(declaration))
        throw new FeedError('not_a_feed', 'the body is an HTML page, not a feed');
      if (end === -1) break;
      position = end;
      continue;
    }

    if (next === 63 /* ? */) {
      // Processing instructions, including the XML declaration whose encoding no longer applies to decoded text.
      const end = text.indexOf('?>', open + 2);
      if (end === -1) break;
      position = end + 2;
      continue;
    }

    if (next === 47 /* / */) {
      const end = findTagEnd(text, open);
      if (end === -1) break;
      const name = readName(text, open + 2);
      position = end;
      const depth = stack.lastIndexOf(name);
      // A close tag nobody opened is dropped; one that skips open elements closes them first.
      if (depth === -1) continue;
      while (stack.length > depth + 1) out.push(`</${stack.pop()}>`);
      stack.pop();
      const local = localName(name);
      if (DATE_LOCAL_NAMES.has(local) && dateTextStart !== -1) {
        const raw = out.slice(dateTextStart).join('').replace(CDATA_MARKERS, '').trim();
        if (Number.isNaN(Date.parse(raw))) out.length = dateTextStart;
        dateTextStart = -1;
      }
      out.push(`</${name}>`);
      if (ITEM_LOCAL_NAMES.has(local)) itemStart = null;
      if (stack.length === 0) break;
      continue;
    }

    if (!isNameStart(next)) {
      // A literal `<` in text ("a < b").
      if (stack.length > 0) out.push('&lt;');
      position = open + 1;
      continue;
    }

    const end = findTagEnd(text, open);
    if (end === -1) {
      // No later `<` at all means the document was cut inside this tag.
      if (text.indexOf('<', open + 1) === -1) break;
      if (stack.length > 0) out.push('&lt;');
      position = open + 1;
      continue;
    }
    const name = readName(text, open + 1);
    let tag = text.slice(open, end);
    position = end;
    if (format === null) {
      format = formatOfRoot(name);
      rootLanguage = XML_LANG.exec(tag)?.[1] ?? null;
    } else if (stack.length === 0) {
      break;
    }
    if (tag.includes('&')) tag = repairAmpersands(tag);
    const selfClosing = tag.charCodeAt(tag.length - 2) === 47;
    const local = localName(name);
    if (!selfClosing && format === 'atom' && XHTML_TYPE.test(tag)) {
      // xml2js splits mixed content into keyed children and loses word order ("Kyiv the proposal accepts");
      // carrying the xhtml as escaped HTML keeps it intact for the plain-text conversion.
      const close = text.indexOf(`</${name}>`, position);
      if (close !== -1) {
        const inner = text.slice(position, close);
        out.push(`<${name} type="html"><![CDATA[${inner.replaceAll(']]>', ']]]]><![CDATA[>')}]]></${name}>`);
        position = close + name.length + 3;
        continue;
      }
    }
    if (!selfClosing && ITEM_LOCAL_NAMES.has(local) && itemStart === null) {
      itemStart = { outLength: out.length, stack: stack.slice() };
    }
    out.push(tag);
    if (selfClosing) continue;
    stack.push(name);
    if (stack.length > maxDepth) throw new FeedError('parse', `elements nested deeper than ${maxDepth} levels`);
    if (DATE_LOCAL_NAMES.has(local)) dateTextStart = out.length;
  }

  if (format === null) {
    throw new FeedError('not_a_feed', text.trim() === '' ? 'the body is empty' : 'no XML root element found');
  }
  let droppedItems = 0;
  if (stack.length > 0) {
    // Truncated document: drop the unfinished item, then close whatever is still open.
    if (itemStart !== null) {
      out.length = itemStart.outLength;
      stack.length = 0;
      stack.push(...itemStart.stack);
      droppedItems = 1;
    }
    while (stack.length > 0) out.push(`</${stack.pop()}>`);
  }
  return { xml: out.join(''), format, rootLanguage, droppedItems };
}
