/**
 * An alert SNS refuses for good (InvalidParameter: a message it will never take) is parked: kept in the store with
 * the reason, counted and logged, never retried, and the alerts after it are sent. Errors a retry or a fix may cure
 * (SNS down, throttled, the topic missing) leave the alert pending. Through the real SNS SDK client against the
 * loopback SNS endpoint, on the production store over dynalite.
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPublisherHandler } from '../../functions/handlers/publisher';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import { createChannel } from '../../src/channels/channel';
import { createChannelFanout } from '../../src/channels/fanout';
import { createJsonPoster } from '../../src/channels/http-post';
import { METRIC } from '../../src/config/metrics';
import type { AlertNotifier, Clock, StoryStore } from '../../src/core/ports';
import type { Alert } from '../../src/core/stance-state';
import { formatCycleLine } from '../../src/local/run-loop';
import { baselineState } from '../../src/tracking/stance-machine';
import { sampleAlert } from '../support/channel-alerts';
import { startChannelReceiver } from '../support/channel-receiver';
import { recordingLog, recordingMetrics, scheduledEvent } from '../support/handler-rig';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';
import { commitOne } from '../support/stance-commits';
import { storageTest } from '../support/storage';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const clock: Clock = { now: () => new Date('2025-03-17T09:30:00.000Z') };

let sns: SnsEndpoint;
let snsClient: SNSClient;
beforeAll(async () => {
  sns = await startSnsEndpoint();
  // One attempt, so a transient error shows as one failed sweep rather than being absorbed by the SDK's retries.
  snsClient = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  snsClient?.destroy();
  await sns?.close();
});
beforeEach(() => {
  sns.published.length = 0;
  sns.refusePublishes(null);
});

/** Three alerts for three parties, committed in this order (oldest first in the outbox). */
const ALERTS: Alert[] = ['russia', 'ukraine', 'usa'].map((party, index) => {
  const at = `2025-03-17T09:0${index}:00.000Z`;
  return sampleAlert({ id: `ceasefire-2025:${party}:1`, party, createdAt: at });
});
const [FIRST, REFUSED, LAST] = ALERTS as [Alert, Alert, Alert];

async function commitAlerts(store: StoryStore, alerts: readonly Alert[]) {
  for (const alert of alerts) {
    const next = { ...baselineState(alert.storyId, alert.party, null, '2025-03-11'), version: 1 };
    expect(
      await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] }),
    ).toBe('ok');
  }
}

const snsNotifier = (): AlertNotifier => createSnsNotifier({ client: snsClient, topicArn: TOPIC });
const alertIdOf = (publish: SnsEndpoint['published'][number]) => publish.attributes.alertId?.value;
const refuse = (alert: Alert) => sns.refusePublishes((publish) => alertIdOf(publish) === alert.id);

function sweeper(store: StoryStore, notifier: AlertNotifier = snsNotifier()) {
  const metrics = recordingMetrics();
  const log = recordingLog();
  const handler = createPublisherHandler({ store, notifier, clock, metrics, log });
  return { metrics, log, sweep: () => handler(scheduledEvent('publish')) };
}

async function statusOf(store: StoryStore, alert: Alert) {
  const stored = (await store.listAlerts()).find((candidate) => candidate.id === alert.id);
  return { status: stored?.status, parked: stored?.parked, sentAt: stored?.sentAt };
}

describe('an alert SNS refuses for good', () => {
  storageTest('is parked with the reason, counted and logged; the alerts after it are sent', async ({ store }) => {
    await commitAlerts(store, ALERTS);
    refuse(REFUSED);
    const { metrics, log, sweep } = sweeper(store);

    const report = await sweep();

    expect(report.sent).toEqual([FIRST.id, LAST.id]);
    expect(report.parked).toEqual([{ alertId: REFUSED.id, reason: expect.stringMatching(/InvalidParameter/) }]);
    expect(report.failed).toEqual([]);
    expect(sns.published.map(alertIdOf)).toEqual([FIRST.id, LAST.id]);
    expect(await store.listPendingAlerts()).toEqual([]);
    // Kept, not deleted: the store says when and why.
    expect(await statusOf(store, REFUSED)).toEqual({
      status: 'parked',
      parked: {
        at: clock.now().toISOString(),
        reason: expect.stringMatching(/SNS refused the alert.*InvalidParameter/),
      },
      sentAt: null,
    });
    expect((await statusOf(store, FIRST)).status).toBe('sent');
    expect(metrics.totals[METRIC.deliveriesParked]).toBe(1);
    expect(metrics.totals[METRIC.alertsSent]).toBe(2);
    const parkedLogs = log.entries.filter((entry) => entry.level === 'error' && /alert parked/.test(entry.message));
    expect(parkedLogs).toEqual([
      expect.objectContaining({ attributes: expect.objectContaining({ alertId: REFUSED.id }) }),
    ]);
  });

  storageTest('is never tried again by later sweeps', async ({ store }) => {
    await commitAlerts(store, ALERTS);
    refuse(REFUSED);
    const { sweep } = sweeper(store);
    await sweep();
    const requests = sns.requestCount();

    const again = await sweep();
    await sweep();

    expect(again).toMatchObject({ sent: [], failed: [], parked: [], deferred: [] });
    expect(sns.requestCount()).toBe(requests);
    expect((await statusOf(store, REFUSED)).status).toBe('parked');
  });

  storageTest('is parked when its message is too long for SNS whatever is shrunk', async ({ store }) => {
    // The endpoint refuses over 256 KB as SNS does; a subject is not shrunk, so this one cannot be made to fit.
    const notifier = createSnsNotifier({
      client: snsClient,
      topicArn: TOPIC,
      describe: () => ({ partyName: 'Russia', storyTitle: 'T'.repeat(300 * 1024) }),
    });
    await commitAlerts(store, [FIRST]);
    const { sweep, metrics } = sweeper(store, notifier);

    const report = await sweep();

    expect(report.parked).toEqual([{ alertId: FIRST.id, reason: expect.stringMatching(/Message too long/) }]);
    expect(metrics.totals[METRIC.deliveriesParked]).toBe(1);
    expect(await store.listPendingAlerts()).toEqual([]);
  });
});

