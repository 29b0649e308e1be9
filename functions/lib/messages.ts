import type { FeedDefinition, FeedItem } from '../../src/core/feed';
import { boundedId } from '../../src/core/text-limits';
import { MalformedMessageError } from './batch';

/** The body of an analyze message: one feed item as the poller sent it. */
export function parseFeedItem(body: unknown): FeedItem {
  const item = stringFields(body, ['id', 'title', 'description', 'source'], 'item');
  // The poller bounded the id already; a message from elsewhere is bounded the same way (core/text-limits.ts).
  return { ...item, id: boundedId(item.id as string) } as unknown as FeedItem;
}

/** The body of an analyze message with the feed it came from, when the sender named one. */
export function parseItemMessage(body: unknown): { item: FeedItem; feedId: string | null } {
  const { feedId, ...item } = parseFeedItem(body) as FeedItem & { feedId?: unknown };
  return { item, feedId: typeof feedId === 'string' && feedId !== '' ? feedId : null };
}

/** The body of a poll message: one entry of the feed registry, nothing else kept. */
export function parseFeedDefinition(body: unknown): FeedDefinition {
  const feed = stringFields(body, ['id', 'url', 'name', 'publisher', 'language'], 'poll');
  return {
    id: feed.id as string,
    url: feed.url as string,
    name: feed.name as string,
    publisher: feed.publisher as string,
    language: feed.language as string,
  };
}

function stringFields(body: unknown, fields: readonly string[], kind: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null) throw new MalformedMessageError(`${kind} message is not an object`);
  const record = body as Record<string, unknown>;
  for (const field of fields) {
    if (typeof record[field] !== 'string') {
      throw new MalformedMessageError(`${kind} message lacks the string field ${field}`);
    }
  }
  return record;
}
