import type { FeedState } from '../../../core/feed';
import { data, keyOf, type Row, s, withData } from '../attributes';
import { keys, PARTITIONS } from '../keys';

/** A feed state is one row, listed under FEEDS in gsi1. */
export function feedStateRow(state: FeedState): Row {
  return {
    ...keyOf(keys.feed(state.feedId)),
    gsi1pk: s(PARTITIONS.feeds),
    gsi1sk: s(state.feedId),
    ...withData(state),
  };
}

export const feedStateFromRow = (row: Row): FeedState => data<FeedState>(row);
