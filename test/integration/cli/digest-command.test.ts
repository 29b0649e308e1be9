import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { StoryStore } from '../../../src/core/ports';
import { baselineState } from '../../../src/tracking/stance-machine';
import { sampleAlert } from '../../support/channel-alerts';
import { startChannelReceiver } from '../../support/channel-receiver';
import { runCli } from '../../support/run-cli';
import { type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-digest-cli-'));
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:storywatch-daily';
const savedEnv = { ...process.env };
let sns: SnsEndpoint;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  // The real SDK signs its requests; the loopback endpoint takes any credentials.
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});
afterAll(async () => {
  process.env = savedEnv;
  await sns?.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** 17 March 2025: Russia moved to opposes. */
async function seedChange(store: StoryStore) {
  const alert = sampleAlert();
  const next = {
    ...baselineState(alert.storyId, alert.party, null, '2025-03-11'),
    label: 'opposes' as const,
    version: 1,
  };
  await commitOne(store, { next, expectedVersion: 0, causeItemId: alert.evidence.itemId, alerts: [alert] });
}

function channelsFile(channels: unknown): string {
  const file = join(scratch, `channels-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(channels));
  return file;
}

describe('storywatch digest', () => {
  storageTest(
    'sends the day once to the daily channels, needing only their values',
    async ({ store, dynamo, tableName }) => {
      await seedChange(store);
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
    const nowhere = await runCli(['digest', ...store]);
    expect([nowhere.code, nowhere.stderr]).toEqual([2, expect.stringContaining('--channels, an SNS topic with')]);
    const endpointAlone = await runCli(['digest', '--sns-endpoint', sns.endpoint, ...store]);
    expect([endpointAlone.code, endpointAlone.stderr]).toEqual([2, expect.stringContaining('needs --sns-topic-arn')]);
  });

  storageTest(
    'publishes the day to an SNS topic once, as the daily topic of a deploy gets it',
    async ({ store, dynamo, tableName }) => {
      await seedChange(store);
      sns.published.length = 0;
      const args = ['digest', '--sns-topic-arn', TOPIC, '--sns-endpoint', sns.endpoint, '--day', '2025-03-17'];
      const where = ['--endpoint', dynamo.endpoint, '--table', tableName, '--story', 'ceasefire-2025'];
      const first = await runCli([...args, ...where]);
      expect([first.code, first.stdout, first.stderr]).toEqual([0, 'digest 2025-03-17: sent to sns:daily\n', '']);
      const second = await runCli([...args, ...where]);
      expect(second.stdout).toBe(
        'digest 2025-03-17: sent to no channel; already sent, parked or waiting to retry: sns:daily\n',
      );
      expect(sns.published).toHaveLength(1);
      const [published] = sns.published;
      expect([published?.topicArn, published?.subject, published?.messageStructure]).toEqual([
        TOPIC,
        'storywatch daily digest: 2025-03-17',
        'json',
      ]);
      const texts = JSON.parse(published?.message ?? '{}') as Record<string, string>;
      expect(texts.email).toContain('Russia: opposes');
      expect(texts.sms).toMatch(/^storywatch 2025-03-17: 1 stance change\(s\)/);
    },
  );

  storageTest('reports an SNS outage with exit 1 and records nothing as sent', async ({ store, dynamo, tableName }) => {
    await seedChange(store);
    sns.published.length = 0;
    // Every attempt of the SDK's own retries fails, as in an outage; it is over once the run is.
    sns.refusePublishes(() => true, { status: 500, code: 'InternalError' });
    const where = ['--endpoint', dynamo.endpoint, '--table', tableName, '--story', 'ceasefire-2025'];
    const args = ['digest', '--sns-topic-arn', TOPIC, '--sns-endpoint', sns.endpoint, '--day', '2025-03-17'];
    const run = await runCli([...args, ...where]);
    sns.refusePublishes(null);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^digest 2025-03-17: sent to no channel\n {2}sns:daily: .+\n$/);
    expect(sns.published).toEqual([]);
    const [record] = await store.listDigestDeliveries('2025-03-17');
    expect([record?.channelId, record?.status, record?.attempts]).toEqual(['sns:daily', 'pending', 1]);
  });

  storageTest('sends to the daily channels and the topic in one run', async ({ store, dynamo, tableName }) => {
    await seedChange(store);
    sns.published.length = 0;
    const daily = await startChannelReceiver('slack');
    process.env.STORYWATCH_TEST_DIGEST_URL = `${daily.url}/services/daily`;
    try {
      const file = channelsFile([
        { id: 'morning', type: 'slack', urlEnv: 'STORYWATCH_TEST_DIGEST_URL', digest: 'daily' },
      ]);
      const run = await runCli([
        'digest',
        '--channels',
        file,
        '--allow-private-network',
        '--sns-topic-arn',
        TOPIC,
        '--sns-endpoint',
        sns.endpoint,
        '--day',
        '2025-03-17',
        ...['--endpoint', dynamo.endpoint, '--table', tableName, '--story', 'ceasefire-2025'],
      ]);
      expect([run.code, run.stdout]).toEqual([0, 'digest 2025-03-17: sent to morning, sns:daily\n']);
      expect([daily.received.length, sns.published.length]).toEqual([1, 1]);
    } finally {
      delete process.env.STORYWATCH_TEST_DIGEST_URL;
      await daily.close();
    }
  });
});
