import type { FollowUps } from '../../core/ports/follow-ups';
import { keyOfRow, type Row, rowIdentity } from './attributes';
import { keys } from './keys';
import { inParallel, keepingUpdate, type TableRequests, versionCondition } from './requests';
import {
  FIRST_RECORD,
  FIRST_RECORD_INDEX_KEY,
  followUpFromRow,
  followUpRows,
  profileFromRow,
  profileRow,
  withRecordTime,
} from './rows/follow-up-rows';

/**
 * What a save keeps of a stored row: its record time, and the index key made of it, so the row stays listed on
 * the day it was first recorded. (A row stored with the time but before the index got its key from the save
 * after; the digest goes by the time itself, so such a row is never in two days' digests.)
 */
const KEPT = [FIRST_RECORD, FIRST_RECORD_INDEX_KEY];

/**
 * Which stored follow-up rows a keeping update may write over: none yet, or one whose record time is an attribute.
 * A row from before that attribute existed keeps its record time inside `data`, which the update would replace.
 */
const RECORD_ATTRIBUTE_OR_NEW_ROW = `attribute_not_exists(pk) OR attribute_exists(${FIRST_RECORD})`;

/**
 * Writes a follow-up row keeping the stored record time: a follow-up analysed again (a redelivered batch, a crash
 * before its analysed mark) stays news of the day it was first recorded, so it is in one daily digest, never in a
 * second one the day after. One conditional update, no read; only an older row costs a read, once.
 */
async function saveKeepingFirstRecord(table: TableRequests, row: Row): Promise<void> {
  const update = keepingUpdate(row, KEPT);
  if (await table.conditionalUpdate({ ...update, ConditionExpression: RECORD_ATTRIBUTE_OR_NEW_ROW })) return;
  const stored = await table.getRow(keyOfRow(row));
  const first = stored ? followUpFromRow(stored).recordedAt : undefined;
  await table.conditionalUpdate(keepingUpdate(first ? withRecordTime(row, first) : row, KEPT));
}

/**
 * Up to this many follow-up rows, a save updates each (one round trip, no read). Past it, one update per row costs
 * more requests than reading the stored record times in one batch and writing the rows with the article rows in
 * batches (a first cycle over a back catalogue, a large queue batch): 30 follow-ups with 60 article rows take 5
 * requests instead of 33.
 */
const KEEPING_UPDATES_AT_MOST = 4;

/**
 * The rows with the record time of their stored row, where one is stored: one consistent batch read. Unlike the
 * update, two saves of one new follow-up at the same moment may leave the later one's time (seconds apart).
 */
async function withStoredRecordTimes(table: TableRequests, rows: Row[]): Promise<Row[]> {
  const stored = await table.batchGet(rows.map(keyOfRow));
  const recorded = new Map(
    stored.flatMap((row) => {
      const at = followUpFromRow(row).recordedAt;
      return at ? [[rowIdentity(row), at] as const] : [];
    }),
  );
  return rows.map((row) => {
    const at = recorded.get(rowIdentity(row));
    return at ? withRecordTime(row, at) : row;
  });
}

/** One row per key, the last one given: what a sequence of saves of the same summary leaves. */
const lastPerKey = (rows: Row[]) => [...new Map(rows.map((row) => [rowIdentity(row), row])).values()];

export function createDynamoFollowUps(table: TableRequests): FollowUps {
  return {
    async saveFollowUps(summaries) {
      if (summaries.length === 0) return;
      const rows = summaries.map(followUpRows);
      const followUps = lastPerKey(rows.map(({ followUp }) => followUp));
      const articles = rows.flatMap(({ articles }) => articles);
      if (followUps.length > KEEPING_UPDATES_AT_MOST) {
        await table.batchPut([...(await withStoredRecordTimes(table, followUps)), ...articles]);
        return;
      }
      // The follow-up rows and their article rows are independent writes: both go out at once.
      await inParallel<() => Promise<unknown>, unknown>(
        [() => inParallel(followUps, (row) => saveKeepingFirstRecord(table, row)), () => table.batchPut(articles)],
        (write) => write(),
      );
    },
    async getStoryProfile(storyId) {
      const row = await table.getRow(keys.profile(storyId));
      return row ? profileFromRow(row) : null;
    },
    async saveStoryProfile(storyId, profile, expectedVersion) {
      const saved = await table.conditionalPut({
        Item: profileRow(storyId, profile, expectedVersion + 1),
        ...versionCondition(expectedVersion),
      });
      return saved ? 'ok' : 'conflict';
    },
  };
}
