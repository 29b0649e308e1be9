import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import type { FollowUpSummary } from '../../../src/core/story';
import type { TestDynamo } from '../../support/dynamo';
import { storageTestAt } from '../../support/storage';
import { feedState, fixtureFollowUp } from '../../support/storage-builders';

/** Items per BatchWriteItem request sent, and the most requests that were in flight at once. */
interface BatchWrites {
  sizes: number[];
  inFlight: number;
  maxInFlight: number;
}

function watchBatchWrites(dynamo: TestDynamo): BatchWrites {
  const batchWrites: BatchWrites = { sizes: [], inFlight: 0, maxInFlight: 0 };
  dynamo.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'BatchWriteItemCommand') return next(args);
      const requestItems = (args.input as { RequestItems: Record<string, unknown[]> }).RequestItems;
      batchWrites.sizes.push(Object.values(requestItems).flat().length);
      batchWrites.inFlight += 1;
      batchWrites.maxInFlight = Math.max(batchWrites.maxInFlight, batchWrites.inFlight);
      try {
        return await next(args);
      } finally {
        batchWrites.inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'batchedWritesProbe' },
  );
  return batchWrites;
}

const it = storageTestAt('2025-03-14T12:00:00.000Z').extend<{ batchWrites: BatchWrites; fileBatchWrites: BatchWrites }>(
  {
    fileBatchWrites: [async ({ dynamo }, use) => use(watchBatchWrites(dynamo)), { scope: 'file' }],
    batchWrites: async ({ fileBatchWrites, store: _store }, use) => {
      fileBatchWrites.sizes = [];
      fileBatchWrites.maxInFlight = 0;
      await use(fileBatchWrites);
    },
  },
);

const NEXT_DAY = '2025-03-15T00:00:00.000Z';

const pad = (n: number) => String(n).padStart(2, '0');

/** The fixture follow-up as the n-th distinct article, published n minutes apart, with the fixture's two parties. */
function followUp(n: number): FollowUpSummary {
  const base = fixtureFollowUp();
  return {
    ...base,
    itemId: `urn:example-wire:batch:${pad(n)}`,
    link: `https://wire.example.org/world/batch/${pad(n)}`,
    title: `Follow-up number ${n}`,
    published: `2025-03-14T10:${pad(n)}:00.000Z`,
  };
}

