import type { PartyArticle } from '../../../core/ports/read-model';
import type { FollowUpSummary } from '../../../core/story';
import { boundedId, boundedSummary, keptLink } from '../../../core/text-limits';
import { data, keyOf, n, type Row, s, text, withData } from '../attributes';
import { keys, recordedPartition } from '../keys';
import { fittedRow } from './fit-row';

/** The attribute of a follow-up row that keeps the first value written, whatever later saves carry. */
export const FIRST_RECORD = 'recordedAt';
/** The gsi1 sort key of a follow-up row holds its record time, so it is kept from the first save like that one. */
export const FIRST_RECORD_INDEX_KEY = 'gsi1sk';

/**
 * Where the follow-up is listed by its record time: the table key orders by published time, which says nothing of
 * the day an item was first seen (a back catalogue, an undated item), and that day is what the digest reads.
 */
function recordedIndexKeys(storyId: string, itemId: string, recordedAt: string | undefined): Row {
  if (!recordedAt) return {};
  return {
    gsi1pk: s(recordedPartition(storyId)),
    [FIRST_RECORD_INDEX_KEY]: s(`${recordedAt}#${boundedId(itemId)}`),
  };
}

/**
 * A follow-up's row, and one row per party it carries a stance of, for the by-party article query. The record
 * time is an attribute of its own, outside `data`, so a save can keep the stored one without reading it.
 */
export function followUpRows(summary: FollowUpSummary): { followUp: Row; articles: Row[] } {
  const { recordedAt, ...stored } = boundedSummary(summary);
  const followUp = fittedRow('follow-up', (links) => ({
    ...keyOf(keys.followUp(stored.storyId, stored.published, stored.itemId)),
    itemId: s(stored.itemId),
    ...(recordedAt ? { [FIRST_RECORD]: s(recordedAt) } : {}),
    ...recordedIndexKeys(stored.storyId, stored.itemId, recordedAt),
    ...withData(boundedSummary(stored, links)),
  }));
  return { followUp, articles: articleRows(stored) };
}

function articleRows(stored: FollowUpSummary): Row[] {
  const rows: Row[] = [];
  const seenParties = new Set<string>();
  for (const stance of stored.stances) {
    if (seenParties.has(stance.party)) continue;
    seenParties.add(stance.party);
    const article: PartyArticle = {
      storyId: stored.storyId,
      party: stance.party,
      itemId: stored.itemId,
      title: stored.title,
      link: stored.link,
      source: stored.source,
      published: stored.published,
      label: stance.label,
      confidence: stance.confidence,
      direct: stance.direct,
      quote: stance.evidence,
      conditions: stance.conditions,
    };
    rows.push(
      fittedRow('article', (links) => ({
        ...keyOf(keys.article(stored.storyId, stance.party, stored.published, stored.itemId)),
        ...withData({ ...article, link: keptLink(article.link, links) }),
      })),
    );
  }
  return rows;
}

/** The row with this record time instead of its own, in the attribute and the index key (an older row's time). */
export function withRecordTime(row: Row, recordedAt: string): Row {
  const listed = row[FIRST_RECORD_INDEX_KEY] !== undefined;
  const indexKey = `${recordedAt}#${boundedId(text(row, 'itemId') ?? '')}`;
  return { ...row, [FIRST_RECORD]: s(recordedAt), ...(listed ? { [FIRST_RECORD_INDEX_KEY]: s(indexKey) } : {}) };
}

/** Rows written before the record time had its attribute keep it inside `data`; the attribute wins where set. */
export function followUpFromRow(row: Row): FollowUpSummary {
  const summary = data<FollowUpSummary>(row);
  const recordedAt = text(row, FIRST_RECORD);
  return recordedAt ? { ...summary, recordedAt } : summary;
}
export const articleFromRow = (row: Row): PartyArticle => data<PartyArticle>(row);

export function profileRow(storyId: string, profile: unknown, version: number): Row {
  return fittedRow('profile', () => ({ ...keyOf(keys.profile(storyId)), version: n(version), ...withData(profile) }));
}

export function profileFromRow(row: Row): { profile: unknown; version: number } {
  return { profile: data<unknown>(row), version: Number(row.version?.N ?? 0) };
}
