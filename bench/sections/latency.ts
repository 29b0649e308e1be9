/**
 * Publication → alert latency over a simulated day, fixed 15-minute polling next to the adaptive schedule with
 * WebSub, in the same run on the same world. Everything goes over loopback HTTP: the real fetcher (address guard,
 * conditional GET, parse) polls a server that plays a few hundred feeds at the simulated time; a loopback hub
 * pushes to our real callback; claims land in dynalite. "Alert" here is the moment the pipeline stored the item
 * as new: analysis follows at once in the same step, and its own cost is measured by the poll section.
 */
import { performance } from 'node:perf_hooks';
import { createDynamoClient, createDynamoStoryStore, ensureTable } from '../../src/adapters/dynamodb/index';
import type { FeedDefinition, FeedItem, FeedState } from '../../src/core/feed';
import type { StoryStore } from '../../src/core/ports';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { startEmbeddedDynamo } from '../../src/local/engine/index';
import { claimItems, pollFeeds } from '../../src/pipeline/poll-feeds';
import { createCallbackHandler, createMemorySubscriptionStore } from '../../src/websub/callback';
import { startCallbackServer } from '../../src/websub/callback-server';
import { ingestPushedDocument } from '../../src/websub/ingest';
import { createHttpHubClient, createWebSubSubscriber, fetchHubDiscovery } from '../../src/websub/subscriber';
import { isPushActive } from '../../src/websub/subscription';
import {
  type PollAnswer,
  requestsPerFeedPerDay,
  type SchedulerMode,
  type SimulationPorts,
  type SimulationResult,
  simulateDay,
  summarizeLatency,
} from '../../test/support/polling-simulation';
import { simulatedResolver, startSimulatedFeedServer } from '../../test/support/simulated-feed-server';
import {
  buildWorld,
  type Publication,
  type SimulatedFeed,
  type SimulatedWorld,
} from '../../test/support/simulated-world';
import { startLoopbackHub } from '../../test/support/websub-hub';
import { type BenchRow, type BenchSection, row, single } from '../lib/report';

const FEEDS = Number(process.env.BENCH_LATENCY_FEEDS ?? 300);
const MAX_BYTES = 5 * 1024 * 1024;
const CONCURRENCY = 16;

interface DayRun {
  result: SimulationResult;
  /** Requests to feed servers outside the dispatcher: hub discovery at start. */
  extraRequests: number;
  hubRequests: number;
}

/** Publication id of a stored item: the simulated feed's links end with it. */
function publicationIdOf(item: FeedItem): string {
  return item.link?.split('/').at(-1) ?? item.id;
}

async function storeNew(store: StoryStore, items: FeedItem[]): Promise<string[]> {
  const { toAnalyze } = await claimItems(store, items);
  // The analyzer's mark, so a later poll or push of the same entry is a plain duplicate, as in the pipeline.
  if (toAnalyze.length > 0) await store.markItemsAnalyzed(toAnalyze.map((item) => item.id));
  return toAnalyze.map(publicationIdOf);
}

async function runDay(world: SimulatedWorld, mode: SchedulerMode, store: StoryStore): Promise<DayRun> {
  let simulatedNow = world.start;
  const clock = { now: () => new Date(simulatedNow) };
  const hub = await startLoopbackHub();
  const server = await startSimulatedFeedServer({ world, clock, hubUrl: hub.url });
  const definitions = new Map<string, FeedDefinition>(
    world.feeds.map((feed) => [
      feed.id,
      { id: feed.id, url: server.feedUrl(feed), name: feed.id, publisher: feed.host, language: 'en' },
    ]),
  );
  const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true }, { resolver: simulatedResolver });
  const states = new Map<string, FeedState>();
  const subscriptions = createMemorySubscriptionStore();
  let delivered: string[] = [];
  const callback = await startCallbackServer({
    maxBytes: MAX_BYTES,
    handle: createCallbackHandler({
      subscriptions,
      clock,
      maxBytes: MAX_BYTES,
      onContent: async (subscription, body, contentType) => {
        const feed = definitions.get(subscription.feedId) as FeedDefinition;
        const { toAnalyze } = await ingestPushedDocument(store, feed, body, contentType);
        delivered.push(...(await storeNew(store, toAnalyze)));
        return 'stored';
      },
    }),
  });
  const subscriber = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: true }),
    clock,
    callbackBase: callback.callbackBase,
  });
  const pushing = new Set<string>();
  const refreshPushing = async () => {
    pushing.clear();
    for (const subscription of await subscriptions.list()) {
      if (isPushActive(subscription, clock.now())) pushing.add(subscription.feedId);
    }
  };
  let extraRequests = 0;
  try {
    if (mode === 'adaptive') {
      for (const feed of world.feeds.filter((candidate) => candidate.websub)) {
        const definition = definitions.get(feed.id) as FeedDefinition;
        const discovery = await fetchHubDiscovery(
          definition.url,
          { allowPrivateNetwork: true },
          { resolver: simulatedResolver },
        );
        extraRequests += 1;
        await subscriber.subscribe(definition, discovery);
        await hub.verified(discovery.self ?? definition.url);
      }
      await refreshPushing();
    }
    const ports: SimulationPorts = {
      async poll(feeds, now) {
        simulatedNow = now.getTime();
        // The pipeline's own batch: fetch with bounded concurrency, claims coalesced while fetching goes on.
        const polled = await pollFeeds(
          { store, fetcher, clock },
          feeds.map((feed) => definitions.get(feed.id) as FeedDefinition),
          { concurrency: CONCURRENCY, states },
        );
        const stored = polled.flatMap(({ report }) => report.newItems);
        if (stored.length > 0) await store.markItemsAnalyzed(stored.map((item) => item.id));
        return polled.map(({ report, nextState }, index): PollAnswer => {
          const feed = feeds[index] as SimulatedFeed;
          if (nextState) states.set(feed.id, nextState);
          if (report.outcome !== 'failed') {
            return { ok: true, newIds: report.newItems.map(publicationIdOf), hints: feed.hints };
          }
          const throttled = report.error?.kind === 'http_status' && feed.throttle !== undefined;
          return {
            ok: false,
            httpStatus: throttled ? 429 : 0,
            retryAfterSec: throttled ? (feed.throttle?.retryAfterSec ?? null) : null,
          };
        });
      },
      pushActive: (feed) => pushing.has(feed.id),
      async push(feed: SimulatedFeed, publication: Publication, now: Date) {
        simulatedNow = now.getTime();
        delivered = [];
        const started = performance.now();
        await hub.publish(
          server.feedUrl(feed),
          server.document(feed, publication.at),
          'application/rss+xml; charset=utf-8',
        );
        return { newIds: delivered, elapsedMs: performance.now() - started };
      },
      async everyHour(now) {
        simulatedNow = now.getTime();
        await subscriber.maintain();
        await refreshPushing();
      },
    };
    const result = await simulateDay({ world, mode, ports });
    return { result, extraRequests, hubRequests: hub.requests.length };
  } finally {
    fetcher.closeConnections();
    await callback.close();
    await server.close();
    await hub.close();
  }
}

