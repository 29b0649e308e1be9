import { readFileSync } from 'node:fs';
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnalyzerHandler } from '../../functions/handlers/analyzer';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createPublisherHandler } from '../../functions/handlers/publisher';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import type { FeedDefinition } from '../../src/core/feed';
import type { StoryStore } from '../../src/core/ports';
import { loadStories } from '../../src/detection/story';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { runCycle } from '../../src/pipeline/run-cycle';
import {
  memoryItemQueue,
  recordingLog,
  recordingMetrics,
  scheduledEvent,
  sqsEvent,
} from '../integration/handlers/support';
import { startTestDynamo, type TestDynamo } from '../support/dynamo';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { type LoopbackFeedServer, type LoopbackRoute, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';

const FEED_FILES = { '/wire-a.xml': 'wire-a.xml', '/wire-b.xml': 'wire-b.xml' } as const;
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts';
const clock = { now: () => new Date('2025-03-16T00:00:00.000Z') };
const stories = loadStories();
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem'];
const READS = ['GetItem', 'Query', 'BatchGetItem', 'Scan'];

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
  const routes: Record<string, (request: { headers: Record<string, unknown> }) => LoopbackRoute> = {};
  for (const [path, file] of Object.entries(FEED_FILES)) {
    const body = readFileSync(new URL(`../fixtures/reliability/${file}`, import.meta.url));
    routes[path] = (request): LoopbackRoute =>
      request.headers['if-none-match'] === '"r1"'
        ? { status: 304, headers: { etag: '"r1"' } }
        : { headers: { 'content-type': 'application/rss+xml; charset=utf-8', etag: '"r1"' }, body };
  }
  server = await startLoopbackFeedServer(routes);
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

/**
 * SQS in miniature: delivers the messages, then redelivers exactly the ones the handler reported failed, until none
 * fail or the rounds run out. Returns how many rounds it took.
 */
async function deliverUntilDone(
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

describe('DynamoDB faults the SDK retries away', () => {
  it('completes a cycle through throttling, 500s and dropped connections with the same rows as a fault-free run', async () => {
    const expected = await faultFreeCycle();
    // Faults strike by request count, and the cycle keeps several requests in flight: under load one request's
    // retries can land on faulty slots again and again. Eight attempts make that vanishingly rare; five did not.
    const { tableName, faulty } = await freshStores(8);
    dynamoProxy.inject({ operations: WRITES, fault: { kind: 'throttle' }, every: 3, next: 4 });
    dynamoProxy.inject({
      operations: READS,
      fault: { kind: 'throttle', code: 'ThrottlingException' },
      every: 4,
      next: 3,
    });
    dynamoProxy.inject({ fault: { kind: 'status', status: 500 }, every: 6, next: 3 });
    dynamoProxy.inject({ fault: { kind: 'drop' }, every: 7, next: 3 });
    const published: string[] = [];

    const report = await runCycle(
      {
        store: faulty,
        fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
        clock,
        stories,
        notifier: { publish: async (alert) => void published.push(alert.id) },
      },
      feeds(),
      { concurrency: 1, onlyDue: false },
    );

    // How many of each fire depends on how the cycle batches its requests; each kind must have struck.
    expect(dynamoProxy.count('throttle')).toBeGreaterThanOrEqual(4);
    expect(dynamoProxy.count('status')).toBeGreaterThanOrEqual(2);
    expect(dynamoProxy.count('drop')).toBeGreaterThanOrEqual(2);
    expect(dynamoProxy.count('forwarded')).toBeGreaterThan(15);
    expect(report.feeds.map((feed) => feed.outcome)).toEqual(['changed', 'changed']);
    expect(report.published.failed).toEqual([]);
    expect(await tableContents(tableName)).toEqual(expected.contents);
    expect(published).toEqual(expected.published);
    expect(expected.contents.alerts.length).toBeGreaterThan(0);
  });
});

describe('DynamoDB faults that outlast the retries', () => {
  it('fails the poll message while the table throttles, saves no feed state, and the redelivery enqueues every item once', async () => {
    const { direct, faulty } = await freshStores(2);
    const [wireA] = feeds();
    const message = JSON.stringify(wireA);
    const removeOutage = dynamoProxy.inject({ operations: WRITES, fault: { kind: 'throttle' } });
    const deps = {
      store: faulty,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      metrics: recordingMetrics(),
      log: recordingLog(),
    };
    const duringOutage = memoryItemQueue();

    // Its only record failed, so the handler throws and Lambda hands the message back to SQS.
    await expect(createPollerHandler({ ...deps, itemQueue: duringOutage })(sqsEvent([message]))).rejects.toThrow(
      /All records failed/,
    );
    expect(duringOutage.bodies).toEqual([]);
    expect(await direct.getFeedState('wire-a')).toBeNull();

    removeOutage();
    const afterOutage = memoryItemQueue();
    const redelivered = await createPollerHandler({ ...deps, itemQueue: afterOutage })(sqsEvent([message]));

    expect(redelivered.batchItemFailures).toEqual([]);
    const ids = afterOutage.items().map((item) => guidOf(item.id));
    expect(ids.sort()).toEqual(['rel-a-0001', 'rel-a-0002', 'rel-a-0003', 'rel-a-0004']);
    expect((await direct.getFeedState('wire-a'))?.etag).toBe('"r1"');
  });

  it('hands every item on at least once when a poll’s writes fail, and the repeats analyze to one follow-up each', async () => {
    const { faulty, direct, tableName } = await freshStores(1);
    // Every second write fails with no retry: the items' claim (one transaction) or the feed state after it.
    dynamoProxy.inject({ operations: WRITES, fault: { kind: 'status', status: 500 }, every: 2 });
    const queue = memoryItemQueue();
    const handler = createPollerHandler({
      store: faulty,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      itemQueue: queue,
      metrics: recordingMetrics(),
      log: recordingLog(),
    });

    const { rounds, left } = await deliverUntilDone(handler, [JSON.stringify(feeds()[0])], 20);

    expect(left).toEqual([]);
    expect(rounds).toBeGreaterThan(1);
    // A feed-state write that fails after the hand-off makes the redelivery hand the same items on again.
    expect([...new Set(queue.items().map((item) => guidOf(item.id)))].sort()).toEqual([
      'rel-a-0001',
      'rel-a-0002',
      'rel-a-0003',
      'rel-a-0004',
    ]);
    dynamoProxy.clear();
    const analyzer = createAnalyzerHandler({
      store: direct,
      stories,
      clock,
      notifier: { publish: async () => {} },
      metrics: recordingMetrics(),
      log: recordingLog(),
    });
    expect((await analyzer(sqsEvent(queue.bodies))).batchItemFailures).toEqual([]);
    const contents = await tableContents(tableName);
    expect(contents.items).toHaveLength(4);
    expect(contents.followUps).toHaveLength(3);
  });

  it('analyzes every item once and commits every alert once when writes fail, answers are lost and records are redelivered', async () => {
    const expected = await faultFreeCycle();
    const { tableName, faulty, direct } = await freshStores(1);
    const itemQueue = memoryItemQueue();
    const pollerDeps = {
      store: direct,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      metrics: recordingMetrics(),
      log: recordingLog(),
    };
    // One message at a time, as the fault-free cycle polls: the syndicated copy then always loses to the original.
    for (const feed of feeds())
      await createPollerHandler({ ...pollerDeps, itemQueue })(sqsEvent([JSON.stringify(feed)]));
    // A write that took effect but whose answer never came back is the hardest case for idempotency.
    // Dense enough that most items fail at least once; capped so the outage ends, as real ones do.
    dynamoProxy.inject({ operations: WRITES, fault: { kind: 'lose-response' }, every: 4, next: 6 });
    dynamoProxy.inject({ operations: WRITES, fault: { kind: 'drop' }, every: 5, next: 4 });
    dynamoProxy.inject({ operations: READS, fault: { kind: 'throttle' }, every: 7, next: 4 });
    // SNS is down for the whole run: alerts must wait in the outbox, not fail the items.
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'throttle' } });
    const notifier = createSnsNotifier({ client: faultySns(1), topicArn: TOPIC_ARN });
    const analyzer = createAnalyzerHandler({
      store: faulty,
      stories,
      clock,
      notifier,
      metrics: recordingMetrics(),
      log: recordingLog(),
    });

    const { rounds, left } = await deliverUntilDone(analyzer, itemQueue.bodies, 30);

    expect(left).toEqual([]);
    expect(rounds).toBeGreaterThan(1);
    expect(dynamoProxy.count('lose-response')).toBeGreaterThan(0);
    expect(sns.published).toEqual([]);

    dynamoProxy.clear();
    snsProxy.clear();
    // The outage is over: the scheduled sweep delivers what the analyzer could not.
    const publisher = createPublisherHandler({
      store: direct,
      clock,
      notifier,
      metrics: recordingMetrics(),
      log: recordingLog(),
    });
    await publisher(scheduledEvent('publish'));
    await publisher(scheduledEvent('publish'));

    const contents = await tableContents(tableName);
    expect(contents.items).toEqual(expected.contents.items);
    expect(contents.followUps).toEqual(expected.contents.followUps);
    // Redelivery may apply items in another order than the clean run, so the stance path may differ; what must
    // hold is one history row per version and one alert per history row, each published exactly once.
    for (const party of ['russia', 'ukraine', 'us', 'europe']) {
      const versions = (await direct.getStanceHistory('ceasefire-2025', party)).map((entry) => entry.version);
      expect(versions).toEqual(versions.map((_, index) => index + 1));
    }
    const alerts = await direct.listAlerts();
    expect(alerts.length).toBe(contents.history.length);
    expect(alerts.every((alert) => alert.status === 'sent')).toBe(true);
    expect(publishedAlertIds().sort()).toEqual(alerts.map((alert) => alert.id).sort());
    expect(alerts.length).toBeGreaterThan(0);
  });
});

