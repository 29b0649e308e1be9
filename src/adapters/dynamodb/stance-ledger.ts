import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../core/ports/clock';
import type { StanceCommit, StanceLedger } from '../../core/ports/stance-ledger';
import { keyOfRow, type RowKey, s } from './attributes';
import { partyPartition, storyPartition } from './keys';
import { LIMITS, type TableRequests, versionCondition } from './requests';
import { alertRow } from './rows/alert-rows';
import { historyFromRow, historyRow, stanceStateFromRow, stanceStateRow } from './rows/stance-rows';

export function createDynamoStanceLedger(table: TableRequests, clock: Clock): StanceLedger {
  return {
    async getStanceStates(storyId) {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :story AND begins_with(sk, :stance)',
        ExpressionAttributeValues: { ':story': s(storyPartition(storyId)), ':stance': s('STANCE#') },
        ConsistentRead: true,
      });
      return rows.map(stanceStateFromRow);
    },

    commitStanceChanges: (changes) => commitStanceChanges(table, clock, changes),

    async getStanceHistory(storyId, party) {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :party AND begins_with(sk, :history)',
        ExpressionAttributeValues: { ':party': s(partyPartition(storyId, party)), ':history': s('HISTORY#') },
      });
      return rows.map(historyFromRow);
    },
  };
}

/**
 * As many changes per transaction as fit DynamoDB's 100 rows: each transaction puts the state of its last
 * change, conditioned on the version its first change expects, with the history rows and alerts of all its
 * changes. Only the latest state matters, so the states in between are never written.
 */
async function commitStanceChanges(table: TableRequests, clock: Clock, changes: StanceCommit[]): Promise<number> {
  checkStanceRun(changes);
  const committedAt = clock.now().toISOString();
  let committed = 0;
  while (committed < changes.length) {
    const first = changes[committed] as StanceCommit;
    const rows: TransactWriteItem[] = [];
    let end = committed;
    for (; end < changes.length; end += 1) {
      const more = changeRows(table, changes[end] as StanceCommit, committedAt);
      // One row stays free for the state itself.
      if (end > committed && rows.length + more.length > LIMITS.transactionRows - 1) break;
      rows.push(...more);
    }
    const { next } = changes[end - 1] as StanceCommit;
    const state = table.conditionedOperation(stanceStateRow(next), versionCondition(first.expectedVersion));
    if (!(await commitOrFindReplay(table, [state, ...rows]))) break;
    committed = end;
  }
  return committed;
}

/** The history row and pending alerts of one change; a change without a history record writes only the state. */
function changeRows(table: TableRequests, change: StanceCommit, committedAt: string): TransactWriteItem[] {
  const rows = [
    ...(change.history ? [historyRow(change.history, committedAt)] : []),
    ...change.alerts.map((alert) => alertRow({ ...alert, status: 'pending', sentAt: null })),
  ];
  return rows.map((row) => table.ifAbsentOperation(row));
}

/** True when the transaction went through, or had gone through before (a replay finds all its own rows). */
async function commitOrFindReplay(table: TableRequests, operations: TransactWriteItem[]): Promise<boolean> {
  if (await table.transact(operations)) return true;
  // The rows after the state are history rows and alerts, keyed by the change that made them.
  const ownRows = operations.slice(1).flatMap((operation): RowKey[] => {
    const row = operation.Put?.Item;
    return row ? [keyOfRow(row)] : [];
  });
  if (ownRows.length === 0) return false;
  return (await table.batchGet(ownRows)).length === ownRows.length;
}

/** A run of stance changes must be one party's, each expecting the version the change before it stored. */
function checkStanceRun(changes: StanceCommit[]): void {
  for (const [index, change] of changes.entries()) {
    const before = changes[index - 1];
    if (!before) continue;
    const sameParty = change.next.storyId === before.next.storyId && change.next.party === before.next.party;
    if (!sameParty || change.expectedVersion !== before.next.version) {
      throw new Error(
        `stance changes out of sequence: ${change.next.party} expects version ${change.expectedVersion} after ${before.next.party} version ${before.next.version}`,
      );
    }
  }
}
