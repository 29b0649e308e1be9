import { performance } from 'node:perf_hooks';
import Parser from 'rss-parser';
import { mapWithConcurrency } from '../../src/core/concurrency';
import type { FeedDefinition } from '../../src/core/feed';
import { createHttpFeedFetcher } from '../../src/ingestion/index';
import { startFarmProcess } from '../lib/farm-process';
import { FeedFarm } from '../lib/feed-farm';
import { measureParseThroughput } from '../lib/parse-throughput';
import { type BenchSection, row } from '../lib/report';
import { type Figure, repeat, summarize } from '../lib/stats';
import { rssDocument, syntheticItems } from '../lib/synthetic-feeds';

const FEEDS = 40;
const ITEMS_PER_FEED = 50;
const PARSE_TARGET_RATIO = 0.8;
/** Feeds whose items carry the whole article (about 3 KB of HTML each), as many publishers' feeds do. */
const FULL_CONTENT_FEEDS = 10;
/** As many feeds in flight as `storywatch run` fetches by default. */
const FETCH_CONCURRENCY = 8;

/**
 * Both sides alternate round by round in one process; the median of the per-round ratios is steadier on a shared
 * machine than the ratio of two medians taken at different moments.
 */
function shareOfRssParser(name: string, ratio: Figure) {
  return row({
    section: 'parse',
    name,
    unit: 'x',
    value: ratio,
    target: `>= ${PARSE_TARGET_RATIO}x`,
    meetsTarget: ratio.median >= PARSE_TARGET_RATIO,
  });
}

/**
 * Fetches every feed from a farm in another process, FETCH_CONCURRENCY at a time, alternating round by round with
 * plain rss-parser on the same bodies. Wall time on both sides: rss-parser's is all CPU, the fetch waits on the
 * network in part, which concurrency hides as it does in a poll.
 */
async function measureFetchedThroughput(bodies: Uint8Array[], options: { rounds: number }) {
  const served = await startFarmProcess(bodies.length, ITEMS_PER_FEED);
  try {
    const texts = bodies.map((body) => new TextDecoder().decode(body));
    const indexes = bodies.map((_, index) => index);
    // The poller's fetcher, each round a batch: it keeps connections to a host open for the batch, then closes them.
    const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true });
    const feeds: FeedDefinition[] = indexes.map((index) => ({
      id: `bench-${index}`,
      url: served.feedUrl(index),
      name: `Feed ${index}`,
      publisher: 'bench',
      language: 'en',
    }));
    const fetchAll = async () => {
      let outcomes: Awaited<ReturnType<typeof fetcher.fetchFeed>>[];
      try {
        const settled = await mapWithConcurrency(feeds, FETCH_CONCURRENCY, (feed) =>
          fetcher.fetchFeed(feed, null, new Date()),
        );
        outcomes = settled.map((result) => {
          if (result.status === 'rejected') throw result.reason;
          return result.value;
        });
      } finally {
        fetcher.closeConnections();
      }
      let items = 0;
      for (const [index, outcome] of outcomes.entries()) {
        if (outcome.kind !== 'changed') throw new Error(`bench feed ${index} was not read: ${outcome.kind}`);
        items += outcome.items.length;
      }
      return items;
    };
    const parseAll = async () => {
      for (const text of texts) await new Parser().parseString(text);
    };
    await fetchAll();
    await parseAll();
    let items = 0;
    let oursSeconds = 0;
    let rssParserSeconds = 0;
    const ratios: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      let started = performance.now();
      items = await fetchAll();
      const ours = (performance.now() - started) / 1000;
      started = performance.now();
      await parseAll();
      const rssParser = (performance.now() - started) / 1000;
      oursSeconds += ours;
      rssParserSeconds += rssParser;
      ratios.push(rssParser / ours);
    }
    return {
      ours: (items * options.rounds) / oursSeconds,
      rssParser: (items * options.rounds) / rssParserSeconds,
      ratio: summarize(ratios).median,
    };
  } finally {
    await served.close();
  }
}

/**
 * Items/s through decode + parse + normalize, then with the loopback fetch in front, next to plain rss-parser on the
 * same bodies.
 */
export const parseSection: BenchSection = async ({ runs }) => {
  const farm = await FeedFarm.start(FEEDS, ITEMS_PER_FEED);
  try {
    const bodies = Array.from({ length: FEEDS }, (_, index) => new Uint8Array(farm.body(index)));
    const parse = await repeat(runs, async () => {
      const measured = await measureParseThroughput(bodies, { rounds: 3 });
      return { ours: measured.ingestionItemsPerSec, rssParser: measured.rssParserItemsPerSec, ratio: measured.ratio };
    });
    const fullContentBodies = Array.from({ length: FULL_CONTENT_FEEDS }, (_, index) =>
      new TextEncoder().encode(
        rssDocument(`Feed ${index}`, syntheticItems(index, ITEMS_PER_FEED), { fullContent: true }),
      ),
    );
    const fullContent = await repeat(runs, async () => {
      const measured = await measureParseThroughput(fullContentBodies, { rounds: 3 });
      return { ratio: measured.ratio };
    });
    const fetched = await repeat(runs, () => measureFetchedThroughput(bodies, { rounds: 3 }));
    return [
      row({
        section: 'parse',
        name: 'decode + parse + normalize vs rss-parser parseString',
        unit: 'items/s',
        value: parse.ours,
        baseline: parse.rssParser,
      }),
      shareOfRssParser('our speed as a share of rss-parser, per round', parse.ratio),
      row({
        section: 'parse',
        name: 'the same share with a 3 KB article in content:encoded',
        unit: 'x',
        value: fullContent.ratio,
      }),
      row({
        section: 'parse',
        name: `loopback fetch (poller's fetcher, ${FETCH_CONCURRENCY} at a time, server in another process) + decode + parse + normalize`,
        unit: 'items/s',
        value: fetched.ours,
        baseline: fetched.rssParser,
      }),
      // #3 states its target for the whole path, fetch included; wall time on both sides, as items/s are felt.
      shareOfRssParser('the whole path with fetch as a share of rss-parser, per round', fetched.ratio),
    ];
  } finally {
    await farm.close();
  }
};
