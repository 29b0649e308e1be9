import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalNotifier } from '../../../src/adapters/local/notifier';
import { createSnsNotifier } from '../../../src/adapters/sns/notifier';
import type { Alert } from '../../../src/core/stance-state';
import { fitsOneSms } from '../../../src/tracking/alert-messages';
import { createAlertDescriber } from '../../../src/tracking/describe';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const alert = (
  JSON.parse(readFileSync(new URL('../../fixtures/tracking/alerts.json', import.meta.url), 'utf8')) as {
    stanceChange: Alert;
  }
).stanceChange;
const describeAlert = createAlertDescriber([
  {
    id: 'ceasefire-2025',
    title: 'Russia–Ukraine 30-day ceasefire proposal (2025)',
    parties: [{ id: 'russia', name: 'Russia' }],
  },
]);

let sns: SnsEndpoint;
let client: SNSClient;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  client = loopbackSnsClient(sns.endpoint, 2);
});
afterAll(async () => {
  client?.destroy();
  await sns?.close();
});
beforeEach(() => {
  sns.published.length = 0;
});

describe('SNS notifier through the real SDK', () => {
  it('publishes one message with subject, email and SMS forms and filterable attributes', async () => {
    await createSnsNotifier({ client, topicArn: TOPIC, describe: describeAlert }).publish(alert);
    expect(sns.published).toHaveLength(1);
    const [sent] = sns.published;
    expect(sent?.topicArn).toBe(TOPIC);
    expect(sent?.messageStructure).toBe('json');
    expect(sent?.subject).toBe(
      'Stance change: Russia conditional -> opposes (Russia-Ukraine 30-day ceasefire proposal (2025))',
    );
    const body = JSON.parse(sent?.message ?? '{}') as { default: string; email: string; sms: string };
    expect(body.email).toContain('Alert id: 4f1c2a9e0b7d3c5e6a18');
    expect(body.email).toContain('Link: https://agency-c.example/spokesman-no-pause');
    expect(body.default).toBe(body.email);
    expect(body.sms.startsWith('storywatch: Russia conditional -> opposes.')).toBe(true);
    expect(fitsOneSms(body.sms)).toBe(true);
    expect(sent?.attributes).toEqual({
      story: { dataType: 'String', value: 'ceasefire-2025' },
      party: { dataType: 'String', value: 'russia' },
      from: { dataType: 'String', value: 'conditional' },
      to: { dataType: 'String', value: 'opposes' },
      severity: { dataType: 'String', value: 'high' },
      kind: { dataType: 'String', value: 'stance_change' },
      alertId: { dataType: 'String', value: '4f1c2a9e0b7d3c5e6a18' },
    });
  });

  it('shrinks the optional parts of an alert too large for SNS and still publishes it, under 256 KB', async () => {
    const long = (text: string, bytes: number) => text.repeat(Math.ceil(bytes / text.length));
    const statement = { ...alert.evidence, quote: long('Said again and again. ', 60_000) };
    const huge: Alert = {
      ...alert,
      evidence: {
        ...alert.evidence,
        quote: long('A very long quote. ', 150_000),
        link: `https://x.example/${long('a', 30_000)}`,
      },
      recentStatements: [statement, statement, statement],
    };
    await createSnsNotifier({ client, topicArn: TOPIC, describe: describeAlert }).publish(huge);
    expect(sns.published).toHaveLength(1);
    const [sent] = sns.published;
    const attributeBytes = Object.entries(sent?.attributes ?? {}).reduce(
      (total, [name, value]) => total + name.length + value.value.length,
      0,
    );
    expect(Buffer.byteLength(sent?.message ?? '') + attributeBytes).toBeLessThanOrEqual(256 * 1024);
    expect(sent?.attributes.alertId?.value).toBe(alert.id);
    const email = JSON.parse(sent?.message ?? '{}').email as string;
    expect(email).toContain('A very long quote.');
    expect(email).toContain(`Alert id: ${alert.id}`);
  });

  it('marks a first known position with from "none", since SNS refuses empty attributes', async () => {
    await createSnsNotifier({ client, topicArn: TOPIC }).publish({ ...alert, from: null, severity: 'low' });
    expect(sns.published[0]?.attributes.from).toEqual({ dataType: 'String', value: 'none' });
  });

  it('retries a transient SNS failure through the SDK and publishes once', async () => {
    const before = sns.requestCount();
    sns.failNextPublishes(1);
    await createSnsNotifier({ client, topicArn: TOPIC }).publish(alert);
    expect(sns.published).toHaveLength(1);
    expect(sns.requestCount() - before).toBe(2);
  });

  it('throws when SNS keeps failing, so the caller leaves the alert pending', async () => {
    sns.failNextPublishes(2);
    await expect(createSnsNotifier({ client, topicArn: TOPIC }).publish(alert)).rejects.toThrow();
    expect(sns.published).toHaveLength(0);
  });

  it('does not retry an error that retrying cannot fix', async () => {
    const before = sns.requestCount();
    sns.failNextPublishes(1, { status: 400, code: 'InvalidParameter' });
    await expect(createSnsNotifier({ client, topicArn: TOPIC }).publish(alert)).rejects.toThrow(
      /InvalidParameter|injected/,
    );
    expect(sns.requestCount() - before).toBe(1);
  });
});

describe('local notifier', () => {
  it('prints a readable block and appends one JSON line per alert', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'storywatch-local-notifier-'));
    try {
      const file = join(dir, 'nested', 'alerts.jsonl');
      const out = new PassThrough();
      let printed = '';
      out.on('data', (chunk: Buffer) => {
        printed += chunk.toString('utf8');
      });
      const notifier = createLocalNotifier({ file, out, describe: describeAlert });
      await notifier.publish(alert);
      await notifier.publish({ ...alert, id: 'second-alert' });
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((line) => line.alertId)).toEqual([alert.id, 'second-alert']);
      expect(lines[0].alert).toEqual(alert);
      expect(lines[0].subject).toContain('Russia conditional -> opposes');
      expect(printed).toContain('HIGH  Stance change: Russia conditional -> opposes');
      expect(printed).toContain('What was said:');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
