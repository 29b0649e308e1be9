import { describe, expect } from 'vitest';
import { createDynamoDueFeeds } from '../../../src/adapters/dynamodb/due-feeds';
import type { FeedDefinition } from '../../../src/core/feed';
import type { DueFeeds } from '../../../src/core/ports/due-feeds';
import type { FeedQueue } from '../../../src/core/ports/queues';
import { DISPATCH_LEASE_SEC, dispatchDueFeeds, NEVER_DUE } from '../../../src/pipeline/dispatch-due';
import { storageTest } from '../../support/storage';

const T0 = Date.parse('2026-06-01T09:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const clockAt = (minutes: number) => ({ now: () => new Date(at(minutes)) });
const feed = (id: string): FeedDefinition => ({
  id,
  url: `https://${id}.example/feed.xml`,
  name: id,
  publisher: id,
  language: 'en',
});

const it = storageTest.extend<{ due: DueFeeds }>({
  due: async ({ requests }, use) => {
    await use(createDynamoDueFeeds(requests));
  },
});

function recordingQueue(): FeedQueue & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    async sendFeeds(feeds) {
      sent.push(...feeds.map((one) => one.id));
    },
  };
}

const registryOf = (ids: string[]) => new Map(ids.map((id) => [id, feed(id)]));
const ids = (count: number) => Array.from({ length: count }, (_, index) => `feed-${String(index).padStart(3, '0')}`);

describe('the DynamoDB due-time index', () => {
  it('registers each feed once, and a later registry only its new feeds', async ({ due }) => {
    expect(await due.registerFeeds(ids(5), at(0))).toBe(5);
    expect(await due.registerFeeds(ids(5), at(1))).toBe(0);
    expect(await due.registerFeeds(ids(7), at(2))).toBe(2);
    const read = await due.readDue(at(2), 100);
    expect(read.entries.map((entry) => entry.dueAt)).toEqual([...Array(5).fill(at(0)), at(2), at(2)]);
  });

  it('reads only the entries due by now, oldest first across its shards, with the read units spent', async ({
    due,
  }) => {
    await due.registerFeeds(ids(12), at(0));
    for (const [index, id] of ids(12).entries()) await due.setDue(id, at(index * 10));
    const read = await due.readDue(at(35), 100);
    expect(read.entries).toEqual(ids(4).map((id, index) => ({ feedId: id, dueAt: at(index * 10) })));
    expect(read.readUnits).toBeGreaterThan(0);
    expect((await due.readDue(at(35), 2)).entries.map((entry) => entry.feedId)).toEqual(ids(2));
  });

  it('keeps one entry per feed however often it moves, and never lists a parked feed', async ({ due }) => {
    await due.registerFeeds(['desk'], at(0));
    await due.setDue('desk', at(5));
    await due.setDue('desk', at(3));
    await due.setDue('desk', NEVER_DUE);
    expect((await due.readDue(at(60 * 24 * 365), 10)).entries).toEqual([]);
    await due.setDue('desk', at(4));
    expect((await due.readDue(at(10), 10)).entries).toEqual([{ feedId: 'desk', dueAt: at(4) }]);
  });

  it('lets one of two claims of the same entry win, and drops an entry the feed has left', async ({ due }) => {
    await due.registerFeeds(['desk'], at(0));
    const [entry] = (await due.readDue(at(1), 10)).entries;
    if (!entry) throw new Error('expected a due entry');
    const results = await Promise.all([due.claimDue(entry, at(16)), due.claimDue(entry, at(17))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // The poller moved the feed after a tick read it: the late claim loses and leaves no stray entry behind.
    await due.setDue('desk', at(2));
    expect(await due.claimDue(entry, at(18))).toBe(false);
    expect((await due.readDue(at(100), 10)).entries).toEqual([{ feedId: 'desk', dueAt: at(2) }]);
  });
});

describe('advanceDue', () => {
  it('moves a due time earlier only, and never registers a feed', async ({ due }) => {
    await due.registerFeeds(['desk'], at(0));
    await due.setDue('desk', at(15));
    expect(await due.advanceDue('desk', at(20))).toBe(false);
    expect(await due.advanceDue('desk', at(4))).toBe(true);
    expect(await due.advanceDue('desk', at(4))).toBe(false);
    expect((await due.readDue(at(100), 10)).entries).toEqual([{ feedId: 'desk', dueAt: at(4) }]);
    expect(await due.advanceDue('unknown', at(1))).toBe(false);
    expect((await due.readDue(at(100), 10)).entries.map((entry) => entry.feedId)).toEqual(['desk']);
  });
});

describe('dispatchDueFeeds on the index', () => {
  it('sends each due feed exactly once when two ticks run at the same moment', async ({ due }) => {
    const registry = registryOf(ids(40));
    await due.registerFeeds([...registry.keys()], at(0));
    const first = recordingQueue();
    const second = recordingQueue();
    const outcomes = await Promise.all([
      dispatchDueFeeds({ due, clock: clockAt(1), feedQueue: first }, registry),
      dispatchDueFeeds({ due, clock: clockAt(1), feedQueue: second }, registry),
    ]);
    expect([...first.sent, ...second.sent].sort()).toEqual(ids(40));
    // A feed the other tick leased before this one read it is simply not seen, so not every feed is contested.
    expect(outcomes[0].lost + outcomes[1].lost).toBeLessThanOrEqual(40);
    expect(outcomes[0].sent.length + outcomes[1].sent.length).toBe(40);
    // Leased: the next tick finds nothing until the lease ends.
    expect((await dispatchDueFeeds({ due, clock: clockAt(2), feedQueue: recordingQueue() }, registry)).sent).toEqual(
      [],
    );
  });

  it('loses no feed when the tick crashes after its claims: the lease ends and the feed is due again', async ({
    due,
  }) => {
    const registry = registryOf(['desk', 'wire']);
    await due.registerFeeds([...registry.keys()], at(0));
    const broken: FeedQueue = {
      async sendFeeds() {
        throw new Error('queue unreachable');
      },
    };
    await expect(dispatchDueFeeds({ due, clock: clockAt(1), feedQueue: broken }, registry)).rejects.toThrow(
      'queue unreachable',
    );
    const queue = recordingQueue();
    await dispatchDueFeeds({ due, clock: clockAt(1 + DISPATCH_LEASE_SEC / 60), feedQueue: queue }, registry);
    expect(queue.sent.sort()).toEqual(['desk', 'wire']);
  });

  it('drops the entries of feeds no longer in the registry instead of sending them', async ({ due }) => {
    await due.registerFeeds(['desk', 'retired'], at(0));
    const queue = recordingQueue();
    const outcome = await dispatchDueFeeds({ due, clock: clockAt(1), feedQueue: queue }, registryOf(['desk']));
    expect(queue.sent).toEqual(['desk']);
    expect(outcome.dropped).toBe(1);
    expect((await due.readDue(at(10_000), 10)).entries.map((entry) => entry.feedId)).toEqual(['desk']);
  });
});
