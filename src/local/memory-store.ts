import {
  createDynamoClient,
  createDynamoStoryStore,
  DEFAULT_TABLE_NAME,
  ensureTable,
} from '../adapters/dynamodb/index';
import type { Clock, StoryStore } from '../core/ports';
import { startEmbeddedDynamo } from './engine/index';

export interface OpenedStore {
  store: StoryStore;
  describe: string;
  close(): Promise<void>;
}

/** A throwaway store on in-memory dynalite: gone when closed, so a backtest never touches real data. */
export async function openInMemoryStore(options: { clock?: Clock } = {}): Promise<OpenedStore> {
  const dynamo = await startEmbeddedDynamo({ dataDir: null });
  try {
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureTable(client, DEFAULT_TABLE_NAME);
    const store = createDynamoStoryStore({
      client,
      tableName: DEFAULT_TABLE_NAME,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    return {
      store,
      describe: 'an in-memory store (dynalite)',
      close: async () => {
        client.destroy();
        await dynamo.close();
      },
    };
  } catch (error) {
    await dynamo.close();
    throw error;
  }
}
