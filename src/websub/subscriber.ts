/**
 * Subscribing, renewing and giving up on hubs. The hub URL comes from a feed, so it is as untrusted as the feed:
 * the request goes through the same address guard as a poll, with one deadline and no redirects followed.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mapWithConcurrency } from '../core/concurrency';
import type { FeedDefinition } from '../core/feed';
import type { Clock } from '../core/ports';
import {
  type AddressPolicy,
  type HostResolver,
  parseFeedUrl,
  resolveAllowedAddress,
  systemResolver,
} from '../ingestion/address-guard';
import { decodeFeedBody } from '../ingestion/decode';
import { httpGetFeed } from '../ingestion/http';
import { DEFAULT_USER_AGENT, type FetchOptions, resolveFetchOptions } from '../ingestion/options';
import type { SubscriptionStore } from './callback';
import { discoverHubs, type HubDiscovery } from './discovery';
import {
  DEFAULT_WEBSUB_CONFIG,
  isPushActive,
  renewalRequested,
  requestSubscription,
  type Subscription,
  subscriptionFailed,
  type WebSubConfig,
} from './subscription';
import { type DiscoveredHub, shouldSubscribe, upkeepStep } from './upkeep';

export interface HubClient {
  /** POSTs a form to the hub; resolves with the status, or throws when the hub cannot be reached. */
  post(hub: string, form: Record<string, string>): Promise<{ status: number }>;
}

export interface HubClientOptions {
  allowPrivateNetwork: boolean;
  timeoutMs?: number;
  userAgent?: string;
  resolver?: HostResolver;
  addressPolicy?: AddressPolicy;
}

export function createHttpHubClient(options: HubClientOptions): HubClient {
  return {
    async post(hub, form) {
      const url = parseFeedUrl(hub);
      const pinned = await resolveAllowedAddress(
        url,
        options.allowPrivateNetwork,
        options.resolver ?? systemResolver,
        options.addressPolicy,
      );
      const body = new URLSearchParams(form).toString();
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const request = send(url, {
          method: 'POST',
          timeout: options.timeoutMs ?? 15_000,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
            'user-agent': options.userAgent ?? DEFAULT_USER_AGENT,
          },
          lookup: (_host, _opts, callback) => callback(null, pinned.address, pinned.family),
        });
        request.on('response', (response) => {
          // The hub's answer body says nothing we act on; drain it so the socket can close.
          response.resume();
          resolve({ status: response.statusCode ?? 0 });
        });
        request.on('timeout', () => request.destroy(new Error(`hub ${url.host} did not answer in time`)));
        request.on('error', reject);
        request.end(body);
      });
    },
  };
}

export interface WebSubSubscriberDeps {
  subscriptions: SubscriptionStore;
  hubClient: HubClient;
  clock: Clock;
  /** Our callback's base URL; each subscription's callback is `<base>/<id>`. */
  callbackBase: string;
  /** Overrides of DEFAULT_WEBSUB_CONFIG. */
  config?: Partial<WebSubConfig>;
  newId?: () => string;
  /**
   * Puts a feed whose subscription stopped pushing back on its polling schedule now (AWS: its due time moves to
   * now); without it the feed simply keeps its schedule (local runs poll every feed on their own pace anyway).
   */
  resumePolling?: (feedId: string) => Promise<unknown>;
}

export interface MaintenanceReport {
  renewed: string[];
  failed: string[];
  /** Feeds put back on their own polling schedule because their subscription stopped pushing. */
  resumed: string[];
  /** Read units the upkeep's read of due subscriptions cost (0 in memory). */
  readUnits: number;
}

/** Subscriptions one upkeep run looks after at most; the rest are still due on the next. */
export const UPKEEP_LIMIT = 20;
/** Hub requests of one upkeep run in flight at once: a slow hub holds one slot, not the whole run. */
const UPKEEP_IN_FLIGHT = 4;

/** The subscriber's deps with its config resolved: what each step below works with. */
type Subscriber = WebSubSubscriberDeps & { settings: WebSubConfig };

const callbackOf = (ctx: Subscriber, subscription: Subscription) =>
  `${ctx.callbackBase.replace(/\/+$/, '')}/${subscription.id}`;

/** Sends the subscription request; the subscription comes back failed when the hub refused it or was unreachable. */
async function send(ctx: Subscriber, subscription: Subscription): Promise<Subscription> {
  const form = {
    'hub.mode': 'subscribe',
    'hub.topic': subscription.topic,
    'hub.callback': callbackOf(ctx, subscription),
    'hub.secret': subscription.secret,
    'hub.lease_seconds': String(ctx.settings.leaseSeconds),
  };
  try {
    const { status } = await ctx.hubClient.post(subscription.hub, form);
    if (status >= 200 && status < 300) return subscription;
    return subscriptionFailed(subscription, `hub answered HTTP ${status} to the subscription request`);
  } catch (error) {
    return subscriptionFailed(subscription, `hub unreachable: ${(error as Error).message}`);
  }
}

