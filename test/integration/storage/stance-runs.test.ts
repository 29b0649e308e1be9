import { describe, expect } from 'vitest';
import type { StanceCommit } from '../../../src/core/ports';
import type { StanceState } from '../../../src/core/stance-state';
import { commitOne, withHistory } from '../../support/stance-commits';
import { type CommandLog, storageTestAt } from '../../support/storage';
import { alertFor, stanceState } from '../../support/storage-builders';

const STORY = 'ceasefire-2025';
const it = storageTestAt('2025-03-14T12:00:00.000Z');

/** Transactions the store sent in this test, by their row counts. */
const transactionSizes = (commands: CommandLog) =>
  commands.sent
    .filter((command) => command.name === 'TransactWriteItemsCommand')
    .map((command) => (command.input.TransactItems as unknown[]).length);

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
  it('stores the last state, every history row and every alert of the run in one transaction', async ({
    store,
    commands,
  }) => {
    const changes = run('russia', 0, 5, 2);
    expect(await store.commitStanceChanges(changes)).toBe(5);
    expect(transactionSizes(commands)).toEqual([1 + 2 * 2]);
    expect(await store.getStanceStates(STORY)).toEqual([changes[4]?.next]);
    const history = await store.getStanceHistory(STORY, 'russia');
    expect(history.map((entry) => entry.version)).toEqual([2, 4]);
    expect(history.map((entry) => entry.causeItemId)).toEqual(['item-russia-2', 'item-russia-4']);
    expect((await store.listPendingAlerts()).map((alert) => alert.id).sort()).toEqual(alertIds(changes).sort());
  });

  it('splits a run past 100 rows into transactions that each move the state to their last change', async ({
    store,
    commands,
  }) => {
    // 60 changes with an alert each: 120 history and alert rows, more than one transaction holds.
    const changes = run('ukraine', 0, 60);
    expect(await store.commitStanceChanges(changes)).toBe(60);
    expect(transactionSizes(commands).length).toBe(2);
    for (const size of transactionSizes(commands)) expect(size).toBeLessThanOrEqual(100);
    expect(transactionSizes(commands).reduce((sum, size) => sum + size, 0)).toBe(2 + 120);
    expect((await store.getStanceStates(STORY))[0]?.version).toBe(60);
    expect(await store.getStanceHistory(STORY, 'ukraine')).toHaveLength(60);
    expect(await store.listPendingAlerts(200)).toHaveLength(60);
  });

  it('stores none of a run whose first change expects a version another writer moved on from', async ({ store }) => {
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

  it('counts the changes stored before another writer moved the state, across the transactions of a run', async ({
    store,
  }) => {
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

  it('treats a run committed before as done, without copying its alerts', async ({ store }) => {
    const changes = run('russia', 0, 4);
    expect(await store.commitStanceChanges(changes)).toBe(4);
    expect(await store.commitStanceChanges(changes)).toBe(4);
    expect(await store.listAlerts()).toHaveLength(4);
    expect(await store.getStanceHistory(STORY, 'russia')).toHaveLength(4);
  });

  it('refuses changes that are not one party in version order, before writing anything', async ({
    store,
    commands,
  }) => {
    const [first, second] = run('russia', 0, 2) as [StanceCommit, StanceCommit];
    await expect(store.commitStanceChanges([second, first])).rejects.toThrow(/out of sequence/);
    const [other] = run('ukraine', 1, 1) as [StanceCommit];
    await expect(store.commitStanceChanges([first, other])).rejects.toThrow(/out of sequence/);
    expect(transactionSizes(commands)).toEqual([]);
  });
});
