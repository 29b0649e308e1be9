import type { FollowUps } from '../../core/ports/follow-ups';
import type { FollowUpSummary } from '../../core/story';
import { text } from './attributes';
import { keys } from './keys';
import { type TableRequests, versionCondition } from './requests';
import { followUpFromRow, followUpRows, profileFromRow, profileRow } from './rows/follow-up-rows';

const rowId = (pk: string | undefined, sk: string | undefined) => `${pk}\u0000${sk}`;
const followUpKey = (summary: FollowUpSummary) => keys.followUp(summary.storyId, summary.published, summary.itemId);

/**
 * The summaries with the record time of their stored row, where one is stored: a follow-up analysed again (a
 * redelivered batch, a crash before its analysed mark) stays news of the day it was first recorded, so it is in
 * one daily digest, never in a second one the day after. One consistent batch read per save.
 */
async function keepingFirstRecord(table: TableRequests, summaries: FollowUpSummary[]): Promise<FollowUpSummary[]> {
  // A batch read, like a batch write, refuses a key named twice; one call may carry a summary twice.
  const wanted = new Map(summaries.map(followUpKey).map((key) => [rowId(key.pk, key.sk), key]));
  const stored = await table.batchGet([...wanted.values()]);
  const recorded = new Map(
    stored.flatMap((row) => {
      const at = followUpFromRow(row).recordedAt;
      return at ? [[rowId(text(row, 'pk'), text(row, 'sk')), at] as const] : [];
    }),
  );
  return summaries.map((summary) => {
    const key = followUpKey(summary);
    const at = recorded.get(rowId(key.pk, key.sk));
    return at ? { ...summary, recordedAt: at } : summary;
  });
}

export function createDynamoFollowUps(table: TableRequests): FollowUps {
  return {
    async saveFollowUps(summaries) {
      if (summaries.length === 0) return;
      await table.batchPut((await keepingFirstRecord(table, summaries)).flatMap(followUpRows));
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
