import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FeedDefinition } from '../../../src/core/feed';
import type { Alert } from '../../../src/core/stance-state';
import { type DemoFeedServer, startDemoFeedServer } from '../../../src/demo/feed-server';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import { loadStories } from '../../../src/detection/index';
import { createHttpFeedFetcher } from '../../../src/ingestion/index';
import { type OpenedStore, openInMemoryStore } from '../../../src/local/memory-store';
import { formatSkippedFeeds, runPollingLoop } from '../../../src/local/run-loop';

let feeds: DemoFeedServer;
let broken: Server;
let brokenFeed: FeedDefinition;
let opened: OpenedStore;
let clock: SimulatedClock;

beforeEach(async () => {
  clock = new SimulatedClock('2025-04-18T23:59:59Z');
  feeds = await startDemoFeedServer(DEMO_TIMELINE, { clock });
  // A real server that is up but failing, the way a publisher's outage looks from here.
  broken = createServer((_request, response) => response.writeHead(503, { 'content-type': 'text/plain' }).end('down'));
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  brokenFeed = {
    id: 'broken-outlet',
    url: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/rss.xml`,
    name: 'Broken outlet',
    publisher: 'test',
    language: 'en',
  };
  opened = await openInMemoryStore({ clock });
});

afterEach(async () => {
  await feeds.close();
  broken.closeAllConnections();
  await new Promise<void>((resolve) => broken.close(() => resolve()));
  await opened.close();
});

function capture(): { out: PassThrough; text: () => string } {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { out, text: () => chunks.join('') };
}

function deps(published: Alert[]) {
  return {
    store: opened.store,
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
    clock,
    stories: loadStories(),
    notifier: {
      publish: async (alert: Alert) => {
        published.push(alert);
      },
    },
  };
}

describe('storywatch run polling loop', () => {
  it('in once mode polls every feed one time and names the failing feed with its reason', async () => {
    const { out, text } = capture();
    const published: Alert[] = [];
    const result = await runPollingLoop({
      deps: deps(published),
      feeds: [...feeds.feeds, brokenFeed],
      concurrency: 3,
      once: true,
      signal: new AbortController().signal,
      out,
    });
    expect(result.cycles).toBe(1);
    expect(result.stoppedBySignal).toBe(false);
    const outcomes = result.reports[0]?.feeds.map((feed) => [feed.feedId, feed.outcome]);
    expect(outcomes).toEqual(
      expect.arrayContaining([
        ['northbridge-wire', 'changed'],
        ['harbour-chronicle', 'changed'],
        ['broken-outlet', 'failed'],
      ]),
    );
    const published0 = DEMO_TIMELINE.items.filter((item) => Date.parse(item.published) <= clock.now().getTime());
    expect(text()).toMatch(
      new RegExp(`cycle 1: feeds 5 polled / 0 unchanged / 1 failed · ${published0.length} new items · \\d+ follow-ups`),
    );
    expect(text()).toContain(`✗ broken-outlet (${brokenFeed.url}) — http_status`);
    expect(published.length).toBe(result.reports[0]?.published.sent.length);
  });

  it('keeps polling until stopped, then finishes the step it is in and returns', async () => {
    const { out, text } = capture();
    const stop = new AbortController();
    const pauses: number[] = [];
    const result = await runPollingLoop({
      deps: deps([]),
      feeds: feeds.feeds,
      concurrency: 2,
      once: false,
      signal: stop.signal,
      out,
      // Stands in for Ctrl-C arriving during the second pause; the clock moves on as real time would.
      wait: async (ms) => {
        pauses.push(ms);
        clock.advanceTo(new Date(clock.now().getTime() + ms));
        if (pauses.length === 2) stop.abort();
      },
    });
    expect(result.stoppedBySignal).toBe(true);
    expect(result.cycles).toBe(2);
    expect(pauses).toHaveLength(2);
    // The pause follows the feeds' schedule: nothing is due again right after a successful poll.
    expect(pauses[0]).toBeGreaterThan(1_000);
    const second = result.reports[1];
    expect(second?.feeds.every((feed) => feed.outcome !== 'failed')).toBe(true);
    expect(second?.analysis.items).toEqual([]);
    expect(text().match(/cycle \d+:/g)).toEqual(['cycle 1:', 'cycle 2:']);
  });

  it('says of each feed it skips when it is due and why: its schedule, or backoff after failures', async () => {
    const { out, text } = capture();
    const stop = new AbortController();
    let pauses = 0;
    const result = await runPollingLoop({
      deps: deps([]),
      feeds: [...feeds.feeds, brokenFeed],
      concurrency: 3,
      once: false,
      signal: stop.signal,
      out,
      // A minute later nothing is due yet: the second cycle skips every feed.
      wait: async () => {
        clock.advanceTo(new Date(clock.now().getTime() + 60_000));
        pauses += 1;
        if (pauses === 2) stop.abort();
      },
    });
    expect(result.reports[1]?.feeds).toEqual([]);
    const states = await opened.store.listFeedStates();
    const dueAt = (id: string) => states.find((state) => state.feedId === id)?.nextPollAt.slice(11, 16);
    const afterSecond = text().slice(text().indexOf('cycle 2:'));
    const scheduled = feeds.feeds.map((feed) => `${feed.id} ${dueAt(feed.id)}Z`).join(', ');
    expect(afterSecond).toContain(`not due yet (on schedule), due at: ${scheduled}`);
    expect(afterSecond).toMatch(
      new RegExp(`· broken-outlet in backoff until ${dueAt('broken-outlet')}Z after 1 failure\\(s\\) \\(http_status: `),
    );
  });

  it('says a parked or gone feed waits for a person', () => {
    const now = new Date('2025-04-19T10:00:00Z');
    const base = {
      url: 'https://example.org/rss',
      etag: null,
      lastModified: null,
      nextPollAt: '2025-04-19T12:00:00Z',
      lastPolledAt: null,
      lastSuccessAt: null,
    };
    const lastError = { kind: 'http_status' as const, message: 'HTTP 410', at: '2025-04-19T09:00:00Z' };
    const text = formatSkippedFeeds(
      [brokenFeed, { ...brokenFeed, id: 'parked-one' }],
      new Set(),
      [
        { ...base, feedId: brokenFeed.id, status: 'gone', consecutiveFailures: 1, lastError },
        { ...base, feedId: 'parked-one', status: 'parked', consecutiveFailures: 8, lastError: null },
      ],
      now,
    );
    expect(text).toBe(
      '  · broken-outlet is gone (http_status: HTTP 410): never polled again; remove it from the registry\n' +
        '  · parked-one is parked after 8 failures: not polled until its state is reset\n',
    );
  });

  it('does not start a cycle when it is stopped before the first one', async () => {
    const stop = new AbortController();
    stop.abort();
    const result = await runPollingLoop({
      deps: deps([]),
      feeds: feeds.feeds,
      concurrency: 2,
      once: false,
      signal: stop.signal,
      out: new PassThrough(),
    });
    expect(result).toEqual({ cycles: 0, reports: [], stoppedBySignal: true });
    expect(feeds.requests).toEqual([]);
  });
});
