import { existsSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, isLoopbackEndpoint } from '../adapters/dynamodb/client';
import { createDynamoReadingBudget } from '../adapters/dynamodb/reading-budget';
import { createTableRequests } from '../adapters/dynamodb/requests';
import { DEFAULT_TABLE_NAME, ensureTable } from '../adapters/dynamodb/schema';
import { startTableOver } from '../adapters/dynamodb/start-over';
import { createDynamoStoryStore } from '../adapters/dynamodb/store';
import type { BudgetLimits, Clock, ReadingBudget, StoryStore } from '../core/ports';
import { DEFAULT_DATA_DIR, startEmbeddedDynamo } from '../local/engine/index';
import { type CommandContext, type OptionSpec, stringOption, UsageError } from './command';
import { STORY_OPTIONS } from './stories';

/** Options every command that reads or writes the store shares (the story options among them). */
export const STORE_OPTIONS: Record<string, OptionSpec> = {
  ...STORY_OPTIONS,
  'data-dir': {
    type: 'string',
    description: 'Directory of the embedded store (used when no endpoint or table is given)',
    defaultText: DEFAULT_DATA_DIR,
  },
  endpoint: {
    type: 'string',
    description: 'DynamoDB endpoint, e.g. http://127.0.0.1:8000 (env STORYWATCH_DYNAMODB_ENDPOINT)',
  },
  table: {
    type: 'string',
    description: 'DynamoDB table; alone, it means the real table in AWS (env STORYWATCH_TABLE)',
    defaultText: DEFAULT_TABLE_NAME,
  },
  region: { type: 'string', description: 'AWS region of the table (env AWS_REGION)' },
};

export interface OpenedStore {
  store: StoryStore;
  /** Human description of where the data lives, for status lines. */
  describe: string;
  /** The embedded store's directory; null for a table behind an endpoint or in AWS. */
  dataDir: string | null;
  /** Stored model readings carried over when the store was emptied with `keepReadings`. */
  keptReadings: number;
  /**
   * The daily model-reading budget counted in this store, as the deployment counts it in its table: every command
   * on the same store (one `run` after another, or two at once) draws on the same day's allowance.
   */
  readingBudget(limits: BudgetLimits): ReadingBudget;
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

export interface OpenStoreOptions {
  env?: Env;
  clock?: Clock;
  /** Empty the table first (local stores only). */
  fresh?: boolean;
  /** With `fresh`: keep the stored model readings, so items read before are not paid for again. */
  keepReadings?: boolean;
}

/**
 * Where the data lives, in order: an explicit endpoint (DynamoDB Local, dynalite, LocalStack); a table named by
 * flag or STORYWATCH_TABLE, or a region, means the real table in AWS (never created here: the stack owns it);
 * otherwise the embedded dynalite under --data-dir, started for this command and stopped by close().
 */
export async function openStoreFromOptions(
  context: Pick<CommandContext, 'options'>,
  options: OpenStoreOptions = {},
): Promise<OpenedStore> {
  const env = options.env ?? process.env;
  const endpoint = stringOption(context as CommandContext, 'endpoint') ?? nonEmpty(env.STORYWATCH_DYNAMODB_ENDPOINT);
  const explicitTable = stringOption(context as CommandContext, 'table') ?? nonEmpty(env.STORYWATCH_TABLE);
  const region = stringOption(context as CommandContext, 'region') ?? nonEmpty(env.AWS_REGION);
  const where: StorePlace = {
    tableName: explicitTable ?? DEFAULT_TABLE_NAME,
    region,
    dataDir: stringOption(context as CommandContext, 'data-dir'),
    options,
  };
  if (endpoint) return openAtEndpoint(endpoint, where);
  if (explicitTable || stringOption(context as CommandContext, 'region')) return openInAws(where);
  return openEmbedded(where);
}

/** What the flags and the environment named, whichever kind of store they lead to. */
interface StorePlace {
  tableName: string;
  region: string | undefined;
  dataDir: string | undefined;
  options: OpenStoreOptions;
}

function storeOn(client: DynamoDBClient, { tableName, options }: StorePlace): StoryStore {
  return createDynamoStoryStore({ client, tableName, ...(options.clock ? { clock: options.clock } : {}) });
}

function budgetOn(client: DynamoDBClient, { tableName }: StorePlace) {
  return (limits: BudgetLimits) => createDynamoReadingBudget(createTableRequests(client, tableName), { limits });
}

const startOver = (client: DynamoDBClient, { tableName, options }: StorePlace) =>
  startTableOver(client, tableName, { keepReadings: options.keepReadings === true });

async function openAtEndpoint(endpoint: string, where: StorePlace): Promise<OpenedStore> {
  const { tableName, region, dataDir, options } = where;
  if (dataDir) throw new UsageError('--data-dir is for the embedded store; it cannot be combined with --endpoint');
  const client = createDynamoClient({ endpoint, ...(region ? { region } : {}) });
  // Emulators start empty; a remote endpoint is someone's real table and is never created implicitly.
  if (options.fresh && !isLoopbackEndpoint(endpoint)) {
    throw new UsageError('--fresh only empties local stores, never a table behind a remote endpoint');
  }
  const keptReadings = options.fresh ? await startOver(client, where) : 0;
  if (isLoopbackEndpoint(endpoint)) await ensureTable(client, tableName);
  return {
    store: storeOn(client, where),
    describe: `table ${tableName} at ${endpoint}`,
    dataDir: null,
    keptReadings,
    readingBudget: budgetOn(client, where),
    close: async () => client.destroy(),
  };
}

function openInAws(where: StorePlace): OpenedStore {
  const { tableName, region, dataDir, options } = where;
  if (dataDir) throw new UsageError('--data-dir is for the embedded store; it cannot be combined with --table');
  if (options.fresh) throw new UsageError('--fresh only empties local stores, never a table in AWS');
  const client = createDynamoClient(region ? { region } : {});
  return {
    store: storeOn(client, where),
    describe: `DynamoDB table ${tableName}${region ? ` in ${region}` : ''}`,
    dataDir: null,
    keptReadings: 0,
    readingBudget: budgetOn(client, where),
    close: async () => client.destroy(),
  };
}

async function openEmbedded(where: StorePlace): Promise<OpenedStore> {
  const directory = where.dataDir ?? DEFAULT_DATA_DIR;
  // A mistyped --data-dir opens a new store; saying so explains the empty answers that follow.
  const isNew = !existsSync(directory);
  const embedded = await startEmbeddedDynamo({ dataDir: directory });
  const client = createDynamoClient({ endpoint: embedded.endpoint });
  let keptReadings = 0;
  try {
    if (where.options.fresh) keptReadings = await startOver(client, where);
    await ensureTable(client, where.tableName);
  } catch (error) {
    client.destroy();
    await embedded.close();
    throw error;
  }
  return {
    store: storeOn(client, where),
    describe: `embedded store in ${directory}${isNew ? ' (new: nothing was stored there before)' : ''}`,
    dataDir: directory,
    keptReadings,
    readingBudget: budgetOn(client, where),
    close: async () => {
      client.destroy();
      await embedded.close();
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
