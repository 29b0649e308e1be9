/**
 * Publication → alert latency over a simulated day, fixed 15-minute polling next to storywatch as deployed, in the
 * same run on the same world. Everything goes over loopback HTTP to a server that plays a few hundred feeds at the
 * simulated time, and stores in DynamoDB (the embedded engine). The fixed baseline is the simulation's own
 * scheduler driving the real fetcher; storywatch is the Lambda wiring itself (bench/lib/wired-day.ts): the
 * dispatcher handler over the due-time index with its WebSub upkeep, the poller handler with the adaptive
 * schedule, subscribing to the hubs feeds name, and the callback handler taking a loopback hub's signed pushes.
 * "Alert" here is the moment the pipeline stored the item as new and handed it to analysis.
 */
import { createDynamoClient, createDynamoStoryStore, ensureTable } from '../../src/adapters/dynamodb/index';
import type { FeedDefinition, FeedItem, FeedState } from '../../src/core/feed';
import type { StoryStore } from '../../src/core/ports';
import { DEFAULT_ADAPTIVE_SCHEDULE } from '../../src/ingestion/adaptive-schedule';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { startEmbeddedDynamo } from '../../src/local/engine/index';
import { pollFeeds } from '../../src/pipeline/poll-feeds';
import {
  budgetViolations,
  hintViolations,
  type PollAnswer,
  requestsPerFeedPerDay,
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
import { type BenchRow, type BenchSection, row, single } from '../lib/report';
import { runWiredDay, type WiredDay } from '../lib/wired-day';

const FEEDS = Number(process.env.BENCH_LATENCY_FEEDS ?? 300);
const CONCURRENCY = 16;

/** Publication id of a stored item: the simulated feed's links end with it. */
function publicationIdOf(item: FeedItem): string {
  return item.link?.split('/').at(-1) ?? item.id;
}

/** The baseline: the simulation's fixed 15-minute scheduler polling through the real fetcher and claims. */
async function runFixedDay(world: SimulatedWorld, store: StoryStore): Promise<SimulationResult> {
  let simulatedNow = world.start;
  const clock = { now: () => new Date(simulatedNow) };
  const server = await startSimulatedFeedServer({ world, clock });
  const definitions = new Map<string, FeedDefinition>(
    world.feeds.map((feed) => [
      feed.id,
      { id: feed.id, url: server.feedUrl(feed), name: feed.id, publisher: feed.host, language: 'en' },
    ]),
  );
  const fetcher = createHttpFeedFetcher({ allowPrivateNetwork: true }, { resolver: simulatedResolver });
  const states = new Map<string, FeedState>();
  try {
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
    };
    return await simulateDay({ world, mode: 'fixed', ports });
  } finally {
    fetcher.closeConnections();
    await server.close();
  }
}

function latencyRows(world: SimulatedWorld, fixed: SimulationResult, wired: WiredDay): BenchRow[] {
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
    {
      name: 'medium polled feeds, all items',
      include: (_: Publication, f: SimulatedFeed) => f.kind === 'medium' && !f.websub,
      target: undefined,
    },
    {
      name: 'slow polled feeds, all items',
      include: (_: Publication, f: SimulatedFeed) => f.kind === 'slow' && !f.websub,
      target: undefined,
    },
    { name: 'all feeds, all items', include: () => true, target: undefined },
  ];
  const rows: BenchRow[] = [];
  for (const group of groups) {
    const ours = summarizeLatency(world, wired, group.include);
    const theirs = summarizeLatency(world, fixed, group.include);
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

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

function requestRows(world: SimulatedWorld, fixed: SimulationResult, wired: WiredDay): BenchRow[] {
  const ours = requestsPerFeedPerDay(world, wired);
  const theirs = requestsPerFeedPerDay(world, fixed);
  const budget = DEFAULT_ADAPTIVE_SCHEDULE.hostRequestsPerHour;
  const broken = (result: SimulationResult) =>
    hintViolations(result.requests).length + budgetViolations(result.requests, budget).length;
  return [
    row({
      section: 'latency',
      name: 'requests per feed per day (polls; hubs are found by the polls themselves)',
      unit: 'requests',
      value: single(Math.round(ours * 10) / 10),
      baseline: single(Math.round(theirs * 10) / 10),
      target: '≤ fixed 15-minute polling',
      meetsTarget: ours <= theirs,
    }),
    row({
      section: 'latency',
      name: `requests that broke a feed's hints or its host's budget (${budget}/h)`,
      unit: 'count',
      value: single(broken(wired)),
      baseline: single(broken(fixed)),
      target: '0',
      meetsTarget: broken(wired) === 0,
    }),
    row({
      section: 'latency',
      name: 'polls the shared host budget sent to a later window',
      unit: 'count',
      value: single(wired.deferredByBudget),
    }),
    row({ section: 'latency', name: 'pushes received and stored', unit: 'count', value: single(wired.pushes) }),
    row({
      section: 'latency',
      name: `hub subscription requests (subscribe + renewals; ${wired.renewals} renewals by the tick)`,
      unit: 'count',
      value: single(wired.hubRequests),
    }),
  ];
}

function tickRows(wired: WiredDay): BenchRow[] {
  const ticks = wired.readUnitsPerTick.length;
  return [
    row({
      section: 'latency',
      name: `dispatcher read units per tick, mean over ${ticks} ticks (due query + WebSub upkeep)`,
      unit: 'RCU',
      value: single(Math.round(mean(wired.readUnitsPerTick) * 100) / 100),
    }),
    row({
      section: 'latency',
      name: 'dispatcher read units per tick, max',
      unit: 'RCU',
      value: single(Math.max(...wired.readUnitsPerTick)),
    }),
    row({
      section: 'latency',
      name: `feeds sent per tick, mean (max ${Math.max(...wired.sentPerTick)})`,
      unit: 'count',
      value: single(Math.round(mean(wired.sentPerTick) * 100) / 100),
    }),
  ];
}

export const latencySection: BenchSection = async () => {
  const world = buildWorld({ feeds: FEEDS });
  const dynamo = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: dynamo.endpoint, region: 'us-east-1' });
  try {
    await ensureTable(client, 'latency-fixed');
    const fixed = await runFixedDay(world, createDynamoStoryStore({ client, tableName: 'latency-fixed' }));
    const wired = await runWiredDay(world, client, 'latency-wired');
    return [...latencyRows(world, fixed, wired), ...requestRows(world, fixed, wired), ...tickRows(wired)];
  } finally {
    client.destroy();
    await dynamo.close();
  }
};
