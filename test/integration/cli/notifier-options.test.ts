import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { CommandContext } from '../../../src/cli/command';
import { openNotifierFromOptions } from '../../../src/cli/notifier-options';
import { loadStories } from '../../../src/detection/index';
import { type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { alertFor, stanceState } from '../../support/storage-builders';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts';

function contextWith(options: CommandContext['options']): CommandContext & { printed: () => string } {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk: Buffer) => {
    printed += chunk.toString('utf8');
  });
  return {
    positionals: [],
    options,
    io: { stdout, stderr: new PassThrough(), stdin: new PassThrough() },
    signal: new AbortController().signal,
    tempDir: () => {
      throw new Error('the notifier options need no temp dir');
    },
    printed: () => printed,
  };
}

describe('alert destination of local runs', () => {
  const stories = loadStories();
  const alert = alertFor(stanceState('russia', 4, { label: 'opposes' }), 'item-42');
  let sns: SnsEndpoint;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    sns = await startSnsEndpoint();
    // The real SDK signs requests; the loopback endpoint accepts any credentials.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
  });
  afterAll(async () => {
    process.env = savedEnv;
    await sns.close();
  });
  afterEach(() => {
    sns.published.length = 0;
  });

  it('prints alerts and appends them to the JSON Lines file when no topic is given', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'storywatch-alerts-'));
    onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
    const file = join(directory, 'alerts.jsonl');
    const context = contextWith({ 'alerts-file': file });
    const opened = openNotifierFromOptions(context, stories);
    await opened.notifier.publish(alert);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string).alertId).toBe(alert.id);
    expect(context.printed()).toContain('Russia');
    expect(sns.published).toHaveLength(0);
  });

  it('publishes through the real SNS SDK to the topic given by --sns-topic-arn, with the story names', async () => {
    const opened = openNotifierFromOptions(
      contextWith({ 'sns-topic-arn': TOPIC, 'sns-endpoint': sns.endpoint }),
      stories,
    );
    await opened.notifier.publish(alert);
    opened.close();
    expect(sns.published).toHaveLength(1);
    const [published] = sns.published;
    expect(published?.topicArn).toBe(TOPIC);
    expect(published?.messageStructure).toBe('json');
    expect(published?.attributes.party?.value).toBe('russia');
    expect(published?.subject).toContain('Russia');
  });

  it('rejects a malformed topic ARN before sending anything', () => {
    expect(() => openNotifierFromOptions(contextWith({ 'sns-topic-arn': 'alerts-topic' }), stories)).toThrow(
      /not an SNS topic ARN/,
    );
  });

  it('refuses --alerts-file together with --sns-topic-arn, since only one destination is used', () => {
    expect(() =>
      openNotifierFromOptions(contextWith({ 'sns-topic-arn': TOPIC, 'alerts-file': 'alerts.jsonl' }), stories),
    ).toThrow(/exclude each other/);
  });
});
