import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import type { Row } from '../../../src/adapters/dynamodb/attributes';
import { createDynamoClient } from '../../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { ClaimResult } from '../../../src/core/ports';
import { beforeEachCommand } from '../../support/command-probe';
import { claimOne } from '../../support/stance-commits';
import { storageTestAt } from '../../support/storage';
import { fixtureItems } from '../../support/storage-builders';

const T1 = new Date('2025-03-14T12:00:00.000Z');
const T2 = new Date('2025-03-14T13:00:00.000Z');

const it = storageTestAt(T1.toISOString()).extend<{ itemRow: (itemId: string) => Promise<Row | undefined> }>({
  itemRow: async ({ dynamo, tableName }, use) => {
    await use(async (itemId) => {
      const reply = await dynamo.client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: `ITEM#${itemId}` }, sk: { S: 'ITEM' } },
          ConsistentRead: true,
        }),
      );
      return reply.Item;
    });
  },
});

const [wireItem, syndicatedCopy, otherItem] = fixtureItems() as [FeedItem, FeedItem, FeedItem];
const keysOf = (item: FeedItem) => [`id:${item.id}`, `link:${item.link}`];
const entry = (item: FeedItem) => ({ item, dedupKeys: keysOf(item) });

/** Distinct stories built from a fixture item: each has its own id and link. */
function variants(base: FeedItem, count: number, tag: string): FeedItem[] {
  return Array.from({ length: count }, (_, index) => ({
    ...base,
    id: `${base.id}#${tag}-${index}`,
    link: `${base.link}/${tag}-${index}`,
  }));
}

