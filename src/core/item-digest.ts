import { createHash } from 'node:crypto';
import type { FeedItem } from './feed';

/**
 * A digest of everything a reader sees of an item: the same item delivered again (an SQS redelivery, a replay)
 * has the same digest, an item whose text the publisher edited has another, so its stored reading is not reused.
 * The fields go in a fixed order, so the digest does not depend on how the item object was built.
 */
export function itemDigest(item: FeedItem): string {
  const seen = [
    item.id,
    item.title,
    item.description,
    item.content ?? null,
    item.link,
    item.published,
    item.declaredPublished ?? null,
    item.source,
    item.language,
  ];
  return createHash('sha256').update(JSON.stringify(seen)).digest('hex').slice(0, 32);
}
