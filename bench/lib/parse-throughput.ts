import Parser from 'rss-parser';
import { parseFeedDocument } from '../../src/ingestion/parse';

export interface ParseThroughput {
  bodies: number;
  items: number;
  rounds: number;
  /** Items per second through parseFeedDocument (decode, checks, repair, rss-parser, normalization). */
  ingestionItemsPerSec: number;
  /** Items per second through a bare rss-parser parseString of the same text. */
  rssParserItemsPerSec: number;
  /** Median over rounds of ingestion / rss-parser speed; steadier than the ratio of totals on a busy machine. */
  ratio: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * Measures parseFeedDocument against plain rss-parser on the same bodies, in CPU time. Not a
 * test: numbers depend on the machine. Bodies must be documents both parsers accept (UTF-8, well-formed, and no
 * unreadable Atom dates, on which bare rss-parser throws).
 */
export async function measureParseThroughput(
  bodies: readonly Uint8Array[],
  options: { rounds?: number; warmupRounds?: number; sourceUrl?: string } = {},
): Promise<ParseThroughput> {
  const rounds = options.rounds ?? 40;
  const warmupRounds = options.warmupRounds ?? 10;
  const sourceUrl = options.sourceUrl ?? 'https://feeds.example.org/bench.xml';
  const texts = bodies.map((body) => new TextDecoder().decode(body));
  let items = 0;
  for (const body of bodies) items += (await parseFeedDocument(body, 'application/xml', sourceUrl)).items.length;

  const runIngestion = async () => {
    for (const body of bodies) await parseFeedDocument(body, 'application/xml', sourceUrl);
  };
  const runRssParser = async () => {
    for (const text of texts) await new Parser().parseString(text);
  };
  // CPU time of this process rather than wall time: other processes on a shared machine barely move it.
  const time = async (run: () => Promise<void>) => {
    const started = process.cpuUsage();
    await run();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1e6;
  };
  // Both paths share the JIT warm-up, then alternate round by round so load from other processes hits both alike.
  for (let round = 0; round < warmupRounds; round++) {
    await runIngestion();
    await runRssParser();
  }
  let ingestionSeconds = 0;
  let rssParserSeconds = 0;
  const roundRatios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const ingestion = await time(runIngestion);
    const rssParser = await time(runRssParser);
    ingestionSeconds += ingestion;
    rssParserSeconds += rssParser;
    roundRatios.push(rssParser / ingestion);
  }
  return {
    bodies: bodies.length,
    items,
    rounds,
    ingestionItemsPerSec: (items * rounds) / ingestionSeconds,
    rssParserItemsPerSec: (items * rounds) / rssParserSeconds,
    ratio: median(roundRatios),
  };
}
