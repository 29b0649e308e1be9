import { performance } from 'node:perf_hooks';
import { fetchFeedDocument, measureParseThroughput } from '../../src/ingestion/index';
import { FeedFarm } from '../lib/feed-farm';
import { type BenchSection, row } from '../lib/report';
import { repeat } from '../lib/stats';
import { rssDocument, syntheticItems } from '../lib/synthetic-feeds';

const FEEDS = 40;
const ITEMS_PER_FEED = 50;
const PARSE_TARGET_RATIO = 0.8;
/** Feeds whose items carry the whole article (about 3 KB of HTML each), as many publishers' feeds do. */
const FULL_CONTENT_FEEDS = 10;

/** Items/s through decode + parse + normalize (and with the loopback fetch in front), next to plain rss-parser. */
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
    const fetched = await repeat(runs, async () => {
      const started = performance.now();
      let items = 0;
      for (let index = 0; index < FEEDS; index += 1) {
        const result = await fetchFeedDocument(farm.feedUrl(index), { allowPrivateNetwork: true });
        if (!result.ok) throw new Error(`bench feed failed: ${result.error.kind} ${result.error.message}`);
        items += result.items.length;
      }
      return { itemsPerSec: items / ((performance.now() - started) / 1000) };
    });
    return [
      row({
        section: 'parse',
        name: 'decode + parse + normalize vs rss-parser parseString',
        unit: 'items/s',
        value: parse.ours,
        baseline: parse.rssParser,
      }),
      row({
        // Both parsers alternate round by round in one process; the median of the per-round ratios is steadier
        // on a shared machine than the ratio of two medians taken at different moments.
        section: 'parse',
        name: 'our speed as a share of rss-parser, per round',
        unit: 'x',
        value: parse.ratio,
        target: `>= ${PARSE_TARGET_RATIO}x`,
        meetsTarget: parse.ratio.median >= PARSE_TARGET_RATIO,
      }),
      row({
        section: 'parse',
        name: 'the same share with a 3 KB article in content:encoded',
        unit: 'x',
        value: fullContent.ratio,
      }),
      row({
        section: 'parse',
        name: 'loopback fetch + decode + parse + normalize',
        unit: 'items/s',
        value: fetched.itemsPerSec,
        baseline: parse.rssParser,
      }),
    ];
  } finally {
    await farm.close();
  }
};
