import { performance } from 'node:perf_hooks';
import { runCycle } from '../../src/pipeline/run-cycle';
import { FeedFarm } from '../lib/feed-farm';
import { farmFeeds, openBenchPipeline } from '../lib/local-pipeline';
import { runNaiveCycle } from '../lib/naive-monitor';
import { type BenchSection, row, single } from '../lib/report';
import { type Figure, summarize, withPeakRss } from '../lib/stats';

const FEEDS = 200;
const ITEMS_PER_FEED = 50;
/** A changed feed in real life: a few new entries on top of ones already seen. */
const NEW_ITEMS_PER_CHANGE = 5;
const CONCURRENCY = 16;
const MB = 1024 * 1024;
const BIG_FEED_BYTES = 5 * MB;

/**
 * Poll cycles over 200 loopback feeds through the whole local pipeline (fetch, parse, dedup, detect, store, stance,
 * outbox), next to the naive sequential parseURL loop with one put per item on the same server and engine.
 */
export const pollCycleSection: BenchSection = async ({ runs }) => {
  const farm = await FeedFarm.start(FEEDS + 1, ITEMS_PER_FEED);
  const bigFeedIndex = FEEDS;
  farm.setBody(bigFeedIndex, bigFeedBody());
  const pipeline = await openBenchPipeline();
  const feeds = farmFeeds(FEEDS, (index) => farm.feedUrl(index));
  const options = { concurrency: CONCURRENCY, onlyDue: false } as const;
  try {
    const firstStarted = performance.now();
    const first = await runCycle(pipeline.deps, feeds, options);
    const firstSeconds = (performance.now() - firstStarted) / 1000;
    const firstItems = first.analyses.length;

    const unchanged = { seconds: [] as number[], requests: [] as number[], rss: [] as number[] };
    const changed = {
      seconds: [] as number[],
      requests: [] as number[],
      rss: [] as number[],
      newItems: [] as number[],
    };
    for (let run = 0; run < runs; run += 1) {
      farm.resetCounters();
      const quiet = await timed(() => runCycle(pipeline.deps, feeds, options));
      if (quiet.result.feeds.some((feed) => feed.outcome !== 'not_modified')) throw new Error('expected only 304s');
      unchanged.seconds.push(quiet.seconds);
      unchanged.requests.push(farm.requests);
      unchanged.rss.push(quiet.peakRss / MB);

      farm.advance(NEW_ITEMS_PER_CHANGE);
      farm.resetCounters();
      const moved = await timed(() => runCycle(pipeline.deps, feeds, options));
      changed.seconds.push(moved.seconds);
      changed.requests.push(farm.requests);
      changed.rss.push(moved.peakRss / MB);
      changed.newItems.push(moved.result.analyses.length);
    }

    // The 5 MB feed joins one changed cycle: peak memory must stay bounded while it is parsed.
    farm.advance(NEW_ITEMS_PER_CHANGE);
    const withBig = await timed(() =>
      runCycle(pipeline.deps, [...feeds, ...farmFeeds(1, () => farm.feedUrl(bigFeedIndex)).map(renameBig)], options),
    );

    const naive = { seconds: [] as number[], requests: [] as number[] };
    const urls = feeds.map((feed) => feed.url);
    for (let run = 0; run < Math.max(1, Math.min(runs, 3)); run += 1) {
      farm.resetCounters();
      const started = performance.now();
      await runNaiveCycle(urls, pipeline.client, pipeline.tableName);
      naive.seconds.push((performance.now() - started) / 1000);
      naive.requests.push(farm.requests);
    }

    const documentItems = FEEDS * ITEMS_PER_FEED;
    const throughput = (seconds: number[]) => summarize(seconds.map((value) => documentItems / value));
    return [
      row({
        section: 'poll',
        name: `first cycle, ${FEEDS} feeds, all ${firstItems} items new`,
        unit: 's',
        value: single(firstSeconds),
      }),
      row({
        section: 'poll',
        name: 'first cycle, full pipeline into dynalite',
        unit: 'items/s',
        value: single(firstItems / firstSeconds),
      }),
      row({
        section: 'poll',
        name: `${FEEDS} feeds all unchanged (304)`,
        unit: 's',
        value: summarize(unchanged.seconds),
        target: '< 1 s',
        meetsTarget: summarize(unchanged.seconds).median < 1,
      }),
      row({
        section: 'poll',
        name: 'requests, unchanged cycle',
        unit: 'requests',
        value: summarize(unchanged.requests),
      }),
      row({ section: 'poll', name: 'peak RSS, unchanged cycle', unit: 'MB', value: summarize(unchanged.rss) }),
      row({
        section: 'poll',
        name: `${FEEDS} feeds all changed (${ITEMS_PER_FEED} items, ${NEW_ITEMS_PER_CHANGE} new)`,
        unit: 's',
        value: summarize(changed.seconds),
        baseline: summarize(naive.seconds),
      }),
      row({
        section: 'poll',
        name: 'changed cycle throughput (feed items handled/s)',
        unit: 'items/s',
        value: throughput(changed.seconds),
        baseline: throughput(naive.seconds),
        target: '>= 5x naive',
        meetsTarget: throughput(changed.seconds).median >= 5 * throughput(naive.seconds).median,
      }),
      row({
        section: 'poll',
        name: 'requests, changed cycle',
        unit: 'requests',
        value: summarize(changed.requests),
        baseline: summarize(naive.requests),
      }),
      row({ section: 'poll', name: 'peak RSS, changed cycle', unit: 'MB', value: summarize(changed.rss) }),
      row({
        section: 'poll',
        name: 'peak RSS, changed cycle with a 5 MB feed',
        unit: 'MB',
        value: single(withBig.peakRss / MB),
        target: '< 256 MB',
        meetsTarget: withBig.peakRss / MB < 256,
      }),
    ];
  } finally {
    await pipeline.close();
    await farm.close();
  }
};

function renameBig<T extends { id: string }>(feed: T): T {
  return { ...feed, id: 'bench-big' };
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number; peakRss: number }> {
  const started = performance.now();
  const { result, peakRss } = await withPeakRss(work);
  return { result, seconds: (performance.now() - started) / 1000, peakRss };
}

/** Just under the 5 MB cap: long descriptions, a few hundred entries. */
function bigFeedBody(): Buffer {
  const paragraph = 'Negotiators met again on the ceasefire proposal as officials described the talks. '.repeat(120);
  const entries: string[] = [];
  let size = 0;
  for (let index = 0; size < BIG_FEED_BYTES - 20_000; index += 1) {
    const entry = `<item><title>Big feed entry ${index}</title><guid>big-${index}</guid><link>https://news.example.org/big/${index}</link><description>${paragraph}</description></item>\n`;
    entries.push(entry);
    size += entry.length;
  }
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Big</title>\n${entries.join('')}</channel></rss>`,
  );
}

export type { Figure };
