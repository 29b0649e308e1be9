import Parser from 'rss-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoFeedServer, startDemoFeedServer } from '../../../src/demo/feed-server';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { DEMO_TIMELINE, type DemoTimeline, demoItemGuid } from '../../../src/demo/timeline';

const parser = new Parser();
let server: DemoFeedServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

function feedUrl(running: DemoFeedServer, outletId: string): string {
  const feed = running.feeds.find((candidate) => candidate.id === outletId);
  if (!feed) throw new Error(`no feed for ${outletId}`);
  return feed.url;
}

function publishedUpTo(timeline: DemoTimeline, outletId: string, at: string): string[] {
  return timeline.items
    .filter((item) => item.outlet === outletId && Date.parse(item.published) <= Date.parse(at))
    .sort((a, b) => Date.parse(b.published) - Date.parse(a.published))
    .map((item) => demoItemGuid(item));
}

describe('demo feed server', () => {
  it('serves one feed per outlet, each on its own loopback port', async () => {
    server = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-03-11T00:00:00Z') });
    expect(server.feeds.map((feed) => feed.id)).toEqual(DEMO_TIMELINE.outlets.map((outlet) => outlet.id));
    const hosts = server.feeds.map((feed) => new URL(feed.url).host);
    expect(new Set(hosts).size).toBe(hosts.length);
    for (const feed of server.feeds) expect(new URL(feed.url).hostname).toBe('127.0.0.1');
  });

  it('shows only the items published up to the simulated clock, newest first, and more as the clock moves', async () => {
    const clock = new SimulatedClock('2025-03-13T23:59:59Z');
    server = await startDemoFeedServer(DEMO_TIMELINE, { clock });
    const url = feedUrl(server, 'northbridge-wire');
    const early = await parser.parseURL(url);
    expect(early.items.map((item) => item.guid)).toEqual(
      publishedUpTo(DEMO_TIMELINE, 'northbridge-wire', '2025-03-13T23:59:59Z'),
    );
    clock.advanceTo('2025-04-17T23:59:59Z');
    const later = await parser.parseURL(url);
    expect(later.items.map((item) => item.guid)).toEqual(
      publishedUpTo(DEMO_TIMELINE, 'northbridge-wire', '2025-04-17T23:59:59Z'),
    );
    expect(later.items.length).toBeGreaterThan(early.items.length);
  });

  it('keeps only the newest items when a feed window is set', async () => {
    server = await startDemoFeedServer(DEMO_TIMELINE, {
      clock: new SimulatedClock('2025-12-31T00:00:00Z'),
      maxItemsPerFeed: 3,
    });
    const feed = await parser.parseURL(feedUrl(server, 'northbridge-wire'));
    expect(feed.items.map((item) => item.guid)).toEqual(
      publishedUpTo(DEMO_TIMELINE, 'northbridge-wire', '2025-12-31T00:00:00Z').slice(0, 3),
    );
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since until a new item is published', async () => {
    const clock = new SimulatedClock('2025-03-12T23:59:59Z');
    server = await startDemoFeedServer(DEMO_TIMELINE, { clock });
    const url = feedUrl(server, 'harbour-chronicle');
    const first = await fetch(url);
    await first.text();
    const etag = first.headers.get('etag');
    const lastModified = first.headers.get('last-modified');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^".+"$/);
    expect(lastModified).not.toBeNull();

    const byEtag = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    const byDate = await fetch(url, { headers: { 'if-modified-since': lastModified ?? '' } });
    expect(byEtag.status).toBe(304);
    expect(byDate.status).toBe(304);

    clock.advanceTo('2025-03-14T23:59:59Z');
    const afterNews = await fetch(url, { headers: { 'if-none-match': etag ?? '' } });
    await afterNews.text();
    expect(afterNews.status).toBe(200);
    expect(afterNews.headers.get('etag')).not.toBe(etag);
    expect(server.requests.map((request) => request.status)).toEqual([200, 304, 304, 200]);
  });

  it('serves the Atom outlet as Atom and the others as RSS 2.0 with their language', async () => {
    server = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-12-31T00:00:00Z') });
    for (const outlet of DEMO_TIMELINE.outlets) {
      const response = await fetch(feedUrl(server, outlet.id));
      const body = await response.text();
      if (outlet.format === 'atom') {
        expect(response.headers.get('content-type')).toContain('application/atom+xml');
        expect(body).toContain(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${outlet.language}">`);
      } else {
        expect(response.headers.get('content-type')).toContain('application/rss+xml');
        expect(body).toContain(`<language>${outlet.language}</language>`);
      }
    }
  });

  it('escapes markup in item text so a hostile title stays text inside the feed', async () => {
    const timeline: DemoTimeline = {
      storyId: 'x',
      outlets: [{ id: 'hostile', name: 'A & B <news>', publisher: 'p', language: 'en', format: 'rss' }],
      items: [
        {
          outlet: 'hostile',
          slug: 'one',
          published: '2025-03-12T00:00:00Z',
          title: '<script>alert("x")</script> & more',
          description: 'Fish & "chips"',
          role: 'distractor',
        },
      ],
      plannedChanges: [],
    };
    server = await startDemoFeedServer(timeline, { clock: new SimulatedClock('2025-03-13T00:00:00Z') });
    const feed = await parser.parseURL(feedUrl(server, 'hostile'));
    expect(feed.title).toBe('A & B <news>');
    expect(feed.items[0]?.title).toBe('<script>alert("x")</script> & more');
    expect(feed.items[0]?.contentSnippet ?? feed.items[0]?.content).toBe('Fish & "chips"');
  });

  it('answers 404 for any other path', async () => {
    server = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-03-13T00:00:00Z') });
    const response = await fetch(new URL('/other.xml', feedUrl(server, 'northbridge-wire')));
    expect(response.status).toBe(404);
  });
});

