import type { ReadModel } from '../../core/ports/read-model';
import { s } from './attributes';
import { PARTITIONS, partyPartition, recordedPartition, storyPartition } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { alertFromRow } from './rows/alert-rows';
import { articleFromRow, followUpFromRow } from './rows/follow-up-rows';
import { GSI1 } from './schema';

export function createDynamoReadModel(table: TableRequests): ReadModel {
  return {
    async listFollowUps(storyId, query = {}) {
      const rows = await table.queryAll(
        {
          KeyConditionExpression: 'pk = :story AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':story': s(storyPartition(storyId)),
            ':from': s(`FOLLOWUP#${query.since ?? ''}`),
            ':to': s('FOLLOWUP#\uffff'),
          },
          ScanIndexForward: false,
        },
        query.limit,
      );
      return rows.map(followUpFromRow);
    },
    async listFollowUpsRecorded(storyId, window) {
      // gsi1sk is `<recordedAt>#<itemId>`: `<from>` sorts before every row recorded at `from`, and `<to>` before
      // every row recorded at `to`, so BETWEEN keeps [from, to).
      const rows = await table.queryAll({
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :partition AND gsi1sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':partition': s(recordedPartition(storyId)),
          ':from': s(window.from),
          ':to': s(window.to),
        },
      });
      return rows.map(followUpFromRow);
    },
    async listAlerts(query = {}) {
      const rows = await table.queryAll(indexPartition(GSI1, PARTITIONS.alerts, { newestFirst: true }), query.limit);
      return rows.map(alertFromRow);
    },
    async listArticlesByParty(storyId, party, query = {}) {
      const rows = await table.queryAll({
        KeyConditionExpression: 'pk = :party AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':party': s(partyPartition(storyId, party)),
          ':from': s(`ARTICLE#${query.since ?? ''}`),
          ':to': s('ARTICLE#\uffff'),
        },
        ScanIndexForward: false,
      });
      return rows.map(articleFromRow);
    },
  };
}
