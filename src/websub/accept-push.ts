/**
 * A push in AWS: the document goes through the poll's ingestion (size cap, decoding, preflight, parsing,
 * normalization, dedup claims: ingestPushedDocument), and the items never stored before go to the item queue
 * tagged with their feed, exactly as the poller hands on a poll's items. The analyzer takes it from there, so a
 * push and a later poll of the same entry store and analyze it once.
 */
import type { FeedDefinition } from '../core/feed';
import type { ItemClaims } from '../core/ports/item-claims';
import type { ItemQueue } from '../core/ports/queues';
import type { FetchOptions } from '../ingestion/options';
import { ingestPushedDocument, type PushedDocumentResult } from './ingest';

export interface AcceptPushDeps {
  store: ItemClaims;
  itemQueue: ItemQueue;
  limits: Pick<FetchOptions, 'maxBytes' | 'maxNestingDepth' | 'maxContentChars'>;
}

export async function queuePushedDocument(
  deps: AcceptPushDeps,
  feed: FeedDefinition,
  body: Uint8Array,
  contentType: string | null,
): Promise<PushedDocumentResult> {
  const ingested = await ingestPushedDocument(deps.store, feed, body, contentType, deps.limits);
  // A failed hand-off throws: the callback answers 503 and the hub delivers again; the claims it made are found
  // as claimed-but-unanalyzed then and handed on once more.
  if (ingested.toAnalyze.length > 0) await deps.itemQueue.sendItems(ingested.toAnalyze, feed.id);
  return ingested;
}
