import type { FeedStates } from '../../core/ports/feed-states';
import { s } from './attributes';
import { keys, PARTITIONS } from './keys';
import { indexPartition, type TableRequests } from './requests';
import { feedStateFromRow, feedStateRow } from './rows/feed-rows';
import { GSI1 } from './schema';

export function createDynamoFeedStates(table: TableRequests): FeedStates {
  return {
    async getFeedState(feedId) {
      const row = await table.getRow(keys.feed(feedId));
      return row ? feedStateFromRow(row) : null;
    },
    async getFeedStates(feedIds) {
      return (await table.batchGet([...new Set(feedIds)].map(keys.feed))).map(feedStateFromRow);
    },
    async listFeedStates() {
      const rows = await table.queryAll(indexPartition(GSI1, PARTITIONS.feeds));
      return rows.map(feedStateFromRow);
    },
    async putFeedStates(states) {
      await table.batchPut(states.map(feedStateRow));
    },
    replaceFeedState(expected, next) {
      // The state is one JSON attribute, so "unchanged" is that text being the one the expected state reads as.
      return table.conditionalPut({
        Item: feedStateRow(next),
        ...(expected === null
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#data = :expected',
              ExpressionAttributeNames: { '#data': 'data' },
              ExpressionAttributeValues: { ':expected': s(JSON.stringify(expected)) },
            }),
      });
    },
  };
}