/** Asks the hub; a feed asked before keeps its subscription id (one row per feed) with a fresh secret. */
async function request(ctx: Subscriber, feed: FeedDefinition, found: DiscoveredHub, existing?: Subscription) {
  const requested = requestSubscription({
    id: existing?.id ?? (ctx.newId ?? randomUUID)(),
    feedId: feed.id,
    topic: found.topic,
    hub: found.hub,
    now: ctx.clock.now(),
  });
  // Stored before the request goes out: the hub may call back before its POST answer arrives.
  await ctx.subscriptions.put(requested);
  const sent = await send(ctx, requested);
  if (sent !== requested) await ctx.subscriptions.put(sent);
  return sent;
}

/** The subscription stopped pushing: the feed is polled on its own schedule again, and this is noted once. */
async function fallBack(ctx: Subscriber, subscription: Subscription, now: Date): Promise<void> {
  await ctx.resumePolling?.(subscription.feedId);
  await ctx.subscriptions.put({ ...subscription, fallbackAt: now.toISOString() });
}

async function upkeepOne(ctx: Subscriber, subscription: Subscription, now: Date, report: MaintenanceReport) {
  const step = upkeepStep(subscription, now, ctx.settings);
  if (step.kind === 'renew') {
    const sent = await send(ctx, renewalRequested(subscription, now));
    if (sent.status !== 'failed') {
      await ctx.subscriptions.put(sent);
      report.renewed.push(subscription.feedId);
      return;
    }
    await fallBack(ctx, sent, now);
    report.failed.push(subscription.feedId);
  } else if (step.kind === 'give-up') {
    await fallBack(ctx, subscriptionFailed(subscription, step.note), now);
    report.failed.push(subscription.feedId);
  } else if (step.kind === 'resume-polling') {
    await fallBack(ctx, subscription, now);
  } else return;
  report.resumed.push(subscription.feedId);
}

/**
 * The scheduled upkeep: renews leases about to end, gives up on hubs that never verified or let a lease lapse,
 * and puts feeds that stopped pushing back on their polling schedule. Reads only the subscriptions due for it.
 */
async function maintain(ctx: Subscriber, limit: number): Promise<MaintenanceReport> {
  const now = ctx.clock.now();
  const due = await ctx.subscriptions.upkeepDue(now.toISOString(), limit);
  const report: MaintenanceReport = { renewed: [], failed: [], resumed: [], readUnits: due.readUnits };
  const settled = await mapWithConcurrency(due.subscriptions, UPKEEP_IN_FLIGHT, (subscription) =>
    upkeepOne(ctx, subscription, now, report),
  );
  // The others were looked after; the failed one is still due and is tried again on the next run.
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return report;
}

/**
 * After a poll of a feed that names a hub: asks the hub when the feed has no subscription that pushes or is about
 * to, and says whether pushes for the feed are trusted now (then its polls are only a safety net).
 */
async function watch(ctx: Subscriber, feed: FeedDefinition, found: DiscoveredHub): Promise<boolean> {
  const existing = await ctx.subscriptions.forFeed(feed.id);
  const now = ctx.clock.now();
  if (!shouldSubscribe(existing, found, now, ctx.settings)) return isPushActive(existing, now, ctx.settings);
  await request(ctx, feed, found, existing);
  return false;
}

export function createWebSubSubscriber(deps: WebSubSubscriberDeps) {
  const ctx: Subscriber = { ...deps, settings: { ...DEFAULT_WEBSUB_CONFIG, ...deps.config } };
  return {
    /** Subscribes to the feed's first hub unless a subscription is already active or waiting for verification. */
    async subscribe(feed: FeedDefinition, discovery: HubDiscovery): Promise<Subscription | null> {
      const hub = discovery.hubs[0];
      if (!hub) return null;
      const found = { hub, topic: discovery.self ?? feed.url };
      const existing = await ctx.subscriptions.forFeed(feed.id);
      if (existing && !shouldSubscribe(existing, found, ctx.clock.now(), ctx.settings)) return existing;
      return request(ctx, feed, found, existing);
    },
    watch: (feed: FeedDefinition, found: DiscoveredHub) => watch(ctx, feed, found),
    maintain: (limit = UPKEEP_LIMIT) => maintain(ctx, limit),
    /** Whether pushes for the feed are trusted now; when not, the feed is polled on its own schedule. */
    async isPushActive(feedId: string): Promise<boolean> {
      return isPushActive(await ctx.subscriptions.forFeed(feedId), ctx.clock.now(), ctx.settings);
    },
  };
}

export type WebSubSubscriber = ReturnType<typeof createWebSubSubscriber>;

/**
 * Fetches a feed once, through the same guarded HTTP client as a poll, and reads its hubs from the Link header and
 * the document. A feed that cannot be fetched simply has no hub: it is polled as before.
 */
export async function fetchHubDiscovery(
  feedUrl: string,
  options: Partial<FetchOptions> = {},
  network: { resolver?: HostResolver; addressPolicy?: AddressPolicy } = {},
): Promise<HubDiscovery> {
  try {
    const response = await httpGetFeed({ url: feedUrl }, resolveFetchOptions(options), {
      resolver: network.resolver ?? systemResolver,
      addressPolicy: network.addressPolicy,
    });
    const contentType = response.headers['content-type'] ?? null;
    const document = response.body ? decodeFeedBody(response.body, contentType) : null;
    return discoverHubs({ feedUrl: response.finalUrl, linkHeader: response.headers.link, document });
  } catch {
    return { hubs: [], self: null };
  }
}
