import { readFileSync } from 'node:fs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createPublisherHandler } from '../../../functions/handlers/publisher';
import { createDynamoClient } from '../../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../../src/adapters/sns/notifier';
import type { FeedItem } from '../../../src/core/feed';
import type { AlertNotifier, StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/story';
import { createAlertDescriber } from '../../../src/tracking/describe';
import { startFaultProxy } from '../../support/fault-proxy';
import {
  fixedClock,
  lambdaContext,
  recordingLog,
  recordingMetrics,
  scheduledEvent,
  sqsEvent,
} from '../../support/handler-rig';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { storageTest as it } from '../../support/storage';
import { watchedStore } from '../../support/watched-store';

const ITEMS = JSON.parse(
  readFileSync(new URL('../../fixtures/handlers/analyzer-items.json', import.meta.url), 'utf8'),
) as FeedItem[];
const IN_PUBLISHED_ORDER = ['handler-analyze-0001', 'handler-analyze-0002', 'handler-analyze-0003'];
const STORY_ID = 'ceasefire-2025';
const clock = fixedClock('2025-03-20T00:00:00.000Z');
const stories = loadStories();

let store: StoryStore;

let sns: SnsEndpoint;
let snsClient: SNSClient;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  snsClient = loopbackSnsClient(sns.endpoint, 2);
});
afterAll(async () => {
  snsClient?.destroy();
  await sns?.close();
});
it.beforeEach(({ store: fresh }) => {
  store = fresh;
  sns.published.length = 0;
});

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts';

/** Alerts go through the production SNS notifier and the real SDK to a loopback SNS endpoint. */
function snsNotifier(): AlertNotifier {
  return createSnsNotifier({ client: snsClient, topicArn: TOPIC_ARN, describe: createAlertDescriber(stories) });
}

const SDK_ATTEMPTS = 2;

/**
 * Fails the next `publishes` Publish calls the way an SNS outage does: HTTP 500 on every SDK attempt. The
 * endpoint's failures cannot be cleared, so each test queues exactly as many as it will use up.
 */
function snsFailsNext(publishes: number): void {
  sns.failNextPublishes(publishes * SDK_ATTEMPTS, { status: 500, code: 'InternalError' });
}

const publishedParties = () => sns.published.map((publish) => publish.attributes.party?.value);

function analyzer() {
  const metrics = recordingMetrics();
  const log = recordingLog();
  const handler = createAnalyzerHandler({ store, stories, clock, notifier: snsNotifier(), metrics, log });
  return { handler, metrics, log };
}

function publisher() {
  const metrics = recordingMetrics();
  const handler = createPublisherHandler({ store, clock, notifier: snsNotifier(), metrics, log: recordingLog() });
  return { handler, metrics };
}

const itemEvent = (items: FeedItem[]) => sqsEvent(items.map((item) => JSON.stringify(item)));