describe('feed states saved in batches', () => {
  it('reads back exactly the states asked for, past 100 ids, and none for feeds never saved', async ({ store }) => {
    const states = Array.from({ length: 150 }, (_, index) => feedState(`feed-${String(index).padStart(3, '0')}`));
    await store.putFeedStates(states);
    const wanted = [...states.slice(0, 120).map((state) => state.feedId), 'never-saved', 'feed-000'];
    const read = await store.getFeedStates(wanted);
    expect(read.map((state) => state.feedId).sort()).toEqual(states.slice(0, 120).map((state) => state.feedId));
    expect(read.find((state) => state.feedId === 'feed-007')).toEqual(states[7]);
  });

  it('lists all 60 feed states saved in one call, sent in requests of at most 25 with at most 4 in flight', async ({
    store,
    batchWrites,
  }) => {
    const states = Array.from({ length: 60 }, (_, index) =>
      feedState(`feed-${pad(index)}`, { consecutiveFailures: index % 3 }),
    );
    await store.putFeedStates(states);
    const listed = await store.listFeedStates();
    expect(listed.sort((a, b) => a.feedId.localeCompare(b.feedId))).toEqual(states);
    expect(batchWrites.sizes.reduce((sum, size) => sum + size, 0)).toBe(60);
    expect(Math.max(...batchWrites.sizes)).toBeLessThanOrEqual(25);
    expect(batchWrites.sizes).toHaveLength(3);
    expect(batchWrites.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('keeps at most 4 requests in flight when one call needs more, and still stores every state', async ({
    store,
    batchWrites,
  }) => {
    const states = Array.from({ length: 160 }, (_, index) => feedState(`feed-${String(index).padStart(3, '0')}`));
    await store.putFeedStates(states);
    expect(batchWrites.sizes).toHaveLength(7);
    expect(batchWrites.maxInFlight).toBeGreaterThan(1);
    expect(batchWrites.maxInFlight).toBeLessThanOrEqual(4);
    expect(await store.listFeedStates()).toHaveLength(160);
  });

  it('keeps the last state when one call carries the same feed twice, without failing', async ({
    store,
    batchWrites,
  }) => {
    await store.putFeedStates([
      feedState('alpha', { etag: '"old"' }),
      feedState('beta'),
      feedState('alpha', { etag: '"new"', consecutiveFailures: 1 }),
    ]);
    expect(await store.getFeedState('alpha')).toEqual(feedState('alpha', { etag: '"new"', consecutiveFailures: 1 }));
    const listed = await store.listFeedStates();
    expect(listed.map((state) => state.feedId).sort()).toEqual(['alpha', 'beta']);
    expect(batchWrites.sizes).toEqual([2]);
  });

  it('keeps the last state of a feed repeated across two requests of one call', async ({ store }) => {
    const states = Array.from({ length: 30 }, (_, index) => feedState(`feed-${pad(index)}`));
    states.push(feedState('feed-00', { status: 'parked', consecutiveFailures: 5 }));
    await store.putFeedStates(states);
    expect(await store.getFeedState('feed-00')).toMatchObject({ status: 'parked', consecutiveFailures: 5 });
    expect(await store.listFeedStates()).toHaveLength(30);
  });

  it('writes nothing for an empty call', async ({ store, batchWrites }) => {
    await store.putFeedStates([]);
    await store.saveFollowUps([]);
    expect(batchWrites.sizes).toEqual([]);
    expect(await store.listFeedStates()).toEqual([]);
  });
});

describe('follow-ups saved in batches', () => {
  it('lists all 30 follow-ups saved in one call, and each under both parties it carries a stance of', async ({
    store,
    batchWrites,
    writes,
  }) => {
    const summaries = Array.from({ length: 30 }, (_, index) => followUp(index));
    const { storyId } = fixtureFollowUp();
    await store.saveFollowUps(summaries);
    const saved = writes.snapshot();

    // Newest first.
    expect(await store.listFollowUps(storyId)).toEqual([...summaries].reverse());
    const russia = await store.listArticlesByParty(storyId, 'russia');
    const us = await store.listArticlesByParty(storyId, 'us');
    expect(russia.map((article) => article.itemId)).toEqual([...summaries].reverse().map((s) => s.itemId));
    expect(us.map((article) => article.itemId)).toEqual([...summaries].reverse().map((s) => s.itemId));
    expect(russia[0]).toMatchObject({
      party: 'russia',
      label: 'conditional',
      direct: true,
      title: 'Follow-up number 29',
    });
    expect(us[0]).toMatchObject({ party: 'us', label: 'supports', direct: false });
    // One follow-up row and two article rows each: 90 rows, in requests of at most 25. Past a few follow-ups, one
    // batch read of their stored record times costs fewer requests than an update per follow-up row.
    expect(saved.storedWrites).toBe(90);
    expect(saved.byOperation).toEqual({ BatchWriteItemCommand: 90 });
    expect(saved.reads).toBe(1);
    expect(batchWrites.sizes.reduce((sum, size) => sum + size, 0)).toBe(90);
    expect(Math.max(...batchWrites.sizes)).toBeLessThanOrEqual(25);
    expect(batchWrites.maxInFlight).toBeLessThanOrEqual(4);
  });

  it('leaves one row, and one article per party, when one call carries the same summary twice', async ({
    store,
    batchWrites,
    writes,
  }) => {
    const summary = fixtureFollowUp();
    await store.saveFollowUps([summary, summary]);
    expect(writes.snapshot().byOperation).toEqual({ BatchWriteItemCommand: 2, UpdateItemCommand: 1 });
    expect(await store.listFollowUps(summary.storyId)).toEqual([summary]);
    expect(await store.listArticlesByParty(summary.storyId, 'russia')).toHaveLength(1);
    expect(await store.listArticlesByParty(summary.storyId, 'us')).toHaveLength(1);
    expect(batchWrites.sizes).toEqual([2]);
  });

  it('keeps the first record times when many follow-ups are saved again in one call', async ({ store, writes }) => {
    const firstDay = '2025-03-14T09:00:00.000Z';
    const summaries = Array.from({ length: 6 }, (_, index) => ({ ...followUp(index), recordedAt: firstDay }));
    await store.saveFollowUps(summaries);
    writes.reset();
    const again = summaries.map((summary) => ({ ...summary, summary: 'Read again.', recordedAt: NEXT_DAY }));
    await store.saveFollowUps(again);
    expect(writes.snapshot()).toMatchObject({ reads: 1, byOperation: { BatchWriteItemCommand: 18 } });
    const listed = await store.listFollowUps(fixtureFollowUp().storyId);
    expect(listed).toEqual([...again].reverse().map((summary) => ({ ...summary, recordedAt: firstDay })));
    // The record-time index keeps them on the first day: the next day's digest does not list them again.
    const storyId = fixtureFollowUp().storyId;
    expect(await store.listFollowUpsRecorded(storyId, { from: NEXT_DAY, to: '2025-03-16T00:00:00.000Z' })).toEqual([]);
    expect(await store.listFollowUpsRecorded(storyId, { from: firstDay, to: NEXT_DAY })).toHaveLength(6);
  });

  it('keeps the record time of a row stored inside data only, when it is saved among many', async ({
    store,
    dynamo,
    tableName,
  }) => {
    const [older, ...others] = Array.from({ length: 6 }, (_, index) => ({
      ...followUp(index),
      recordedAt: '2025-03-14T09:00:00.000Z',
    })) as [FollowUpSummary, ...FollowUpSummary[]];
    const key = keys.followUp(older.storyId, older.published, older.itemId);
    // What earlier versions wrote: the record time only inside the JSON body.
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: key.pk }, sk: { S: key.sk }, itemId: { S: older.itemId }, data: { S: JSON.stringify(older) } },
      }),
    );
    await store.saveFollowUps([older, ...others].map((summary) => ({ ...summary, recordedAt: NEXT_DAY })));
    const listed = await store.listFollowUps(older.storyId);
    expect(listed.find((summary) => summary.itemId === older.itemId)?.recordedAt).toBe(older.recordedAt);
    expect(listed.filter((summary) => summary.recordedAt === NEXT_DAY)).toHaveLength(5);
  });

  it('keeps the later version when one call carries two versions of the same summary', async ({ store }) => {
    const first = fixtureFollowUp();
    const revised = { ...first, summary: 'Revised: monitoring terms were published.', score: 0.9 };
    await store.saveFollowUps([first, revised]);
    expect(await store.listFollowUps(first.storyId)).toEqual([revised]);
  });
});
