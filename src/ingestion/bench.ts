import { performance } from 'node:perf_hooks';
import Parser from 'rss-parser';
import { parseFeedDocument } from './parse';

export interface ParseThroughput {
  bodies: number;
  items: number;
  rounds: number;
  /** Items per second through parseFeedDocument (decode, checks, repair, rss-parser, normalization). */
  ingestionItemsPerSec: number;
  /** Items per second through a bare rss-parser parseString of the same text. */
  rssParserItemsPerSec: number;
  /** ingestion / rss-parser. */
  ratio: number;
}

/**
 * Measures parseFeedDocument against plain rss-parser on the same bodies. Not a test: numbers
 * depend on the machine. Bodies must be documents both parsers accept (UTF-8, well-formed).
 */
export async function measureParseThroughput(
  bodies: readonly Uint8Array[],
  options: { rounds?: number; sourceUrl?: string } = {},
): Promise<ParseThroughput> {
  const rounds = options.rounds ?? 20;
  const sourceUrl = options.sourceUrl ?? 'https://feeds.example.org/bench.xml';
  const texts = bodies.map((body) => new TextDecoder().decode(body));
  let items = 0;
  for (const body of bodies) items += (await parseFeedDocument(body, 'application/xml', sourceUrl)).items.length;

  const timeRounds = async (run: () => Promise<void>) => {
    await run();
    const started = performance.now();
    for (let round = 0; round < rounds; round++) await run();
    return (performance.now() - started) / 1000;
  };
  // Alternate the two so machine noise (other processes) spreads over both.
  let ingestionSeconds = 0;
  let rssParserSeconds = 0;
  for (let pass = 0; pass < 2; pass++) {
    ingestionSeconds += await timeRounds(async () => {
      for (const body of bodies) await parseFeedDocument(body, 'application/xml', sourceUrl);
    });
    rssParserSeconds += await timeRounds(async () => {
      for (const text of texts) await new Parser().parseString(text);
    });
  }
  const totalItems = items * rounds * 2;
  const ingestionItemsPerSec = totalItems / ingestionSeconds;
  const rssParserItemsPerSec = totalItems / rssParserSeconds;
  return {
    bodies: bodies.length,
    items,
    rounds,
    ingestionItemsPerSec,
    rssParserItemsPerSec,
    ratio: ingestionItemsPerSec / rssParserItemsPerSec,
  };
}
