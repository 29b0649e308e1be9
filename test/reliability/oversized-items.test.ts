/**
 * Over-long ids and links never block the pipeline: each becomes a key, a row and a message within DynamoDB's and
 * SNS's limits (partition key 2,048 bytes, sort key 1,024, row 400 KB, message 256 KB), and the items carrying them
 * are stored, analyzed and alerted on exactly as the same items with ordinary ids and links.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../src/adapters/sns/notifier';
import { loadStories } from '../../src/detection/index';
import { clockForArchive, type ReplaySummary, readArchive, replayItems } from '../../src/local/replay';
import type { TestDynamo } from '../support/dynamo';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';
import { storageTest as it } from '../support/storage';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const ARCHIVE = new URL('../fixtures/pipeline/archive.jsonl', import.meta.url);
const archived = readFileSync(ARCHIVE, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Record<string, string>);

/** Archive lines changed by `change`, each made unique by its position. */
type Variant = (line: Record<string, string>, index: number) => Record<string, string>;

const padLink = (bytes: number): Variant => {
  return ({ id: _id, ...line }, index) => ({ ...line, link: `${line.link}/${String(index).padEnd(bytes, 'p')}` });
};

const VARIANTS: Record<string, Variant> = {
  'links of about 1 KB and no guid (the link is the id)': padLink(1_000),
  'guids of about 2 KB': (line, index) => ({ ...line, id: `urn:guid:${String(index).padEnd(2_100, 'g')}` }),
  // 600 characters, under a 1,024 limit counted in characters, but 1,200 bytes of UTF-8.
  'guids of 600 Cyrillic characters': (line, index) => ({ ...line, id: `urn:ид:${index}${'д'.repeat(600)}` }),
  'links of 30 KB and no guid': padLink(30 * 1024),
  'links of 150 KB and no guid': padLink(150 * 1024),
};

const scratch = mkdtempSync(join(tmpdir(), 'storywatch-oversized-'));
let sns: SnsEndpoint;
let snsClient: SNSClient;
beforeAll(async () => {
  sns = await startSnsEndpoint();
  snsClient = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  snsClient?.destroy();
  await sns?.close();
  rmSync(scratch, { recursive: true, force: true });
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

/** Replays the archive, changed by `variant`, on a fresh table, sending its alerts through the loopback SNS. */
async function replayVariant(dynamo: TestDynamo, variant: Variant) {
  const lines = archived.map(variant);
  const file = join(scratch, `archive-${sns.published.length}-${Date.now()}.jsonl`);
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
  // The replay's own entrance: what an operator's archive goes through.
  const { items, rejected } = await readArchive(file);
  expect(rejected).toEqual([]);
  const tableName = await dynamo.freshTable();
  const clock = clockForArchive(items);
  const store = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
  const published = sns.published.length;
  const summary = await replayItems({
    items,
    store,
    stories: loadStories(),
    notifier: createSnsNotifier({ client: snsClient, topicArn: TOPIC }),
    clock,
  });
  return { lines, summary, rows: await scan(dynamo, tableName), published: sns.published.slice(published) };
}

/** What a replay did, without the ids that differ between variants. */
const shapeOf = (summary: ReplaySummary) => ({
  items: summary.items,
  duplicates: summary.duplicates,
  followUps: summary.followUps.map((followUp) => followUp.title),
  stanceChanges: summary.stanceChanges.map((alert) => `${alert.party}:${alert.from}->${alert.to}`),
  conditionChanges: summary.conditionChanges.length,
  alertsSent: summary.alertsSent,
  alertsFailed: summary.alertsFailed,
});

describe('items with over-long ids and links', () => {
  let baseline: ReturnType<typeof shapeOf>;
  it.beforeAll(async ({ dynamo }) => {
    baseline = shapeOf((await replayVariant(dynamo, (line) => line)).summary);
    expect(baseline.followUps.length).toBeGreaterThan(0);
    expect(baseline.stanceChanges.length).toBeGreaterThan(0);
  }, 60_000);

  for (const [name, variant] of Object.entries(VARIANTS)) {
    it(`are stored, analyzed and alerted on like ordinary ones: ${name}`, async ({ dynamo }) => {
      const { lines, summary, rows, published } = await replayVariant(dynamo, variant);
      expect(shapeOf(summary)).toEqual(baseline);
      expect(published).toHaveLength(baseline.alertsSent);
      for (const row of rows) {
        expect(Buffer.byteLength(row.pk?.S ?? '')).toBeLessThanOrEqual(2_048);
        expect(Buffer.byteLength(row.sk?.S ?? '')).toBeLessThanOrEqual(1_024);
      }
      // The item rows keep each full link: every one of these fits a row.
      const storedLinks = rows.filter((row) => row.pk?.S?.startsWith('ITEM#')).map((row) => row.link?.S);
      expect(storedLinks.sort()).toEqual(lines.map((line) => line.link).sort());
    }, 60_000);
  }
});
