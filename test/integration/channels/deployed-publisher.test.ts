import { createHmac } from 'node:crypto';
import { describe, expect } from 'vitest';
import { createPublisherHandler } from '../../../functions/handlers/publisher';
import { analyzerNotifier, publisherNotifier } from '../../../functions/lib/channel-wiring';
import { createAwsSecretValues } from '../../../src/adapters/secrets/secret-values';
import { createSnsNotifier } from '../../../src/adapters/sns/notifier';
import { parseDeclaredChannels } from '../../../src/channels/declared';
import { createJsonPoster } from '../../../src/channels/http-post';
import type { Clock, StoryStore } from '../../../src/core/ports';
import type { Alert } from '../../../src/core/stance-state';
import { loadStories } from '../../../src/detection/story';
import { publishAlerts } from '../../../src/pipeline/publish-alerts';
import { createAlertDescriber } from '../../../src/tracking/describe';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { type ChannelReceiver, startChannelReceiver } from '../../support/channel-receiver';
import { recordingLog, recordingMetrics, scheduledEvent } from '../../support/handler-rig';
import { loopbackSecretClients, type SecretEndpoint, startSecretEndpoint } from '../../support/secret-endpoint';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const describeAlert = createAlertDescriber(loadStories());
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const HOOK_SECRET = 'a-shared-secret-only-the-parameter-holds';

function movableClock(start: string): Clock & { advance(ms: number): void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

async function commitAlert(store: StoryStore, alert: Alert) {
  const next = { ...baselineState(alert.storyId, alert.party, null, '2025-03-11'), version: 1 };
  expect(
    await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] }),
  ).toBe('ok');
}

/** Checks the signature the way a receiver would, from the README's contract, not with the sender's code. */
function signatureHolds(request: ChannelReceiver['received'][number], secret: string): boolean {
  const timestamp = String(request.headers['x-storywatch-timestamp']);
  const mac = createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex');
  return request.headers['x-storywatch-signature'] === `sha256=${mac}`;
}

interface World {
  sns: SnsEndpoint;
  secrets: SecretEndpoint;
  slack: ChannelReceiver;
  hook: ChannelReceiver;
  close(): Promise<void>;
}

async function startWorld(): Promise<World> {
  const [sns, secrets, slack, hook] = await Promise.all([
    startSnsEndpoint(),
    startSecretEndpoint(),
    startChannelReceiver('slack'),
    startChannelReceiver('webhook'),
  ]);
  secrets.secrets.set('storywatch/slack-url', `${slack.url}/services/T0/B0/slack-token`);
  secrets.parameters.set('/storywatch/hook-url', { value: `${hook.url}/storywatch` });
  secrets.parameters.set('/storywatch/hook-secret', { value: HOOK_SECRET });
  return {
    sns,
    secrets,
    slack,
    hook,
    close: async () => {
      await Promise.all([sns.close(), secrets.close(), slack.close(), hook.close()]);
    },
  };
}

/** The declarations as the stack passes them: the same JSON the `channels` context key holds. */
const CHANNELS = parseDeclaredChannels([
  { id: 'slack', type: 'slack', urlFrom: { secret: 'storywatch/slack-url' } },
  {
    id: 'hook',
    type: 'webhook',
    urlFrom: { parameter: '/storywatch/hook-url' },
    secretFrom: { parameter: '/storywatch/hook-secret' },
  },
]);

/** The publisher's production wiring, each AWS client aimed at its loopback endpoint. */
function deployedPublisher(world: World, store: StoryStore, clock: Clock, channels = CHANNELS) {
  const metrics = recordingMetrics();
  const log = recordingLog();
  const clients = loopbackSecretClients(world.secrets.endpoint);
  const sns = loopbackSnsClient(world.sns.endpoint, 1);
  const primary = createSnsNotifier({ client: sns, topicArn: TOPIC_ARN, describe: describeAlert });
  const notifier = publisherNotifier({
    primary,
    channels,
    secrets: createAwsSecretValues(clients),
    deliveries: store,
    clock,
    post: createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 }),
    describe: describeAlert,
    metrics,
    log,
  });
  const handler = createPublisherHandler({ store, clock, notifier, metrics, log });
  const destroy = () => {
    sns.destroy();
    clients.secretsManager.destroy();
    clients.ssm.destroy();
  };
  return { handler, metrics, log, primary, sns, destroy };
}

