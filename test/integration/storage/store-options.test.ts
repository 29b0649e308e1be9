import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { UsageError } from '../../../src/cli/command';
import { openStoreFromOptions } from '../../../src/cli/store-options';
import { storageTest } from '../../support/storage';
import { feedState } from '../../support/storage-builders';

/** The engine comes from the shared fixture; the embedded stores the tests open live in one scratch directory. */
const it = storageTest.extend<{ scratch: string }>({
  scratch: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
    async ({}, use) => {
      const scratch = mkdtempSync(join(tmpdir(), 'storywatch-store-options-'));
      try {
        await use(scratch);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    { scope: 'file' },
  ],
});

describe('openStoreFromOptions', () => {
  it('keeps the embedded store on disk under --data-dir across runs, and says when it opened a new one', async ({
    scratch,
  }) => {
    const dataDir = join(scratch, 'data');
    const first = await openStoreFromOptions({ options: { 'data-dir': dataDir } }, { env: {} });
    expect(first.describe).toBe(`embedded store in ${dataDir} (new: nothing was stored there before)`);
    expect(first.dataDir).toBe(dataDir);
    await first.store.putFeedStates([feedState('persisted')]);
    await first.close();
    const second = await openStoreFromOptions({ options: { 'data-dir': dataDir } }, { env: {} });
    expect(second.describe).toBe(`embedded store in ${dataDir}`);
    try {
      expect(await second.store.getFeedState('persisted')).toEqual(feedState('persisted'));
    } finally {
      await second.close();
    }
  });

  it('refuses a data directory another live store holds, instead of crashing on the first request', async ({
    scratch,
  }) => {
    const dataDir = join(scratch, 'shared');
    const holder = await openStoreFromOptions({ options: { 'data-dir': dataDir } }, { env: {} });
    try {
      await expect(openStoreFromOptions({ options: { 'data-dir': dataDir } }, { env: {} })).rejects.toThrow(
        /is in use by process/,
      );
    } finally {
      await holder.close();
    }
  });

  it('takes over a data directory left behind by a process that died', async ({ scratch }) => {
    const dataDir = join(scratch, 'abandoned');
    mkdirSync(dataDir, { recursive: true });
    const pidFile = join(dataDir, 'storywatch.pid');
    writeFileSync(pidFile, '999999999');
    const opened = await openStoreFromOptions({ options: { 'data-dir': dataDir } }, { env: {} });
    expect(readFileSync(pidFile, 'utf8')).toBe(String(process.pid));
    await opened.close();
    expect(existsSync(pidFile)).toBe(false);
  });

  it('uses STORYWATCH_DYNAMODB_ENDPOINT and STORYWATCH_TABLE, creating the table on a loopback emulator', async ({
    dynamo,
  }) => {
    const env = { STORYWATCH_DYNAMODB_ENDPOINT: dynamo.endpoint, STORYWATCH_TABLE: 'from-env' };
    const opened = await openStoreFromOptions({ options: {} }, { env });
    try {
      expect(opened.describe).toBe(`table from-env at ${dynamo.endpoint}`);
      await opened.store.putFeedStates([feedState('via-env')]);
      expect(await opened.store.getFeedState('via-env')).not.toBeNull();
    } finally {
      await opened.close();
    }
  });

  it('lets flags win over the environment', async ({ dynamo }) => {
    const env = { STORYWATCH_DYNAMODB_ENDPOINT: 'http://127.0.0.1:9', STORYWATCH_TABLE: 'ignored' };
    const opened = await openStoreFromOptions({ options: { endpoint: dynamo.endpoint, table: 'from-flag' } }, { env });
    try {
      expect(opened.describe).toBe(`table from-flag at ${dynamo.endpoint}`);
    } finally {
      await opened.close();
    }
  });

  it('points a table name without endpoint at AWS, without creating anything', async () => {
    const opened = await openStoreFromOptions({ options: { table: 'prod-table', region: 'eu-west-1' } }, { env: {} });
    expect(opened.describe).toBe('DynamoDB table prod-table in eu-west-1');
    await opened.close();
  });

  it('refuses --data-dir together with a remote store', async ({ dynamo, scratch }) => {
    await expect(
      openStoreFromOptions({ options: { endpoint: dynamo.endpoint, 'data-dir': scratch } }, { env: {} }),
    ).rejects.toBeInstanceOf(UsageError);
  });
});
