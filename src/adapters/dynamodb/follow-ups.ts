import type { FollowUps } from '../../core/ports/follow-ups';
import { type Row, text } from './attributes';
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
  const stored = await table.getRow({ pk: text(row, 'pk') ?? '', sk: text(row, 'sk') ?? '' });
  const first = stored ? followUpFromRow(stored).recordedAt : undefined;
  await table.conditionalUpdate(keepingUpdate(first ? withRecordTime(row, first) : row, KEPT));
}

/** One row per key, the last one given: what a sequence of saves of the same summary leaves. */
const lastPerKey = (rows: Row[]) => [
  ...new Map(rows.map((row) => [`${text(row, 'pk')}\u0000${text(row, 'sk')}`, row])).values(),
];

export function createDynamoFollowUps(table: TableRequests): FollowUps {
  return {
    async saveFollowUps(summaries) {
      if (summaries.length === 0) return;
      const rows = summaries.map(followUpRows);
      // The follow-up rows and their article rows are independent writes: both go out at once.
      await inParallel<() => Promise<unknown>, unknown>(
        [
          () =>
            inParallel(lastPerKey(rows.map(({ followUp }) => followUp)), (row) => saveKeepingFirstRecord(table, row)),
          () => table.batchPut(rows.flatMap(({ articles }) => articles)),
        ],
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
