import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import { createSnsNotifier } from '../../../src/adapters/sns/notifier';
import type { StoryStore } from '../../../src/core/ports';
import type { Alert } from '../../../src/core/stance-state';
import { publishPendingAlerts } from '../../../src/pipeline/publish-alerts';
import { DEFAULT_STANCE_MACHINE_CONFIG } from '../../../src/tracking/config';
import { applyObservation, baselineState } from '../../../src/tracking/stance-machine';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { commitOne } from '../../support/stance-commits';
import { storageTest } from '../../support/storage';
import { type Report, report, seedObservation, variant } from '../../support/tracking-reports';

const STORY = 'ceasefire-2025';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:storywatch-alerts';
const clock = { now: () => new Date('2025-03-18T00:00:00.000Z') };
const it = storageTest.extend({ clock });

let sns: SnsEndpoint;
let snsClient: SNSClient;

beforeAll(async () => {
  sns = await startSnsEndpoint();
  // One attempt: each injected failure is one failed publish, no SDK retry hides it.
  snsClient = loopbackSnsClient(sns.endpoint, 1);
});
afterAll(async () => {
  snsClient?.destroy();
  await sns?.close();
});
beforeEach(() => {
  sns.published.length = 0;
});

/** What the analyzer does per observation: read, apply, commit; on a conflict start over from the fresh state. */
async function track(target: StoryStore, entry: Report): Promise<Alert[]> {
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const stored = (await target.getStanceStates(STORY)).find((state) => state.party === 'russia');
    const current = stored ?? baselineState(STORY, 'russia', seedObservation, '2025-03-11');
    const result = applyObservation(current, entry.observation, entry.item, DEFAULT_STANCE_MACHINE_CONFIG, clock.now());
    if (!result.changed) return [];
    const outcome = await commitOne(target, {
      next: result.next,
      expectedVersion: current.version,
      causeItemId: entry.item.itemId,
      alerts: result.alerts,
    });
    if (outcome === 'ok') return result.alerts;
  }
  throw new Error('stance kept changing');
}

const sweep = (target: StoryStore) =>
  publishPendingAlerts({ store: target, notifier: createSnsNotifier({ client: snsClient, topicArn: TOPIC }), clock });
const publishedIds = () => sns.published.map((message) => message.attributes.alertId?.value);

describe('outbox under faults', () => {
  it('leaves an alert pending when SNS fails, and sends it once on the next sweep', async ({ store }) => {
    const [alert] = await track(store, report('directRejection'));
    sns.failNextPublishes(1);
    const failed = await sweep(store);
    expect(failed.failed.map((entry) => entry.alertId)).toEqual([alert?.id]);
    expect((await store.listPendingAlerts()).map((pending) => pending.id)).toEqual([alert?.id]);
    const retried = await sweep(store);
    expect(retried.sent).toEqual([alert?.id]);
    expect(publishedIds()).toEqual([alert?.id]);
    expect(await store.listPendingAlerts()).toEqual([]);
  });

  it('resends with the same id when marking sent fails, and keeps a single alert row', async ({ store }) => {
    const [alert] = await track(store, report('directRejection'));
    // DynamoDB cannot be made to fail one chosen write on request, so this one fault is injected.
    const markFails: StoryStore = {
      ...store,
      markAlertSent: async () => {
        throw new Error('injected: mark-sent write failed');
      },
    };
    await expect(sweep(markFails)).rejects.toThrow(/mark-sent/);
    expect((await store.listPendingAlerts()).map((pending) => pending.id)).toEqual([alert?.id]);
    await sweep(store);
    expect(publishedIds()).toEqual([alert?.id, alert?.id]);
    expect((await store.listAlerts()).map((stored) => [stored.id, stored.status])).toEqual([[alert?.id, 'sent']]);
  });

  it('delivers an alert committed just before a crash, from a fresh process', async ({ store, dynamo, tableName }) => {
    const [alert] = await track(store, report('directRejection'));
    // The "crashed" worker never published; a new store instance is all the next sweep has.
    const restarted = createDynamoStoryStore({ client: dynamo.client, tableName, clock });
    const afterRestart = await sweep(restarted);
    expect(afterRestart.sent).toEqual([alert?.id]);
    expect(publishedIds()).toEqual([alert?.id]);
  });

  it('treats a commit whose answer was lost as done when it is retried', async ({ store }) => {
    const current = baselineState(STORY, 'russia', seedObservation, '2025-03-11');
    const entry = report('directRejection');
    const result = applyObservation(current, entry.observation, entry.item, DEFAULT_STANCE_MACHINE_CONFIG, clock.now());
    const change = { next: result.next, expectedVersion: 0, causeItemId: entry.item.itemId, alerts: result.alerts };
    expect(await commitOne(store, change)).toBe('ok');
    expect(await commitOne(store, change)).toBe('ok');
    expect(await store.listAlerts()).toHaveLength(1);
    expect(await store.getStanceHistory(STORY, 'russia')).toHaveLength(1);
  });

  it('creates no new alert when the same batch is delivered again', async ({ store }) => {
    const batch = [report('repeatOfSeed'), report('rejectionReportA'), report('rejectionReportB')];
    for (const entry of batch) await track(store, entry);
    const firstRun = await store.listAlerts();
    for (const entry of batch) expect(await track(store, entry)).toEqual([]);
    expect(await store.listAlerts()).toEqual(firstRun);
    expect(firstRun.map((alert) => [alert.from, alert.to])).toEqual([['conditional', 'opposes']]);
    await sweep(store);
    await sweep(store);
    expect(sns.published).toHaveLength(1);
  });

  it('commits one change when two items for the same party are processed at once', async ({ store }) => {
    const other = variant('directRejection', { itemId: 'agency-e-0317', source: 'https://agency-e.example/feed' });
    const results = await Promise.all([track(store, report('directRejection')), track(store, other)]);
    const alerts = await store.listAlerts();
    expect(alerts.map((alert) => alert.kind)).toEqual(['stance_change']);
    expect(results.flat().map((alert) => alert.id)).toEqual(alerts.map((alert) => alert.id));
    const [state] = await store.getStanceStates(STORY);
    expect(state?.label).toBe('opposes');
    // Neither item was lost: the loser was re-applied on top of the winner's state.
    const applied = state?.evidence.map((evidence) => evidence.itemId).filter((id) => !id.startsWith('seed:'));
    expect(applied?.sort()).toEqual(['agency-c-0317', 'agency-e-0317']);
    expect(state?.version).toBe(2);
  });

  it('commits one change when the same item is redelivered concurrently', async ({ store }) => {
    const results = await Promise.all([
      track(store, report('directRejection')),
      track(store, report('directRejection')),
    ]);
    const stored = await store.listAlerts();
    expect(stored).toHaveLength(1);
    // The slower worker finds its identical commit already done and reports the same alert, not a second one.
    expect(new Set(results.flat().map((alert) => alert.id))).toEqual(new Set([stored[0]?.id]));
    expect((await store.getStanceStates(STORY))[0]?.version).toBe(1);
  });

  it('ignores an older item that arrives after a newer one', async ({ store }) => {
    await track(store, report('directRejection'));
    const [before] = await store.getStanceStates(STORY);
    const older = variant('directNewTerms', { itemId: 'old-terms', published: '2025-03-13T09:00:00.000Z' });
    expect(await track(store, older)).toEqual([]);
    expect(await store.getStanceStates(STORY)).toEqual([before]);
    expect(await store.listAlerts()).toHaveLength(1);
  });
});