describe('simulated clock', () => {
  it('moves only forward, so a feed never takes back an item it has published', () => {
    const clock = new SimulatedClock('2025-03-12T00:00:00Z');
    clock.advanceTo('2025-03-13T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2025-03-13T00:00:00.000Z');
    expect(() => clock.advanceTo('2025-03-12T12:00:00Z')).toThrow(/cannot go back/);
    expect(() => clock.advanceTo('not a date')).toThrow(/invalid time/);
    expect(clock.now().toISOString()).toBe('2025-03-13T00:00:00.000Z');
  });
});

describe('demo timeline', () => {
  it('has at least 40 items over several outlets with unique guids and titles', () => {
    expect(DEMO_TIMELINE.items.length).toBeGreaterThanOrEqual(40);
    const guids = DEMO_TIMELINE.items.map((item) => demoItemGuid(item));
    expect(new Set(guids).size).toBe(guids.length);
    const titles = DEMO_TIMELINE.items.map((item) => item.title);
    expect(new Set(titles).size).toBe(titles.length);
    const outletIds = new Set(DEMO_TIMELINE.outlets.map((outlet) => outlet.id));
    for (const item of DEMO_TIMELINE.items) expect(outletIds.has(item.outlet)).toBe(true);
    for (const outlet of DEMO_TIMELINE.outlets) {
      expect(DEMO_TIMELINE.items.filter((item) => item.outlet === outlet.id).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('names a follow-up of the timeline as the cause of every planned change, in time order', () => {
    expect(DEMO_TIMELINE.plannedChanges.length).toBeGreaterThanOrEqual(3);
    const causes = DEMO_TIMELINE.plannedChanges.map((change) =>
      DEMO_TIMELINE.items.find((item) => item.slug === change.causeSlug),
    );
    for (const cause of causes) expect(cause?.role).toBe('follow-up');
    const times = causes.map((cause) => Date.parse(cause?.published ?? ''));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('mixes in distractors, a hedged item and items in Russian and Ukrainian', () => {
    const count = (predicate: (item: (typeof DEMO_TIMELINE.items)[number]) => boolean) =>
      DEMO_TIMELINE.items.filter(predicate).length;
    expect(count((item) => item.role === 'distractor')).toBeGreaterThanOrEqual(8);
    expect(count((item) => item.role === 'hedged')).toBe(1);
    expect(count((item) => /[а-яё]/i.test(item.title) && !/[іїєґ]/i.test(item.title))).toBeGreaterThanOrEqual(3);
    expect(count((item) => /[іїєґ]/i.test(item.title))).toBeGreaterThanOrEqual(3);
  });
});
