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

/** DynamoDB writes the adapter makes for each kind of event, counted at the SDK client. */
export const storeSection: BenchSection = async () => {
  const farm = await FeedFarm.start(1, 20);
  const pipeline = await openBenchPipeline();
  const { deps, writes } = pipeline;
  const measure = async (work: () => Promise<unknown>) => {
    writes.reset();
    await work();
    return writes.snapshot().storedWrites;
  };
  const ingest = async (item: FeedItem) => {
    const { toAnalyze } = await claimItems(deps.store, [item]);
    for (const fresh of toAnalyze) await analyzeBatch(deps, [fresh]);
    return toAnalyze.length;
  };
  try {
    const [feed] = farmFeeds(1, (index) => farm.feedUrl(index));
    if (!feed) throw new Error('no bench feed');
    // The items go nowhere: this figure is the feed's own writes.
    const polling = { ...deps, itemQueue: { sendItems: async () => {} } };
    await pollOneFeed(polling, feed);
    const unchangedFeed = await measure(() => pollOneFeed(polling, feed));

    const unrelated = benchItem(
      'Storm leaves thousands without power',
      'Crews worked through the night to restore lines.',
    );
    const newNonFollowUp = await measure(() => ingest(unrelated));
    const alreadySeen = await measure(() => ingest(unrelated));

    const followUp = benchItem(
      'Negotiators to meet again on Ukraine ceasefire proposal',
      'US and Ukrainian delegations will hold another round of talks on the 30-day truce next week.',
    );
    const followUpWrites = await measure(() => ingest(followUp));

    const change = benchItem(
      'Kremlin rejects 30-day ceasefire proposal',
      'Kremlin spokesman Dmitry Peskov said Russia rejects the ceasefire proposal and will continue fighting until its goals are met.',
    );
    let alerts = 0;
    writes.reset();
    const { toAnalyze } = await claimItems(deps.store, [change]);
    for (const fresh of toAnalyze) {
      alerts += (await analyzeBatch(deps, [fresh])).alerts.length;
    }
    const stanceChange = writes.snapshot().storedWrites;

    return [
      row({
        section: 'store',
        name: 'writes per unchanged feed (304)',
        unit: 'writes',
        value: single(unchangedFeed),
        target: '<= 1',
        meetsTarget: unchangedFeed <= 1,
      }),
      row({
        section: 'store',
        name: 'writes per already-seen item',
        unit: 'writes',
        value: single(alreadySeen),
        target: '0',
        meetsTarget: alreadySeen === 0,
      }),
      row({
        section: 'store',
        name: 'writes per new non-follow-up item',
        unit: 'writes',
        value: single(newNonFollowUp),
      }),
      row({
        section: 'store',
        name: 'writes per follow-up (no stance change)',
        unit: 'writes',
        value: single(followUpWrites),
      }),
      row({
        section: 'store',
        name: `writes per follow-up with a stance change (${alerts} alert${alerts === 1 ? '' : 's'})`,
        unit: 'writes',
        value: single(stanceChange),
      }),
    ];
  } finally {
    await pipeline.close();
    await farm.close();
  }
};
