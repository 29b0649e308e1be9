import type { ReadingKey } from '../../core/ports/readings';
import { boundedId } from '../../core/text-limits';
import type { RowKey } from './attributes';

/**
 * Ids from feeds go into keys through `id`: one over BYTE_LIMITS.id is replaced by its head and hash, so every key
 * below stays within DynamoDB's 2,048-byte partition and 1,024-byte sort keys. Entrances bound item ids the same
 * way already (parse, replay, queue messages); this keeps any other caller within the limits too.
 */
const id = boundedId;

/** Partitions of the overloaded index gsi1 and of the sparse outbox index (layout in docs/data-model.md). */
export const PARTITIONS = { feeds: 'FEEDS', alerts: 'ALERTS', pending: 'PENDING', parked: 'PARKED' } as const;

export const storyPartition = (storyId: string) => `STORY#${id(storyId)}`;
export const partyPartition = (storyId: string, party: string) => `STORY#${id(storyId)}#PARTY#${id(party)}`;
/** gsi1 partition listing a story's follow-ups by the time they were recorded (the daily digest's read). */
export const recordedPartition = (storyId: string) => `FOLLOWUPS#${id(storyId)}`;
/** gsi1 partition listing the aliases (other sources) of an item. */
export const sourcesPartition = (canonicalId: string) => `SOURCES#${id(canonicalId)}`;
/** Stored model readings, one partition per item content: the rows a local store keeps when it starts over. */
export const READING_PARTITION_PREFIX = 'READING#';

/** The primary key of every kind of row. */
export const keys = {
  feed: (feedId: string): RowKey => ({ pk: `FEED#${id(feedId)}`, sk: 'STATE' }),
  dedup: (dedupKey: string): RowKey => ({ pk: `DEDUP#${id(dedupKey)}`, sk: 'DEDUP' }),
  item: (itemId: string): RowKey => ({ pk: `ITEM#${id(itemId)}`, sk: 'ITEM' }),
  profile: (storyId: string): RowKey => ({ pk: storyPartition(storyId), sk: 'PROFILE' }),
  stance: (storyId: string, party: string): RowKey => ({ pk: storyPartition(storyId), sk: `STANCE#${id(party)}` }),
  followUp: (storyId: string, published: string | null, itemId: string): RowKey => ({
    pk: storyPartition(storyId),
    sk: `FOLLOWUP#${published ?? ''}#${id(itemId)}`,
  }),
  history: (storyId: string, party: string, version: number, causeItemId: string): RowKey => ({
    pk: partyPartition(storyId, party),
    sk: `HISTORY#${String(version).padStart(8, '0')}#${id(causeItemId)}`,
  }),
  article: (storyId: string, party: string, published: string | null, itemId: string): RowKey => ({
    pk: partyPartition(storyId, party),
    sk: `ARTICLE#${published ?? ''}#${id(itemId)}`,
  }),
  alert: (alertId: string): RowKey => ({ pk: `ALERT#${id(alertId)}`, sk: 'ALERT' }),
  /** One channel's delivery state for the alert, in the alert's partition. */
  delivery: (alertId: string, channelId: string): RowKey => ({
    pk: `ALERT#${id(alertId)}`,
    sk: `DELIVERY#${id(channelId)}`,
  }),
  /** One channel's delivery state for the daily digest of a UTC day (YYYY-MM-DD), one partition per day. */
  digestDelivery: (day: string, channelId: string): RowKey => ({
    pk: `DIGEST#${id(day)}`,
    sk: `DELIVERY#${id(channelId)}`,
  }),
  /** A stored reading: one partition per item content, one row per story, reader and prompt version. */
  reading: (key: ReadingKey): RowKey => ({
    pk: `${READING_PARTITION_PREFIX}${key.itemDigest}`,
    sk: `${id(key.storyId)}#${id(key.reader)}#${key.promptVersion}`,
  }),
  /** A WebSub subscription, by our id for it (the end of its callback URL). */
  subscription: (subscriptionId: string): RowKey => ({ pk: `WEBSUB#${id(subscriptionId)}`, sk: 'SUBSCRIPTION' }),
  /** A story's model-reading budget: one partition per story, one counter row per UTC day (YYYY-MM-DD). */
  readingBudget: (storyId: string, day: string): RowKey => ({ pk: `BUDGET#${id(storyId)}`, sk: `DAY#${day}` }),
};

/** Partitions of the due-time index: feeds spread over a few so no single partition takes every tick's writes. */
export const DUE_SHARDS = 4;
export const dueShard = (shard: number) => `DUE#${shard}`;

/** The shard of a feed: a stable FNV-1a hash of its id. */
export function dueShardOf(feedId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < feedId.length; index += 1) {
    hash ^= feedId.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % DUE_SHARDS;
}

/** Rows of the due-time index: a feed's place in its shard, its pointer to that place, the registration mark. */
export const dueKeys = {
  entry: (feedId: string, dueAt: string): RowKey => ({
    pk: dueShard(dueShardOf(feedId)),
    sk: `${dueAt}#${id(feedId)}`,
  }),
  pointer: (feedId: string): RowKey => ({ pk: `FEED#${id(feedId)}`, sk: 'DUE' }),
  registry: (): RowKey => ({ pk: 'REGISTRY', sk: 'DUE' }),
};

/** The story-heat row: follow-ups of the last hour by item id. */
export const heatKey = (): RowKey => ({ pk: 'HEAT', sk: 'FOLLOWUPS' });

/** One partition listing the stories whose hosted pages a failed publish left stale, one row per story. */
export const STALE_SITES_PARTITION = 'SITE#STALE';
export const staleSiteKey = (storyId: string): RowKey => ({ pk: STALE_SITES_PARTITION, sk: `STORY#${id(storyId)}` });