describe('SNS faults', () => {
  async function oneCommittedAlert() {
    const { direct } = await freshStores(2);
    const analyzer = createAnalyzerHandler({
      store: direct,
      stories,
      clock,
      // The analyzer's immediate send is not under test here: the sweep is.
      notifier: {
        publish: async () => {
          throw new Error('held back for the sweep');
        },
      },
      metrics: recordingMetrics(),
      log: recordingLog(),
    });
    const queue = memoryItemQueue();
    await createPollerHandler({
      store: direct,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      itemQueue: queue,
      metrics: recordingMetrics(),
      log: recordingLog(),
    })(sqsEvent([JSON.stringify(feeds()[0])]));
    await analyzer(sqsEvent(queue.bodies));
    const pending = await direct.listPendingAlerts();
    expect(pending.length).toBeGreaterThan(0);
    return { direct, pending };
  }

  const sweeper = (store: StoryStore, maxAttempts: number) =>
    createPublisherHandler({
      store,
      clock,
      notifier: createSnsNotifier({ client: faultySns(maxAttempts), topicArn: TOPIC_ARN }),
      metrics: recordingMetrics(),
      log: recordingLog(),
    });

  it('retries SNS Throttling errors through the SDK and publishes each alert once', async () => {
    const { direct, pending } = await oneCommittedAlert();
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'throttle' }, next: 2 });

    const report = await sweeper(direct, 3)(scheduledEvent('publish'));

    expect(snsProxy.count('throttle', 'Publish')).toBe(2);
    expect(report.sent.sort()).toEqual(pending.map((alert) => alert.id).sort());
    expect(publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
    expect(await direct.listPendingAlerts()).toEqual([]);
  });

  it('keeps every alert pending through an SNS outage and sends each once when it ends', async () => {
    const { direct, pending } = await oneCommittedAlert();
    const endOutage = snsProxy.inject({ operations: ['Publish'], fault: { kind: 'drop' } });

    await expect(sweeper(direct, 2)(scheduledEvent('publish'))).rejects.toThrow(/could not send/);
    expect((await direct.listPendingAlerts()).map((alert) => alert.id)).toEqual(pending.map((alert) => alert.id));

    endOutage();
    await sweeper(direct, 2)(scheduledEvent('publish'));
    await sweeper(direct, 2)(scheduledEvent('publish'));

    expect(publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
  });

  it('resends an alert under the same id when the SNS answer is lost, so subscribers can drop the repeat', async () => {
    const { direct, pending } = await oneCommittedAlert();
    const [first] = pending;
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'lose-response' }, next: 1 });

    await sweeper(direct, 2)(scheduledEvent('publish'));

    // At-least-once: SNS did publish the first attempt; the SDK could not know and retried.
    const ids = publishedAlertIds();
    expect(ids.filter((id) => id === first?.id)).toHaveLength(2);
    expect(new Set(ids)).toEqual(new Set(pending.map((alert) => alert.id)));
    expect(await direct.listPendingAlerts()).toEqual([]);
  });

  it('lets a slow SNS answer through without resending it', async () => {
    const { direct, pending } = await oneCommittedAlert();
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'delay', ms: 150 }, next: 1 });

    await sweeper(direct, 2)(scheduledEvent('publish'));

    expect(snsProxy.count('delay', 'Publish')).toBe(1);
    expect(publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
  });
});

/** Item ids are the feed's guids scoped by the feed server's host; the tests name the guids. */
function guidOf(itemId: string): string {
  return itemId.slice(itemId.indexOf('/') + 1);
}
