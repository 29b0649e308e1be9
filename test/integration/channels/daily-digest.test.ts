import { createHmac } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { ChannelSpec } from '../../../src/channels/config';
import { createDigestChannel } from '../../../src/channels/digest-channel';
import { createJsonPoster } from '../../../src/channels/http-post';
import type { ChannelDelivery, Clock, StoryStore } from '../../../src/core/ports';
import { sendDailyDigests } from '../../../src/pipeline/send-digests';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { type ChannelReceiver, type ReceivedRequest, startChannelReceiver } from '../../support/channel-receiver';
import { DIGEST_STORY, sampleFollowUp } from '../../support/digest-sources';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const SECRET = 'digest-secret';

function movableClock(start: string): Clock & { advance(ms: number): void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

const spec = (id: string, type: ChannelSpec['type'], url: string): ChannelSpec => ({
  id,
  type,
  url,
  secret: type === 'webhook' ? SECRET : null,
  filter: {},
  digest: 'daily',
});

/** Yesterday (17 March) had a stance change and a follow-up; the clock stands just after midnight. */
async function seedDay(store: StoryStore) {
  const alert = sampleAlert();
  const next = {
    ...baselineState(alert.storyId, alert.party, null, '2025-03-11'),
    label: 'opposes' as const,
    version: 1,
  };
  expect(
    await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] }),
  ).toBe('ok');
  await store.saveFollowUps([sampleFollowUp()]);
}

/** The use-case over the store with real senders posting to the receivers, as `storywatch digest` wires it. */
function digestRun(store: StoryStore, receivers: Record<string, [ChannelSpec['type'], ChannelReceiver]>) {
  const clock = movableClock('2025-03-18T00:10:00.000Z');
  const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
  const channels = Object.entries(receivers).map(([id, [type, receiver]]) =>
    createDigestChannel(spec(id, type, `${receiver.url}/in`), { post, clock }),
  );
  const parked: ChannelDelivery[] = [];
  const run = () =>
    sendDailyDigests({ store, clock, stories: [DIGEST_STORY], channels, onParked: (d) => void parked.push(d) });
  return { clock, parked, run };
}

/** Checks the signature the way a receiver following the README would, with its own HMAC. */
function signedCorrectly(request: ReceivedRequest): boolean {
  const timestamp = String(request.headers['x-storywatch-timestamp']);
  const expected = createHmac('sha256', SECRET).update(`${timestamp}.${request.body}`).digest('hex');
  return request.headers['x-storywatch-signature'] === `sha256=${expected}`;
}

describe('daily digest', () => {
  storageTest('sends once per channel and day; a failing channel is retried alone', async ({ store }) => {
    const [slack, hook] = await Promise.all([startChannelReceiver('slack'), startChannelReceiver('webhook')]);
    try {
      await seedDay(store);
      const { clock, run } = digestRun(store, { slack: ['slack', slack], hook: ['webhook', hook] });
      hook.failNext(1, 503);

      const first = await run();
      expect([first.day, first.sent, first.failed.map((f) => f.channelId)]).toEqual([
        '2025-03-17',
        ['slack'],
        ['hook'],
      ]);
      const slackText = JSON.stringify(JSON.parse(slack.received[0]?.body ?? '{}').blocks);
      expect(slackText).toContain('Russia: opposes (changed: Russia: conditional → opposes)');
      expect(slackText).toContain('Talks resume in Geneva');

      // The same day again: Slack has it, the webhook waits out its backoff. Nothing is sent.
      clock.advance(30_000);
      expect((await run()).skipped).toEqual(['slack', 'hook']);
      expect([slack.received.length, hook.received.length]).toEqual([1, 1]);

      clock.advance(31_000);
      const retry = await run();
      expect([retry.sent, retry.skipped]).toEqual([['hook'], ['slack']]);
      expect([slack.received.length, hook.received.length]).toEqual([1, 2]);
      const delivered = hook.received[1] as ReceivedRequest;
      expect(delivered.headers['idempotency-key']).toBe('digest:2025-03-17');
      expect(signedCorrectly(delivered)).toBe(true);
      expect(JSON.parse(delivered.body)).toMatchObject({ type: 'storywatch.digest', day: '2025-03-17' });

      clock.advance(6 * 60 * 60_000);
      expect((await run()).sent).toEqual([]);
      expect([slack.received.length, hook.received.length]).toEqual([1, 2]);
    } finally {
      await Promise.all([slack.close(), hook.close()]);
    }
  });

  storageTest('two runs at once send each channel one digest', async ({ store }) => {
    const [slack, teams] = await Promise.all([startChannelReceiver('slack'), startChannelReceiver('teams')]);
    try {
      await seedDay(store);
      const { run } = digestRun(store, { slack: ['slack', slack], teams: ['teams', teams] });
      const reports = await Promise.all([run(), run(), run()]);
      expect(reports.flatMap((report) => report.sent).sort()).toEqual(['slack', 'teams']);
      expect([slack.received.length, teams.received.length]).toEqual([1, 1]);
    } finally {
      await Promise.all([slack.close(), teams.close()]);
    }
  });

  storageTest('a quiet day sends nothing; a refused request parks the channel', async ({ store }) => {
    const slack = await startChannelReceiver('slack');
    try {
      const { parked, run } = digestRun(store, { slack: ['slack', slack] });
      expect((await run()).quiet).toEqual(['slack']);
      expect(slack.received).toHaveLength(0);

      await seedDay(store);
      slack.failNext(1, 404);
      expect((await run()).failed.map((failure) => failure.channelId)).toEqual(['slack']);
      expect(parked.map((delivery) => [delivery.alertId, delivery.status])).toEqual([['digest:2025-03-17', 'parked']]);
      expect((await run()).skipped).toEqual(['slack']);
      expect(slack.received).toHaveLength(1);
    } finally {
      await slack.close();
    }
  });
});
