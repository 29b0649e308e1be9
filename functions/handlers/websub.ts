import type { FeedDefinition } from '../../src/core/feed';
import type { Clock } from '../../src/core/ports';
import type { ItemClaims } from '../../src/core/ports/item-claims';
import type { ItemQueue } from '../../src/core/ports/queues';
import type { WebSubSubscriptions } from '../../src/core/ports/subscriptions';
import type { FetchOptions } from '../../src/ingestion/options';
import { queuePushedDocument } from '../../src/websub/accept-push';
import { createCallbackHandler } from '../../src/websub/callback';
import type { WebSubConfig } from '../../src/websub/subscription';
import {
  callbackRequestOf,
  type FunctionUrlEvent,
  type FunctionUrlResult,
  functionUrlResultOf,
} from '../lib/function-url';
import type { Log } from '../lib/observability';

export interface WebSubCallbackDeps {
  subscriptions: WebSubSubscriptions;
  store: ItemClaims;
  itemQueue: ItemQueue;
  clock: Clock;
  /** The registry: a push is ingested as the feed its subscription names, exactly as that feed's poll would be. */
  feeds: FeedDefinition[];
  limits: Pick<FetchOptions, 'maxBytes' | 'maxNestingDepth' | 'maxContentChars'>;
  log: Log;
  config?: WebSubConfig;
}

/**
 * Function URL request → the WebSub callback: a GET is the hub verifying intent against the stored subscription,
 * a POST is content, taken only with a valid signature and then handed to the item queue like a poll's items.
 * Every answer is an HTTP response; a fault of ours is a 503, which makes the hub deliver again.
 */
export function createWebSubCallbackHandler(deps: WebSubCallbackDeps) {
  const registry = new Map(deps.feeds.map((feed) => [feed.id, feed]));
  const handle = createCallbackHandler({
    subscriptions: deps.subscriptions,
    clock: deps.clock,
    maxBytes: deps.limits.maxBytes,
    ...(deps.config ? { config: deps.config } : {}),
    onContent: async (subscription, body, contentType) => {
      const feed = registry.get(subscription.feedId);
      if (!feed) return 'gone';
      const pushed = await queuePushedDocument(deps, feed, body, contentType);
      deps.log.info('accepted push', {
        feedId: feed.id,
        subscription: subscription.id,
        newItems: pushed.toAnalyze.length,
        duplicateItems: pushed.duplicates,
        skippedItems: pushed.skippedItems,
      });
      return 'stored';
    },
  });
  return async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const request = callbackRequestOf(event);
    try {
      const response = await handle(request);
      if (response.status >= 400) {
        deps.log.warn('refused callback request', { method: request.method, status: response.status });
      }
      return functionUrlResultOf(response);
    } catch (error) {
      // The subscription store could not be read or written: the hub retries a delivery or a verification.
      deps.log.error('callback failed', { method: request.method, error: (error as Error).message });
      return functionUrlResultOf({ status: 503, body: 'please retry' });
    }
  };
}
