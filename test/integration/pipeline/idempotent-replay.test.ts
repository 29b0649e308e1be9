import { readFileSync } from 'node:fs';
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { AlertNotifier } from '../../../src/core/ports';
import type { Alert } from '../../../src/core/stance-state';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { loadStories } from '../../../src/detection/index';
import { clockForArchive, replayItems } from '../../../src/local/replay';
import { analyzeBatch } from '../../../src/pipeline/analyze-batch';
import { publishPendingAlerts } from '../../../src/pipeline/publish-alerts';
import type { TestDynamo } from '../../support/dynamo';
import { storageTest as it } from '../../support/storage';

const archive: FeedItem[] = readFileSync(new URL('../../fixtures/pipeline/archive.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => ({ ...(JSON.parse(line) as Omit<FeedItem, 'language'>), language: 'en' }));

function recordingNotifier(): AlertNotifier & { sent: Alert[] } {
  const sent: Alert[] = [];
  return {
    sent,
    async publish(alert) {
      sent.push(alert);
    },
  };
}

async function tableContents(dynamo: TestDynamo, tableName: string): Promise<string[]> {
  const rows: Record<string, AttributeValue>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  // Attribute order inside a row is not meaningful; compare rows as canonical JSON, sorted.
  const canonical = (row: Record<string, AttributeValue>) =>
    JSON.stringify(Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1))));
  return rows.map(canonical).sort();
}

describe('replaying the same archive through the full pipeline', () => {
  const stories = loadStories();
  it('stores follow-ups, stance changes and alerts once, whether the archive is replayed or every item redelivered', async ({
    dynamo,
  }) => {
    const tableName = await dynamo.freshTable();
    const clock = clockForArchive(archive);
    const store = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
    const notifier = recordingNotifier();

    const first = await replayItems({ items: archive, store, stories, notifier, clock });
    const afterFirst = await tableContents(dynamo, tableName);
    expect(first.followUps.map((followUp) => followUp.itemId).sort()).toEqual([
      'arc-01',
      'arc-04',
      'arc-05',
      'arc-07',
      'arc-08',
    ]);
    expect(first.stanceChanges.map((alert) => `${alert.party}:${alert.from}->${alert.to}`)).toContain(
      'russia:conditional->opposes',
    );
    expect(notifier.sent.length).toBe(first.alertsSent);
    expect(notifier.sent.length).toBeGreaterThan(0);

    // A second replay of the same items: every claim is already there.
    const replayClock = clockForArchive(archive);
    const second = await replayItems({
      items: archive,
      store: createDynamoStoryStore({ client: dynamo.client, tableName, clock: replayClock }),
      stories,
      notifier,
      clock: replayClock,
    });
    expect(second.duplicates).toBe(archive.length);
    expect(await tableContents(dynamo, tableName)).toEqual(afterFirst);

    // SQS redelivering every item to the analyzer: the analysis itself must be idempotent, not just the claims.
    const redeliveryClock = new SimulatedClock(clock.now());
    for (const item of archive) {
      await analyzeBatch({ store, stories, clock: redeliveryClock }, [item]);
    }
    await publishPendingAlerts({ store, notifier, clock: redeliveryClock });
    expect(await tableContents(dynamo, tableName)).toEqual(afterFirst);
    expect(notifier.sent.length).toBe(first.alertsSent);
  });

  it('gives the same table contents and alerts when the archive is replayed into a fresh table', async ({ dynamo }) => {
    const runOnce = async () => {
      const tableName = await dynamo.freshTable();
      const clock = clockForArchive(archive);
      const store = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
      const notifier = recordingNotifier();
      await replayItems({ items: archive, store, stories, notifier, clock });
      return { rows: await tableContents(dynamo, tableName), alerts: notifier.sent.map((alert) => alert.id) };
    };
    const [a, b] = [await runOnce(), await runOnce()];
    expect(b.alerts).toEqual(a.alerts);
    expect(b.rows).toEqual(a.rows);
  });
});
