/**
 * Our WebSub callback, free of any HTTP framework: the local loopback server and a Lambda function URL both turn
 * their request into a CallbackRequest and send back the CallbackResponse. GET is the hub verifying our intent;
 * POST is content, accepted only with a valid signature for the subscription the URL names.
 */
import type { Clock } from '../core/ports';
import type { WebSubSubscriptions } from '../core/ports/subscriptions';
import { FeedError } from '../ingestion/errors';
import { verifySignature } from './signature';
import {
  answerVerification,
  DEFAULT_WEBSUB_CONFIG,
  deliveryAccepted,
  deliveryRefused,
  type Subscription,
  type WebSubConfig,
} from './subscription';
import { latestOf, upkeepDueAt } from './upkeep';

/** Where subscriptions live between requests (in memory locally; table rows in AWS): the WebSubSubscriptions port. */
export type SubscriptionStore = WebSubSubscriptions;

/** `config` times the upkeep index (upkeepDueAt): pass the one the subscriber uses. */
export function createMemorySubscriptionStore(config: WebSubConfig = DEFAULT_WEBSUB_CONFIG): SubscriptionStore {
  const byId = new Map<string, Subscription>();
  return {
    get: async (id) => byId.get(id),
    put: async (subscription) => {
      byId.set(subscription.id, subscription);
    },
    list: async () => [...byId.values()],
    forFeed: async (feedId) => latestOf([...byId.values()].filter((entry) => entry.feedId === feedId)),
    upkeepDue: async (now, limit) => {
      const due = [...byId.values()]
        .map((subscription) => ({ subscription, at: upkeepDueAt(subscription, config) }))
        .filter((entry): entry is { subscription: Subscription; at: string } => entry.at !== null && entry.at <= now)
        .sort((a, b) => a.at.localeCompare(b.at) || a.subscription.id.localeCompare(b.subscription.id));
      return { subscriptions: due.slice(0, limit).map((entry) => entry.subscription), readUnits: 0 };
    },
  };
}

export interface CallbackRequest {
  method: string;
  /** Path only; its last segment is the subscription id. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

export interface CallbackResponse {
  status: number;
  body: string;
}

export interface CallbackDeps {
  subscriptions: SubscriptionStore;
  clock: Clock;
  /**
   * Runs the pushed document through ingestion ('stored': its new items are on their way to analysis). A
   * FeedError means the document was bad; anything else is ours. 'gone' says we no longer watch the subscription's feed: the hub is told so (410) and may drop it (§7).
   */
  onContent(subscription: Subscription, body: Uint8Array, contentType: string | null): Promise<'stored' | 'gone'>;
  config?: WebSubConfig;
  /** Bodies above this are refused before any parsing. */
  maxBytes: number;
}

export function subscriptionIdOf(path: string): string {
  return decodeURIComponent(path.split('/').filter(Boolean).at(-1) ?? '');
}

export function createCallbackHandler(deps: CallbackDeps): (request: CallbackRequest) => Promise<CallbackResponse> {
  const config = deps.config ?? DEFAULT_WEBSUB_CONFIG;
  return async (request) => {
    const subscription = await deps.subscriptions.get(subscriptionIdOf(request.path));
    if (request.method === 'GET') {
      const { answer, next } = answerVerification(subscription, request.query, deps.clock.now(), config);
      if (next) await deps.subscriptions.put(next);
      return answer;
    }
    if (request.method !== 'POST') return { status: 405, body: 'GET or POST only' };
    if (!subscription || subscription.status === 'denied') return { status: 404, body: 'unknown subscription' };
    return receiveContent(deps, config, subscription, request);
  };
}

async function refuse(
  deps: CallbackDeps,
  config: WebSubConfig,
  subscription: Subscription,
  status: number,
  reason: string,
): Promise<CallbackResponse> {
  await deps.subscriptions.put(deliveryRefused(subscription, reason, config));
  return { status, body: reason };
}

async function receiveContent(
  deps: CallbackDeps,
  config: WebSubConfig,
  subscription: Subscription,
  request: CallbackRequest,
): Promise<CallbackResponse> {
  // Refused outright (and counted against the hub): an honest hub learns something is wrong, a forger learns
  // nothing it could not guess, and no unsigned byte reaches the parser.
  const check = verifySignature(request.headers['x-hub-signature'], subscription.secret, request.body);
  if (!check.ok) return refuse(deps, config, subscription, 403, `signature ${check.reason}`);
  if (request.body.byteLength > deps.maxBytes) {
    return refuse(deps, config, subscription, 413, `body over ${deps.maxBytes} bytes`);
  }
  try {
    const outcome = await deps.onContent(subscription, request.body, request.headers['content-type'] ?? null);
    if (outcome === 'gone') return { status: 410, body: 'this feed is no longer watched' };
  } catch (error) {
    if (error instanceof FeedError) return refuse(deps, config, subscription, 400, `${error.kind}: ${error.message}`);
    // Our side failed (the store, say): a non-2xx makes the hub deliver again, so nothing is lost.
    return { status: 503, body: 'could not store the delivery now; please retry' };
  }
  if (subscription.strikes > 0) await deps.subscriptions.put(deliveryAccepted(subscription));
  return { status: 202, body: '' };
}
