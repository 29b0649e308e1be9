import type { FeedItem } from './feed';

/** Clock skew forgiven without a flag: a publisher's clock a few minutes fast is not a forged date. */
export const FUTURE_TOLERANCE_MS = 10 * 60_000;

/**
 * The item as it may be stored at `now`: a published time later than the clock becomes the clock's time, so no
 * stored time is ever later than the clock and one item dated 2099 cannot make a stance "since 2099". When the
 * time lay beyond the tolerance too, the feed's own value is kept in `declaredPublished` as the flag.
 */
export function boundPublishedTime(item: FeedItem, now: Date, toleranceMs = FUTURE_TOLERANCE_MS): FeedItem {
  if (item.published === null) return item;
  const publishedMs = Date.parse(item.published);
  if (!(publishedMs > now.getTime())) return item;
  const bounded: FeedItem = { ...item, published: now.toISOString() };
  if (publishedMs > now.getTime() + toleranceMs) bounded.declaredPublished = item.published;
  return bounded;
}

/** Whether boundPublishedTime moved this item's time back to the clock's by more than the tolerance. */
export function isFutureDated(item: FeedItem): boolean {
  return item.declaredPublished !== undefined;
}
