import type { StaleSite, StaleSites } from '../../core/ports/site';
import { keyOf, s, text } from './attributes';
import { STALE_SITES_PARTITION, staleSiteKey } from './keys';
import type { TableRequests } from './requests';

/**
 * Stale sites as rows of one small partition (a row per story at most, so a deploy's few stories). Clearing
 * deletes a row only while it holds the note that was listed, so a failure noted during a sweep's publish
 * survives that sweep and is retried by the next one.
 */
export function createDynamoStaleSites(table: TableRequests): StaleSites {
  return {
    async mark(storyIds, at) {
      if (storyIds.length === 0) return;
      await table.batchPut(
        storyIds.map((storyId) => ({ ...keyOf(staleSiteKey(storyId)), storyId: s(storyId), markedAt: s(at) })),
      );
    },
    async list() {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': s(STALE_SITES_PARTITION) },
        ConsistentRead: true,
      });
      return rows.flatMap((row): StaleSite[] => {
        const storyId = text(row, 'storyId');
        const markedAt = text(row, 'markedAt');
        return storyId && markedAt ? [{ storyId, markedAt }] : [];
      });
    },
    async clear(entries) {
      await Promise.all(
        entries.map((entry) =>
          // A refused condition (marked again since) is the case this guards against, not an error.
          table.transact([
            {
              Delete: {
                TableName: table.tableName,
                Key: keyOf(staleSiteKey(entry.storyId)),
                ConditionExpression: 'markedAt = :seen',
                ExpressionAttributeValues: { ':seen': s(entry.markedAt) },
              },
            },
          ]),
        ),
      );
    },
  };
}
