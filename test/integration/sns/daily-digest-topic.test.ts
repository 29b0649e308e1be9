import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { createSnsDigestChannel, SNS_DIGEST_CHANNEL_ID } from '../../../src/adapters/sns';
import type { Clock, StoryStore } from '../../../src/core/ports';
import { sendDailyDigests } from '../../../src/pipeline/send-digests';
import { fitsOneSms } from '../../../src/tracking/alert-messages';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { DIGEST_STORY, sampleFollowUp } from '../../support/digest-sources';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-daily';

let sns: SnsEndpoint;
let client: SNSClient;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  // One attempt: the digest's own retry (a later tick after the backoff) is what is under test, not the SDK's.
  client = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  client?.destroy();
  await sns?.close();
});
beforeEach(() => {
  sns.published.length = 0;
});

function movableClock(start: string): Clock & { advance(ms: number): void } {
  let at = Date.parse(start);
  return { now: () => new Date(at), advance: (ms) => (at += ms) };
}

/** 17 March: Russia moved to opposes and a follow-up was recorded. */
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

/** The digest use-case with only the daily topic as its channel, publishing through the real SDK. */
function hourlyTicks(store: StoryStore) {
  const clock = movableClock('2025-03-18T00:10:00.000Z');
  const channel = createSnsDigestChannel({ client, topicArn: TOPIC });
  const tick = () => sendDailyDigests({ store, clock, stories: [DIGEST_STORY], channels: [channel] });
  return { clock, tick };
}

const HOUR = 60 * 60_000;

describe('the daily digest topic', () => {
  storageTest(
    'gets one digest a day, with an email and an SMS variant, however often the tick runs',
    async ({ store }) => {
      await seedDay(store);
      const { clock, tick } = hourlyTicks(store);

      expect((await tick()).sent).toEqual([SNS_DIGEST_CHANNEL_ID]);
      for (let hour = 1; hour < 23; hour += 1) {
        clock.advance(HOUR);
        expect((await tick()).skipped).toEqual([SNS_DIGEST_CHANNEL_ID]);
      }
      expect(sns.published).toHaveLength(1);

      const [publish] = sns.published;
      expect(publish?.topicArn).toBe(TOPIC);
      expect(publish?.subject).toBe('storywatch daily digest: 2025-03-17');
      expect(publish?.messageStructure).toBe('json');
      const message = JSON.parse(publish?.message ?? '{}') as Record<string, string>;
      expect(message.default).toBe(message.email);
      expect(message.email).toContain('Russia: opposes');
      expect(message.email).toContain('Russia: conditional → opposes');
      expect(message.email).toContain('Talks resume in Geneva');
      expect(message.sms).toBe(
        'storywatch 2025-03-17: 1 stance change(s), 1 follow-up(s). Russia: conditional -> opposes',
      );
      expect(fitsOneSms(message.sms ?? '')).toBe(true);
    },
  );

  storageTest('a failed publish is retried on a later tick and the day still arrives once', async ({ store }) => {
    await seedDay(store);
    const { clock, tick } = hourlyTicks(store);
    const requestsBefore = sns.requestCount();
    sns.failNextPublishes(1);

    const first = await tick();
    expect(first.failed.map((failure) => failure.channelId)).toEqual([SNS_DIGEST_CHANNEL_ID]);
    expect(sns.published).toHaveLength(0);

    // The next hourly ticks: one is after the backoff and sends; the rest find the day sent.
    const sentOn: number[] = [];
    for (let hour = 1; hour <= 5; hour += 1) {
      clock.advance(HOUR);
      if ((await tick()).sent.length > 0) sentOn.push(hour);
    }
    expect(sentOn).toEqual([1]);
    expect(sns.published).toHaveLength(1);
    expect(sns.requestCount() - requestsBefore).toBe(2);
  });

  storageTest('two ticks at once publish the day once', async ({ store }) => {
    await seedDay(store);
    const { tick } = hourlyTicks(store);
    const reports = await Promise.all([tick(), tick(), tick()]);
    expect(reports.flatMap((report) => report.sent)).toEqual([SNS_DIGEST_CHANNEL_ID]);
    expect(sns.published).toHaveLength(1);
  });

  storageTest('a digest SNS refuses for itself is parked, not retried', async ({ store }) => {
    await seedDay(store);
    const { clock, tick } = hourlyTicks(store);
    const requestsBefore = sns.requestCount();
    sns.refusePublishes(() => true);
    try {
      expect((await tick()).failed).toHaveLength(1);
      clock.advance(6 * HOUR);
      expect((await tick()).skipped).toEqual([SNS_DIGEST_CHANNEL_ID]);
      expect(sns.requestCount() - requestsBefore).toBe(1);
      expect(sns.published).toHaveLength(0);
    } finally {
      sns.refusePublishes(null);
    }
  });
});
