import { describe, expect } from 'vitest';
import { createDigestHandler } from '../../../functions/handlers/digest';
import { parkedDeliveryHook } from '../../../functions/lib/channel-wiring';
import { createAwsSecretValues } from '../../../src/adapters/secrets/secret-values';
import { parseDeclaredChannels } from '../../../src/channels/declared';
import { createDeployedDigestChannel } from '../../../src/channels/digest-channel';
import { createJsonPoster } from '../../../src/channels/http-post';
import type { Clock, StoryStore } from '../../../src/core/ports';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { startChannelReceiver } from '../../support/channel-receiver';
import { DIGEST_STORY, sampleFollowUp } from '../../support/digest-sources';
import { recordingLog, recordingMetrics, scheduledEvent } from '../../support/handler-rig';
import { loopbackSecretClients, startSecretEndpoint } from '../../support/secret-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

function movableClock(start: string): Clock & { advance(ms: number): void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

async function seedDay(store: StoryStore) {
  const alert = sampleAlert();
  const next = {
    ...baselineState(alert.storyId, alert.party, null, '2025-03-11'),
    label: 'opposes' as const,
    version: 1,
  };
  await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] });
  await store.saveFollowUps([sampleFollowUp()]);
}

/** The declarations as the stack passes the digest function: only the daily channels. */
const DAILY = parseDeclaredChannels([
  { id: 'morning', type: 'slack', urlFrom: { secret: 'storywatch/slack-daily' }, digest: 'daily' },
  { id: 'desk', type: 'teams', urlFrom: { parameter: '/storywatch/teams-daily' }, digest: 'daily' },
]);

describe('the deployed digest function', () => {
  storageTest(
    'hourly ticks send the day once, read each value through the real SDK, and park a channel in the end',
    async ({ store }) => {
      const [secrets, slack] = await Promise.all([startSecretEndpoint(), startChannelReceiver('slack')]);
      secrets.secrets.set('storywatch/slack-daily', `${slack.url}/services/T0/B0/daily`);
      // The Teams parameter was never created: that channel fails alone, every hour, until it is parked.
      const clients = loopbackSecretClients(secrets.endpoint);
      const clock = movableClock('2025-03-18T00:20:00.000Z');
      const metrics = recordingMetrics();
      const log = recordingLog();
      const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
      const values = createAwsSecretValues(clients);
      const handler = createDigestHandler({
        store,
        clock,
        stories: [DIGEST_STORY],
        channels: DAILY.map((declared) => createDeployedDigestChannel(declared, { secrets: values, post, clock })),
        onParked: parkedDeliveryHook(metrics, log),
        metrics,
        log,
      });
      try {
        await seedDay(store);
        const first = await handler(scheduledEvent('digest'));
        expect([first.day, first.sent, first.failed.map((f) => f.channelId)]).toEqual([
          '2025-03-17',
          ['morning'],
          ['desk'],
        ]);
        expect(first.failed[0]?.message).toContain('/storywatch/teams-daily');
        expect(slack.received.map((request) => request.path)).toEqual(['/services/T0/B0/daily']);

        for (let tick = 0; tick < 10; tick += 1) {
          clock.advance(60 * 60_000);
          await handler(scheduledEvent('digest'));
        }
        // Ten more ticks of the same day: Slack is never sent it again; Teams used up its 8 attempts.
        expect(slack.received).toHaveLength(1);
        const parked = await store.listParkedDeliveries();
        expect(parked).toEqual([
          expect.objectContaining({ alertId: 'digest:2025-03-17', channelId: 'desk', status: 'parked', attempts: 8 }),
        ]);
        expect(metrics.totals.DeliveriesParked).toBe(1);
        expect(metrics.flushes).toBe(11);
        expect(secrets.requests.filter((request) => request.name === 'storywatch/slack-daily')).toHaveLength(1);
        expect(secrets.requests.every((request) => request.signed)).toBe(true);
      } finally {
        clients.secretsManager.destroy();
        clients.ssm.destroy();
        await Promise.all([secrets.close(), slack.close()]);
      }
    },
  );
});
