import type { PartyArticle } from '../../../core/ports/read-model';
import type { FollowUpSummary } from '../../../core/story';
import { boundedSummary, keptLink } from '../../../core/text-limits';
import { data, keyOf, n, type Row, s, withData } from '../attributes';
import { keys } from '../keys';
import { fittedRow } from './fit-row';

/** A follow-up's row plus one row per party it carries a stance of, for the by-party article query. */
export function followUpRows(summary: FollowUpSummary): Row[] {
  const stored = boundedSummary(summary);
  const rows: Row[] = [
    fittedRow('follow-up', (links) => ({
      ...keyOf(keys.followUp(stored.storyId, stored.published, stored.itemId)),
      itemId: s(stored.itemId),
      ...withData(boundedSummary(stored, links)),
    })),
  ];
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

export const followUpFromRow = (row: Row): FollowUpSummary => data<FollowUpSummary>(row);
export const articleFromRow = (row: Row): PartyArticle => data<PartyArticle>(row);

export function profileRow(storyId: string, profile: unknown, version: number): Row {
  return fittedRow('profile', () => ({ ...keyOf(keys.profile(storyId)), version: n(version), ...withData(profile) }));
}

export function profileFromRow(row: Row): { profile: unknown; version: number } {
  return { profile: data<unknown>(row), version: Number(row.version?.N ?? 0) };
}
