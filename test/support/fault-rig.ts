/**
 * The rig of the fault suites (dynamo-faults, sns-faults): in-memory dynalite and the loopback SNS endpoint, each
 * behind a fault proxy, and a loopback server for two wire feeds (fixtures/reliability) that answers 304 to its
 * own ETag. Real SDK clients cross the proxies; the counts and the expected outcome are read past them.
 */
import { readFileSync } from 'node:fs';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import type { FeedDefinition } from '../../src/core/feed';
import type { StoryStore } from '../../src/core/ports';
import { loadStories } from '../../src/detection/story';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { runCycle } from '../../src/pipeline/run-cycle';
import { startTestDynamo, type TestDynamo } from './dynamo';
import { type FaultProxy, startFaultProxy } from './fault-proxy';
import { sqsEvent } from './handler-rig';
import { type LoopbackFeedServer, type LoopbackRoute, startLoopbackFeedServer } from './loopback-feed-server';
import { type SnsEndpoint, startSnsEndpoint } from './sns-endpoint';

const FEED_FILES = { '/wire-a.xml': 'wire-a.xml', '/wire-b.xml': 'wire-b.xml' } as const;
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts';
export const clock = { now: () => new Date('2025-03-16T00:00:00.000Z') };
export const stories = loadStories();
export const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'];
export const READS = ['GetItem', 'Query', 'BatchGetItem', 'Scan'];

/**
 * Starts the rig for the calling test file (its hooks: started before all tests, every fault cleared before each,
 * stopped after all) and returns it. Its services exist from the first test on.
 */
export function useFaultRig() {
  let dynamo: TestDynamo;
  let dynamoProxy: FaultProxy;
  let sns: SnsEndpoint;
  let snsProxy: FaultProxy;
  let server: LoopbackFeedServer;
  const clients: { destroy(): void }[] = [];

  beforeAll(async () => {
    [dynamo, sns] = await Promise.all([startTestDynamo(), startSnsEndpoint()]);
    [dynamoProxy, snsProxy] = await Promise.all([
      startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' }),
      startFaultProxy({ target: sns.endpoint, service: 'sns' }),
    ]);
    server = await startLoopbackFeedServer(wireFeedRoutes());
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await Promise.all([dynamoProxy?.close(), snsProxy?.close(), server?.close()]);
    await Promise.all([dynamo?.close(), sns?.close()]);
  });

  beforeEach(() => {
    dynamoProxy.clear();
    snsProxy.clear();
    sns.published.length = 0;
  });

  const feeds: () => FeedDefinition[] = () =>
    Object.keys(FEED_FILES).map((path) => ({
      id: path.slice(1, -4),
      url: server.url(path),
      name: `Reliability ${path}`,
      publisher: 'storywatch reliability tests',
      language: 'en',
    }));

  /** A DynamoDB client whose every request crosses the fault proxy. */
  function faultyDynamo(maxAttempts: number): DynamoDBClient {
    const client = createDynamoClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', maxAttempts });
    clients.push(client);
    return client;
  }

  function faultySns(maxAttempts: number): SNSClient {
    const client = new SNSClient({
      endpoint: snsProxy.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'loopback', secretAccessKey: 'loopback' },
      maxAttempts,
    });
    clients.push(client);
    return client;
  }

  async function freshStores(
    maxAttempts: number,
  ): Promise<{ tableName: string; faulty: StoryStore; direct: StoryStore }> {
    const tableName = await dynamo.freshTable();
    return {
      tableName,
      faulty: createDynamoStoryStore({ client: faultyDynamo(maxAttempts), tableName, clock }),
      direct: createDynamoStoryStore({ client: dynamo.client, tableName, clock }),
    };
  }

  /** What the table holds, by kind of row, read past the proxy so the count itself cannot be faulted. */
  async function tableContents(tableName: string) {
    const rows: Record<string, { S?: string }>[] = [];
    let startKey: Record<string, never> | undefined;
    do {
      const page = await dynamo.client.send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      rows.push(...((page.Items ?? []) as typeof rows));
      startKey = page.LastEvaluatedKey as typeof startKey;
    } while (startKey);
    const keys = rows.map((row) => `${row.pk?.S}|${row.sk?.S}`);
    const select = (test: (key: string) => boolean) => keys.filter(test).sort();
    return {
      items: select((key) => key.startsWith('ITEM#')),
      followUps: select((key) => key.includes('|FOLLOWUP#')),
      history: select((key) => key.includes('|HISTORY#')),
      alerts: select((key) => key.startsWith('ALERT#')),
      stances: select((key) => key.includes('|STANCE#')),
      feeds: select((key) => key.startsWith('FEED#')),
    };
  }

  /** The same cycle on a table no fault reaches: the expected outcome of every faulted run. */
  async function faultFreeCycle() {
    const tableName = await dynamo.freshTable();
    const published: string[] = [];
    await runCycle(
      {
        store: createDynamoStoryStore({ client: dynamo.client, tableName, clock }),
        fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
        clock,
        stories,
        notifier: { publish: async (alert) => void published.push(alert.id) },
      },
      feeds(),
      { concurrency: 1, onlyDue: false },
    );
    return { contents: await tableContents(tableName), published };
  }

  const publishedAlertIds = () => sns.published.map((message) => message.attributes.alertId?.value ?? '');

  return {
    get dynamo() {
      return dynamo;
    },
    get dynamoProxy() {
      return dynamoProxy;
    },
    get sns() {
      return sns;
    },
    get snsProxy() {
      return snsProxy;
    },
    feeds,
    faultyDynamo,
    faultySns,
    freshStores,
    tableContents,
    faultFreeCycle,
    publishedAlertIds,
  };
}

/** The two wire feeds, each answering 304 to a request that carries its ETag. */
function wireFeedRoutes(): Record<string, (request: { headers: Record<string, unknown> }) => LoopbackRoute> {
  const routes: Record<string, (request: { headers: Record<string, unknown> }) => LoopbackRoute> = {};
  for (const [path, file] of Object.entries(FEED_FILES)) {
    const body = readFileSync(new URL(`../fixtures/reliability/${file}`, import.meta.url));
    routes[path] = (request): LoopbackRoute =>
      request.headers['if-none-match'] === '"r1"'
        ? { status: 304, headers: { etag: '"r1"' } }
        : { headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"r1"' }, body };
  }
  return routes;
}

/**
 * SQS in miniature: delivers the messages, then redelivers exactly the ones the handler reported failed, until none
 * fail or the rounds run out. Returns how many rounds it took.
 */
export async function deliverUntilDone(
  handler: (event: ReturnType<typeof sqsEvent>) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>,
  bodies: string[],
  maxRounds: number,
): Promise<{ rounds: number; left: string[] }> {
  let waiting = bodies;
  let rounds = 0;
  while (waiting.length > 0 && rounds < maxRounds) {
    rounds += 1;
    const event = sqsEvent(waiting);
    // A batch whose every record failed makes the handler throw: Lambda then retries the whole batch.
    const response = await handler(event).catch(() => ({
      batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })),
    }));
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    waiting = event.Records.filter((record) => failed.has(record.messageId)).map((record) => record.body);
  }
  return { rounds, left: waiting };
}

/** Item ids are the feed's guids scoped by the feed server's host; the tests name the guids. */
export function guidOf(itemId: string): string {
  return itemId.slice(itemId.indexOf('/') + 1);
}
