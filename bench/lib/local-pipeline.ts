import { createDynamoClient, createDynamoStoryStore, ensureTable } from '../../src/adapters/dynamodb/index';
import type { FeedDefinition } from '../../src/core/feed';
import type { AlertNotifier } from '../../src/core/ports';
import { systemClock } from '../../src/core/ports';
import { loadStories } from '../../src/detection/index';
import { createHttpFeedFetcher } from '../../src/ingestion/index';
import { startEmbeddedDynamo } from '../../src/local/engine/index';
import type { CycleDeps } from '../../src/pipeline/run-cycle';
import { attachWriteCounter } from './write-counter';

/** Alerts are counted, not printed: the bench measures the pipeline, not the terminal. */
export function countingNotifier(): AlertNotifier & { published: number } {
  const notifier = {
    published: 0,
    async publish() {
      notifier.published += 1;
    },
  };
  return notifier;
}

/** The production pipeline on a fresh in-memory dynalite, with the store's writes counted. */
export async function openBenchPipeline() {
  const dynamo = await startEmbeddedDynamo({ dataDir: null });
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  const tableName = 'storywatch-bench';
  await ensureTable(client, tableName);
  const writes = attachWriteCounter(client);
  const notifier = countingNotifier();
  const deps: CycleDeps = {
    store: createDynamoStoryStore({ client, tableName }),
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
    clock: systemClock,
    stories: loadStories(),
    notifier,
  };
  return {
    deps,
    endpoint: dynamo.endpoint,
    client,
    tableName,
    writes,
    notifier,
    close: async () => {
      client.destroy();
      await dynamo.close();
    },
  };
}

export function farmFeeds(count: number, urlOf: (index: number) => string): FeedDefinition[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `bench-${index}`,
    url: urlOf(index),
    name: `Bench feed ${index}`,
    publisher: 'storywatch bench',
    language: 'en',
  }));
}