describe('errors a retry or a fix may cure', () => {
  for (const failure of [
    { status: 500, code: 'InternalError' },
    { status: 400, code: 'Throttling' },
    { status: 404, code: 'NotFound' },
    { status: 403, code: 'AuthorizationError' },
  ]) {
    storageTest(`leave the alert pending and sent by a later sweep: ${failure.code}`, async ({ store }) => {
      await commitAlerts(store, [FIRST]);
      sns.refusePublishes(() => true, failure);
      const { sweep, metrics } = sweeper(store);

      await expect(sweep()).rejects.toThrow(/could not send any of 1 pending alerts/);
      expect((await store.listPendingAlerts()).map((alert) => alert.id)).toEqual([FIRST.id]);
      expect(metrics.totals[METRIC.deliveriesParked]).toBeUndefined();

      sns.refusePublishes(null);
      expect((await sweep()).sent).toEqual([FIRST.id]);
      expect(sns.published.map(alertIdOf)).toEqual([FIRST.id]);
    });
  }
});

describe('with channels, an alert SNS refuses for good', () => {
  storageTest('still reaches the channels, then is parked once, not marked sent', async ({ store }) => {
    const hook = await startChannelReceiver('webhook');
    try {
      const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
      const spec = {
        id: 'hook',
        type: 'webhook' as const,
        url: `${hook.url}/hook`,
        secret: 's3cret',
        filter: {},
        digest: 'immediate' as const,
      };
      const channelParked: string[] = [];
      const notifier = createChannelFanout({
        primary: snsNotifier(),
        channels: [createChannel(spec, { post, clock })],
        deliveries: store,
        clock,
        onParked: (delivery) => channelParked.push(delivery.channelId),
      });
      await commitAlerts(store, [FIRST, REFUSED]);
      refuse(REFUSED);
      const { sweep, metrics } = sweeper(store, notifier);

      const report = await sweep();

      expect(report.sent).toEqual([FIRST.id]);
      expect(report.parked.map((parked) => parked.alertId)).toEqual([REFUSED.id]);
      expect(report.parked[0]?.reason).toMatch(/notifier: SNS refused the alert/);
      expect(hook.received.map((request) => request.headers['idempotency-key'])).toEqual([FIRST.id, REFUSED.id]);
      expect((await statusOf(store, REFUSED)).status).toBe('parked');
      // Counted once: as a parked alert, not again as a parked delivery of the primary.
      expect(metrics.totals[METRIC.deliveriesParked]).toBe(1);
      expect(channelParked).toEqual([]);
      const requests = sns.requestCount();
      await sweep();
      expect(sns.requestCount()).toBe(requests);
    } finally {
      await hook.close();
    }
  });
});

describe('the run cycle line', () => {
  it('counts a parked alert and names it with the reason', () => {
    const line = formatCycleLine(1, clock.now(), {
      feeds: [],
      analysis: { items: [], followUps: 0, alerts: [] },
      published: {
        sent: [FIRST.id],
        failed: [],
        deferred: [],
        parked: [{ alertId: REFUSED.id, reason: 'SNS refused the alert: InvalidParameterException: too long' }],
      },
    });

    expect(line).toMatch(/· 1 alerts sent, 1 parked/);
    expect(line).toMatch(
      new RegExp(`✗ alert ${REFUSED.id} parked \\(refused for good, kept in the store, not retried\\): SNS refused`),
    );
  });
});
