/**
 * `storywatch run --once` and `storywatch replay` on the embedded engine when the store's close fails after the
 * work: after work that failed, the CLI reports the work's own error, never the close's; after work that went
 * through, it reports the close's failure and exits 1, since something may not have been written. The engine is
 * the real one behind the fault proxy; only the close failure itself is made up (see faulty-engine.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { FaultRule } from '../support/fault-proxy';
import type { EngineFaults } from '../support/faulty-engine';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { runCli } from '../support/run-cli';
import { collectStrayErrors } from '../support/stray-errors';

const engine = vi.hoisted((): EngineFaults => ({ rule: null, closeError: null }));
vi.mock('../../src/local/engine/index', async (importOriginal) => {
  const { withFaults } = await import('../support/faulty-engine');
  return withFaults(await importOriginal(), engine);
});

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-close-failures-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const stray = collectStrayErrors();
afterEach(() => {
  engine.rule = null;
  engine.closeError = null;
});

const CLOSE_ERROR = 'the lock file of the data directory could not be removed';
const WRITES = ['BatchWriteItem', 'TransactWriteItems', 'PutItem', 'UpdateItem'];

/** Every write that carries `marker` after the first fails as DynamoDB's 500: the claim goes, the analysis not. */
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

describe('storywatch run --once when the store fails to close', () => {
  let server: LoopbackFeedServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function runOnce() {
    const published = new Date(Date.now() - 3_600_000).toUTCString();
    const item =
      '<item><guid isPermaLink="false">wire-1</guid><title>Kremlin rejects the truce</title>' +
      `<link>https://news.example.org/wire-1</link><pubDate>${published}</pubDate>` +
      '<description>Peskov said Russia rejects the 30-day ceasefire.</description></item>';
    const body = `<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><link>https://news.example.org/</link>${item}</channel></rss>`;
    server = await startLoopbackFeedServer({
      '/wire.xml': { headers: { 'content-type': 'application/rss+xml' }, body },
    });
    const registry = join(scratch, 'registry.json');
    const feed = { id: 'wire', url: server.url('/wire.xml'), name: 'Wire', publisher: 'Test outlet', language: 'en' };
    writeFileSync(registry, JSON.stringify([{ ...feed, note: 'Served on loopback by this test.' }]));
    const dataDir = mkdtempSync(join(scratch, 'run-'));
    const args = ['--feeds', registry, '--allow-private-network', '--data-dir', dataDir];
    return runCli(['run', '--once', ...args, '--alerts-file', join(dataDir, 'alerts.jsonl')]);
  }

  it('reports the cycle’s own error, not the close’s, when the cycle failed', async () => {
    engine.rule = failAnalysisOf('wire-1');
    engine.closeError = CLOSE_ERROR;

    const result = await runOnce();

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe('storywatch run: the disk under the store is full\n');
    expect(result.stdout).toMatch(/✗ cycle 1 stopped: the disk under the store is full/);
    expect(stray).toEqual([]);
  }, 60_000);

  it('reports the close’s failure and exits 1 when the cycle went through', async () => {
    engine.closeError = CLOSE_ERROR;

    const result = await runOnce();

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe(`storywatch run: ${CLOSE_ERROR}\n`);
    expect(result.stdout).toMatch(/cycle 1: feeds 1 polled \/ 0 unchanged \/ 0 failed · 1 new items/);
    expect(stray).toEqual([]);
  }, 60_000);
});

describe('storywatch replay when the store fails to close', () => {
  function replay() {
    const lines = [1, 2, 3].map((n) => ({
      id: `archived-${n}`,
      source: 'https://archive.example.org/rss',
      link: `https://archive.example.org/story-${n}`,
      published: new Date(Date.UTC(2025, 2, n, 12)).toISOString(),
      title: `Ceasefire talks resume, day ${n}`,
      description: 'Negotiators met again.',
    }));
    const archive = join(scratch, 'archive.jsonl');
    writeFileSync(archive, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const dataDir = mkdtempSync(join(scratch, 'replay-'));
    return runCli(['replay', archive, '--data-dir', dataDir, '--alerts-file', join(dataDir, 'alerts.jsonl')]);
  }

  it('reports the replay’s own error, not the close’s, when the replay failed', async () => {
    engine.rule = failAnalysisOf('archived-2');
    engine.closeError = CLOSE_ERROR;

    const result = await replay();

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe('storywatch replay: the disk under the store is full\n');
    expect(stray).toEqual([]);
  }, 60_000);

  it('reports the close’s failure and exits 1 when the replay went through', async () => {
    engine.closeError = CLOSE_ERROR;

    const result = await replay();

    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toBe(`storywatch replay: ${CLOSE_ERROR}\n`);
    expect(result.stdout).toMatch(/3 items, 0 duplicates/);
    expect(stray).toEqual([]);
  }, 60_000);
});
