import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import { beforeEachCommand } from '../../support/command-probe';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo';
import { fixtureItems } from './builders';

let dynamo: TestDynamo;
let tableName: string;
/** Commands sent through the shared client, by name, since the last reset. */
let sent: string[] = [];

beforeAll(async () => {
  dynamo = await startTestDynamo();
  beforeEachCommand(dynamo.client, (commandName) => {
    sent.push(commandName);
  });
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  tableName = await dynamo.freshTable();
  sent = [];
});

const storeAt = (iso: string): StoryStore =>
  createDynamoStoryStore({ client: dynamo.client, tableName, clock: { now: () => new Date(iso) } });
const entry = (item: FeedItem) => ({ item, dedupKeys: [`link:${item.link}`] });
const items = () => fixtureItems().filter((item, index, all) => all.findIndex((o) => o.link === item.link) === index);

async function rowOf(itemId: string) {
  const key = keys.item(itemId);
  const row = await dynamo.client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } }, ConsistentRead: true }),
  );
  return row.Item;
}

async function analyzedAt(itemId: string): Promise<string | undefined> {
  return (await rowOf(itemId))?.analyzedAt?.S;
}

describe('analyzed marks of claimed items', () => {
  it('marks the items a store claimed itself with plain batched puts, without reading their rows back', async () => {
    const store = storeAt('2025-03-14T12:00:00.000Z');
    const claimed = items();
    expect(claimed.length).toBeGreaterThan(1);
    await store.claimItems(claimed.map(entry));
    sent = [];
    await store.markItemsAnalyzed(claimed.map((item) => item.id));
    expect(sent).not.toContain('BatchGetItemCommand');
    expect(sent).not.toContain('TransactWriteItemsCommand');
    expect(sent).toContain('BatchWriteItemCommand');
    for (const item of claimed) expect(await analyzedAt(item.id)).toBe('2025-03-14T12:00:00.000Z');
    const again = await store.claimItems(claimed.map(entry));
    expect(again.map((result) => result.status)).toEqual(claimed.map(() => 'duplicate'));
  });

  it('reads the rows of items another store instance claimed before marking them', async () => {
    const claimed = items();
    await storeAt('2025-03-14T12:00:00.000Z').claimItems(claimed.map(entry));
    sent = [];
    await storeAt('2025-03-14T12:05:00.000Z').markItemsAnalyzed(claimed.map((item) => item.id));
    expect(sent).toContain('BatchGetItemCommand');
    for (const item of claimed) expect(await analyzedAt(item.id)).toBe('2025-03-14T12:05:00.000Z');
  });

  it('leaves an item marked, its claim intact, when another writer marked it while this store still remembered it unmarked', async () => {
    const [first, second] = items() as [FeedItem, FeedItem];
    const claimer = storeAt('2025-03-14T12:00:00.000Z');
    await claimer.claimItems([entry(first), entry(second)]);
    const claimedRow = await rowOf(first.id);
    await storeAt('2025-03-14T12:01:00.000Z').markItemsAnalyzed([first.id]);
    await claimer.markItemsAnalyzed([first.id, second.id]);
    // Both marks went through; the row is the claim with the later writer's time, nothing else changed.
    expect(await rowOf(first.id)).toEqual({ ...claimedRow, analyzedAt: { S: '2025-03-14T12:00:00.000Z' } });
    expect(await analyzedAt(second.id)).toBe('2025-03-14T12:00:00.000Z');
    const again = await storeAt('2025-03-14T12:02:00.000Z').claimItems([entry(first), entry(second)]);
    expect(again).toEqual([
      { status: 'duplicate', canonicalId: first.id },
      { status: 'duplicate', canonicalId: second.id },
    ]);
  });

  it('marks an unfinished item found by a later claim without reading its row again', async () => {
    const [item] = items() as [FeedItem];
    await storeAt('2025-03-14T12:00:00.000Z').claimItems([entry(item)]);
    const retry = storeAt('2025-03-14T12:10:00.000Z');
    expect(await retry.claimItems([entry(item)])).toEqual([{ status: 'unfinished' }]);
    sent = [];
    await retry.markItemsAnalyzed([item.id]);
    expect(sent).not.toContain('BatchGetItemCommand');
    expect(await analyzedAt(item.id)).toBe('2025-03-14T12:10:00.000Z');
  });

  it('skips ids that were never claimed instead of creating rows for them', async () => {
    const store = storeAt('2025-03-14T12:00:00.000Z');
    await store.markItemsAnalyzed(['never-claimed']);
    expect(await analyzedAt('never-claimed')).toBeUndefined();
  });
});
