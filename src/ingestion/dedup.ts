import { createHash } from 'node:crypto';
import type { FeedItem } from '../core/feed';
import { BYTE_LIMITS, utf8Bytes } from '../core/text-limits';
import { canonicalLink } from './links';

/** Titles shorter than this ("Live", "Briefing") are too generic to mark two items as the same story. */
const MIN_TITLE_KEY_LENGTH = 16;

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
 * Keys under which the store records an item so syndicated copies across feeds collapse into one: the canonical
 * link and the normalized title (the store bounds that one in time). The id itself needs no key here: it is
 * globally unique (parse scopes bare guids by host) and the store keys the item's own row by it.
 */
export function itemDedupKeys(item: FeedItem): string[] {
  const keys: string[] = [];
  if (item.link) keys.push(`link:${canonicalLink(item.link)}`);
  const title = normalizeTitleForDedup(item.title);
  if (title.length >= MIN_TITLE_KEY_LENGTH) keys.push(`title:${shortHash(title)}`);
  // Keys go into a database key attribute; very long links are hashed to stay within its limits, counted in bytes
  // as DynamoDB counts them (for ASCII the same as the character count used before).
  return [...new Set(keys)].map((key) =>
    utf8Bytes(key) > BYTE_LIMITS.id ? `${key.slice(0, key.indexOf(':'))}#${shortHash(key)}` : key,
  );
}
