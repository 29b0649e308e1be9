import type { FeedItem } from '../feed';

/** One item and the dedup keys (id, canonical link, normalized title...) it claims. */
export interface ClaimRequest {
  item: FeedItem;
  dedupKeys: string[];
}

/**
 * What a claim found:
 * - 'new': no key was seen before; the item is stored, its analysis not yet done.
 * - 'unfinished': this same item (same id) was claimed before but never marked analysed (a crash or a lost queue
 *   message between claim and analysis): analyse it again, nothing is lost.
 * - 'duplicate': the item needs no analysis: another item (canonicalId) holds one of its keys (the same wire story
 *   in another feed), or this item was analysed already (canonicalId is its own id).
 * - 'refused': the store refused this item's rows for their size, which no retry changes; the item is not stored
 *   and the caller reports it (`reason`). The other items of the call are claimed as usual.
 */
export type ClaimResult =
  | { status: 'new' }
  | { status: 'unfinished' }
  | { status: 'duplicate'; canonicalId: string }
  | { status: 'refused'; reason: string };

/** The claim of every item the pipeline sees, so each article is analysed once however often it is polled. */
export interface ItemClaims {
  /**
   * Claims many items at once, results in the order of `requests`. Within one call, requests sharing a key (id or
   * dedup key): the first wins, later ones are duplicates of it. Exactly one of several writers claiming the same
   * key at once gets 'new'. An item the store refuses for its size is 'refused' alone; it never fails the call.
   */
  claimItems(requests: ClaimRequest[]): Promise<ClaimResult[]>;
  /**
   * Marks the analysis of these items complete, so a later claim of them is a plain duplicate (no write). An item
   * found marked is left alone, one never claimed is ignored, and two marking at once both leave it marked.
   */
  markItemsAnalyzed(itemIds: string[]): Promise<void>;
}