describe('analyzer handler', () => {
  it('stores a follow-up per relevant item, commits the stance change and sends its alert right away', async () => {
    const { handler, metrics } = analyzer();

    const response = await handler(itemEvent(ITEMS), lambdaContext('analyzer'));

    expect(response).toEqual({ batchItemFailures: [] });
    const followUps = await store.listFollowUps(STORY_ID);
    expect(followUps.map((summary) => summary.itemId).sort()).toEqual(IN_PUBLISHED_ORDER);
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0]).toMatchObject({ topicArn: TOPIC_ARN, messageStructure: 'json' });
    expect(sns.published[0]?.attributes).toMatchObject({
      party: { value: 'russia' },
      kind: { value: 'stance_change' },
      to: { value: 'opposes' },
    });
    expect(await store.listPendingAlerts()).toEqual([]);
    expect(metrics.totals).toMatchObject({ FollowUps: 3, StanceChanges: 1, AlertsSent: 1 });
    expect(metrics.flushes).toBe(1);
  });

  it('applies the items of a batch oldest first, whatever order SQS delivered them in', async () => {
    const { handler, log } = analyzer();

    await handler(itemEvent(ITEMS));

    const analyzed = log.entries
      .filter((entry) => entry.message === 'analyzed item')
      .map((entry) => (entry.attributes as { itemId: string }).itemId);
    expect(analyzed).toEqual(IN_PUBLISHED_ORDER);
  });

  it('changes nothing and sends nothing when SQS redelivers a batch already analyzed', async () => {
    await analyzer().handler(itemEvent(ITEMS));
    const stanceBefore = await store.getStanceStates(STORY_ID);
    const again = analyzer();

    const response = await again.handler(itemEvent(ITEMS));

    expect(response.batchItemFailures).toEqual([]);
    // Only the first delivery's alert reached SNS.
    expect(publishedParties()).toEqual(['russia']);
    expect(await store.getStanceStates(STORY_ID)).toEqual(stanceBefore);
    expect(await store.listFollowUps(STORY_ID)).toHaveLength(3);
  });

  it('fails only the records that are not feed items', async () => {
    const { handler } = analyzer();
    const event = sqsEvent(['{"id": 42}', JSON.stringify(ITEMS[1]), '<xml/>']);

    const response = await handler(event);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [event.Records[0]?.messageId, event.Records[2]?.messageId].sort(),
    );
    expect((await store.listFollowUps(STORY_ID)).map((summary) => summary.itemId)).toEqual(['handler-analyze-0001']);
  });

  it('reports every record failed and marks none of them when the batch cannot be written, then settles on redelivery', async () => {
    const healthy = store;
    const claim = () => healthy.claimItems(ITEMS.map((item) => ({ item, dedupKeys: [] })));
    await claim(); // as the poller does before queueing the items
    store = watchedStore(healthy, { method: 'commitStanceChanges', message: 'table unavailable' }).store;
    const { handler, log, metrics } = analyzer();
    const event = itemEvent(ITEMS);

    const response = await handler(event);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      event.Records.map((record) => record.messageId).sort(),
    );
    // The batch failed, then its oldest item alone failed the same way: the store is down, the rest go back untried.
    expect(
      log.entries.filter((entry) => entry.level === 'error' && entry.message.includes('could not be stored')),
    ).toHaveLength(ITEMS.length);
    expect(sns.published).toEqual([]);
    expect(metrics.totals.StanceChanges ?? 0).toBe(0);
    // Claimed, never marked: each item still counts as unfinished, so a later poll hands it on again too.
    expect((await claim()).map((result) => result.status)).toEqual(ITEMS.map(() => 'unfinished'));

    store = healthy;
    expect((await analyzer().handler(event)).batchItemFailures).toEqual([]);
    expect(publishedParties()).toEqual(['russia']);
    expect(await store.listFollowUps(STORY_ID)).toHaveLength(3);
  });

  it('fails only the record of an item DynamoDB refuses for its size, and analyzes the others of the batch', async ({
    dynamo,
    tableName,
  }) => {
    const healthy = store;
    await healthy.claimItems(ITEMS.map((item) => ({ item, dedupKeys: [] })));
    const proxy = await startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' });
    const client = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
    try {
      const bad = ITEMS[1] as FeedItem;
      proxy.inject({
        operations: ['BatchWriteItem', 'TransactWriteItems', 'PutItem', 'UpdateItem'],
        where: (request) => request.body.includes(bad.id),
        fault: {
          kind: 'status',
          status: 400,
          code: 'ValidationException',
          message: 'Item size has exceeded the maximum allowed size',
        },
      });
      store = createDynamoStoryStore({ client, tableName });
      const { handler, log, metrics } = analyzer();
      const event = itemEvent(ITEMS);

      const response = await handler(event);

      const badRecord = event.Records[ITEMS.indexOf(bad)];
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: badRecord?.messageId }]);
      const followUps = (await healthy.listFollowUps(STORY_ID)).map((summary) => summary.itemId).sort();
      expect(followUps).toEqual(
        ITEMS.filter((item) => item !== bad)
          .map((item) => item.id)
          .sort(),
      );
      expect(metrics.totals.ItemsFailed).toBe(1);
      const logged = log.entries.filter((entry) => entry.message.includes('could not be stored'));
      expect(logged.map((entry) => entry.attributes)).toEqual([
        expect.objectContaining({ itemId: bad.id, messageId: badRecord?.messageId, permanent: true }),
      ]);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  it('keeps the items successful and the alert pending when SNS is down, for the sweep to send later', async () => {
    snsFailsNext(1);
    const { handler, log, metrics } = analyzer();

    const response = await handler(itemEvent(ITEMS));

    expect(response.batchItemFailures).toEqual([]);
    expect(await store.listPendingAlerts()).toHaveLength(1);
    expect(metrics.totals.AlertsSent).toBe(0);
    expect(sns.published).toEqual([]);
    expect(log.entries.some((entry) => entry.level === 'warn' && entry.message.includes('pending'))).toBe(true);

    const sweep = publisher();
    const report = await sweep.handler(scheduledEvent('publish'), lambdaContext('publisher'));

    expect(report.sent).toHaveLength(1);
    expect(publishedParties()).toEqual(['russia']);
    expect(sweep.metrics.totals.AlertsSent).toBe(1);
    expect(await store.listPendingAlerts()).toEqual([]);
  });
});

describe('publisher handler', () => {
  it('sends nothing and succeeds when the outbox is empty', async () => {
    const { handler, metrics } = publisher();
    const requestsBefore = sns.requestCount();

    const report = await handler(scheduledEvent('publish'));

    expect(report).toEqual({ sent: [], failed: [], deferred: [], parked: [] });
    expect(sns.requestCount()).toBe(requestsBefore);
    expect(metrics.totals.AlertsSent).toBe(0);
  });

  it('fails the invocation when no pending alert could be sent, and leaves them pending', async () => {
    snsFailsNext(2);
    await analyzer().handler(itemEvent(ITEMS));
    const { handler } = publisher();

    await expect(handler(scheduledEvent('publish'))).rejects.toThrow(/could not send any of 1 pending alerts/);
    expect(await store.listPendingAlerts()).toHaveLength(1);
  });
});
