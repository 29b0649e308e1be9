/**
 * WebSub for `storywatch run --websub-port`: a callback on 127.0.0.1, a subscription to the hub of every feed that
 * names one, pushes handled as one-feed cycles (claim, analyze, outbox), and lease upkeep on a timer. Feeds keep
 * being polled on their schedule; a push simply gets there first, and the poll then finds the items stored.
 * Subscriptions live in memory: a restart subscribes again.
 */
import type { FeedDefinition } from '../core/feed';
import type { FetchOptions } from '../ingestion/options';
import type { AnalyzeDeps } from '../pipeline/analyze-batch';
import type { PublishDeps } from '../pipeline/publish-alerts';
import { createCallbackHandler, createMemorySubscriptionStore } from './callback';
import { startCallbackServer } from './callback-server';
import { handlePushedDocument } from './ingest';
import { createHttpHubClient, createWebSubSubscriber, fetchHubDiscovery } from './subscriber';

export interface LocalWebSubOptions {
  port: number;
  feeds: FeedDefinition[];
  deps: AnalyzeDeps & PublishDeps;
  fetchOptions: Partial<FetchOptions> & { maxBytes: number };
  out: NodeJS.WritableStream;
  /** How often leases are checked for renewal. Default 5 minutes. */
  maintainEveryMs?: number;
}

export interface LocalWebSub {
  callbackBase: string;
  close(): Promise<void>;
}

export async function startLocalWebSub(options: LocalWebSubOptions): Promise<LocalWebSub> {
  const { deps, out } = options;
  const feedsById = new Map(options.feeds.map((feed) => [feed.id, feed]));
  const subscriptions = createMemorySubscriptionStore();
  // One push at a time: each is a small cycle of its own, and the analysis batches stay in publication order.
  let queue: Promise<unknown> = Promise.resolve();
  const handle = createCallbackHandler({
    subscriptions,
    clock: deps.clock,
    maxBytes: options.fetchOptions.maxBytes,
    onContent: (subscription, body, contentType) => {
      const feed = feedsById.get(subscription.feedId);
      if (!feed) return Promise.resolve('gone' as const);
      const run = queue.then(async () => {
        const report = await handlePushedDocument(deps, feed, body, contentType, {
          maxBytes: options.fetchOptions.maxBytes,
          maxNestingDepth: options.fetchOptions.maxNestingDepth ?? 256,
          maxContentChars: options.fetchOptions.maxContentChars ?? 20_000,
        });
        out.write(
          `${deps.clock.now().toISOString().slice(0, 19)}Z push from ${feed.id}: ${report.toAnalyze.length} new items, ${report.duplicates} already stored\n`,
        );
        return 'stored' as const;
      });
      queue = run.catch(() => {});
      return run;
    },
  });
  const server = await startCallbackServer({ handle, maxBytes: options.fetchOptions.maxBytes, port: options.port });
  const subscriber = createWebSubSubscriber({
    subscriptions,
    hubClient: createHttpHubClient({ allowPrivateNetwork: options.fetchOptions.allowPrivateNetwork ?? false }),
    clock: deps.clock,
    callbackBase: server.callbackBase,
  });
  for (const feed of options.feeds) {
    const discovery = await fetchHubDiscovery(feed.url, options.fetchOptions);
    const subscription = await subscriber.subscribe(feed, discovery);
    if (subscription) out.write(`websub: ${feed.id} → ${subscription.hub} (${subscription.status})\n`);
  }
  const timer = setInterval(
    () => {
      subscriber.maintain().catch((error) => out.write(`websub: lease upkeep failed: ${(error as Error).message}\n`));
    },
    options.maintainEveryMs ?? 5 * 60_000,
  );
  timer.unref();
  out.write(`websub: accepting pushes at ${server.callbackBase}\n`);
  return {
    callbackBase: server.callbackBase,
    close: async () => {
      clearInterval(timer);
      await queue;
      await server.close();
    },
  };
}