/** How many of each command were sent, by name. */
function countByName(names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

interface OverlappingBatches {
  shared: FeedItem[];
  ownA: FeedItem[];
  ownB: FeedItem[];
  batchA: FeedItem[];
  batchB: FeedItem[];
}

/** Two batches sharing 12 wire items; B also holds copies under other ids sharing their link, in another order. */
function overlappingBatches(round: number): OverlappingBatches {
  const shared = variants(wireItem, 12, `shared-${round}`);
  const copies = shared.map((item) => ({ ...item, id: `${item.id}#copy`, source: syndicatedCopy.source }));
  const ownA = variants(otherItem, 5, `a-${round}`);
  const ownB = variants(otherItem, 5, `b-${round}`);
  const batchA = [...ownA, ...shared];
  const batchB = [...copies.slice(6), ...[...shared].reverse(), ...ownB, ...copies.slice(0, 6)];
  return { shared, ownA, ownB, batchA, batchB };
}

/** Every claim result of the batches, grouped by the link (the story) of the item it was for. */
function claimsByLink(batches: [FeedItem[], ClaimResult[]][]): Map<string, ClaimResult[]> {
  const outcome = new Map<string, ClaimResult[]>();
  for (const [items, results] of batches) {
    for (const [index, item] of items.entries()) {
      const story = item.link ?? '';
      outcome.set(story, [...(outcome.get(story) ?? []), results[index] as ClaimResult]);
    }
  }
  return outcome;
}

/**
 * The item in A, in B, and its copy in B: one claim, and the others point at its owner, except that the owner
 * itself, looked up after its claim and before its analysis, is 'unfinished' by design.
 */
async function expectOneClaimAndPointersToOwner(
  results: ClaimResult[],
  ownerOf: () => Promise<string | undefined>,
  itemId: string,
): Promise<void> {
  expect(results).toHaveLength(3);
  expect(results.filter((result) => result.status === 'new')).toHaveLength(1);
  const owner = await ownerOf();
  const pointers = results.flatMap((result) => (result.status === 'duplicate' ? [result.canonicalId] : []));
  const unfinished = results.filter((result) => result.status === 'unfinished').length;
  expect(pointers.length + unfinished).toBe(2);
  expect(pointers.every((canonicalId) => canonicalId === owner)).toBe(true);
  if (unfinished > 0) expect(owner).toBe(itemId);
}

describe('claimItems', () => {
  it('returns one result per entry in order: new, duplicate of an earlier entry, duplicate of a stored item', async ({
    store,
    itemRow,
  }) => {
    await claimOne(store, otherItem, keysOf(otherItem));
    const storedCopy = { ...otherItem, id: `${otherItem.id}#elsewhere`, source: 'https://copy.example.com/rss' };
    const results = await store.claimItems([entry(wireItem), entry(syndicatedCopy), entry(storedCopy)]);
    expect(results).toEqual([
      { status: 'new' },
      { status: 'duplicate', canonicalId: wireItem.id },
      { status: 'duplicate', canonicalId: otherItem.id },
    ]);
    expect((await itemRow(syndicatedCopy.id))?.canonicalId?.S).toBe(wireItem.id);
    expect((await itemRow(storedCopy.id))?.canonicalId?.S).toBe(otherItem.id);
  });

  it('treats the same item twice in one batch as new once, then as a duplicate of itself', async ({ store }) => {
    const results = await store.claimItems([entry(wireItem), entry(wireItem)]);
    expect(results).toEqual([{ status: 'new' }, { status: 'duplicate', canonicalId: wireItem.id }]);
  });

  it('is idempotent: a replayed batch reports its items unfinished, and once marked as duplicates with no write', async ({
    store,
    writes,
  }) => {
    const items = variants(wireItem, 30, 'replay');
    const first = await store.claimItems(items.map(entry));
    expect(first.every((result) => result.status === 'new')).toBe(true);
    const replay = await store.claimItems(items.map(entry));
    expect(replay.every((result) => result.status === 'unfinished')).toBe(true);
    await store.markItemsAnalyzed(items.map((item) => item.id));
    writes.reset();
    const afterMark = await store.claimItems(items.map(entry));
    expect(afterMark).toEqual(items.map((item) => ({ status: 'duplicate', canonicalId: item.id })));
    expect(writes.snapshot()).toMatchObject({ storedWrites: 0, rejectedConditionalWrites: 0 });
  });

  it('claims 60 new items of two keys with one BatchGetItem per 100 keys and one transaction per 100 rows', async ({
    store,
    writes,
    commands,
  }) => {
    const items = variants(otherItem, 60, 'budget');
    const results = await store.claimItems(items.map(entry));
    expect(results.filter((result) => result.status === 'new')).toHaveLength(60);
    // 60 items × (item row + 2 keys) = 180 keys to look up and 180 rows to write.
    expect(countByName(commands.names())).toEqual({ BatchGetItemCommand: 2, TransactWriteItemsCommand: 2 });
    expect(writes.snapshot().storedWrites).toBe(180);
  });

  it('gives each key to exactly one of two concurrent batches that overlap', async ({ store, itemRow }) => {
    for (let round = 0; round < 4; round += 1) {
      const { shared, ownA, ownB, batchA, batchB } = overlappingBatches(round);
      const [resultsA, resultsB] = await Promise.all([
        store.claimItems(batchA.map(entry)),
        store.claimItems(batchB.map(entry)),
      ]);
      const outcome = claimsByLink([
        [batchA, resultsA],
        [batchB, resultsB],
      ]);
      for (const item of shared) {
        const ownerOf = async () => (await itemRow(item.id))?.canonicalId?.S;
        await expectOneClaimAndPointersToOwner(outcome.get(item.link ?? '') ?? [], ownerOf, item.id);
      }
      for (const item of [...ownA, ...ownB]) expect(outcome.get(item.link ?? '')).toEqual([{ status: 'new' }]);
    }
  });

  it('settles a batch whose transaction lost a key to another writer item by item, exactly', async ({
    dynamo,
    tableName,
    itemRow,
  }) => {
    const rivalClient = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 2 });
    const rivalStore = createDynamoStoryStore({ client: rivalClient, tableName, clock: { now: () => T1 } });
    const racingClient = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1', maxAttempts: 2 });
    const items = variants(wireItem, 8, 'race');
    const rival = { ...(items[3] as FeedItem), id: 'urn:rival:first-claim' };
    let raced = false;
    // Between the batch's lookup and its transaction, a real second writer claims item 3's link.
    beforeEachCommand(racingClient, async (commandName) => {
      if (commandName === 'TransactWriteItemsCommand' && !raced) {
        raced = true;
        expect(await claimOne(rivalStore, rival, keysOf(rival))).toEqual({ status: 'new' });
      }
    });
    const racingStore = createDynamoStoryStore({ client: racingClient, tableName, clock: { now: () => T1 } });
    try {
      const results = await racingStore.claimItems(items.map(entry));
      expect(raced).toBe(true);
      expect(results).toEqual(
        items.map((_, index) => (index === 3 ? { status: 'duplicate', canonicalId: rival.id } : { status: 'new' })),
      );
      expect((await itemRow((items[3] as FeedItem).id))?.canonicalId?.S).toBe(rival.id);
    } finally {
      rivalClient.destroy();
      racingClient.destroy();
    }
  });

  it('keeps the 99-key limit of a single claim', async ({ store }) => {
    const keys = Array.from({ length: 100 }, (_, index) => `title:${index}`);
    await expect(store.claimItems([{ item: wireItem, dedupKeys: keys }])).rejects.toThrow(/at most 99/);
  });
});

