import type { FollowUps } from '../../core/ports/follow-ups';
import { keys } from './keys';
import { type TableRequests, versionCondition } from './requests';
import { followUpRows, profileFromRow, profileRow } from './rows/follow-up-rows';

export function createDynamoFollowUps(table: TableRequests): FollowUps {
  return {
    async saveFollowUps(summaries) {
      await table.batchPut(summaries.flatMap(followUpRows));
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
