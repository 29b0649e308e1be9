/**
 * Subscribing, renewing and giving up on hubs. The hub URL comes from a feed, so it is as untrusted as the feed:
 * the request goes through the same address guard as a poll, with one deadline and no redirects followed.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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
  needsRenewal,
  renewalRequested,
  requestSubscription,
  type Subscription,
  subscriptionFailed,
  verificationOverdue,
  type WebSubConfig,
} from './subscription';

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
  config?: WebSubConfig;
  newId?: () => string;
}

export interface MaintenanceReport {
  renewed: string[];
  failed: string[];
}

export function createWebSubSubscriber(deps: WebSubSubscriberDeps) {
  const config = deps.config ?? DEFAULT_WEBSUB_CONFIG;
  const callbackOf = (subscription: Subscription) => `${deps.callbackBase.replace(/\/+$/, '')}/${subscription.id}`;

  async function send(subscription: Subscription): Promise<Subscription> {
    const form = {
      'hub.mode': 'subscribe',
      'hub.topic': subscription.topic,
      'hub.callback': callbackOf(subscription),
      'hub.secret': subscription.secret,
      'hub.lease_seconds': String(config.leaseSeconds),
    };
    try {
      const { status } = await deps.hubClient.post(subscription.hub, form);
      if (status >= 200 && status < 300) return subscription;
      return subscriptionFailed(subscription, `hub answered HTTP ${status} to the subscription request`);
    } catch (error) {
      return subscriptionFailed(subscription, `hub unreachable: ${(error as Error).message}`);
    }
  }

  async function current(feedId: string): Promise<Subscription | undefined> {
    const all = await deps.subscriptions.list();
    return all.filter((subscription) => subscription.feedId === feedId).at(-1);
  }

  return {
    /** Subscribes to the feed's first hub unless a subscription is already active or waiting for verification. */
    async subscribe(feed: FeedDefinition, discovery: HubDiscovery): Promise<Subscription | null> {
      const hub = discovery.hubs[0];
      if (!hub) return null;
      const existing = await current(feed.id);
      if (existing && (existing.status === 'requested' || isPushActive(existing, deps.clock.now(), config))) {
        return existing;
      }
      const requested = requestSubscription({
        id: (deps.newId ?? randomUUID)(),
        feedId: feed.id,
        topic: discovery.self ?? feed.url,
        hub,
        now: deps.clock.now(),
      });
      // Stored before the request goes out: the hub may call back before its POST answer arrives.
      await deps.subscriptions.put(requested);
      const sent = await send(requested);
      if (sent !== requested) await deps.subscriptions.put(sent);
      return sent;
    },

    /** Renews leases about to end and gives up on hubs that never verified; meant to run on a schedule. */
    async maintain(): Promise<MaintenanceReport> {
      const now = deps.clock.now();
      const report: MaintenanceReport = { renewed: [], failed: [] };
      for (const subscription of await deps.subscriptions.list()) {
        if (verificationOverdue(subscription, now, config)) {
          await deps.subscriptions.put(subscriptionFailed(subscription, 'hub never verified the subscription'));
          report.failed.push(subscription.feedId);
        } else if (needsRenewal(subscription, now, config)) {
          const sent = await send(renewalRequested(subscription, now));
          await deps.subscriptions.put(sent);
          (sent.status === 'failed' ? report.failed : report.renewed).push(subscription.feedId);
        }
      }
      return report;
    },

    /** Whether pushes for the feed are trusted now; when not, the feed is polled on its own schedule. */
    async isPushActive(feedId: string): Promise<boolean> {
      return isPushActive(await current(feedId), deps.clock.now(), config);
    },
  };
}

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
