import type { ClaimResult } from './ports/item-claims';

/** One entry of a claim batch: an item id and its dedup keys, without repeats. */
export interface ClaimEntry {
  itemId: string;
  dedupKeys: string[];
}

/** What the store already holds for the keys of a batch, looked up before anything is written. */
export interface ClaimLookup {
  /** Stored item rows by item id: the item they point to, and whether its analysis finished. */
  items: ReadonlyMap<string, { canonicalId: string; analyzed: boolean }>;
  /** Stored dedup markers by key: the id of the item holding the key. */
  markers: ReadonlyMap<string, string>;
}

/**
 * The decision for one entry:
 * - 'known': the item's own row is stored, and decides (`result`).
 * - 'claim': nothing holds its keys: write its row and one marker per key, all or nothing.
 * - 'alias': another stored item holds one of its keys: link this source to it; the entry is a duplicate of it.
 * - 'later': an earlier entry of the same batch holds one of its keys; the entry's result follows from that
 *   entry's outcome (see resolveLaterEntry).
 */
export type PlannedClaim =
  | { kind: 'known'; result: ClaimResult }
  | { kind: 'claim' }
  | { kind: 'alias'; canonicalId: string }
  | { kind: 'later'; winner: number };

/**
 * Plans the claims of a batch, first entry first: within one batch the first entry holding a key (its item id or
 * a dedup key) wins it. An alias holds only its own item id, so a later copy of it is linked the same way.
 */
export function planClaims(entries: readonly ClaimEntry[], lookup: ClaimLookup): PlannedClaim[] {
  const heldBy = new Map<string, number>();
  return entries.map(({ itemId, dedupKeys }, index): PlannedClaim => {
    const own = lookup.items.get(itemId);
    if (own) return { kind: 'known', result: resultOfStoredRow(itemId, own) };
    const held = [`item:${itemId}`, ...dedupKeys.map((key) => `key:${key}`)];
    const winner = held.map((key) => heldBy.get(key)).find((entry) => entry !== undefined);
    if (winner !== undefined) return { kind: 'later', winner };
    const canonicalId = dedupKeys.map((key) => lookup.markers.get(key)).find((id) => id !== undefined);
    if (canonicalId !== undefined) {
      heldBy.set(`item:${itemId}`, index);
      return { kind: 'alias', canonicalId };
    }
    for (const key of held) heldBy.set(key, index);
    return { kind: 'claim' };
  });
}

/** A stored row of the item itself: an alias, an analysed item, or one claimed and never analysed. */
export function resultOfStoredRow(itemId: string, row: { canonicalId: string; analyzed: boolean }): ClaimResult {
  if (row.canonicalId !== itemId || row.analyzed) return { status: 'duplicate', canonicalId: row.canonicalId };
  return { status: 'unfinished' };
}

/**
 * How an entry that lost a key to an earlier entry of its batch ends, once that entry's claim is known:
 * - the winner is new: the same item again is a duplicate of it; another item is linked to it as an alias;
 * - the winner is the same item and found to be a duplicate: so is this entry;
 * - otherwise the winner lost its claim to another writer: this entry, unseen at the lookup, tries its own claim.
 */
export function resolveLaterEntry(
  itemId: string,
  winnerId: string,
  winnerResult: ClaimResult,
): { kind: 'result'; result: ClaimResult } | { kind: 'alias'; canonicalId: string } | { kind: 'claim' } {
  if (winnerResult.status === 'new') {
    return itemId === winnerId
      ? { kind: 'result', result: { status: 'duplicate', canonicalId: winnerId } }
      : { kind: 'alias', canonicalId: winnerId };
  }
  if (winnerResult.status === 'duplicate' && itemId === winnerId) return { kind: 'result', result: winnerResult };
  return { kind: 'claim' };
}
