/**
 * WebSub discovery (W3C WebSub §4): a publisher names its hubs and the topic's canonical URL either in HTTP `Link`
 * headers or in the document itself, as `<link rel="hub">` (Atom, or `<atom:link>` inside RSS) and
 * `<link rel="self">`. Headers win over the document, as the Recommendation asks. Only http(s) URLs are kept.
 */
import { decodeFeedBody } from '../ingestion/decode';

export interface HubDiscovery {
  hubs: string[];
  /** The topic URL to subscribe to (rel="self"); null when the publisher names none. */
  self: string | null;
}

/** Link header relations: `<https://hub.example/>; rel="hub", <https://x/feed>; rel="self"`. */
export function parseLinkHeader(value: string | string[] | null | undefined): { url: string; rels: string[] }[] {
  const texts = Array.isArray(value) ? value : value ? [value] : [];
  const links: { url: string; rels: string[] }[] = [];
  for (const text of texts) {
    for (const match of text.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]*)*)/g)) {
      const params = match[2] ?? '';
      const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
      const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
      links.push({ url: (match[1] ?? '').trim(), rels });
    }
  }
  return links;
}

function attribute(tag: string, name: string): string | null {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? null : decodeXmlAttribute(raw);
}

function decodeXmlAttribute(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/** `<link>` / `<atom:link>` elements carrying an href and a rel, before the first entry (feed-level links only). */
function documentLinks(xml: string): { url: string; rels: string[] }[] {
  const firstEntry = xml.search(/<(?:[\w-]+:)?(?:item|entry)[\s>]/i);
  const head = firstEntry === -1 ? xml : xml.slice(0, firstEntry);
  const links: { url: string; rels: string[] }[] = [];
  for (const match of head.matchAll(/<(?:[\w-]+:)?link\b[^>]*>/gi)) {
    const href = attribute(match[0], 'href');
    const rel = attribute(match[0], 'rel');
    if (href && rel) links.push({ url: href.trim(), rels: rel.toLowerCase().split(/\s+/) });
  }
  return links;
}

function absoluteHttpUrl(url: string, base: string): string | null {
  try {
    const resolved = new URL(url, base);
    return resolved.protocol === 'http:' || resolved.protocol === 'https:' ? resolved.href : null;
  } catch {
    return null;
  }
}

function pick(links: { url: string; rels: string[] }[], rel: string, base: string): string[] {
  const urls = links
    .filter((link) => link.rels.includes(rel))
    .map((link) => absoluteHttpUrl(link.url, base))
    .filter((url): url is string => url !== null);
  return [...new Set(urls)];
}

/** Hubs and self URL of a fetched feed. `feedUrl` resolves relative links. */
export function discoverHubs(input: {
  feedUrl: string;
  linkHeader?: string | string[] | null;
  document?: string | null;
}): HubDiscovery {
  const fromHeader = parseLinkHeader(input.linkHeader);
  const fromDocument = input.document ? documentLinks(input.document) : [];
  const headerHubs = pick(fromHeader, 'hub', input.feedUrl);
  const hubs = headerHubs.length > 0 ? headerHubs : pick(fromDocument, 'hub', input.feedUrl);
  const self = pick(fromHeader, 'self', input.feedUrl)[0] ?? pick(fromDocument, 'self', input.feedUrl)[0] ?? null;
  return { hubs, self };
}

/** Feed-level links come before the first entry; this much of a document is read for them. */
const HEAD_BYTES = 32 * 1024;

/**
 * The hub a polled document names, with the topic to subscribe to (its rel="self", else the URL it was fetched
 * from), or null. Only the head of the document is decoded: a hub is named before the first entry.
 */
export function hubOfPolledDocument(input: {
  feedUrl: string;
  linkHeader?: string | string[] | null;
  body: Uint8Array;
  contentType: string | null;
}): { hub: string; topic: string } | null {
  let head: string | null;
  try {
    head = decodeFeedBody(input.body.subarray(0, HEAD_BYTES), input.contentType);
  } catch {
    // The cut fell inside a character of a strict decoder; the Link header may still name a hub.
    head = null;
  }
  const found = discoverHubs({ feedUrl: input.feedUrl, linkHeader: input.linkHeader, document: head });
  const hub = found.hubs[0];
  return hub ? { hub, topic: found.self ?? input.feedUrl } : null;
}
