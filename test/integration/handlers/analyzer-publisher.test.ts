import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createPublisherHandler } from '../../../functions/handlers/publisher';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { AlertNotifier, StoryStore } from '../../../src/core/ports';
import type { Alert } from '../../../src/core/stance-state';
import { loadStories } from '../../../src/detection/story';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo';
import { fixedClock, lambdaContext, recordingLog, recordingMetrics, scheduledEvent, sqsEvent } from './support';

const ITEMS = JSON.parse(
  readFileSync(new URL('../../fixtures/handlers/analyzer-items.json', import.meta.url), 'utf8'),
) as FeedItem[];
const IN_PUBLISHED_ORDER = ['handler-analyze-0001', 'handler-analyze-0002', 'handler-analyze-0003'];
const STORY_ID = 'ceasefire-2025';
const clock = fixedClock('2025-03-20T00:00:00.000Z');
const stories = loadStories();

let dynamo: TestDynamo;
let store: StoryStore;

beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  store = createDynamoStoryStore({ client: dynamo.client, tableName: await dynamo.freshTable() });
});

/**
 * Alert delivery is a port; SNS itself is exercised through the real SDK in test/integration/sns. Here the
 * notifier records what the handlers hand it, and can be switched to failing to model an SNS outage.
 */
function switchableNotifier(): AlertNotifier & { sent: Alert[]; failing: boolean } {
  const notifier = {
    sent: [] as Alert[],
    failing: false,
    async publish(alert: Alert) {
      if (notifier.failing) throw new Error('SNS is unavailable');
      notifier.sent.push(alert);
    },
  };
  return notifier;
}

function analyzer(notifier = switchableNotifier()) {
  const metrics = recordingMetrics();
  const log = recordingLog();
  const handler = createAnalyzerHandler({ store, stories, clock, notifier, metrics, log });
  return { handler, notifier, metrics, log };
}

function publisher(notifier = switchableNotifier()) {
  const metrics = recordingMetrics();
  const handler = createPublisherHandler({ store, clock, notifier, metrics, log: recordingLog() });
  return { handler, notifier, metrics };
}

const itemEvent = (items: FeedItem[]) => sqsEvent(items.map((item) => JSON.stringify(item)));

describe('analyzer handler', () => {
  it('stores a follow-up per relevant item, commits the stance change and sends its alert right away', async () => {
    const { handler, notifier, metrics } = analyzer();

    const response = await handler(itemEvent(ITEMS), lambdaContext('analyzer'));

    expect(response).toEqual({ batchItemFailures: [] });
    const followUps = await store.listFollowUps(STORY_ID);
    expect(followUps.map((summary) => summary.itemId).sort()).toEqual(IN_PUBLISHED_ORDER);
    expect(notifier.sent.map((alert) => [alert.party, alert.kind, alert.to])).toEqual([
      ['russia', 'stance_change', 'opposes'],
    ]);
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
    expect(again.notifier.sent).toEqual([]);
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

  it('keeps the items successful and the alert pending when SNS is down, for the sweep to send later', async () => {
    const down = switchableNotifier();
    down.failing = true;
    const { handler, log, metrics } = analyzer(down);

    const response = await handler(itemEvent(ITEMS));

    expect(response.batchItemFailures).toEqual([]);
    expect(await store.listPendingAlerts()).toHaveLength(1);
    expect(metrics.totals.AlertsSent).toBe(0);
    expect(log.entries.some((entry) => entry.level === 'warn' && entry.message.includes('pending'))).toBe(true);

    const sweep = publisher();
    const report = await sweep.handler(scheduledEvent('publish'), lambdaContext('publisher'));

    expect(report.sent).toHaveLength(1);
    expect(sweep.notifier.sent.map((alert) => alert.party)).toEqual(['russia']);
    expect(sweep.metrics.totals.AlertsSent).toBe(1);
    expect(await store.listPendingAlerts()).toEqual([]);
  });
});

describe('publisher handler', () => {
  it('sends nothing and succeeds when the outbox is empty', async () => {
    const { handler, notifier, metrics } = publisher();

    const report = await handler(scheduledEvent('publish'));

    expect(report).toEqual({ sent: [], failed: [] });
    expect(notifier.sent).toEqual([]);
    expect(metrics.totals.AlertsSent).toBe(0);
  });

  it('fails the invocation when no pending alert could be sent, and leaves them pending', async () => {
    const down = switchableNotifier();
    down.failing = true;
    await analyzer(down).handler(itemEvent(ITEMS));
    const { handler } = publisher(down);

    await expect(handler(scheduledEvent('publish'))).rejects.toThrow(/could not send any of 1 pending alerts/);
    expect(await store.listPendingAlerts()).toHaveLength(1);
  });
});
