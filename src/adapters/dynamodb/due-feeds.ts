import { createHash } from 'node:crypto';
import type { DueEntry, DueFeeds, DueRead } from '../../core/ports/due-feeds';
import { keyOf, type Row, type RowKey, s, text } from './attributes';
import { DUE_SHARDS, dueKeys, dueShard } from './keys';
import type { TableRequests } from './requests';

/**
 * The due-time index: one row per feed in a sharded `DUE#<n>` partition whose sort
 * key is `<due time>#<feed id>`, so "who is due" is a key range; and a pointer row `FEED#<id>/DUE` naming the
 * feed's current due row. Every move changes pointer, old row and new row in one transaction conditioned on the
 * pointer, so a crash leaves either the old place or the new one, and of two ticks that read the same row one wins.
 */
export function createDynamoDueFeeds(table: TableRequests): DueFeeds {
  const move = (feedId: string, from: string | null, dueAt: string) =>
    table.transact(moveOperations(table, feedId, from, dueAt));

  async function pointerOf(feedId: string): Promise<string | null> {
    return text(await table.getRow(dueKeys.pointer(feedId)), 'dueSk') ?? null;
  }

  return {
    registerFeeds: (feedIds, dueAt) => registerFeeds(table, feedIds, dueAt),
    readDue: (now, limit) => readDue(table, now, limit),
    async claimDue(entry, dueAt) {
      if (dueAt <= entry.dueAt) throw new RangeError(`claimDue: ${dueAt} is not after ${entry.dueAt}`);
      const from = dueKeys.entry(entry.feedId, entry.dueAt).sk;
      if (await move(entry.feedId, from, dueAt)) return true;
      // Lost: another tick or the poller moved the feed; a row its pointer no longer names is garbage.
      if ((await pointerOf(entry.feedId)) !== from)
        await table.transact([deleteOperation(table, dueKeys.entry(entry.feedId, entry.dueAt))]);
      return false;
    },
    async setDue(feedId, dueAt) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const from = await pointerOf(feedId);
        if (from === dueKeys.entry(feedId, dueAt).sk || (await move(feedId, from, dueAt))) return;
      }
      throw new Error(`setDue: the due time of feed ${feedId} kept changing under us`);
    },
    async advanceDue(feedId, dueAt) {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const from = await pointerOf(feedId);
        if (from === null || dueAtOf(from, feedId) <= dueAt) return false;
        if (await move(feedId, from, dueAt)) return true;
      }
      throw new Error(`advanceDue: the due time of feed ${feedId} kept changing under us`);
    },
    async dropFeed(entry) {
      const from = dueKeys.entry(entry.feedId, entry.dueAt).sk;
      const row = deleteOperation(table, dueKeys.entry(entry.feedId, entry.dueAt));
      const pointer = deleteOperation(table, dueKeys.pointer(entry.feedId));
      const conditioned = {
        Delete: {
          ...pointer.Delete,
          ConditionExpression: 'dueSk = :from',
          ExpressionAttributeValues: { ':from': s(from) },
        },
      };
      // The pointer goes only while it still names this row; a stale row goes in any case.
      if (!(await table.transact([conditioned, row]))) await table.transact([row]);
    },
  };
}

/** Adds the feeds not registered yet, each due at `dueAt`; the registry's fingerprint spares the reads when unchanged. */
async function registerFeeds(table: TableRequests, feedIds: string[], dueAt: string): Promise<number> {
  const ids = [...new Set(feedIds)].sort();
  const fingerprint = createHash('sha256').update(ids.join('\n')).digest('base64url');
  // One read answers "nothing new" while the registry stays the same; only a changed registry reads pointers.
  if (text(await table.getRow(dueKeys.registry()), 'fingerprint') === fingerprint) return 0;
  const known = new Set((await table.batchGet(ids.map(dueKeys.pointer))).map((row) => text(row, 'feedId')));
  const fresh = ids.filter((id) => !known.has(id));
  // A feed is written pointer and row together; two registrations racing leave at most a stale row, which the
  // first tick that reads it drops (claimDue).
  await table.batchPut(fresh.flatMap((feedId) => [pointerRow(feedId, dueAt), dueRow(feedId, dueAt)]));
  await table.batchPut([{ ...keyOf(dueKeys.registry()), fingerprint: s(fingerprint) }]);
  return fresh.length;
}

/** The `limit` earliest entries due at `now` across every shard, with the read units the queries cost. */
async function readDue(table: TableRequests, now: string, limit: number): Promise<DueRead> {
  // Every entry due at `now` sorts before `<now>$` ('$' follows the '#' after the time).
  const pages = await Promise.all(
    Array.from({ length: DUE_SHARDS }, (_, shard) =>
      table.queryCounted(
        {
          KeyConditionExpression: 'pk = :shard AND sk < :after',
          ExpressionAttributeValues: { ':shard': s(dueShard(shard)), ':after': s(`${now}$`) },
        },
        limit,
      ),
    ),
  );
  const entries = pages
    .flatMap((page) => page.rows.map(entryOf))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.feedId.localeCompare(b.feedId))
    .slice(0, limit);
  return { entries, readUnits: pages.reduce((sum, page) => sum + page.readUnits, 0) };
}

/** The due time a pointer's sort key names: `<due time>#<feed id>`. */
const dueAtOf = (sk: string, feedId: string) => sk.slice(0, sk.length - feedId.length - 1);

const entryOf = (row: Row): DueEntry => ({ feedId: text(row, 'feedId') ?? '', dueAt: text(row, 'dueAt') ?? '' });

function pointerRow(feedId: string, dueAt: string): Row {
  return { ...keyOf(dueKeys.pointer(feedId)), feedId: s(feedId), dueSk: s(dueKeys.entry(feedId, dueAt).sk) };
}

function dueRow(feedId: string, dueAt: string): Row {
  return { ...keyOf(dueKeys.entry(feedId, dueAt)), feedId: s(feedId), dueAt: s(dueAt) };
}

const deleteOperation = (table: TableRequests, key: RowKey) => ({
  Delete: { TableName: table.tableName, Key: keyOf(key) },
});

/** Pointer to the new row (only if it still names `from`, or names nothing when `from` is null), old row out, new in. */
function moveOperations(table: TableRequests, feedId: string, from: string | null, dueAt: string) {
  const pointer = {
    Put: {
      TableName: table.tableName,
      Item: pointerRow(feedId, dueAt),
      ...(from === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : { ConditionExpression: 'dueSk = :from', ExpressionAttributeValues: { ':from': s(from) } }),
    },
  };
  const put = { Put: { TableName: table.tableName, Item: dueRow(feedId, dueAt) } };
  if (from === null) return [pointer, put];
  const old = { pk: dueKeys.entry(feedId, '').pk, sk: from };
  return [pointer, deleteOperation(table, old), put];
}
