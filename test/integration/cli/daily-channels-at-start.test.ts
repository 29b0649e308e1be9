import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoFeedServer, startDemoFeedServer } from '../../../src/demo/feed-server';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-daily-at-start-'));
let feedServer: DemoFeedServer | null = null;
afterAll(async () => {
  await feedServer?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const UNSET = 'STORYWATCH_TEST_UNSET_DIGEST_URL';
const archive = new URL('../../fixtures/pipeline/archive.jsonl', import.meta.url).pathname;

function channelsFile(name: string, channels: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(channels));
  return file;
}

/** Only a daily channel, whose URL is not set here: `storywatch digest` needs it, nothing else does. */
const dailyOnly = () => channelsFile('daily.json', [{ id: 'morning', type: 'slack', urlEnv: UNSET, digest: 'daily' }]);
const NOTE = 'channel morning is daily: `storywatch digest --channels';

async function demoRegistry(): Promise<string> {
  feedServer = await startDemoFeedServer(DEMO_TIMELINE, { clock: new SimulatedClock('2025-12-31T00:00:00Z') });
  const path = join(scratch, 'registry.json');
  writeFileSync(path, JSON.stringify(feedServer.feeds.map((feed) => ({ ...feed, note: 'demo feed server' }))));
  return path;
}

describe('run, replay and demo with a channels file of daily channels', () => {
  it('replay starts without the daily channels’ values and says who sends them', async () => {
    delete process.env[UNSET];
    const result = await runCli(['replay', archive, '--data-dir', join(scratch, 'replay'), '--channels', dailyOnly()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(NOTE);
    expect(result.stderr).not.toContain(UNSET);
  }, 60_000);

  it('demo starts without them too', async () => {
    const result = await runCli(['demo', '--data-dir', join(scratch, 'demo'), '--channels', dailyOnly()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(NOTE);
  }, 60_000);

  it('run --once starts without them too', async () => {
    const registry = await demoRegistry();
    const dataDir = join(scratch, 'run');
    const result = await runCli([
      'run',
      '--once',
      '--feeds',
      registry,
      '--allow-private-network',
      '--data-dir',
      dataDir,
      '--alerts-file',
      join(dataDir, 'alerts.jsonl'),
      '--channels',
      dailyOnly(),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(NOTE);
  }, 60_000);

  it('still refuses at start an immediate channel whose value is not set, naming the channel and the variable', async () => {
    const file = channelsFile('mixed.json', [
      { id: 'morning', type: 'slack', urlEnv: UNSET, digest: 'daily' },
      { id: 'live', type: 'slack', urlEnv: `${UNSET}_LIVE` },
    ]);
    const result = await runCli(['replay', archive, '--data-dir', join(scratch, 'mixed'), '--channels', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`channel "live": environment variable ${UNSET}_LIVE is not set`);
    expect(result.stderr).not.toContain('"morning"');
  }, 60_000);
});
