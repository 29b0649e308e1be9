/**
 * `storywatch run --once` on the embedded engine when a store call fails in the middle of a cycle for a reason a
 * retry may fix: the CLI reports that failure itself (never "Database is closed" or the store's closing), prints
 * what the cycle did, saves the state of the feeds whose items all went through, and exits 1; the next run picks
 * up exactly the items left over. A fault proxy sits between the CLI's real SDK client and the real embedded engine.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { DEFAULT_TABLE_NAME } from '../../src/adapters/dynamodb/schema';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import type { FaultRule } from '../support/fault-proxy';
import type { EngineFaults } from '../support/faulty-engine';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { runCli } from '../support/run-cli';
import { collectStrayErrors } from '../support/stray-errors';

/** The faults the next embedded engine the CLI opens gets. */
const engine = vi.hoisted((): EngineFaults => ({ rule: null, closeError: null }));
vi.mock('../../src/local/engine/index', async (importOriginal) => {
  const { withFaults } = await import('../support/faulty-engine');
  return withFaults(await importOriginal(), engine);
});

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-cycle-failures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const stray = collectStrayErrors();
afterEach(() => {
  engine.rule = null;
  engine.closeError = null;
});

const WRITES = ['BatchWriteItem', 'TransactWriteItems', 'PutItem', 'UpdateItem'];
const hourAgo = new Date(Date.now() - 3_600_000).toUTCString();

function rss(guids: string[]): string {
  const items = guids.map(
    (guid) =>
      `<item><guid isPermaLink="false">${guid}</guid><title>Kremlin rejects the truce (${guid})</title>` +
      `<link>https://news.example.org/${guid}</link><pubDate>${hourAgo}</pubDate>` +
      '<description>Peskov said Russia rejects the 30-day ceasefire.</description></item>',
  );
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://news.example.org/</link>${items.join('')}</channel></rss>`;
}

/**
 * Fails, as DynamoDB's 500 after the SDK's retries, every write that carries `marker` after the first: the claim
 * goes through, the analysis of that item does not.
 */
function failAnalysisOf(marker: string): FaultRule {
  let seen = 0;
  return {
    operations: WRITES,
    where: (request) => {
      if (!request.body.includes(marker)) return false;
      seen += 1;
      return seen > 1;
    },
    fault: { kind: 'status', status: 500, message: 'the disk under the store is full' },
  };
}

/** Fails, as DynamoDB's 500 after the SDK's retries, every write that carries `marker`: its claim among them. */
function failClaimOf(marker: string): FaultRule {
  return {
    operations: WRITES,
    where: (request) => request.body.includes(marker),
    fault: { kind: 'status', status: 500, message: 'the store lost its connection' },
  };
}

/**
 * The feed states `run --once` saved, read by opening its data directory once the command has closed its store. An
 * engine of its own, not storageTest's: the CLI keeps its store in that directory (on the faulty engine this file
 * mocks in), and only an engine opened on the directory reads it back.
 */
async function feedStateIds(dataDir: string): Promise<string[]> {
  const { startEmbeddedDynamo } =
    await vi.importActual<typeof import('../../src/local/engine/index')>('../../src/local/engine/index');
  const embedded = await startEmbeddedDynamo({ dataDir });
  const client = createDynamoClient({ endpoint: embedded.endpoint, region: 'us-east-1' });
  try {
    const store = createDynamoStoryStore({ client, tableName: DEFAULT_TABLE_NAME });
    return (await store.getFeedStates(['good', 'broken'])).map((state) => state.feedId).sort();
  } finally {
    client.destroy();
    await embedded.close();
  }
}

