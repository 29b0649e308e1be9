/**
 * DynamoDB faults through the fault proxy, against a fault-free run of the same cycle: the ones the SDK's retries
 * absorb leave no trace; the ones that outlast them fail the unit of work, which SQS redelivers to the same rows.
 */
import { describe, expect, it } from 'vitest';
import { createAnalyzerHandler } from '../../functions/handlers/analyzer';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createPublisherHandler } from '../../functions/handlers/publisher';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { runCycle } from '../../src/pipeline/run-cycle';
import { clock, deliverUntilDone, guidOf, READS, stories, TOPIC_ARN, useFaultRig, WRITES } from '../support/fault-rig';
import { memoryItemQueue, recordingLog, recordingMetrics, scheduledEvent, sqsEvent } from '../support/handler-rig';

const rig = useFaultRig();

describe('DynamoDB faults the SDK retries away', () => {
  it('completes a cycle through throttling, 500s and dropped connections with the same rows as a fault-free run', async () => {
    const expected = await rig.faultFreeCycle();
    // Faults strike by request count, and the cycle keeps several requests in flight: under load one request's
    // retries can land on faulty slots again and again. Eight attempts make that vanishingly rare; five did not.
    const { tableName, faulty } = await rig.freshStores(8);
    rig.dynamoProxy.inject({ operations: WRITES, fault: { kind: 'throttle' }, every: 3, next: 4 });
    rig.dynamoProxy.inject({
      operations: READS,
      fault: { kind: 'throttle', code: 'ThrottlingException' },
      every: 4,
      next: 3,
    });
    rig.dynamoProxy.inject({ fault: { kind: 'status', status: 500 }, every: 6, next: 3 });
    rig.dynamoProxy.inject({ fault: { kind: 'drop' }, every: 7, next: 3 });
    const published: string[] = [];

    const report = await runCycle(
      {
        store: faulty,
        fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
        clock,
        stories,
        notifier: { publish: async (alert) => void published.push(alert.id) },
      },
      rig.feeds(),
      { concurrency: 1, onlyDue: false },
    );

    // How many of each fire depends on how the cycle batches its requests; each kind must have struck.
    expect(rig.dynamoProxy.count('throttle')).toBeGreaterThanOrEqual(4);
    expect(rig.dynamoProxy.count('status')).toBeGreaterThanOrEqual(2);
    expect(rig.dynamoProxy.count('drop')).toBeGreaterThanOrEqual(2);
    expect(rig.dynamoProxy.count('forwarded')).toBeGreaterThan(15);
    expect(report.feeds.map((feed) => feed.outcome)).toEqual(['changed', 'changed']);
    expect(report.published.failed).toEqual([]);
    expect(await rig.tableContents(tableName)).toEqual(expected.contents);
    expect(published).toEqual(expected.published);
    expect(expected.contents.alerts.length).toBeGreaterThan(0);
  });
});

describe('DynamoDB faults that outlast the retries', () => {
  it('fails the poll message while the table throttles, saves no feed state, and the redelivery enqueues every item once', async () => {
    const { direct, faulty } = await rig.freshStores(2);
    const [wireA] = rig.feeds();
    const message = JSON.stringify(wireA);
    const removeOutage = rig.dynamoProxy.inject({ operations: WRITES, fault: { kind: 'throttle' } });
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
    const { faulty, direct, tableName } = await rig.freshStores(1);
    // Every second write fails with no retry: the items' claim (one transaction) or the feed state after it.
    rig.dynamoProxy.inject({ operations: WRITES, fault: { kind: 'status', status: 500 }, every: 2 });
    const queue = memoryItemQueue();
    const handler = createPollerHandler({
      store: faulty,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      itemQueue: queue,
      metrics: recordingMetrics(),
      log: recordingLog(),
    });

    const { rounds, left } = await deliverUntilDone(handler, [JSON.stringify(rig.feeds()[0])], 20);

    expect(left).toEqual([]);
    expect(rounds).toBeGreaterThan(1);
    // A feed-state write that fails after the hand-off makes the redelivery hand the same items on again.
    expect([...new Set(queue.items().map((item) => guidOf(item.id)))].sort()).toEqual([
      'rel-a-0001',
      'rel-a-0002',
      'rel-a-0003',
      'rel-a-0004',
    ]);
    rig.dynamoProxy.clear();
    const analyzer = createAnalyzerHandler({
      store: direct,
      stories,
      clock,
      notifier: { publish: async () => {} },
      metrics: recordingMetrics(),
      log: recordingLog(),
    });
    expect((await analyzer(sqsEvent(queue.bodies))).batchItemFailures).toEqual([]);
    const contents = await rig.tableContents(tableName);
    expect(contents.items).toHaveLength(4);
    expect(contents.followUps).toHaveLength(3);
  });

  it('analyzes every item once and commits every alert once when writes fail, answers are lost and records are redelivered', async () => {
    const expected = await rig.faultFreeCycle();
    const { tableName, faulty, direct } = await rig.freshStores(1);
    const itemQueue = memoryItemQueue();
    const pollerDeps = {
      store: direct,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      metrics: recordingMetrics(),
      log: recordingLog(),
    };
    // One message at a time, as the fault-free cycle polls: the syndicated copy then always loses to the original.
    for (const feed of rig.feeds())
      await createPollerHandler({ ...pollerDeps, itemQueue })(sqsEvent([JSON.stringify(feed)]));
    // A write that took effect but whose answer never came back is the hardest case for idempotency.
    // Dense enough that most items fail at least once; capped so the outage ends, as real ones do.
    rig.dynamoProxy.inject({ operations: WRITES, fault: { kind: 'lose-response' }, every: 4, next: 6 });
    rig.dynamoProxy.inject({ operations: WRITES, fault: { kind: 'drop' }, every: 5, next: 4 });
    rig.dynamoProxy.inject({ operations: READS, fault: { kind: 'throttle' }, every: 7, next: 4 });
    // SNS is down for the whole run: alerts must wait in the outbox, not fail the items.
    rig.snsProxy.inject({ operations: ['Publish'], fault: { kind: 'throttle' } });
    const notifier = createSnsNotifier({ client: rig.faultySns(1), topicArn: TOPIC_ARN });
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
    expect(rig.dynamoProxy.count('lose-response')).toBeGreaterThan(0);
    expect(rig.sns.published).toEqual([]);

    rig.dynamoProxy.clear();
    rig.snsProxy.clear();
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

    const contents = await rig.tableContents(tableName);
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
    expect(rig.publishedAlertIds().sort()).toEqual(alerts.map((alert) => alert.id).sort());
    expect(alerts.length).toBeGreaterThan(0);
  });
});
