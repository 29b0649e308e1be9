import type { FeedItem } from '../../src/core/feed';
import { analyzeBatch } from '../../src/pipeline/analyze-batch';
import { claimItems, pollOneFeed } from '../../src/pipeline/poll-feeds';
import { FeedFarm } from '../lib/feed-farm';
import { farmFeeds, openBenchPipeline } from '../lib/local-pipeline';
import { type BenchSection, row, single } from '../lib/report';

let serial = 0;
function benchItem(title: string, description: string): FeedItem {
  serial += 1;
  return {
    id: `bench-store-${serial}`,
    title,
    description,
    link: `https://news.example.org/store/${serial}`,
    published: new Date(Date.UTC(2025, 3, 1, 12, serial)).toISOString(),
    source: `https://outlet-${serial}.example.org/rss.xml`,
    language: 'en',
  };
}

/** What one event cost the store, counted at the SDK client: rows written and read requests sent. */
interface EventCost {
  event: string;
  writes: number;
  reads: number;
}

/** DynamoDB writes and reads the adapter makes for each kind of event, counted at the SDK client. */
export const storeSection: BenchSection = async () => {
  const farm = await FeedFarm.start(1, 20);
  const pipeline = await openBenchPipeline();
  const { deps, writes } = pipeline;
  const measure = async (event: string, work: () => Promise<unknown>): Promise<EventCost> => {
    writes.reset();
    await work();
    const counts = writes.snapshot();
    return { event, writes: counts.storedWrites, reads: counts.reads };
  };
  const ingest = async (item: FeedItem) => {
    let alerts = 0;
    const { toAnalyze } = await claimItems(deps.store, [item]);
    for (const fresh of toAnalyze) alerts += (await analyzeBatch(deps, [fresh])).alerts.length;
    return alerts;
  };
  try {
    const [feed] = farmFeeds(1, (index) => farm.feedUrl(index));
    if (!feed) throw new Error('no bench feed');
    // The items go nowhere: this figure is the feed's own writes.
    const polling = { ...deps, itemQueue: { sendItems: async () => {} } };
    await pollOneFeed(polling, feed);
    const unchangedFeed = await measure('unchanged feed (304)', () => pollOneFeed(polling, feed));

    const unrelated = benchItem(
      'Storm leaves thousands without power',
      'Crews worked through the night to restore lines.',
    );
    const newNonFollowUp = await measure('new non-follow-up item', () => ingest(unrelated));
    const alreadySeen = await measure('already-seen item', () => ingest(unrelated));

    const followUp = benchItem(
      'Negotiators to meet again on Ukraine ceasefire proposal',
      'US and Ukrainian delegations will hold another round of talks on the 30-day truce next week.',
    );
    const followUpCost = await measure('follow-up (no stance change)', () => ingest(followUp));

    const change = benchItem(
      'Kremlin rejects 30-day ceasefire proposal',
      'Kremlin spokesman Dmitry Peskov said Russia rejects the ceasefire proposal and will continue fighting until its goals are met.',
    );
    let alerts = 0;
    const stanceChange = await measure('follow-up with a stance change', async () => {
      alerts = await ingest(change);
    });
    stanceChange.event += ` (${alerts} alert${alerts === 1 ? '' : 's'})`;

    return [
      row({
        section: 'store',
        name: 'writes per unchanged feed (304)',
        unit: 'writes',
        value: single(unchangedFeed.writes),
        target: '<= 1',
        meetsTarget: unchangedFeed.writes <= 1,
      }),
      row({
        section: 'store',
        name: 'writes per already-seen item',
        unit: 'writes',
        value: single(alreadySeen.writes),
        target: '0',
        meetsTarget: alreadySeen.writes === 0,
      }),
      ...[newNonFollowUp, followUpCost, stanceChange].map((cost) =>
        row({ section: 'store', name: `writes per ${cost.event}`, unit: 'writes', value: single(cost.writes) }),
      ),
      ...[unchangedFeed, newNonFollowUp, alreadySeen, followUpCost, stanceChange].map((cost) =>
        row({ section: 'store', name: `read requests per ${cost.event}`, unit: 'requests', value: single(cost.reads) }),
      ),
    ];
  } finally {
    await pipeline.close();
    await farm.close();
  }
};
