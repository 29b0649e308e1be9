import type { ClaimLookup } from '../../../core/claim-plan';
import type { FeedItem } from '../../../core/feed';
import { boundedId, clipText, keptLink, type LinkBound, TEXT_LIMITS } from '../../../core/text-limits';
import { type AttributeValue, keyOf, type Row, s, text } from '../attributes';
import { keys, sourcesPartition } from '../keys';
import { TTL_ATTRIBUTE } from '../schema';
import { fittedRow } from './fit-row';

/** The item's link, kept whole unless the row would pass its limit with it. */
const linkAttribute = (link: string | null, links: LinkBound): Row => {
  const kept = keptLink(link, links);
  return kept ? { link: s(kept) } : {};
};

/**
 * The row of a claimed item. It carries no index keys: the first copy is read by its own key, and only its aliases
 * sit in gsi1 under SOURCES#<id>, so a new item pays no index write, neither for its claim nor for its mark.
 */
export function claimedItemRow(item: FeedItem, claimedAt: string, expiresAt: AttributeValue): Row {
  return fittedRow('item', (links) => ({
    ...keyOf(keys.item(item.id)),
    itemId: s(item.id),
    canonicalId: s(item.id),
    source: s(item.source),
    title: s(clipText(item.title, TEXT_LIMITS.title)),
    ...linkAttribute(item.link, links),
    ...(item.published ? { published: s(item.published) } : {}),
    claimedAt: s(claimedAt),
    [TTL_ATTRIBUTE]: expiresAt,
  }));
}

/** The marker of one dedup key: which item holds it. */
export function dedupMarkerRow(dedupKey: string, canonicalId: string, expiresAt: AttributeValue): Row {
  return { ...keyOf(keys.dedup(dedupKey)), canonicalId: s(canonicalId), [TTL_ATTRIBUTE]: expiresAt };
}

/**
 * A duplicate from another source gets a small alias row: it links the source, and makes its next poll free. The
 * aliases of an item are listed by gsi1 under SOURCES#<canonicalId>.
 */
export function aliasRow(item: FeedItem, canonicalId: string, expiresAt: AttributeValue): Row {
  return fittedRow('alias', (links) => ({
    ...keyOf(keys.item(item.id)),
    itemId: s(item.id),
    canonicalId: s(canonicalId),
    source: s(item.source),
    ...linkAttribute(item.link, links),
    gsi1pk: s(sourcesPartition(canonicalId)),
    // An index sort key: 1,024 bytes at most, so a long feed URL and id are bounded as ids are.
    gsi1sk: s(boundedId(`${item.source}#${item.id}`)),
    [TTL_ATTRIBUTE]: expiresAt,
  }));
}

export const isAnalyzedRow = (row: Row): boolean => row.analyzedAt !== undefined;

/** Item rows and dedup markers read for a batch, as the claim planner wants them. */
export function claimLookupOf(rows: Row[]): ClaimLookup {
  const items = new Map<string, { canonicalId: string; analyzed: boolean }>();
  const markers = new Map<string, string>();
  for (const row of rows) {
    const pk = text(row, 'pk') ?? '';
    const canonicalId = text(row, 'canonicalId') ?? '';
    if (pk.startsWith('ITEM#'))
      items.set(text(row, 'itemId') ?? pk.slice(5), { canonicalId, analyzed: isAnalyzedRow(row) });
    else if (pk.startsWith('DEDUP#')) markers.set(pk.slice('DEDUP#'.length), canonicalId);
  }
  return { items, markers };
}
