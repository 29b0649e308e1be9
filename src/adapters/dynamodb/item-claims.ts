import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { type PlannedClaim, planClaims, resolveLaterEntry } from '../../core/claim-plan';
import type { FeedItem } from '../../core/feed';
import type { Clock } from '../../core/ports/clock';
import type { ClaimRequest, ClaimResult, ItemClaims } from '../../core/ports/item-claims';
import { boundedId, TooLargeError } from '../../core/text-limits';
import { n, type Row, s } from './attributes';
import { keys } from './keys';
import { inParallel, LIMITS, type TableRequests } from './requests';
import { createRowMemory, type RowMemory } from './row-memory';
import { aliasRow, claimedItemRow, claimLookupOf, dedupMarkerRow, isAnalyzedRow } from './rows/item-rows';

export interface ItemClaimOptions {
  clock: Clock;
  /** How long an item's dedup claims live before TTL removes them. Feeds rarely repeat items older than this. */
  dedupRetentionDays: number;
}

/** How many claimed, not yet marked item rows the adapter keeps in memory (a few hundred bytes each). */
const MAX_REMEMBERED_ROWS = 5_000;

/** One write of a claim batch: the claim of an unseen item, or the alias row of a duplicate. */
interface PlannedWrite {
  index: number;
  operations: TransactWriteItem[];
  alias?: Row;
}

interface Entry {
  item: FeedItem;
  dedupKeys: string[];
}

/**
 * Claims on DynamoDB: one BatchGetItem pass for every key of a batch, the pure planner (src/core/claim-plan.ts)
 * decides, then the claims of all unseen items and the alias rows of duplicates go out in transactions of at most
 * 100 rows. A transaction refused because another writer got there first is replayed item by item, so exactly one
 * claimant wins each key.
 */
export function createDynamoItemClaims(table: TableRequests, options: ItemClaimOptions): ItemClaims {
  const { clock } = options;
  const retentionSeconds = options.dedupRetentionDays * 86_400;
  const context: ClaimContext = {
    table,
    clock,
    expiresAt: () => n(Math.floor(clock.now().getTime() / 1000) + retentionSeconds),
    unmarked: createRowMemory(MAX_REMEMBERED_ROWS),
  };
  return {
    claimItems: (requests) => claimItems(context, requests),
    markItemsAnalyzed: (itemIds) => markItemsAnalyzed(context, itemIds),
  };
}

/** What every step of a claim batch works with: the table, the rows' expiry and the rows not marked yet. */
interface ClaimContext {
  table: TableRequests;
  clock: Clock;
  expiresAt(): AttributeValue;
  unmarked: RowMemory;
}

/** One result per entry of a batch, filled in as the planned writes and the later entries are settled. */
type Results = (ClaimResult | undefined)[];

async function claimItems(context: ClaimContext, requests: ClaimRequest[]): Promise<ClaimResult[]> {
  const entries = requests.map(uniqueKeysOf);
  const plan = await lookUpAndPlan(context, entries);
  const results: Results = plan.map((planned) => {
    if (planned.kind === 'known') return planned.result;
    return planned.kind === 'alias' ? { status: 'duplicate', canonicalId: planned.canonicalId } : undefined;
  });
  await writePlanned(context, entries, plan, results);
  await resolveLater(context, entries, plan, results);
  return results.map((result, index) => {
    if (!result) throw new Error(`claimItems: no result for entry ${index}`);
    return result;
  });
}

/**
 * The rows this adapter claimed are known, the others are read (one BatchGetItem per 100 ids); the unmarked rows
 * are written back with analyzedAt, 25 per BatchWriteItem. Item rows never change after their claim except for
 * this mark, so writing back the row read loses nothing. No condition: two writers marking one item at once both
 * leave it marked, with the later time, and a plain put costs half a transactional one.
 */
