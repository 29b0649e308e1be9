import type { FeedItem } from '../../src/core/feed';
import type { ClaimResult, ItemClaims, StanceCommit, StanceLedger } from '../../src/core/ports';
import { historyRecord } from '../../src/tracking/stance-commit';

/** A stance change as tests write it; its history record is the one the tracking code would give it. */
export type PlainChange = Omit<StanceCommit, 'history'>;

export function withHistory(change: PlainChange): StanceCommit {
  return { ...change, history: historyRecord(change.next, change.causeItemId, change.alerts) };
}

/** Commits one change on its own: 'ok' when it is stored, 'conflict' when another writer moved the state first. */
export async function commitOne(ledger: StanceLedger, change: PlainChange): Promise<'ok' | 'conflict'> {
  return (await ledger.commitStanceChanges([withHistory(change)])) === 1 ? 'ok' : 'conflict';
}

/** Claims one item on its own. */
export async function claimOne(claims: ItemClaims, item: FeedItem, dedupKeys: string[]): Promise<ClaimResult> {
  const [result] = await claims.claimItems([{ item, dedupKeys }]);
  if (!result) throw new Error(`no claim result for ${item.id}`);
  return result;
}
