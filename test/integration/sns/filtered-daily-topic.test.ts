import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { createSnsDigestChannels } from '../../../src/adapters/sns';
import { DIGEST_FILTER_ATTRIBUTE, type DigestFilter, digestFilterPolicy } from '../../../src/channels/digest-filter';
import type { Clock, StoryStore } from '../../../src/core/ports';
import { sendDailyDigests } from '../../../src/pipeline/send-digests';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { DIGEST_STORY, observation, sampleFollowUp } from '../../support/digest-sources';
import {
  loopbackSnsClient,
  type RecordedPublish,
  type SnsEndpoint,
  startSnsEndpoint,
} from '../../support/sns-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-daily';
const HOUR = 60 * 60_000;

/** The daily subscribers of a deploy, each with the filter its context entry gives (none: the whole digest). */
const SUBSCRIBERS: Record<string, DigestFilter> = {
  'editor@example.org': {},
  'kyiv@example.org': { parties: ['ukraine'] },
  'desk@example.org': { severities: ['high'] },
  '+14155550100': { severities: ['high'] },
  'brussels@example.org': { parties: ['eu'] },
};

let sns: SnsEndpoint;
let client: SNSClient;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  client = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  client?.destroy();
  await sns?.close();
});
beforeEach(() => {
  sns.published.length = 0;
});

/**
 * What SNS does with a published message for one subscription: deliver it when every attribute the policy names
 * has one of the policy's values (the only kind of policy the stack writes on the daily topic).
 */
function delivers(policy: Record<string, string[]>, publish: RecordedPublish): boolean {
  return Object.entries(policy).every(([name, allowed]) => {
    const attribute = publish.attributes[name];
    return attribute?.dataType === 'String' && allowed.includes(attribute.value);
  });
}

/** The messages each subscriber would get, by the filter policy the stack gives its subscription. */
function inboxes(): Record<string, RecordedPublish[]> {
  return Object.fromEntries(
    Object.entries(SUBSCRIBERS).map(([address, filter]) => [
      address,
      sns.published.filter((publish) => delivers(digestFilterPolicy(filter), publish)),
    ]),
  );
}

const emailOf = (publish: RecordedPublish | undefined) =>
  (JSON.parse(publish?.message ?? '{}') as Record<string, string>).email ?? '';

/** 17 March: Russia moved to opposes (a high alert); a follow-up carried Ukraine's stance. */
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
  await store.saveFollowUps([
    sampleFollowUp({
      itemId: 'item-kyiv',
      title: 'Kyiv sets out its terms',
      link: 'https://news.example.org/world/kyiv-terms',
      parties: ['ukraine'],
      stances: [observation('ukraine', 'conditional', 'Kyiv will sign only with guarantees.')],
      recordedAt: '2025-03-17T11:00:00.000Z',
    }),
  ]);
}

function hourlyTicks(store: StoryStore) {
  let at = Date.parse('2025-03-18T00:10:00.000Z');
  const clock: Clock = { now: () => new Date(at) };
  const channels = createSnsDigestChannels({ client, topicArn: TOPIC, filters: Object.values(SUBSCRIBERS) });
  const tick = () => sendDailyDigests({ store, clock, stories: [DIGEST_STORY], channels });
  return { tick, advance: (ms: number) => (at += ms), channels };
}

describe('daily SNS subscribers with filters', () => {
  storageTest('get one digest each, cut to their filter, from one message per distinct filter', async ({ store }) => {
    await seedDay(store);
    const { tick, channels } = hourlyTicks(store);
    // Four distinct filters among five subscribers: desk and the phone share one.
    expect(channels.map((channel) => channel.id)).toEqual([
      'sns:daily',
      'sns:daily:parties=eu',
      'sns:daily:parties=ukraine',
      'sns:daily:severities=high',
    ]);
    const report = await tick();
    // Nothing of the day concerned the EU: its subscribers get nothing, as a quiet channel does.
    expect(report.quiet).toEqual(['sns:daily:parties=eu']);
    expect(report.sent).toEqual(['sns:daily', 'sns:daily:parties=ukraine', 'sns:daily:severities=high']);
    expect(sns.published.map((publish) => publish.attributes[DIGEST_FILTER_ATTRIBUTE]?.value)).toEqual([
      'all',
      'parties=ukraine',
      'severities=high',
    ]);

    const inbox = inboxes();
    expect(Object.fromEntries(Object.entries(inbox).map(([address, got]) => [address, got.length]))).toEqual({
      'editor@example.org': 1,
      'kyiv@example.org': 1,
      'desk@example.org': 1,
      '+14155550100': 1,
      'brussels@example.org': 0,
    });
    const whole = emailOf(inbox['editor@example.org']?.[0]);
    expect(whole).toContain('Russia: conditional → opposes');
    expect(whole).toContain('Kyiv sets out its terms');
    const kyiv = emailOf(inbox['kyiv@example.org']?.[0]);
    expect(kyiv).toContain('Kyiv sets out its terms');
    expect(kyiv).not.toContain('Russia');
    const desk = emailOf(inbox['desk@example.org']?.[0]);
    expect(desk).toContain('Russia: conditional → opposes');
    const sms = JSON.parse(inbox['+14155550100']?.[0]?.message ?? '{}') as Record<string, string>;
    expect(sms.sms).toMatch(/^storywatch 2025-03-17: 1 stance change\(s\)/);
  });

  storageTest('a failed publish of one filter is retried alone; the others are not sent again', async ({ store }) => {
    await seedDay(store);
    const { tick, advance } = hourlyTicks(store);
    const isUkraine = (publish: RecordedPublish) =>
      publish.attributes[DIGEST_FILTER_ATTRIBUTE]?.value === 'parties=ukraine';
    sns.refusePublishes(isUkraine, { status: 500, code: 'InternalError' });
    try {
      const first = await tick();
      expect(first.failed.map((failure) => failure.channelId)).toEqual(['sns:daily:parties=ukraine']);
      expect(first.sent).toEqual(['sns:daily', 'sns:daily:severities=high']);
    } finally {
      sns.refusePublishes(null);
    }
    const later: string[][] = [];
    for (let hour = 1; hour <= 4; hour += 1) {
      advance(HOUR);
      later.push((await tick()).sent);
    }
    expect(later).toEqual([['sns:daily:parties=ukraine'], [], [], []]);
    const inbox = inboxes();
    for (const address of ['editor@example.org', 'kyiv@example.org', 'desk@example.org', '+14155550100']) {
      expect(inbox[address]).toHaveLength(1);
    }
  });
});
