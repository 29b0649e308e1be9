/**
 * The whole pipeline over random items: ids, links, titles and descriptions from a few bytes to several MB, dates in
 * the past, the future or unreadable, each item in a feed of its own on a loopback server. One cycle polls, claims,
 * analyzes, commits and publishes on the embedded store (in-memory dynalite), through the real SNS SDK against the
 * loopback SNS endpoint, which refuses some alerts for good. Then:
 * - every item is stored exactly once, or its feed's report says why not (a failed poll, a skipped entry, a failed
 *   item), and a second cycle over the same feeds stores and analyzes nothing again;
 * - no alert is lost: each one is sent (published once) or parked (refused), none is left pending;
 * - no time stored is later than the clock, except the times that are schedules or the flag keeping a feed's own
 *   future date (`declaredPublished`).
 */
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import type { FeedDefinition } from '../../src/core/feed';
import type { Clock } from '../../src/core/ports';
import { loadStories } from '../../src/detection/index';
import { createHttpFeedFetcher } from '../../src/ingestion/fetcher';
import { type CycleReport, runCycle } from '../../src/pipeline/run-cycle';
import type { TestDynamo } from '../support/dynamo';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../support/loopback-feed-server';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';
import { storageTest as it } from '../support/storage';

const NOW = new Date('2025-03-17T12:00:00.000Z');
const clock: Clock = { now: () => NOW };
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const HOUR = 3_600_000;

/** Statements the rules read as stances, so some items move a party and raise alerts. */
const STATEMENTS = [
  'Peskov said Russia rejects the 30-day ceasefire.',
  'Zelensky said Ukraine accepts the 30-day ceasefire proposal.',
  'Lavrov said Moscow would agree to a truce only if weapons deliveries stop.',
  'The talks went on without comment.',
];

/** A size in bytes: mostly small, some near the key and row limits, a few of several MB. */
const size = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 200 }) },
  { weight: 2, arbitrary: fc.integer({ min: 900, max: 3_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 20_000, max: 300_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000_000, max: 6_000_000 }) },
);

/** Filler of `bytes` bytes: ASCII or two-byte Cyrillic words, so byte and character counts differ. */
const filler = (bytes: number, cyrillic: boolean) =>
  cyrillic
    ? 'дд '.repeat(Math.ceil(bytes / 5)).slice(0, Math.ceil(bytes / 2))
    : 'news '.repeat(Math.ceil(bytes / 5)).slice(0, bytes);

type DateKind =
  | { kind: 'past'; hoursAgo: number }
  | { kind: 'future'; hoursAhead: number }
  | { kind: 'invalid' | 'none' };

interface RandomItem {
  guid: number | null;
  link: number;
  title: number;
  description: number;
  cyrillic: boolean;
  statement: string;
  date: DateKind;
}

const itemArbitrary: fc.Arbitrary<RandomItem> = fc.record({
  guid: fc.option(size, { nil: null }),
  link: size,
  title: size,
  description: size,
  cyrillic: fc.boolean(),
  statement: fc.constantFrom(...STATEMENTS),
  date: fc.oneof(
    fc.record({ kind: fc.constant('past' as const), hoursAgo: fc.integer({ min: 0, max: 24 * 365 }) }),
    fc.record({ kind: fc.constant('future' as const), hoursAhead: fc.integer({ min: 1, max: 24 * 365 * 80 }) }),
    fc.record({ kind: fc.constantFrom('invalid' as const, 'none' as const) }),
  ),
});

function dateElement(date: DateKind): string {
  if (date.kind === 'none') return '';
  if (date.kind === 'invalid') return '<pubDate>the day after the talks</pubDate>';
  const offset = date.kind === 'past' ? -date.hoursAgo * HOUR : (date as { hoursAhead: number }).hoursAhead * HOUR;
  return `<pubDate>${new Date(NOW.getTime() + offset).toUTCString()}</pubDate>`;
}

/** The marker in front of each title names the item in the store whatever the rest of the title becomes. */
const markerOf = (run: number, index: number) => `m${run}x${index}`;

function feedDocument(item: RandomItem, marker: string): string {
  const guid =
    item.guid === null ? '' : `<guid isPermaLink="false">${marker}-${filler(item.guid, item.cyrillic)}</guid>`;
  const link = `<link>https://news.example.org/${marker}/${'p'.repeat(item.link)}</link>`;
  const title = `<title>${marker} ${filler(item.title, item.cyrillic)}</title>`;
  const description = `<description>${item.statement} ${filler(item.description, item.cyrillic)}</description>`;
  return (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Wire</title>' +
    `<link>https://news.example.org/</link><item>${guid}${title}${link}${dateElement(item.date)}${description}</item>` +
    '</channel></rss>'
  );
}

let server: LoopbackFeedServer;
let sns: SnsEndpoint;
let snsClient: SNSClient;
beforeAll(async () => {
  [server, sns] = await Promise.all([startLoopbackFeedServer(), startSnsEndpoint()]);
  snsClient = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  snsClient?.destroy();
  await Promise.all([server?.close(), sns?.close()]);
});

async function scan(dynamo: TestDynamo, tableName: string): Promise<Record<string, AttributeValue>[]> {
  const rows: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

/** Times that are meant to lie ahead (schedules, expiries) or keep a feed's own future date as a flag. */
const FUTURE_BY_DESIGN = new Set(['nextPollAt', 'nextAttemptAt', 'dueAt', 'declaredPublished', 'retryAfter']);
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** What a stored string holds as JSON, or undefined when it is not JSON. */
function embeddedJson(value: string): unknown {
  if (!value.startsWith('{') && !value.startsWith('[')) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    // Not JSON: text that happens to start with a brace.
    return undefined;
  }
}

