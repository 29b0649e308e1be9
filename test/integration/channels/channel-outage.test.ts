import { describe, expect } from 'vitest';
import { createChannel } from '../../../src/channels/channel';
import type { ChannelSpec } from '../../../src/channels/config';
import { createChannelFanout } from '../../../src/channels/fanout';
import { createJsonPoster } from '../../../src/channels/http-post';
import type { AlertNotifier, ChannelDeliveries, ChannelDelivery, Clock } from '../../../src/core/ports';
import type { Alert } from '../../../src/core/stance-state';
import { publishPendingAlerts } from '../../../src/pipeline/publish-alerts';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { startChannelReceiver } from '../../support/channel-receiver';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

/** A clock the test moves forward, so backoff waits pass without sleeping. */
function movableClock(start: string): Clock & { advance(ms: number): void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

function recordingNotifier(): AlertNotifier & { ids: string[] } {
  const ids: string[] = [];
  return { ids, publish: async (alert) => void ids.push(alert.id) };
}

const spec = (id: string, type: ChannelSpec['type'], url: string, filter: ChannelSpec['filter'] = {}): ChannelSpec => ({
  id,
  type,
  url,
  secret: type === 'webhook' ? 's3cret' : null,
  filter,
  digest: 'immediate',
});

/** The publisher's fan-out over `deliveries`: a recorded primary notifier and one channel per spec, on a movable clock. */
function fanoutOver(deliveries: ChannelDeliveries, specs: ChannelSpec[]) {
  const clock = movableClock('2025-03-17T09:30:00.000Z');
  const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
  const primary = recordingNotifier();
  const parked: ChannelDelivery[] = [];
  const notifier = createChannelFanout({
    primary,
    channels: specs.map((channel) => createChannel(channel, { post, clock })),
    deliveries,
    clock,
    onParked: (delivery) => parked.push(delivery),
  });
  return { clock, primary, parked, notifier };
}

async function commitAlert(store: Parameters<typeof commitOne>[0], alert: Alert) {
  const next = { ...baselineState(alert.storyId, alert.party, null, '2025-03-11'), version: 1 };
  expect(
    await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] }),
  ).toBe('ok');
}

describe('channel outage', () => {
  storageTest(
    'a failing channel is retried after its backoff and the others are never sent the alert twice',
    async ({ store }) => {
      const [slack, hook] = await Promise.all([startChannelReceiver('slack'), startChannelReceiver('webhook')]);
      try {
        const { clock, primary, parked, notifier } = fanoutOver(store, [
          spec('slack', 'slack', `${slack.url}/services/x`),
          spec('hook', 'webhook', `${hook.url}/hook`),
        ]);
        const alert = sampleAlert();
        await commitAlert(store, alert);
        hook.failNext(2, 503);

        const first = await publishPendingAlerts({ store, notifier, clock });
        expect(first.failed.map((failure) => failure.alertId)).toEqual([alert.id]);
        expect([primary.ids.length, slack.received.length, hook.received.length]).toEqual([1, 1, 1]);

        // Within the backoff nothing is tried: the alert is deferred, not failed.
        clock.advance(30_000);
        const waiting = await publishPendingAlerts({ store, notifier, clock });
        expect(waiting.deferred).toEqual([alert.id]);
        expect(hook.received).toHaveLength(1);

        clock.advance(31_000);
        await publishPendingAlerts({ store, notifier, clock });
        clock.advance(2 * 60_000);
        const last = await publishPendingAlerts({ store, notifier, clock });
        expect(last.sent).toEqual([alert.id]);
        expect([primary.ids.length, slack.received.length, hook.received.length]).toEqual([1, 1, 3]);
        const keys = hook.received.map((request) => request.headers['idempotency-key']);
        expect(new Set(keys)).toEqual(new Set([alert.id]));
        expect(await store.listPendingAlerts()).toEqual([]);
        expect(parked).toEqual([]);

        clock.advance(60 * 60_000);
        await publishPendingAlerts({ store, notifier, clock });
        expect([primary.ids.length, slack.received.length, hook.received.length]).toEqual([1, 1, 3]);
      } finally {
        await Promise.all([slack.close(), hook.close()]);
      }
    },
  );

  storageTest(
    'a channel that refuses the request is parked at once and the alert leaves the outbox',
    async ({ store }) => {
      const slack = await startChannelReceiver('slack');
      try {
        const { clock, parked, notifier } = fanoutOver(store, [spec('slack', 'slack', `${slack.url}/revoked`)]);
        const alert = sampleAlert();
        await commitAlert(store, alert);
        slack.failNext(1, 404);

        const report = await publishPendingAlerts({ store, notifier, clock });
        expect(report.sent).toEqual([alert.id]);
        expect(parked.map((delivery) => delivery.channelId)).toEqual(['slack']);
        expect((await store.listParkedDeliveries()).map((d) => [d.alertId, d.channelId, d.status])).toEqual([
          [alert.id, 'slack', 'parked'],
        ]);
      } finally {
        await slack.close();
      }
    },
  );

  storageTest('a channel whose filter leaves the alert out is not sent it', async ({ store }) => {
    const slack = await startChannelReceiver('slack');
    try {
      const { clock, notifier } = fanoutOver(store, [
        spec('slack', 'slack', `${slack.url}/x`, { parties: ['ukraine'], severities: ['high'] }),
      ]);
      await commitAlert(store, sampleAlert());
      expect((await publishPendingAlerts({ store, notifier, clock })).sent).toHaveLength(1);
      expect(slack.received).toHaveLength(0);
    } finally {
      await slack.close();
    }
  });
});
