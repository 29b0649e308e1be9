import { test as base } from 'vitest';
import { attachWriteCounter, type WriteCounter } from '../../bench/lib/write-counter';
import { createTableRequests, type TableRequests } from '../../src/adapters/dynamodb/requests';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { type Clock, type StoryStore, systemClock } from '../../src/core/ports';
import { beforeEachCommand } from './command-probe';
import { startTestDynamo, type TestDynamo } from './dynamo';

/** A command the file's client sent: its name (`BatchWriteItemCommand`...) and its input. */
export interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/** The commands the file's client sent since the last reset, oldest first. */
export interface CommandLog {
  readonly sent: readonly SentCommand[];
  names(): string[];
  reset(): void;
}

export interface StorageFixtures {
  /** The engine of the test file (dynalite, or DynamoDB Local in CI), started once per file. */
  dynamo: TestDynamo;
  /** A new empty table per test, so no test sees another's rows. */
  tableName: string;
  /** The clock the store stamps rows with; a file overrides it with `storageTest.extend({ clock: ... })`. */
  clock: Clock;
  /** The production store on this test's table. */
  store: StoryStore;
  /** What the store wrote during this test, counted at the client. */
  writes: WriteCounter;
  /** The counter on the file's client, attached once. */
  fileWrites: WriteCounter;
  /** The request layer the other adapters (due feeds, story heat, subscriptions) are built on, on this table. */
  requests: TableRequests;
  /** What the file's client sent during this test, from the moment the store was set up. */
  commands: CommandLog;
  /** The command log on the file's client, attached once. */
  fileCommands: CommandLog;
}

/** `it` with a storage engine, a fresh table and the store on it, instead of the same set-up in every file. */
export const storageTest = base.extend<StorageFixtures>({
  dynamo: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
    async ({}, use) => {
      const dynamo = await startTestDynamo();
      try {
        await use(dynamo);
      } finally {
        await dynamo.close();
      }
    },
    { scope: 'file' },
  ],
  tableName: async ({ dynamo }, use) => {
    await use(await dynamo.freshTable());
  },
  clock: systemClock,
  store: async ({ dynamo, tableName, clock }, use) => {
    await use(createDynamoStoryStore({ client: dynamo.client, tableName, clock }));
  },
  fileWrites: [async ({ dynamo }, use) => use(attachWriteCounter(dynamo.client)), { scope: 'file' }],
  // Depends on the store so the counting starts once the table and the store are set up.
  writes: async ({ fileWrites, store: _store }, use) => {
    fileWrites.reset();
    await use(fileWrites);
  },
  requests: async ({ dynamo, tableName }, use) => {
    await use(createTableRequests(dynamo.client, tableName));
  },
  fileCommands: [async ({ dynamo }, use) => use(attachCommandLog(dynamo)), { scope: 'file' }],
  // Like `writes`: the log starts empty once the table and the store are set up.
  commands: async ({ fileCommands, store: _store }, use) => {
    fileCommands.reset();
    await use(fileCommands);
  },
});

function attachCommandLog(dynamo: TestDynamo): CommandLog {
  let sent: SentCommand[] = [];
  beforeEachCommand(dynamo.client, (name, input) => {
    sent.push({ name, input });
  });
  return {
    get sent() {
      return sent;
    },
    names: () => sent.map((command) => command.name),
    reset() {
      sent = [];
    },
  };
}

/** The storage fixtures with the store's clock fixed at `at`. */
export const storageTestAt = (at: string) => {
  const clock: Clock = { now: () => new Date(at) };
  return storageTest.extend({ clock });
};
