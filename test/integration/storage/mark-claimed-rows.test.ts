import { type AttributeValue, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import type { TestDynamo } from '../../support/dynamo';
import { storageTest } from '../../support/storage';
import { fixtureItems } from '../../support/storage-builders';

/** Stores with their own clocks on the test's table, and its item rows as stored. */
interface ItemTable {
  storeAt(iso: string): StoryStore;
  rowOf(itemId: string): Promise<Record<string, AttributeValue> | undefined>;
  analyzedAt(itemId: string): Promise<string | undefined>;
}

function itemTable(dynamo: TestDynamo, tableName: string): ItemTable {
  async function rowOf(itemId: string) {
    const key = keys.item(itemId);
    const row = await dynamo.client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
    );
    return row.Item;
  }
  return {
    storeAt: (iso) => createDynamoStoryStore({ client: dynamo.client, tableName, clock: { now: () => new Date(iso) } }),
    rowOf,
    analyzedAt: async (itemId) => (await rowOf(itemId))?.analyzedAt?.S,
  };
}

const it = storageTest.extend<{ table: ItemTable }>({
  table: async ({ dynamo, tableName }, use) => {
    await use(itemTable(dynamo, tableName));
  },
});

const entry = (item: FeedItem) => ({ item, dedupKeys: [`link:${item.link}`] });
const items = () => fixtureItems().filter((item, index, all) => all.findIndex((o) => o.link === item.link) === index);

describe('analyzed marks of claimed items', () => {
  it('marks the items a store claimed itself with plain batched puts, without reading their rows back', async ({
    table,
    commands,
  }) => {
    const store = table.storeAt('2025-03-14T12:00:00.000Z');
    const claimed = items();
    expect(claimed.length).toBeGreaterThan(1);
    await store.claimItems(claimed.map(entry));
    commands.reset();
    await store.markItemsAnalyzed(claimed.map((item) => item.id));
    expect(commands.names()).not.toContain('BatchGetItemCommand');
    expect(commands.names()).not.toContain('TransactWriteItemsCommand');
    expect(commands.names()).toContain('BatchWriteItemCommand');
    for (const item of claimed) expect(await table.analyzedAt(item.id)).toBe('2025-03-14T12:00:00.000Z');
    const again = await store.claimItems(claimed.map(entry));
    expect(again.map((result) => result.status)).toEqual(claimed.map(() => 'duplicate'));
  });

  it('reads the rows of items another store instance claimed before marking them', async ({ table, commands }) => {
    const claimed = items();
    await table.storeAt('2025-03-14T12:00:00.000Z').claimItems(claimed.map(entry));
    commands.reset();
    await table.storeAt('2025-03-14T12:05:00.000Z').markItemsAnalyzed(claimed.map((item) => item.id));
    expect(commands.names()).toContain('BatchGetItemCommand');
    for (const item of claimed) expect(await table.analyzedAt(item.id)).toBe('2025-03-14T12:05:00.000Z');
  });

  it('leaves an item marked, its claim intact, when another writer marked it while this store still remembered it unmarked', async ({
    table,
  }) => {
    const [first, second] = items() as [FeedItem, FeedItem];
    const claimer = table.storeAt('2025-03-14T12:00:00.000Z');
    await claimer.claimItems([entry(first), entry(second)]);
    const claimedRow = await table.rowOf(first.id);
    await table.storeAt('2025-03-14T12:01:00.000Z').markItemsAnalyzed([first.id]);
    await claimer.markItemsAnalyzed([first.id, second.id]);
    // Both marks went through; the row is the claim with the later writer's time, nothing else changed.
    expect(await table.rowOf(first.id)).toEqual({ ...claimedRow, analyzedAt: { S: '2025-03-14T12:00:00.000Z' } });
    expect(await table.analyzedAt(second.id)).toBe('2025-03-14T12:00:00.000Z');
    const again = await table.storeAt('2025-03-14T12:02:00.000Z').claimItems([entry(first), entry(second)]);
    expect(again).toEqual([
      { status: 'duplicate', canonicalId: first.id },
      { status: 'duplicate', canonicalId: second.id },
    ]);
  });

  it('marks an unfinished item found by a later claim without reading its row again', async ({ table, commands }) => {
    const [item] = items() as [FeedItem];
    await table.storeAt('2025-03-14T12:00:00.000Z').claimItems([entry(item)]);
    const retry = table.storeAt('2025-03-14T12:10:00.000Z');
    expect(await retry.claimItems([entry(item)])).toEqual([{ status: 'unfinished' }]);
    commands.reset();
    await retry.markItemsAnalyzed([item.id]);
    expect(commands.names()).not.toContain('BatchGetItemCommand');
    expect(await table.analyzedAt(item.id)).toBe('2025-03-14T12:10:00.000Z');
  });

  it('skips ids that were never claimed instead of creating rows for them', async ({ table }) => {
    const store = table.storeAt('2025-03-14T12:00:00.000Z');
    await store.markItemsAnalyzed(['never-claimed']);
    expect(await table.analyzedAt('never-claimed')).toBeUndefined();
  });
});
