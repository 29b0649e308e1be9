/**
 * A simulated day of feeds for the scheduling tests and the latency bench: a few hot feeds, some medium ones,
 * many slow ones, each publishing as a Poisson process at its own rate, plus follow-ups of the tracked story at
 * known times (a summit in the morning, a few stray ones). Seeded, so every run sees the same day.
 */

export type FeedKind = 'hot' | 'medium' | 'slow';

export interface SimulatedFeed {
  id: string;
  /** Host name of the feed's server; several feeds share some hosts, so the per-host budget matters. */
  host: string;
  kind: FeedKind;
  ratePerHour: number;
  /** The feed announces a WebSub hub. */
  websub: boolean;
  /** What the server says about polling it. */
  hints: { ttlMinutes?: number; maxAgeSec?: number; feedMinimumSec?: number };
  /** Every n-th request is answered 429 with this Retry-After (seconds). */
  throttle?: { everyNth: number; retryAfterSec: number };
}

export interface Publication {
  id: string;
  feedId: string;
  /** ms since the epoch. */
  at: number;
  title: string;
  followUp: boolean;
}

export interface SimulatedWorld {
  start: number;
  end: number;
  feeds: SimulatedFeed[];
  /** Sorted by time. */
  publications: Publication[];
}

export interface WorldOptions {
  feeds: number;
  seed?: number;
  /** First instant of the day, ms. */
  start?: number;
  hotFeeds?: number;
  /** Share of the feeds that announce a hub. */
  websubShare?: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** mulberry32: small, fast and good enough to make a reproducible day. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function feedKind(index: number, hotFeeds: number, total: number): FeedKind {
  if (index < hotFeeds) return 'hot';
  return index < hotFeeds + Math.ceil(total * 0.15) ? 'medium' : 'slow';
}

function rateOf(kind: FeedKind, random: () => number): number {
  if (kind === 'hot') return 4 + random() * 8;
  if (kind === 'medium') return 0.5 + random() * 1.5;
  return 0.02 + random() * 0.25;
}

function hintsOf(index: number): SimulatedFeed['hints'] {
  // A spread of real-world habits: most feeds say nothing, some send a TTL, a max-age or need a slower pace.
  if (index % 11 === 3) return { ttlMinutes: 30 };
  if (index % 13 === 5) return { maxAgeSec: 600 };
  if (index % 17 === 7) return { feedMinimumSec: 1800 };
  return {};
}

function buildFeeds(options: WorldOptions, random: () => number): SimulatedFeed[] {
  const hotFeeds = options.hotFeeds ?? Math.max(2, Math.round(options.feeds * 0.03));
  const websubEvery = Math.round(1 / (options.websubShare ?? 0.15));
  return Array.from({ length: options.feeds }, (_, index) => {
    const kind = feedKind(index, hotFeeds, options.feeds);
    // Hot feeds keep their hints out of the way (a newsroom wanting to be read); the others get a mix.
    const hints = kind === 'hot' ? {} : hintsOf(index);
    const feed: SimulatedFeed = {
      id: `feed-${String(index).padStart(3, '0')}`,
      // Every fifth feed lives on one of four shared hosts (section feeds of a big publisher).
      host: index % 5 === 0 ? `shared-${index % 4}.sim.test` : `host-${index}.sim.test`,
      kind,
      ratePerHour: rateOf(kind, random),
      // Half the hot feeds and a share of the rest announce a hub.
      websub: kind === 'hot' ? index % 2 === 1 : index % websubEvery === 2,
      hints,
    };
    if (index % 19 === 9) feed.throttle = { everyNth: 7, retryAfterSec: 1200 };
    return feed;
  });
}

function poissonTimes(ratePerHour: number, start: number, end: number, random: () => number): number[] {
  const times: number[] = [];
  let at = start;
  for (;;) {
    at += (-Math.log(1 - random()) / ratePerHour) * HOUR;
    if (at >= end) return times;
    times.push(Math.round(at));
  }
}

/** Follow-ups at known times: every 6 minutes through a 3-hour summit, spread over the hot feeds, plus strays. */
function followUpSchedule(feeds: SimulatedFeed[], start: number): { feedId: string; at: number }[] {
  const hot = feeds.filter((feed) => feed.kind === 'hot');
  const medium = feeds.filter((feed) => feed.kind === 'medium');
  const schedule: { feedId: string; at: number }[] = [];
  const summitStart = start + 9 * HOUR;
  for (let minute = 0, turn = 0; minute < 180; minute += 6, turn += 1) {
    const feed = hot[turn % hot.length];
    if (feed) schedule.push({ feedId: feed.id, at: summitStart + minute * MINUTE + 17_000 });
  }
  const strays = [2.5, 6.25, 15.2, 19.75, 22.1];
  strays.forEach((hour, turn) => {
    const feed = (turn % 2 === 0 ? hot : medium)[turn % Math.max(1, turn % 2 === 0 ? hot.length : medium.length)];
    if (feed) schedule.push({ feedId: feed.id, at: start + Math.round(hour * HOUR) });
  });
  return schedule;
}

export function buildWorld(options: WorldOptions): SimulatedWorld {
  const random = seededRandom(options.seed ?? 22);
  const start = options.start ?? Date.parse('2026-06-01T00:00:00Z');
  const end = start + 24 * HOUR;
  const feeds = buildFeeds(options, random);
  const publications: Publication[] = [];
  for (const feed of feeds) {
    for (const at of poissonTimes(feed.ratePerHour, start, end, random)) {
      const id = `${feed.id}-item-${publications.length}`;
      publications.push({ id, feedId: feed.id, at, title: `Regional market report ${id}`, followUp: false });
    }
  }
  for (const { feedId, at } of followUpSchedule(feeds, start)) {
    const id = `${feedId}-followup-${publications.length}`;
    publications.push({ id, feedId, at, title: `Ceasefire talks: new statement ${id}`, followUp: true });
  }
  publications.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
  return { start, end, feeds, publications };
}
