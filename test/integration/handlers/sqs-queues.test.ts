import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSqsFeedQueue, createSqsItemQueue } from '../../../src/adapters/sqs/queues';
import type { FeedDefinition, FeedItem } from '../../../src/core/feed';
import { startSqsLoopback } from '../../support/sqs-loopback';

let sqs: Awaited<ReturnType<typeof startSqsLoopback>>;

beforeAll(async () => {
  sqs = await startSqsLoopback();
});
afterAll(async () => {
  await sqs?.close();
});
beforeEach(() => {
  sqs.messages.length = 0;
  sqs.batchSizes.length = 0;
  sqs.refuseOnce.clear();
});

const item = (index: number): FeedItem => ({
  id: `sqs-item-${index}`,
  title: `Item ${index} — ceasefire talks «update»`,
  description: 'Plain text with quotes " and unicode ✓',
  link: null,
  published: null,
  source: 'https://wire.example.org/rss.xml',
  language: 'en',
});

describe('SQS queue senders over the real SDK', () => {
  it('sends 23 items as 23 messages in batches of 10, 10 and 3 to the item queue URL', async () => {
    const queueUrl = sqs.queueUrl('items');
    const items = Array.from({ length: 23 }, (_, index) => item(index));

    await createSqsItemQueue(sqs.client, queueUrl).sendItems(items);

    expect(sqs.batchSizes).toEqual([10, 10, 3]);
    expect(sqs.messages.every((message) => message.queueUrl === queueUrl)).toBe(true);
    expect(sqs.messages.map((message) => JSON.parse(message.body))).toEqual(items);
  });

  it('resends the entries SQS reports as failed and delivers each feed exactly once', async () => {
    const feeds: FeedDefinition[] = ['a', 'b', 'c'].map((id) => ({
      id,
      url: `https://feeds.example.org/${id}.xml`,
      name: id,
      publisher: 'Example',
      language: 'en',
    }));
    sqs.refuseOnce.add(JSON.stringify(feeds[1]));

    await createSqsFeedQueue(sqs.client, sqs.queueUrl('feeds')).sendFeeds(feeds);

    expect(sqs.batchSizes).toEqual([3, 1]);
    expect(sqs.messages.map((message) => (JSON.parse(message.body) as FeedDefinition).id).sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('makes no request when there is nothing to send', async () => {
    await createSqsItemQueue(sqs.client, sqs.queueUrl('items')).sendItems([]);

    expect(sqs.batchSizes).toEqual([]);
  });
});
