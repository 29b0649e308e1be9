import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { startChannelReceiver } from '../../support/channel-receiver';
import { runCli } from '../../support/run-cli';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-digest-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function channelsFile(channels: unknown): string {
  const file = join(scratch, `channels-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(channels));
  return file;
}

describe('storywatch digest', () => {
  storageTest(
    'sends the day once to the daily channels, needing only their values',
    async ({ store, dynamo, tableName }) => {
      const alert = sampleAlert();
      const next = {
        ...baselineState(alert.storyId, alert.party, null, '2025-03-11'),
        label: 'opposes' as const,
        version: 1,
      };
      await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] });
      const daily = await startChannelReceiver('slack');
      process.env.STORYWATCH_TEST_DIGEST_URL = `${daily.url}/services/daily`;
      try {
        // The immediate channel's URL is not even set: the digest needs only the daily channels' values.
        const file = channelsFile([
          { id: 'morning', type: 'slack', urlEnv: 'STORYWATCH_TEST_DIGEST_URL', digest: 'daily' },
          { id: 'live', type: 'slack', urlEnv: 'STORYWATCH_TEST_ALERT_URL' },
        ]);
        const args = ['digest', '--channels', file, '--day', '2025-03-17', '--allow-private-network'];
        const where = ['--endpoint', dynamo.endpoint, '--table', tableName, '--story', 'ceasefire-2025'];
        const first = await runCli([...args, ...where]);
        expect([first.code, first.stdout]).toEqual([0, 'digest 2025-03-17: sent to morning\n']);
        const second = await runCli([...args, ...where]);
        expect(second.stdout).toBe(
          'digest 2025-03-17: sent to no channel; already sent, parked or waiting to retry: morning\n',
        );
        expect(daily.received).toHaveLength(1);
        expect(daily.received[0]?.body).toContain('Russia: opposes');
      } finally {
        delete process.env.STORYWATCH_TEST_DIGEST_URL;
        await daily.close();
      }
    },
  );

  storageTest('refuses a bad day and a channels file without a daily channel', async ({ dynamo, tableName }) => {
    const store = ['--endpoint', dynamo.endpoint, '--table', tableName];
    const file = channelsFile([{ type: 'webhook', url: 'https://x.example/in', secretEnv: 'STORYWATCH_TEST_NONE' }]);
    const badDay = await runCli(['digest', '--channels', file, '--day', '17.03.2025', ...store]);
    expect([badDay.code, badDay.stderr]).toEqual([2, expect.stringContaining('--day must be a day')]);
    const noDaily = await runCli(['digest', '--channels', file, ...store]);
    expect([noDaily.code, noDaily.stderr]).toEqual([2, expect.stringContaining('no channel with "digest": "daily"')]);
  });
});
