/**
 * Time cannot be forged: an item dated 2099, by a feed or in an archive, is taken at the clock's time, flagged, and
 * stores no time later than the clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TIMELINE, demoItemGuid, demoItemLink } from '../../src/demo/timeline';
import { createHttpFeedFetcher } from '../../src/ingestion/index';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { runCli } from '../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-future-test-'));
const NOW = new Date('2025-03-12T12:00:00.000Z');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every ISO timestamp anywhere in a JSON value. */
function timesIn(value: unknown): string[] {
  return [...JSON.stringify(value).matchAll(/"(\d{4}-\d{2}-\d{2}T[\d:.]+Z)"/g)].map((match) => match[1] ?? '');
}

describe('a feed dating its items after the clock', () => {
  let server: LoopbackFeedServer;
  beforeAll(async () => {
    const items = [
      ['far', 'Fri, 01 Jan 2099 00:00:00 GMT'],
      ['near', 'Wed, 12 Mar 2025 12:05:00 GMT'],
      ['past', 'Wed, 12 Mar 2025 09:00:00 GMT'],
    ]
      .map(([guid, date]) => `<item><title>Item ${guid}</title><guid>${guid}</guid><pubDate>${date}</pubDate></item>`)
      .join('');
    server = await startLoopbackFeedServer({
      '/feed': {
        headers: { 'content-type': 'application/rss+xml' },
        body: `<rss version="2.0"><channel><title>Fast clock</title>${items}</channel></rss>`,
      },
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('hands on items no later than the poll, flagging those beyond the tolerance', async () => {
    const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true });
    const definition = { id: 'fast', url: server.url('/feed'), name: 'Fast', publisher: 'L', language: 'en' };
    const outcome = await fetcher.fetchFeed(definition, null, NOW);
    fetcher.closeConnections?.();
    if (outcome.kind !== 'changed') throw new Error(`poll failed: ${JSON.stringify(outcome)}`);
    expect(
      outcome.items.map(({ title, published, declaredPublished }) => ({ title, published, declaredPublished })),
    ).toEqual([
      { title: 'Item far', published: NOW.toISOString(), declaredPublished: '2099-01-01T00:00:00.000Z' },
      { title: 'Item near', published: NOW.toISOString(), declaredPublished: undefined },
      { title: 'Item past', published: '2025-03-12T09:00:00.000Z', declaredPublished: undefined },
    ]);
  });
});

describe('an archive holding an item dated 2099', () => {
  it('is replayed at the replay clock: counted, flagged, and no stored time is after the last real item', async () => {
    const real = DEMO_TIMELINE.items.map((item) => ({
      id: demoItemGuid(item),
      source: `https://${item.outlet}.example.org/feed.xml`,
      link: demoItemLink(item),
      published: item.published,
      title: item.title,
      description: item.description,
    }));
    const lastReal =
      real
        .map((item) => item.published)
        .sort()
        .at(-1) ?? '';
    // The words of the item that made the first planned change, dated 2099 by another outlet.
    const cause = DEMO_TIMELINE.items.find((item) => item.slug === DEMO_TIMELINE.plannedChanges[0]?.causeSlug);
    const forged = { ...real[0], id: 'forged-2099', source: 'https://forged.example.org/feed.xml', link: null };
    // A title of its own: the same title would make it a duplicate of the real item, never analyzed.
    Object.assign(forged, {
      title: `Again: ${cause?.title}`,
      description: cause?.description,
      published: '2099-01-01T00:00:00Z',
    });
    const archive = join(scratch, 'future.jsonl');
    writeFileSync(archive, `${[...real, forged].map((line) => JSON.stringify(line)).join('\n')}\n`);
    const dataDir = join(scratch, 'data');

    const replay = await runCli(['replay', archive, '--data-dir', dataDir]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain("1 item(s) dated after now were taken at the replay's time instead");
    expect(replay.stdout).not.toContain('2099');

    const stored: unknown[] = [];
    for (const party of new Set(DEMO_TIMELINE.plannedChanges.map((change) => change.party))) {
      stored.push(JSON.parse((await runCli(['history', party, '--data-dir', dataDir, '--json'])).stdout));
    }
    const articles = JSON.parse((await runCli(['articles', '--data-dir', dataDir, '--json', '--limit', '500'])).stdout);
    // The forged item was stored as a follow-up, at the replay clock's time.
    expect(JSON.stringify(articles)).toContain('forged-2099');
    stored.push(articles);
    const times = timesIn(stored);
    expect(times.length).toBeGreaterThan(10);
    for (const time of times) expect(Date.parse(time)).toBeLessThanOrEqual(Date.parse(lastReal));
  }, 120_000);
});
