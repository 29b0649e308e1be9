import { test as base } from 'vitest';
import { attachWriteCounter, type WriteCounter } from '../../bench/lib/write-counter';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { type Clock, type StoryStore, systemClock } from '../../src/core/ports';
import { startTestDynamo, type TestDynamo } from './dynamo';

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
});

/** The storage fixtures with the store's clock fixed at `at`. */
export const storageTestAt = (at: string) => {
  const clock: Clock = { now: () => new Date(at) };
  return storageTest.extend({ clock });
};
