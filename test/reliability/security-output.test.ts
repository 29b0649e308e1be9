/**
 * What leaves the system: alert messages built from hostile feed text, as they arrive at SNS over the wire, and
 * handler logs as CloudWatch would receive them. Complements the unit tests of formatAlertMessages
 * (test/unit/tracking/alert-messages.test.ts) and redact (test/unit/config/redact.test.ts), which check the
 * functions alone; here the text comes out of the real ingestion and goes through the real SNS SDK and Logger.
 */
import { readFileSync } from 'node:fs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../functions/handlers/analyzer';
import { createPollerHandler } from '../../functions/handlers/poller';
import { createLog, type MetricsSink } from '../../functions/lib/observability';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import type { FeedItem } from '../../src/core/feed';
import type { Alert, StanceEvidence } from '../../src/core/stance-state';
import { loadStories } from '../../src/detection/story';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { parseFeedDocument } from '../../src/ingestion/parse';
import { fitsOneSms } from '../../src/tracking/alert-messages';
import { createAlertDescriber } from '../../src/tracking/describe';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { memoryItemQueue, sqsEvent } from '../support/handler-rig';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';
import { storageTest as it } from '../support/storage';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/reliability/${name}`, import.meta.url));
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts';
const stories = loadStories();
const clock = { now: () => new Date('2025-03-16T00:00:00.000Z') };

const MARKUP = /<[a-zA-Z!/?][^>]*>/;
const UNSAFE_SCHEME = /\b(?:javascript|data|vbscript|file):/i;

function controlCharacters(text: string, allowLineBreaks: boolean): string[] {
  return [...text].filter((char) => {
    if (allowLineBreaks && char === '\n') return false;
    const code = char.charCodeAt(0);
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(char);
  });
}

describe('alert messages built from hostile feed text, as SNS receives them', () => {
  let sns: SnsEndpoint;
  let client: SNSClient;
  let items: FeedItem[];

  beforeAll(async () => {
    sns = await startSnsEndpoint();
    client = loopbackSnsClient(sns.endpoint, 1);
    items = (await parseFeedDocument(fixture('hostile-alerts.xml'), null, 'https://hostile.example.net/rss')).items;
  });
  afterAll(async () => {
    client?.destroy();
    await sns?.close();
  });

  /** An alert quoting the item; `rawLink` puts a hostile link in as if an upstream check had missed it. */
  function alertQuoting(item: FeedItem, index: number, rawLink: string | null = null): Alert {
    const evidence: StanceEvidence = {
      itemId: item.id,
      quote: `${item.title} ${item.description}`,
      source: item.source,
      link: rawLink ?? item.link,
      published: item.published,
    };
    return {
      id: `hostile-alert-${index}`,
      storyId: 'ceasefire-2025',
      party: 'russia',
      kind: 'stance_change',
      severity: 'high',
      from: 'conditional',
      to: 'opposes',
      conditionsAdded: ['monitoring'],
      conditionsDropped: [],
      evidence,
      previousEvidence: { ...evidence, itemId: 'earlier', quote: item.title },
      conditions: ['monitoring'],
      recentStatements: [evidence],
      createdAt: '2025-03-16T00:00:00.000Z',
      status: 'pending',
      sentAt: null,
    };
  }

  async function publishAll(alerts: Alert[]) {
    sns.published.length = 0;
    const notifier = createSnsNotifier({ client, topicArn: TOPIC_ARN, describe: createAlertDescriber(stories) });
    for (const alert of alerts) await notifier.publish(alert);
    return sns.published.map((publish) => ({
      subject: publish.subject ?? '',
      ...(JSON.parse(publish.message) as { default: string; email: string; sms: string }),
    }));
  }

  it('keeps subjects to one printable ASCII line under 100 characters, whatever CR/LF or script the title holds', async () => {
    const messages = await publishAll(items.map((item, index) => alertQuoting(item, index)));
    expect(messages).toHaveLength(3);
    for (const { subject } of messages) {
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject.length).toBeLessThan(100);
      expect(subject).not.toMatch(/Bcc:|Subject: spoofed/);
    }
  });

  it('sends SMS and email bodies without markup, control or bidi characters, or unsafe links', async () => {
    const alerts = items.flatMap((item, index) => [
      alertQuoting(item, index),
      alertQuoting(item, index + 10, index === 0 ? 'javascript:alert(1)' : 'data:text/html,<script>x</script>'),
    ]);
    const messages = await publishAll(alerts);
    expect(messages).toHaveLength(6);
    for (const { sms, email, default: fallback } of messages) {
      for (const body of [sms, email, fallback]) {
        expect(body).not.toMatch(MARKUP);
        expect(body).not.toMatch(UNSAFE_SCHEME);
      }
      expect(controlCharacters(sms, false)).toEqual([]);
      expect(controlCharacters(email, true)).toEqual([]);
      for (const link of email.match(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? []) expect(link).toMatch(/^https?:\/\//);
    }
  });

  it('fits a long Cyrillic quote into one 70-unit SMS segment and keeps its email readable', async () => {
    const cyrillic = items.find((item) => /[\u0400-\u04ff]/.test(item.title));
    expect(cyrillic?.description.length).toBeGreaterThan(1_000);
    const [message] = await publishAll([alertQuoting(cyrillic as FeedItem, 3)]);
    expect(fitsOneSms(message?.sms ?? '')).toBe(true);
    expect(message?.sms).toMatch(/[\u0400-\u04ff]/);
    expect(message?.email).toContain('Кремль');
  });
});

describe('handler logs, as CloudWatch would receive them', () => {
  let proxy: FaultProxy;
  let server: LoopbackFeedServer;
  let written: string[];
  let originalWrites: { stdout: typeof process.stdout.write; stderr: typeof process.stderr.write };
  const quietMetrics: MetricsSink = { count: () => {}, flush: () => {} };

  it.beforeAll(async ({ dynamo }) => {
    proxy = await startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' });
    server = await startLoopbackFeedServer({
      '/leaky-feed.xml': { headers: { 'content-type': 'application/rss+xml' }, body: fixture('leaky-feed.xml') },
      '/leaky-page.html': { headers: { 'content-type': 'text/html' }, body: fixture('leaky-page.html') },
    });
  });
  afterAll(async () => {
    await Promise.all([proxy?.close(), server?.close()]);
  });
  // Powertools writes one JSON document per line to stdout (errors to stderr); Lambda sends both to CloudWatch Logs.
  beforeEach(() => {
    written = [];
    originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };
    const capture = ((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
  });
  afterEach(() => {
    process.stdout.write = originalWrites.stdout;
    process.stderr.write = originalWrites.stderr;
  });

  const feed = (id: string, path: string) =>
    JSON.stringify({ id, url: server.url(path), name: id, publisher: 'leaky', language: 'en' });

  it('logs polls, analyses and failures without emails, phone numbers or feed text', async ({ dynamo, tableName }) => {
    const store = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
    const log = createLog();
    const itemQueue = memoryItemQueue();
    await createPollerHandler({
      store,
      clock,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
      itemQueue,
      metrics: quietMetrics,
      log,
    })(sqsEvent([feed('leaky-feed', '/leaky-feed.xml'), feed('leaky-page', '/leaky-page.html')]));
    // The table refuses every write with a message that echoes personal data and feed text back.
    proxy.inject({
      operations: ['PutItem', 'UpdateItem', 'BatchWriteItem', 'TransactWriteItems'],
      fault: {
        kind: 'status',
        status: 400,
        code: 'ValidationException',
        message: 'item rejected: ask press.office@leaky.example.org or +44 20 7946 0958',
      },
    });
    const faultyClient = createDynamoClient({ endpoint: proxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const analyzer = createAnalyzerHandler({
      store: createDynamoStoryStore({ client: faultyClient, tableName, clock }),
      stories,
      clock,
      notifier: { publish: async () => {} },
      metrics: quietMetrics,
      log,
    });
    const event = sqsEvent([...itemQueue.bodies, 'not json: reply to tips@leaky.example.org']);

    // The batch's writes fail, then the item tried alone fails the same way: every record is reported failed for SQS
    // to redeliver, and each failed item is logged with its id.
    const response = await analyzer(event);
    expect(response.batchItemFailures).toHaveLength(event.Records.length);
    faultyClient.destroy();
    proxy.clear();

    expect(itemQueue.items().map((item) => item.id)).toEqual([
      expect.stringMatching(/\/tips-desk@leaky\.example\.org\/2025\/0314$/),
    ]);
    const output = written.join('');
    const entries = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string });
    // The logs were written and do describe what happened...
    expect(entries.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        'polled feed',
        'record failed; SQS will redeliver it',
        'item could not be stored; SQS will redeliver it alone',
      ]),
    );
    expect(output).toContain('not_a_feed');
    expect(output).toContain('[email]');
    // ...without the addresses, numbers or text the feeds and errors carried.
    expect(output).not.toMatch(/@leaky\.example\.org/);
    expect(output).not.toMatch(/415.?555.?0100|20.?7946.?0958/);
    expect(output).not.toContain('BODY-MARKER-leaky');
  });
});