describe('storywatch run --once when a store call fails mid-cycle on the embedded engine', () => {
  let server: LoopbackFeedServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  /** A registry of a feed `good` (one item) and a feed `broken` (two), and a `run --once` over it. */
  async function goodAndBroken() {
    const headers = { 'content-type': 'application/rss+xml' };
    server = await startLoopbackFeedServer({
      '/good.xml': { headers, body: rss(['good-1']) },
      '/broken.xml': { headers, body: rss(['broken-1', 'broken-2']) },
    });
    const registry = join(scratch, 'registry.json');
    const feed = (id: string) => ({
      id,
      url: server?.url(`/${id}.xml`),
      name: id,
      publisher: 'Test outlet',
      language: 'en',
      note: 'Served on loopback by this test.',
    });
    writeFileSync(registry, JSON.stringify([feed('good'), feed('broken')]));
    const dataDir = mkdtempSync(join(scratch, 'data-'));
    const alertsFile = join(dataDir, 'alerts.jsonl');
    const run = () =>
      runCli([
        'run',
        '--once',
        '--feeds',
        registry,
        '--allow-private-network',
        '--data-dir',
        dataDir,
        '--alerts-file',
        alertsFile,
      ]);
    return { dataDir, alertsFile, run };
  }

  it('reports the failure itself, saves the feeds that went through, exits 1; the next run takes the rest', async () => {
    const { dataDir, alertsFile, run } = await goodAndBroken();
    engine.rule = failAnalysisOf('broken-2');

    const failed = await run();

    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/^storywatch run: the disk under the store is full\n$/);
    expect(failed.stdout + failed.stderr).not.toMatch(/Database is closed|store is closing/);
    expect(failed.stdout).toMatch(
      /cycle 1: feeds 2 polled \/ 0 unchanged \/ 0 failed · 2 new items .*1 item failed: the disk/,
    );
    expect(failed.stdout).toMatch(
      /✗ item \S+\/broken-2 of broken not stored \(tried again next cycle\): the disk under the store is full/,
    );
    expect(failed.stdout).toMatch(/✗ cycle 1 stopped: the disk under the store is full; the state of 1 of 2 feed/);
    // The alert the good item raised was committed before the failure and is sent, not held back by it.
    expect(failed.stdout).toMatch(/1 alerts sent/);
    expect(readFileSync(alertsFile, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await feedStateIds(dataDir)).toEqual(['good']);
    expect(stray).toEqual([]);

    engine.rule = null;
    const again = await run();

    expect(again.code, again.stdout + again.stderr).toBe(0);
    // Only broken-2 is new: the items analyzed before the failure are not analyzed twice.
    expect(again.stdout).toMatch(/cycle 1: feeds 2 polled \/ 0 unchanged \/ 0 failed · 1 new items /);
    expect(await feedStateIds(dataDir)).toEqual(['broken', 'good']);
  }, 60_000);

  it('stops on a claim that fails for a reason a retry may fix: the error on stderr, exit 1, the rest saved', async () => {
    const { dataDir, alertsFile, run } = await goodAndBroken();
    engine.rule = failClaimOf('broken-');

    const failed = await run();

    // The other feed's claim went through: a failed claim must not pass for a feed that failed on its own (exit 0).
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect(failed.stderr).toMatch(/^storywatch run: the store lost its connection\n$/);
    expect(failed.stdout + failed.stderr).not.toMatch(/Database is closed|store is closing/);
    expect(failed.stdout).toMatch(/cycle 1: feeds 2 polled \/ 0 unchanged \/ 1 failed · 1 new items /);
    expect(failed.stdout).toMatch(/✗ broken \(\S+\) — internal: the store lost its connection/);
    expect(failed.stdout).toMatch(/✗ cycle 1 stopped: the store lost its connection; the state of 1 of 2 feed/);
    expect(failed.stdout).toMatch(/1 alerts sent/);
    expect(readFileSync(alertsFile, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await feedStateIds(dataDir)).toEqual(['good']);
    expect(stray).toEqual([]);

    engine.rule = null;
    const again = await run();

    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/cycle 1: feeds 2 polled \/ 0 unchanged \/ 0 failed · 2 new items /);
    expect(await feedStateIds(dataDir)).toEqual(['broken', 'good']);
  }, 60_000);
});
