import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { StanceCommit, StoryStore } from '../../../src/core/ports';
import type { StanceState } from '../../../src/core/stance-state';
import { beforeEachCommand } from '../../support/command-probe';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo';
import { commitOne, withHistory } from '../../support/stance-commits';
import { alertFor, stanceState } from './builders';

const STORY = 'ceasefire-2025';
const clock = { now: () => new Date('2025-03-14T12:00:00.000Z') };

let dynamo: TestDynamo;
let store: StoryStore;
/** Transactions sent through the shared client since the last reset, with their row counts. */
let transactions: number[] = [];

beforeAll(async () => {
  dynamo = await startTestDynamo();
  beforeEachCommand(dynamo.client, (commandName, input) => {
    if (commandName === 'TransactWriteItemsCommand') transactions.push((input.TransactItems as unknown[]).length);
  });
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  store = createDynamoStoryStore({ client: dynamo.client, tableName: await dynamo.freshTable(), clock });
  transactions = [];
});

/**
 * `count` consecutive changes of one party from `fromVersion`, alternating its label; every `alertEvery`-th one
 * carries an alert (so a history row too), the others move only the state.
 */
function run(party: string, fromVersion: number, count: number, alertEvery = 1): StanceCommit[] {
  return Array.from({ length: count }, (_, offset) => {
    const version = fromVersion + offset + 1;
    const next: StanceState = stanceState(party, version, {
      label: version % 2 === 0 ? 'opposes' : 'conditional',
      observedUntil: `2025-03-14T10:${String(offset % 60).padStart(2, '0')}:00.000Z`,
    });
    const causeItemId = `item-${party}-${version}`;
    const alerts = (offset + 1) % alertEvery === 0 ? [alertFor(next, causeItemId)] : [];
    return withHistory({ next, expectedVersion: version - 1, causeItemId, alerts });
  });
}

const alertIds = (changes: StanceCommit[]) => changes.flatMap((change) => change.alerts.map((alert) => alert.id));

describe('a run of stance changes of one party', () => {
  it('stores the last state, every history row and every alert of the run in one transaction', async () => {
    const changes = run('russia', 0, 5, 2);
    expect(await store.commitStanceChanges(changes)).toBe(5);
    expect(transactions).toEqual([1 + 2 * 2]);
    expect(await store.getStanceStates(STORY)).toEqual([changes[4]?.next]);
    const history = await store.getStanceHistory(STORY, 'russia');
    expect(history.map((entry) => entry.version)).toEqual([2, 4]);
    expect(history.map((entry) => entry.causeItemId)).toEqual(['item-russia-2', 'item-russia-4']);
    expect((await store.listPendingAlerts()).map((alert) => alert.id).sort()).toEqual(alertIds(changes).sort());
  });

  it('splits a run past 100 rows into transactions that each move the state to their last change', async () => {
    // 60 changes with an alert each: 120 history and alert rows, more than one transaction holds.
    const changes = run('ukraine', 0, 60);
    expect(await store.commitStanceChanges(changes)).toBe(60);
    expect(transactions.length).toBe(2);
    for (const size of transactions) expect(size).toBeLessThanOrEqual(100);
    expect(transactions.reduce((sum, size) => sum + size, 0)).toBe(2 + 120);
    expect((await store.getStanceStates(STORY))[0]?.version).toBe(60);
    expect(await store.getStanceHistory(STORY, 'ukraine')).toHaveLength(60);
    expect(await store.listPendingAlerts(200)).toHaveLength(60);
  });

  it('stores none of a run whose first change expects a version another writer moved on from', async () => {
    await store.commitStanceChanges(run('us', 0, 1));
    const rival = run('us', 0, 3).map((change) => ({
      ...change,
      causeItemId: `rival-${change.causeItemId}`,
      alerts: change.alerts.map((alert) => ({ ...alert, id: `rival-${alert.id}` })),
    }));
    expect(await store.commitStanceChanges(rival)).toBe(0);
    expect((await store.getStanceStates(STORY))[0]?.version).toBe(1);
    expect((await store.listAlerts()).map((alert) => alert.id)).toEqual(alertIds(run('us', 0, 1)));
  });

  it('counts the changes stored before another writer moved the state, across the transactions of a run', async () => {
    const changes = run('europe', 0, 60);
    // The first 49 changes fill one transaction (98 rows and the state). They went in earlier; then another writer
    // stored version 50. Committing the whole run again finds the first transaction done and the second refused.
    const firstPart = 49;
    expect(await store.commitStanceChanges(changes.slice(0, firstPart))).toBe(firstPart);
    const rival = { ...run('europe', firstPart, 1)[0], causeItemId: 'rival', alerts: [] } as StanceCommit;
    expect(await commitOne(store, rival)).toBe('ok');
    expect(await store.commitStanceChanges(changes)).toBe(firstPart);
    expect((await store.getStanceStates(STORY))[0]?.version).toBe(firstPart + 1);
  });

  it('treats a run committed before as done, without copying its alerts', async () => {
    const changes = run('russia', 0, 4);
    expect(await store.commitStanceChanges(changes)).toBe(4);
    expect(await store.commitStanceChanges(changes)).toBe(4);
    expect(await store.listAlerts()).toHaveLength(4);
    expect(await store.getStanceHistory(STORY, 'russia')).toHaveLength(4);
  });

  it('refuses changes that are not one party in version order, before writing anything', async () => {
    const [first, second] = run('russia', 0, 2) as [StanceCommit, StanceCommit];
    await expect(store.commitStanceChanges([second, first])).rejects.toThrow(/out of sequence/);
    const [other] = run('ukraine', 1, 1) as [StanceCommit];
    await expect(store.commitStanceChanges([first, other])).rejects.toThrow(/out of sequence/);
    expect(transactions).toEqual([]);
  });
});
