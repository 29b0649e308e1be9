/**
 * Dispatcher cost per tick with the due-time index: read units of one tick's due query when 100 feeds are due,
 * with 100 and with 100,000 registered (BENCH_DISPATCH_FEEDS). Rows are written through the adapter's own
 * registration (BatchWriteItem, 25 rows per request); the consumed capacity is what dynalite reports for the
 * Query (ReturnConsumedCapacity TOTAL). The obvious approach beside it reads every feed state each tick
 * (BatchGetItem over the registry): measured with ReturnConsumedCapacity on the same engine.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createDynamoDueFeeds, ensureTable, keys } from '../../src/adapters/dynamodb/index';
import { createTableRequests } from '../../src/adapters/dynamodb/requests';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import type { FeedDefinition } from '../../src/core/feed';
import { initialFeedState } from '../../src/ingestion/politeness';
import { startEmbeddedDynamo } from '../../src/local/engine/index';
import { dispatchDueFeeds } from '../../src/pipeline/dispatch-due';
import { type BenchRow, type BenchSection, row, single } from '../lib/report';

const LARGE = Number(process.env.BENCH_DISPATCH_FEEDS ?? 100_000);
const DUE = 100;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const LATER = '2026-06-02T12:00:00.000Z';

const feedOf = (index: number): FeedDefinition => ({
  id: `feed-${String(index).padStart(6, '0')}`,
  url: `https://publisher-${index % 500}.example/feed-${index}.xml`,
  name: `Feed ${index}`,
  publisher: `publisher-${index % 500}`,
  language: 'en',
});

interface Tick {
  indexReadUnits: number;
  scanReadUnits: number;
  sent: number;
  seedSeconds: number;
}

/** Read units of reading every feed state once, the way the old dispatcher did each tick. */
async function scanReadUnits(client: DynamoDBClient, tableName: string, feeds: FeedDefinition[]): Promise<number> {
  let units = 0;
  for (let start = 0; start < feeds.length; start += 100) {
    const Keys = feeds.slice(start, start + 100).map((feed) => {
      const key = keys.feed(feed.id);
      return { pk: { S: key.pk }, sk: { S: key.sk } };
    });
    const result = await client.send(
      new BatchGetItemCommand({
        RequestItems: { [tableName]: { Keys, ConsistentRead: true } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    units += (result.ConsumedCapacity ?? []).reduce((sum, part) => sum + (part.CapacityUnits ?? 0), 0);
  }
  return units;
}

async function tick(client: DynamoDBClient, registered: number): Promise<Tick> {
  const tableName = `dispatch-${registered}`;
  await ensureTable(client, tableName);
  const due = createDynamoDueFeeds(createTableRequests(client, tableName));
  const feeds = Array.from({ length: registered }, (_, index) => feedOf(index));
  const started = performance.now();
  await due.registerFeeds(
    feeds.map((feed) => feed.id),
    LATER,
  );
  await createDynamoStoryStore({ client, tableName }).putFeedStates(feeds.map((feed) => initialFeedState(feed, NOW)));
  // Every (registered / DUE)-th feed is due: spread over the shards and the id range, as real due feeds are.
  const step = Math.floor(registered / DUE);
  for (let index = 0; index < DUE; index += 1) {
    await due.setDue(feedOf(index * step).id, new Date(NOW.getTime() - (index + 1) * 1000).toISOString());
  }
  const seedSeconds = (performance.now() - started) / 1000;
  const registry = new Map(feeds.map((feed) => [feed.id, feed]));
  const outcome = await dispatchDueFeeds(
    { due, clock: { now: () => NOW }, feedQueue: { sendFeeds: async () => {} } },
    registry,
  );
  return {
    indexReadUnits: outcome.readUnits,
    scanReadUnits: await scanReadUnits(client, tableName, feeds),
    sent: outcome.sent.length,
    seedSeconds,
  };
}

export const dispatchSection: BenchSection = async () => {
  const dynamo = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
  try {
    const rows: BenchRow[] = [];
    const small = await tick(client, DUE);
    const large = await tick(client, LARGE);
    for (const [registered, result] of [
      [DUE, small],
      [LARGE, large],
    ] as const) {
      rows.push(
        row({
          section: 'dispatch',
          name: `read units per tick, ${result.sent} due of ${registered.toLocaleString('en-US')} registered`,
          unit: 'RCU',
          value: single(result.indexReadUnits),
          baseline: single(result.scanReadUnits),
          target: `≤ ${small.indexReadUnits * 1.5} (the 100-feed tick, +50 %)`,
          meetsTarget: result.indexReadUnits <= small.indexReadUnits * 1.5,
        }),
      );
    }
    rows.push(
      row({
        section: 'dispatch',
        name: `seeding ${LARGE.toLocaleString('en-US')} feeds (index rows and feed states, BatchWriteItem)`,
        unit: 's',
        value: single(large.seedSeconds),
      }),
    );
    return rows;
  } finally {
    client.destroy();
    await dynamo.close();
  }
};