function latencyRows(world: SimulatedWorld, fixed: DayRun, adaptive: DayRun): BenchRow[] {
  const groups = [
    {
      name: 'hot polled feeds, follow-ups (alerts)',
      include: (p: Publication, f: SimulatedFeed) => p.followUp && f.kind === 'hot' && !f.websub,
      target: 300,
    },
    {
      name: 'hot polled feeds, all items',
      include: (_: Publication, f: SimulatedFeed) => f.kind === 'hot' && !f.websub,
      target: 300,
    },
    { name: 'WebSub feeds, all items', include: (_: Publication, f: SimulatedFeed) => f.websub, target: 60 },
    { name: 'all feeds, all items', include: () => true, target: undefined },
  ];
  const rows: BenchRow[] = [];
  for (const group of groups) {
    const ours = summarizeLatency(world, adaptive.result, group.include);
    const theirs = summarizeLatency(world, fixed.result, group.include);
    for (const [label, key] of [
      ['median', 'medianSec'],
      ['p95', 'p95Sec'],
    ] as const) {
      const target = label === 'p95' && group.target !== undefined ? group.target : undefined;
      rows.push(
        row({
          section: 'latency',
          name: `publication → stored, ${group.name} (${ours.count} items, ${ours.missed} missed), ${label}`,
          unit: 's',
          value: single(Math.round(ours[key] * 10) / 10),
          baseline: single(Math.round(theirs[key] * 10) / 10),
          ...(target !== undefined ? { target: `≤ ${target} s`, meetsTarget: ours[key] <= target } : {}),
        }),
      );
    }
  }
  return rows;
}

function requestRows(world: SimulatedWorld, fixed: DayRun, adaptive: DayRun): BenchRow[] {
  const perFeed = (run: DayRun) => requestsPerFeedPerDay(world, run.result) + run.extraRequests / world.feeds.length;
  const ours = perFeed(adaptive);
  const theirs = perFeed(fixed);
  return [
    row({
      section: 'latency',
      name: 'requests per feed per day (polls + hub discovery)',
      unit: 'requests',
      value: single(Math.round(ours * 10) / 10),
      baseline: single(Math.round(theirs * 10) / 10),
      target: '≤ fixed 15-minute polling',
      meetsTarget: ours <= theirs,
    }),
    row({
      section: 'latency',
      name: 'pushes received and stored',
      unit: 'count',
      value: single(adaptive.result.pushes),
    }),
    row({
      section: 'latency',
      name: 'hub subscription requests (subscribe + renewals)',
      unit: 'count',
      value: single(adaptive.hubRequests),
    }),
    row({
      section: 'latency',
      name: 'polls moved to a later tick by the per-host budget',
      unit: 'count',
      value: single(adaptive.result.deferredByBudget),
      baseline: single(fixed.result.deferredByBudget),
    }),
  ];
}

export const latencySection: BenchSection = async () => {
  const world = buildWorld({ feeds: FEEDS });
  const dynamo = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
  try {
    const storeFor = async (tableName: string) => {
      await ensureTable(client, tableName);
      return createDynamoStoryStore({ client, tableName });
    };
    const fixed = await runDay(world, 'fixed', await storeFor('latency-fixed'));
    const adaptive = await runDay(world, 'adaptive', await storeFor('latency-adaptive'));
    return [...latencyRows(world, fixed, adaptive), ...requestRows(world, fixed, adaptive)];
  } finally {
    client.destroy();
    await dynamo.close();
  }
};
