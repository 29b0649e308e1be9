import { describe, expect } from 'vitest';
import { createDynamoSubscriptions } from '../../../src/adapters/dynamodb/subscriptions';
import type { WebSubSubscriptions } from '../../../src/core/ports/subscriptions';
import { answerVerification, isPushActive, requestSubscription } from '../../../src/websub/subscription';
import { storageTest } from '../../support/storage';

const NOW = new Date('2026-06-01T09:00:00.000Z');

const it = storageTest.extend<{ subscriptions: WebSubSubscriptions }>({
  subscriptions: async ({ requests }, use) => {
    await use(createDynamoSubscriptions(requests));
  },
});

const requested = (id: string, feedId: string) =>
  requestSubscription({
    id,
    feedId,
    topic: `https://${feedId}.example/feed.xml`,
    hub: 'https://hub.example/',
    now: NOW,
  });

describe('WebSub subscriptions in DynamoDB', () => {
  it('keeps topic, hub, secret, lease and state across reads, so a later delivery verifies', async ({
    subscriptions,
  }) => {
    const subscription = requested('sub-1', 'wire');
    await subscriptions.put(subscription);
    const query = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.topic': subscription.topic,
      'hub.challenge': 'abc',
      'hub.lease_seconds': '3600',
    });
    const { next } = answerVerification(await subscriptions.get('sub-1'), query, NOW);
    if (!next) throw new Error('expected the verification to be accepted');
    await subscriptions.put(next);
    const stored = await subscriptions.get('sub-1');
    expect(stored).toEqual(next);
    expect(stored?.secret).toBe(subscription.secret);
    expect(isPushActive(stored, new Date(NOW.getTime() + 3_599_000))).toBe(true);
    // The lease lapsed: the feed is polled again.
    expect(isPushActive(stored, new Date(NOW.getTime() + 3_600_000))).toBe(false);
  });

  it('lists every subscription and answers undefined for an unknown id', async ({ subscriptions }) => {
    await subscriptions.put(requested('sub-2', 'desk'));
    await subscriptions.put(requested('sub-1', 'wire'));
    await subscriptions.put({ ...requested('sub-1', 'wire'), status: 'failed', note: 'hub went away' });
    expect((await subscriptions.list()).map((entry) => [entry.id, entry.status])).toEqual([
      ['sub-2', 'requested'],
      ['sub-1', 'failed'],
    ]);
    expect(await subscriptions.get('nobody')).toBeUndefined();
  });

  it('stores, finds and lists a subscription whose id and feed id are past the key limits', async ({
    subscriptions,
  }) => {
    const longId = `sub-${'x'.repeat(3_000)}`;
    const longFeed = `feed-${'é'.repeat(1_500)}`;
    const subscription = requested(longId, longFeed);
    await subscriptions.put(subscription);
    await subscriptions.put(requested('sub-short', 'wire'));
    expect(await subscriptions.get(longId)).toEqual(subscription);
    expect((await subscriptions.forFeed(longFeed))?.id).toBe(longId);
    expect((await subscriptions.list()).map((entry) => entry.id).sort()).toEqual(['sub-short', longId].sort());
  });
});