describe('the deployed publisher with channels', () => {
  storageTest(
    'reads each value once through the real SDK, retries the failing channel alone and resends nothing',
    async ({ store }) => {
      const world = await startWorld();
      const clock = movableClock('2025-03-17T09:30:00.000Z');
      const publisher = deployedPublisher(world, store, clock);
      try {
        const alert = sampleAlert();
        await commitAlert(store, alert);
        world.hook.failNext(2, 503);
        const counts = () => [world.sns.published.length, world.slack.received.length, world.hook.received.length];

        // SNS and Slack have it; the webhook's 503 leaves the alert pending, and the sweep does not fail for it.
        const first = await publisher.handler(scheduledEvent('publish'));
        expect(first.failed).toEqual([expect.objectContaining({ alertId: alert.id, channelsOnly: true })]);
        expect(counts()).toEqual([1, 1, 1]);

        clock.advance(61_000);
        await publisher.handler(scheduledEvent('publish'));
        expect(counts()).toEqual([1, 1, 2]);
        clock.advance(2 * 60_000 + 1000);
        const last = await publisher.handler(scheduledEvent('publish'));
        expect(last.sent).toEqual([alert.id]);
        expect(counts()).toEqual([1, 1, 3]);
        expect(await store.listPendingAlerts()).toEqual([]);

        // Slack got the URL's secret path; the webhook the signed body with the alert id as idempotency key.
        expect(world.slack.received[0]?.path).toBe('/services/T0/B0/slack-token');
        for (const request of world.hook.received) {
          expect(request.headers['idempotency-key']).toBe(alert.id);
          expect(signatureHolds(request, HOOK_SECRET)).toBe(true);
          expect(signatureHolds(request, 'another secret')).toBe(false);
        }
        // Three sweeps, one read of each value, all signed the way SigV4 does.
        expect(world.secrets.requests.map((request) => request.name).sort()).toEqual([
          '/storywatch/hook-secret',
          '/storywatch/hook-url',
          'storywatch/slack-url',
        ]);
        expect(world.secrets.requests.every((request) => request.signed)).toBe(true);
        expect(publisher.metrics.totals.DeliveriesParked).toBeUndefined();
        expect(publisher.metrics.totals.AlertsSent).toBe(1);

        clock.advance(60 * 60_000);
        await publisher.handler(scheduledEvent('publish'));
        expect(counts()).toEqual([1, 1, 3]);
      } finally {
        publisher.destroy();
        await world.close();
      }
    },
  );

  storageTest(
    'a channel whose secret is missing fails alone, is parked after its attempts and counted for the alarm',
    async ({ store }) => {
      const world = await startWorld();
      world.secrets.secrets.delete('storywatch/slack-url');
      const clock = movableClock('2025-03-17T09:30:00.000Z');
      const publisher = deployedPublisher(world, store, clock);
      try {
        const alert = sampleAlert();
        await commitAlert(store, alert);
        for (let sweep = 0; sweep < 8; sweep += 1) {
          await publisher.handler(scheduledEvent('publish'));
          clock.advance(61 * 60_000);
        }
        expect([world.sns.published.length, world.slack.received.length, world.hook.received.length]).toEqual([
          1, 0, 1,
        ]);
        expect(await store.listPendingAlerts()).toEqual([]);
        const [parked] = await store.listParkedDeliveries();
        expect(parked).toMatchObject({ alertId: alert.id, channelId: 'slack', status: 'parked', attempts: 8 });
        expect(parked?.lastError).toContain('cannot read secret "storywatch/slack-url"');
        expect(publisher.metrics.totals.DeliveriesParked).toBe(1);
        expect(publisher.log.entries.filter((entry) => entry.message.startsWith('delivery parked'))).toHaveLength(1);
        // A failed read is not cached: each attempt asked Secrets Manager again.
        const slackReads = world.secrets.requests.filter((request) => request.name === 'storywatch/slack-url');
        expect(slackReads).toHaveLength(8);
      } finally {
        publisher.destroy();
        await world.close();
      }
    },
  );

  storageTest(
    'the analyzer sends SNS at once and leaves the channels to the sweep, which sends SNS nothing twice',
    async ({ store }) => {
      const world = await startWorld();
      const clock = movableClock('2025-03-17T09:30:00.000Z');
      const publisher = deployedPublisher(world, store, clock);
      try {
        const alert = sampleAlert();
        await commitAlert(store, alert);
        const handOff = analyzerNotifier(publisher.primary, true, store, clock);
        const right = await publishAlerts({ store, notifier: handOff, clock }, [alert]);
        expect(right).toEqual({ sent: [], failed: [], parked: [], deferred: [alert.id] });
        expect([world.sns.published.length, world.slack.received.length, world.hook.received.length]).toEqual([
          1, 0, 0,
        ]);
        const sweep = await publisher.handler(scheduledEvent('publish'));
        expect(sweep.sent).toEqual([alert.id]);
        expect([world.sns.published.length, world.slack.received.length, world.hook.received.length]).toEqual([
          1, 1, 1,
        ]);
        // Without channels the analyzer's notifier is SNS itself, as before.
        expect(analyzerNotifier(publisher.primary, false, store, clock)).toBe(publisher.primary);
      } finally {
        publisher.destroy();
        await world.close();
      }
    },
  );
});