async function markItemsAnalyzed({ table, clock, unmarked }: ClaimContext, itemIds: string[]): Promise<void> {
  const unique = [...new Set(itemIds)];
  if (unique.length === 0) return;
  const remembered = new Map(unique.map((id) => [id, unmarked.take(id)] as const));
  const toRead = unique.filter((id) => remembered.get(id) === undefined);
  const known = [...remembered.values()].filter((row): row is Row => row !== undefined);
  const rows = [...known, ...(toRead.length > 0 ? await table.batchGet(toRead.map(keys.item)) : [])];
  const now = s(clock.now().toISOString());
  await table.batchPut(rows.filter((row) => !isAnalyzedRow(row)).map((row) => ({ ...row, analyzedAt: now })));
}

function claimOperations({ table, clock, expiresAt }: ClaimContext, { item, dedupKeys }: Entry): TransactWriteItem[] {
  const row = claimedItemRow(item, clock.now().toISOString(), expiresAt());
  const markers = dedupKeys.map((key) => dedupMarkerRow(key, item.id, expiresAt()));
  return [row, ...markers].map((entry) => table.ifAbsentOperation(entry));
}

/** The item row is the first operation of a claim: remembered so the mark needs no read. */
function remember({ unmarked }: ClaimContext, item: FeedItem, operations: TransactWriteItem[]): void {
  const row = operations[0]?.Put?.Item;
  if (row) unmarked.set(item.id, row);
}

async function linkDuplicate(context: ClaimContext, item: FeedItem, canonicalId: string): Promise<ClaimResult> {
  try {
    await context.table.insertRow(aliasRow(item, canonicalId, context.expiresAt()));
  } catch (error) {
    return refusedOr(error);
  }
  return { status: 'duplicate', canonicalId };
}

/**
 * Claims one item looked up as unseen. A refused condition means another writer won between our read and write;
 * a refusal for size means this item cannot be stored at all.
 */
async function claimAlone(context: ClaimContext, entry: Entry): Promise<ClaimResult> {
  try {
    const operations = claimOperations(context, entry);
    if (await context.table.transact(operations)) {
      remember(context, entry.item, operations);
      return { status: 'new' };
    }
  } catch (error) {
    return refusedOr(error);
  }
  // Whoever won owns the item, even when the winner was this same item polled elsewhere.
  const found = await context.table.batchGet([keys.item(entry.item.id), ...entry.dedupKeys.map(keys.dedup)]);
  const lookup = claimLookupOf(found);
  const own = lookup.items.get(entry.item.id);
  if (own) return { status: 'duplicate', canonicalId: own.canonicalId || entry.item.id };
  const canonicalId = entry.dedupKeys.map((key) => lookup.markers.get(key)).find((id) => id !== undefined);
  if (canonicalId) return linkDuplicate(context, entry.item, canonicalId);
  throw new Error(`claimItems(${entry.item.id}): claim refused but no claim found`);
}

async function writePlanned(context: ClaimContext, entries: Entry[], plan: PlannedClaim[], results: Results) {
  const writes: PlannedWrite[] = [];
  for (const [index, planned] of plan.entries()) {
    const entry = entries[index] as Entry;
    try {
      if (planned.kind === 'claim') writes.push({ index, operations: claimOperations(context, entry) });
      if (planned.kind === 'alias') {
        const alias = aliasRow(entry.item, planned.canonicalId, context.expiresAt());
        writes.push({ index, operations: [context.table.ifAbsentOperation(alias)], alias });
      }
    } catch (error) {
      // A row past DynamoDB's limits even without its links: this item alone is refused, before any request.
      results[index] = refusedOr(error);
    }
  }
  // The planned writes share no key, so their transactions can go out together.
  await inParallel(packTransactions(writes), (chunk) => writeChunk(context, entries, chunk, results));
}

/**
 * One transaction of whole claims. Refused, its claims are replayed one by one: after a lost condition each finds
 * who won its keys; after a refusal for size (one row of the transaction is too large, and DynamoDB does not say
 * which) only the item carrying it is refused and the others are claimed.
 */
async function writeChunk(context: ClaimContext, entries: Entry[], chunk: PlannedWrite[], results: Results) {
  const claims = chunk.filter((write) => !write.alias);
  const written = await transactOrRefused(
    context.table,
    chunk.flatMap((write) => write.operations),
  );
  if (written === true) {
    for (const write of claims) {
      results[write.index] = { status: 'new' };
      remember(context, (entries[write.index] as Entry).item, write.operations);
    }
    return;
  }
  const [single] = chunk;
  if (written !== false && chunk.length === 1 && single) {
    results[single.index] = written;
    return;
  }
  for (const write of chunk) await writeAlone(context, entries, write, results);
}

