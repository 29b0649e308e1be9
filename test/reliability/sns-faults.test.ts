/**
 * SNS faults through the fault proxy, met by the publisher's sweep: throttling retried by the SDK, an outage that
 * keeps every alert pending, a lost answer resent under the same id, a slow answer not resent.
 */
import { describe, expect, it } from 'vitest';
import { createAnalyzerHandler } from '../../functions/handlers/analyzer';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createPublisherHandler } from '../../functions/handlers/publisher';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import type { StoryStore } from '../../src/core/ports';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { clock, stories, TOPIC_ARN, useFaultRig } from '../support/fault-rig';
import { memoryItemQueue, recordingLog, recordingMetrics, scheduledEvent, sqsEvent } from '../support/handler-rig';

const rig = useFaultRig();

describe('SNS faults', () => {
  async function oneCommittedAlert() {
    const { direct } = await rig.freshStores(2);
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
    })(sqsEvent([JSON.stringify(rig.feeds()[0])]));
    await analyzer(sqsEvent(queue.bodies));
    const pending = await direct.listPendingAlerts();
    expect(pending.length).toBeGreaterThan(0);
    return { direct, pending };
  }

  const sweeper = (store: StoryStore, maxAttempts: number) =>
    createPublisherHandler({
      store,
      clock,
      notifier: createSnsNotifier({ client: rig.faultySns(maxAttempts), topicArn: TOPIC_ARN }),
      metrics: recordingMetrics(),
      log: recordingLog(),
    });

  it('retries SNS Throttling errors through the SDK and publishes each alert once', async () => {
    const { direct, pending } = await oneCommittedAlert();
    rig.snsProxy.inject({ operations: ['Publish'], fault: { kind: 'throttle' }, next: 2 });

    const report = await sweeper(direct, 3)(scheduledEvent('publish'));

    expect(rig.snsProxy.count('throttle', 'Publish')).toBe(2);
    expect(report.sent.sort()).toEqual(pending.map((alert) => alert.id).sort());
    expect(rig.publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
    expect(await direct.listPendingAlerts()).toEqual([]);
  });

  it('keeps every alert pending through an SNS outage and sends each once when it ends', async () => {
    const { direct, pending } = await oneCommittedAlert();
    const endOutage = rig.snsProxy.inject({ operations: ['Publish'], fault: { kind: 'drop' } });

    await expect(sweeper(direct, 2)(scheduledEvent('publish'))).rejects.toThrow(/could not send/);
    expect((await direct.listPendingAlerts()).map((alert) => alert.id)).toEqual(pending.map((alert) => alert.id));

    endOutage();
    await sweeper(direct, 2)(scheduledEvent('publish'));
    await sweeper(direct, 2)(scheduledEvent('publish'));

    expect(rig.publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
  });

  it('resends an alert under the same id when the SNS answer is lost, so subscribers can drop the repeat', async () => {
    const { direct, pending } = await oneCommittedAlert();
    const [first] = pending;
    rig.snsProxy.inject({ operations: ['Publish'], fault: { kind: 'lose-response' }, next: 1 });

    await sweeper(direct, 2)(scheduledEvent('publish'));

    // At-least-once: SNS did publish the first attempt; the SDK could not know and retried.
    const ids = rig.publishedAlertIds();
    expect(ids.filter((id) => id === first?.id)).toHaveLength(2);
    expect(new Set(ids)).toEqual(new Set(pending.map((alert) => alert.id)));
    expect(await direct.listPendingAlerts()).toEqual([]);
  });

  it('lets a slow SNS answer through without resending it', async () => {
    const { direct, pending } = await oneCommittedAlert();
    rig.snsProxy.inject({ operations: ['Publish'], fault: { kind: 'delay', ms: 150 }, next: 1 });

    await sweeper(direct, 2)(scheduledEvent('publish'));

    expect(rig.snsProxy.count('delay', 'Publish')).toBe(1);
    expect(rig.publishedAlertIds().sort()).toEqual(pending.map((alert) => alert.id).sort());
  });
});