describe('markItemsAnalyzed', () => {
  it('marks every claimed item, keeps the first analyzedAt of an item marked before, and skips unknown ids', async ({
    store,
    dynamo,
    tableName,
    writes,
    itemRow,
  }) => {
    const items = variants(wireItem, 5, 'mark');
    await store.claimItems(items.map(entry));
    await store.markItemsAnalyzed([(items[0] as FeedItem).id]);
    const later = createDynamoStoryStore({ client: dynamo.client, tableName, clock: { now: () => T2 } });
    writes.reset();
    await later.markItemsAnalyzed([...items.map((item) => item.id), 'never-claimed']);
    expect(writes.snapshot().storedWrites).toBe(4);
    const marks = await Promise.all(items.map(async (item) => (await itemRow(item.id))?.analyzedAt?.S));
    expect(marks).toEqual([T1.toISOString(), ...Array(4).fill(T2.toISOString())]);
    expect(await itemRow('never-claimed')).toBeUndefined();
    const reread = await later.claimItems(items.map(entry));
    expect(reread.every((result) => result.status === 'duplicate')).toBe(true);
  });

  it('claims and marks a thousand items in one call each: long key lists are paged, not given up on', async ({
    store,
  }) => {
    const items = variants(otherItem, 1000, 'many');
    const results = await store.claimItems(items.map(entry));
    expect(results.filter((result) => result.status === 'new')).toHaveLength(1000);
    await store.markItemsAnalyzed(items.map((item) => item.id));
    const again = await store.claimItems(items.map(entry));
    expect(again.filter((result) => result.status === 'duplicate')).toHaveLength(1000);
  });

  it('writes nothing when every item was marked already', async ({ store, writes }) => {
    const items = variants(otherItem, 3, 'twice');
    await store.claimItems(items.map(entry));
    await store.markItemsAnalyzed(items.map((item) => item.id));
    writes.reset();
    await store.markItemsAnalyzed(items.map((item) => item.id));
    expect(writes.snapshot()).toMatchObject({ storedWrites: 0, rejectedConditionalWrites: 0 });
  });

  it('leaves every item marked, and claimed as it was, when two markers race over the same items', async ({
    store,
    dynamo,
    tableName,
    itemRow,
  }) => {
    const items = variants(wireItem, 20, 'race-mark');
    await store.claimItems(items.map(entry));
    const claimed = await Promise.all(items.map((item) => itemRow(item.id)));
    const later = createDynamoStoryStore({ client: dynamo.client, tableName, clock: { now: () => T2 } });
    const ids = items.map((item) => item.id);
    await Promise.all([store.markItemsAnalyzed(ids), later.markItemsAnalyzed([...ids].reverse())]);
    // Marks carry no condition: whichever marker wrote last sets the time, and nothing else of the row changes.
    const marked = await Promise.all(items.map((item) => itemRow(item.id)));
    marked.forEach((row, index) => {
      const { analyzedAt, ...rest } = row ?? {};
      expect([T1.toISOString(), T2.toISOString()]).toContain(analyzedAt?.S);
      expect(rest).toEqual(claimed[index]);
    });
    const reread = await later.claimItems(items.map(entry));
    expect(reread.every((result) => result.status === 'duplicate')).toBe(true);
  });
});