/** One write of a refused transaction on its own. */
async function writeAlone(context: ClaimContext, entries: Entry[], write: PlannedWrite, results: Results) {
  if (!write.alias) {
    results[write.index] = await claimAlone(context, entries[write.index] as Entry);
    return;
  }
  const refused = await aliasRefusal(context.table, write.alias);
  if (refused) results[write.index] = refused;
}

/** True when the transaction went in, false when a condition refused it, else the refusal for size. */
async function transactOrRefused(
  table: TableRequests,
  operations: TransactWriteItem[],
): Promise<boolean | ClaimResult> {
  try {
    return await table.transact(operations);
  } catch (error) {
    return refusedOr(error);
  }
}

/** Writes an alias row (or finds it written); null then, else the refusal of its item for size. */
async function aliasRefusal(table: TableRequests, alias: Row): Promise<ClaimResult | null> {
  try {
    await table.insertRow(alias);
    return null;
  } catch (error) {
    return refusedOr(error);
  }
}

/** Reads every row the batch's keys name, and plans from what is there. */
async function lookUpAndPlan({ table, unmarked }: ClaimContext, entries: Entry[]) {
  const wanted = new Map(
    entries.flatMap(({ item, dedupKeys }) =>
      [keys.item(item.id), ...dedupKeys.map(keys.dedup)].map((key) => [key.pk, key] as const),
    ),
  );
  const found = await table.batchGet([...wanted.values()]);
  const plan = planClaims(
    entries.map(({ item, dedupKeys }) => ({ itemId: item.id, dedupKeys })),
    claimLookupOf(found),
  );
  // An unfinished item's row is remembered, so its mark needs no read.
  const rowsByPk = new Map(found.map((row) => [row.pk?.S, row]));
  for (const [index, planned] of plan.entries()) {
    const { item } = entries[index] as Entry;
    const own = rowsByPk.get(keys.item(item.id).pk);
    if (own && planned.kind === 'known' && planned.result.status === 'unfinished') unmarked.set(item.id, own);
  }
  return plan;
}

/** The entries that lost a key to an earlier entry of the batch, once the earlier ones' claims are known. */
async function resolveLater(context: ClaimContext, entries: Entry[], plan: PlannedClaim[], results: Results) {
  for (const [index, planned] of plan.entries()) {
    if (planned.kind !== 'later') continue;
    const entry = entries[index] as Entry;
    const winnerId = (entries[planned.winner] as Entry).item.id;
    const next = resolveLaterEntry(entry.item.id, winnerId, results[planned.winner] as ClaimResult);
    if (next.kind === 'result') results[index] = next.result;
    else if (next.kind === 'alias') results[index] = await linkDuplicate(context, entry.item, next.canonicalId);
    else results[index] = await claimAlone(context, entry);
  }
}

/** An item the store refused for its size; any other failure goes on to the caller. */
function refusedOr(error: unknown): ClaimResult {
  if (error instanceof TooLargeError) return { status: 'refused', reason: error.message };
  throw error;
}

function uniqueKeysOf({ item, dedupKeys }: ClaimRequest): Entry {
  // Bounded as keys.ts bounds them, so the planner reads each marker back under the key it was written with.
  const unique = [...new Set(dedupKeys.map(boundedId))];
  // One claim must fit one transaction: the item row plus one marker per key.
  if (unique.length > LIMITS.transactionRows - 1) {
    throw new Error(`claimItems(${item.id}): ${unique.length} dedup keys, at most ${LIMITS.transactionRows - 1}`);
  }
  return { item, dedupKeys: unique };
}

/** Whole claims per transaction, as many as fit DynamoDB's 100 operations. */
function packTransactions<T extends { operations: unknown[] }>(writes: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const write of writes) {
    if (size + write.operations.length > LIMITS.transactionRows && current.length > 0) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(write);
    size += write.operations.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
