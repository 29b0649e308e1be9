import { performance } from 'node:perf_hooks';
import type { FeedDefinition } from '../../src/core/feed';
import { runCycleInChild } from '../lib/child-cycle';
import { FeedFarm } from '../lib/feed-farm';
import { farmFeeds, openBenchPipeline } from '../lib/local-pipeline';
import { runNaiveCycle } from '../lib/naive-monitor';
import { type BenchSection, row, single } from '../lib/report';
import { summarize } from '../lib/stats';
import type { CycleResult } from '../workers/pipeline-cycle';

/** 200 unless BENCH_POLL_FEEDS asks for a quick smaller run. */
const FEEDS = Number(process.env.BENCH_POLL_FEEDS ?? 200);
const ITEMS_PER_FEED = 50;
/** A changed feed in real life: a few new entries on top of ones already seen. */
const NEW_ITEMS_PER_CHANGE = 5;
const CONCURRENCY = 16;
const MB = 1024 * 1024;
const BIG_FEED_BYTES = 5 * MB;

/**
 * Poll cycles over 200 loopback feeds through the whole local pipeline (fetch, parse, dedup, detect, store, stance,
 * outbox), next to the naive sequential parseURL loop with one put per item on the same server and engine. Our cycles
 * run in a child process each, so their peak memory is the pipeline's own, not the feed farm's or the database's.
 */
export const pollCycleSection: BenchSection = async ({ runs }) => {
  const farm = await FeedFarm.start(FEEDS + 1, ITEMS_PER_FEED);
  const bigFeedIndex = FEEDS;
  farm.setBody(bigFeedIndex, bigFeedBody());
  const pipeline = await openBenchPipeline();
  const feeds = farmFeeds(FEEDS, (index) => farm.feedUrl(index));
  const cycle = (cycleFeeds: FeedDefinition[]) =>
    runCycleInChild({
      endpoint: pipeline.endpoint,
      tableName: pipeline.tableName,
      feeds: cycleFeeds,
      concurrency: CONCURRENCY,
    });
  try {
    const first = await cycle(feeds);

    const unchanged: CycleResult[] = [];
    const unchangedRequests: number[] = [];
    const changed: CycleResult[] = [];
    const changedRequests: number[] = [];
    const naiveSeconds: number[] = [];
    const naiveRequests: number[] = [];
    const urls = feeds.map((feed) => feed.url);
    // Each run measures our changed cycle and the naive loop back to back, so a slow spell of this shared machine
    // hits both alike; the speed-up is the median of the per-run ratios.
    for (let run = 0; run < runs; run += 1) {
      farm.resetCounters();
      const quiet = await cycle(feeds);
      if ((quiet.outcomes.not_modified ?? 0) !== FEEDS) throw new Error('expected only 304s in the unchanged cycle');
      unchanged.push(quiet);
      unchangedRequests.push(farm.requests);

      farm.advance(NEW_ITEMS_PER_CHANGE);
      farm.resetCounters();
      changed.push(await cycle(feeds));
      changedRequests.push(farm.requests);

      farm.resetCounters();
      const started = performance.now();
      await runNaiveCycle(urls, pipeline.client, pipeline.tableName);
      naiveSeconds.push((performance.now() - started) / 1000);
      naiveRequests.push(farm.requests);
    }

    // The 5 MB feed joins one changed cycle: peak memory must stay bounded while it is parsed.
    farm.advance(NEW_ITEMS_PER_CHANGE);
    const bigFeed = { ...farmFeeds(1, () => farm.feedUrl(bigFeedIndex))[0], id: 'bench-big' } as FeedDefinition;
    const withBig = await cycle([...feeds, bigFeed]);

    const documentItems = FEEDS * ITEMS_PER_FEED;
    const seconds = (results: CycleResult[]) => summarize(results.map((result) => result.seconds));
    const throughput = (values: number[]) => summarize(values.map((value) => documentItems / value));
    const changedThroughput = throughput(changed.map((result) => result.seconds));
    const naiveThroughput = throughput(naiveSeconds);
    const newPerSecond = summarize(changed.map((result) => result.newItems / result.seconds));
    const speedUp = summarize(changed.map((result, run) => (naiveSeconds[run] ?? Number.NaN) / result.seconds));
    return [
      row({
        section: 'poll',
        name: `first cycle, ${FEEDS} feeds, all ${first.newItems} items new`,
        unit: 's',
        value: single(first.seconds),
      }),
      row({
        section: 'poll',
        name: 'first cycle, new items through the full pipeline into dynalite',
        unit: 'items/s',
        value: single(first.newItems / first.seconds),
      }),
      row({
        section: 'poll',
        name: `${FEEDS} feeds all unchanged (304)`,
        unit: 's',
        value: seconds(unchanged),
        target: '< 1 s',
        meetsTarget: seconds(unchanged).median < 1,
      }),
      row({
        section: 'poll',
        name: 'requests, unchanged cycle',
        unit: 'requests',
        value: summarize(unchangedRequests),
      }),
      row({
        section: 'poll',
        name: 'peak RSS of the pipeline process, unchanged cycle',
        unit: 'MB',
        value: summarize(unchanged.map((result) => result.maxRssMb)),
      }),
      row({
        section: 'poll',
        name: `${FEEDS} feeds all changed (${ITEMS_PER_FEED} items, ${NEW_ITEMS_PER_CHANGE} new each)`,
        unit: 's',
        value: seconds(changed),
        baseline: summarize(naiveSeconds),
      }),
      row({
        section: 'poll',
        name: 'changed cycle throughput (feed items handled/s)',
        unit: 'items/s',
        value: changedThroughput,
        baseline: naiveThroughput,
      }),
      row({
        section: 'poll',
        name: 'changed cycle speed-up over the naive loop, per run',
        unit: 'x',
        value: speedUp,
        target: '>= 5x',
        meetsTarget: speedUp.median >= 5,
      }),
      row({
        section: 'poll',
        name: 'changed cycle, new items analyzed and stored',
        unit: 'items/s',
        value: newPerSecond,
      }),
      row({
        section: 'poll',
        name: 'requests, changed cycle',
        unit: 'requests',
        value: summarize(changedRequests),
        baseline: summarize(naiveRequests),
      }),
      row({
        section: 'poll',
        name: 'peak RSS of the pipeline process, changed cycle',
        unit: 'MB',
        value: summarize(changed.map((result) => result.maxRssMb)),
      }),
      row({
        section: 'poll',
        name: 'peak RSS of the pipeline process, changed cycle with a 5 MB feed',
        unit: 'MB',
        value: single(withBig.maxRssMb),
        target: '< 256 MB',
        meetsTarget: withBig.maxRssMb < 256,
      }),
    ];
  } finally {
    await pipeline.close();
    await farm.close();
  }
};

/** Just under the 5 MB cap: long descriptions, a few hundred entries. */
function bigFeedBody(): Buffer {
  // Not story text: the point is parsing a 5 MB document, not analyzing hundreds of follow-ups.
  const paragraph = 'The harbour authority published its weekly schedule of ferry departures and repairs. '.repeat(120);
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
