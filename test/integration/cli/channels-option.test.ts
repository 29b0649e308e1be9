import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { atomSchemaErrors } from '../../support/atom-schema';
import { startChannelReceiver } from '../../support/channel-receiver';
import { runCli } from '../../support/run-cli';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-channels-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function channelsFile(name: string, channels: unknown): string {
  const file = join(scratch, name);
  writeFileSync(file, JSON.stringify(channels));
  return file;
}

describe('demo --channels', () => {
  it('refuses a channels file with a secret in it, with the reason and exit code 2', async () => {
    const file = channelsFile('inline.json', [{ type: 'webhook', url: 'https://x.example/in', secret: 'oops' }]);
    const run = await runCli(['demo', '--data-dir', join(scratch, 'refused'), '--channels', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('secrets never go in the file');
  });

  it('delivers every demo alert once to a signed webhook on loopback', async () => {
    const hook = await startChannelReceiver('webhook');
    process.env.STORYWATCH_TEST_HOOK_SECRET = 'demo-secret';
    try {
      const file = channelsFile('hook.json', [
        { type: 'webhook', url: `${hook.url}/in`, secretEnv: 'STORYWATCH_TEST_HOOK_SECRET' },
      ]);
      const dataDir = join(scratch, 'demo');
      const run = await runCli(['demo', '--data-dir', dataDir, '--channels', file, '--allow-private-network']);
      expect(run.code).toBe(0);
      // The demo writes the story's Atom feeds next to its report.
      const changes = readFileSync(join(dataDir, 'ceasefire-2025.changes.atom'), 'utf8');
      expect(await atomSchemaErrors(changes)).toEqual([]);
      expect(await atomSchemaErrors(readFileSync(join(dataDir, 'ceasefire-2025.follow-ups.atom'), 'utf8'))).toEqual([]);
      expect(run.stdout).toContain('feeds: ceasefire-2025.changes.atom');
      const alertIds = readFileSync(join(dataDir, 'alerts.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).alertId);
      const delivered = hook.received.map((request) => request.headers['idempotency-key']);
      expect(alertIds.length).toBeGreaterThan(0);
      expect(delivered.sort()).toEqual([...alertIds].sort());
      expect(
        hook.received.every((request) => String(request.headers['x-storywatch-signature']).startsWith('sha256=')),
      ).toBe(true);
    } finally {
      delete process.env.STORYWATCH_TEST_HOOK_SECRET;
      await hook.close();
    }
  });
});
