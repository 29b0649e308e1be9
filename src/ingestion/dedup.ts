import { createHash } from 'node:crypto';
import type { FeedItem } from '../core/feed';
import { canonicalLink } from './links';

/** Titles shorter than this ("Live", "Briefing") are too generic to mark two items as the same story. */
const MIN_TITLE_KEY_LENGTH = 16;
const MAX_KEY_LENGTH = 512;

export function normalizeTitleForDedup(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/**
 * Keys under which the store records an item so syndicated copies across feeds collapse into one:
 * the id (scoped to the source host unless it is itself a URL, since bare guids like "12345" collide
 * between sites), the canonical link, and the normalized title (the store bounds that one in time).
 */
export function itemDedupKeys(item: FeedItem): string[] {
  const keys: string[] = [];
  const idIsUrl = /^https?:\/\//i.test(item.id);
  let sourceHost = '';
  try {
    sourceHost = new URL(item.source).host;
  } catch {
    sourceHost = item.source;
  }
  keys.push(idIsUrl ? `id:${canonicalLink(item.id)}` : `id:${sourceHost}:${item.id}`);
  if (item.link) keys.push(`link:${canonicalLink(item.link)}`);
  const title = normalizeTitleForDedup(item.title);
  if (title.length >= MIN_TITLE_KEY_LENGTH) keys.push(`title:${shortHash(title)}`);
  // Keys go into a database key attribute; very long guids and links are hashed to stay within its limits.
  return [...new Set(keys)].map((key) =>
    key.length > MAX_KEY_LENGTH ? `${key.slice(0, key.indexOf(':'))}#${shortHash(key)}` : key,
  );
}