/** The name a value inside `key` is stored under: DynamoDB's type tags (S, N, M, L…) keep the outer name. */
function storedName(key: string, outer: string): string {
  return /^[A-Z]{1,4}$/.test(key) ? outer : key;
}

/** Every ISO time in a row, its attributes and its JSON body, with the name it is stored under. */
function storedTimes(value: unknown, name: string, found: { name: string; time: string }[]): void {
  if (typeof value === 'string') {
    if (ISO_TIME.test(value)) found.push({ name, time: value });
    else storedTimes(embeddedJson(value), name, found);
    return;
  }
  if (Array.isArray(value)) for (const entry of value) storedTimes(entry, name, found);
  else if (value && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) storedTimes(entry, storedName(key, name), found);
  }
}

/** Why the item of this feed is not in the store, or null when its report gives no reason. */
function reportedReason(report: CycleReport['feeds'][number] | undefined): string | null {
  if (!report) return 'not polled';
  if (report.outcome === 'failed') return `poll failed: ${report.error?.kind}`;
  if (report.skippedItems > 0) return 'entry skipped';
  if (report.failedItems.length > 0) return `item failed: ${report.failedItems[0]?.message}`;
  return null;
}

let run = 0;

async function checkPipeline(dynamo: TestDynamo, items: RandomItem[], refusals: boolean[]): Promise<void> {
  run += 1;
  const tableName = await dynamo.freshTable();
  const store = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
  const markers = items.map((_, index) => markerOf(run, index));
  const feeds: FeedDefinition[] = items.map((item, index) => {
    const path = `/run-${run}/feed-${index}.xml`;
    server.route(path, {
      headers: { 'content-type': 'application/rss+xml' },
      body: feedDocument(item, markers[index] as string),
    });
    return { id: `feed-${run}-${index}`, url: server.url(path), name: `feed ${index}`, publisher: 'p', language: 'en' };
  });
  // SNS refuses the n-th publish of this run for good when refusals[n] says so.
  let publishes = 0;
  sns.refusePublishes(() => refusals[publishes++ % refusals.length] === true);
  const publishedBefore = sns.published.length;
  const deps = {
    store,
    fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 20_000 }),
    clock,
    stories: loadStories(),
    notifier: createSnsNotifier({ client: snsClient, topicArn: TOPIC }),
  };

  const first = await runCycle(deps, feeds, { concurrency: 4, onlyDue: false });
  const rowsAfterFirst = await scan(dynamo, tableName);
  const second = await runCycle(deps, feeds, { concurrency: 4, onlyDue: false });
  const rows = await scan(dynamo, tableName);

  // Every item stored exactly once, or reported.
  const itemRows = rows.filter((row) => row.pk?.S?.startsWith('ITEM#'));
  for (const [index, marker] of markers.entries()) {
    const stored = itemRows.filter((row) => row.title?.S?.startsWith(`${marker} `) || row.title?.S === marker);
    const reason = reportedReason(first.feeds.find((report) => report.feedId === feeds[index]?.id));
    expect(stored.length + (reason === null ? 0 : 1), `${marker}: ${stored.length} rows, reason ${reason}`).toBe(1);
  }
  // A second cycle over the same feeds stores and analyzes nothing again.
  expect(second.analysis.items).toEqual([]);
  expect(rows.length).toBe(rowsAfterFirst.length);

  // No alert lost: each sent once or parked, none pending.
  const alerts = await store.listAlerts();
  const published = sns.published.slice(publishedBefore).map((publish) => publish.attributes.alertId?.value);
  expect(await store.listPendingAlerts()).toEqual([]);
  expect([...published].sort()).toEqual(
    alerts
      .filter((alert) => alert.status === 'sent')
      .map((alert) => alert.id)
      .sort(),
  );
  const parked = [...first.published.parked, ...second.published.parked].map((entry) => entry.alertId);
  expect(parked.sort()).toEqual(
    alerts
      .filter((alert) => alert.status === 'parked')
      .map((alert) => alert.id)
      .sort(),
  );
  expect(alerts.every((alert) => alert.status === 'sent' || alert.status === 'parked')).toBe(true);

  // Nothing stored is later than the clock.
  const times: { name: string; time: string }[] = [];
  for (const row of rows) storedTimes(row, 'row', times);
  const late = times.filter(({ name, time }) => !FUTURE_BY_DESIGN.has(name) && Date.parse(time) > NOW.getTime());
  expect(late).toEqual([]);
  for (const [index, item] of items.entries()) {
    const reported = reportedReason(first.feeds.find((report) => report.feedId === feeds[index]?.id)) !== null;
    const largest = Math.max(item.guid ?? 0, item.link, item.title, item.description);
    if (reported) covered.reported += 1;
    else if (largest >= 1_000_000) covered.storedWithMegabytes += 1;
    if (!reported && item.date.kind === 'future') covered.storedFromTheFuture += 1;
  }
  covered.sent += alerts.filter((alert) => alert.status === 'sent').length;
  covered.parked += parked.length;
}

/** What the runs went through, so a change to the generators cannot make the property pass on nothing. */
const covered = { reported: 0, storedWithMegabytes: 0, storedFromTheFuture: 0, sent: 0, parked: 0 };

describe('the whole pipeline over random items', () => {
  it('stores each item once or reports it, loses no alert, and stores no time after the clock', async ({ dynamo }) => {
    let cycles = 0;
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(
        fc.array(itemArbitrary, { minLength: 1, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
        async (items, refusals) => {
          cycles += 1;
          await checkPipeline(dynamo, items, refusals);
        },
      ),
      { seed: 18_2026, numRuns: 25, endOnFailure: true },
    );
    expect(cycles).toBe(25);
    for (const [what, count] of Object.entries(covered)) expect(count, what).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
