import type { Digest, DigestFollowUp, DigestParty, DigestStory } from '../core/digest';
import type { Alert, StanceState } from '../core/stance-state';
import { type FollowUpSummary, stanceName } from '../core/story';
import { clipText } from '../core/text-limits';
import { safeLink, sanitizeText } from '../tracking/alert-messages';
import { alertText } from './alert-text';
import { type ChannelFilter, matchesFilter } from './filter';

/** What the digest of one story is made from: read by the use-case, nothing here reads a store. */
export interface DigestSource {
  story: { id: string; title: string; parties: readonly { id: string; name: string }[] };
  /** Current stance per party. */
  stances: readonly StanceState[];
  /** Alerts committed in the day (any order). */
  alerts: readonly Alert[];
  /** Follow-ups that may have been recorded in the day (any order); the builder keeps those that were. */
  followUps: readonly FollowUpSummary[];
}

/** Enough to see what happened; the report has the rest. Keeps Slack within 50 blocks for a few parties. */
export const DIGEST_FOLLOW_UPS_PER_PARTY = 3;
export const DIGEST_OTHER_FOLLOW_UPS = 3;
export const DIGEST_CHANGES_PER_PARTY = 5;
/** Quotes and titles are cut here, so no single entry can push a message past a channel's size limit. */
export const DIGEST_QUOTE_CHARS = 500;
export const DIGEST_TITLE_CHARS = 200;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function digestId(day: string): string {
  return `digest:${day}`;
}

/** The UTC day [start, end) as ISO strings; refuses anything but YYYY-MM-DD. */
export function dayWindow(day: string): { start: string; end: string } {
  const start = DAY.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
  // Date.parse rolls 2025-02-30 over into March: only a day that reads back the same is one.
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== day)
    throw new Error(`not a day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  return { start: new Date(start).toISOString(), end: new Date(start + 86_400_000).toISOString() };
}

/** The UTC day before `now`: the last whole day, which a digest sent after midnight covers. */
export function previousDay(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

const within = (value: string | null, window: { start: string; end: string }) =>
  value !== null && value >= window.start && value < window.end;

/**
 * The day a follow-up is news on: the day the pipeline recorded it, so an item published late on one day and
 * first analysed the next is in the next day's digest, not in one already sent. Rows stored before the record
 * time was kept go by their published time, as they did.
 */
export const newsTimeOf = (followUp: FollowUpSummary): string | null => followUp.recordedAt ?? followUp.published;

function followUpText(followUp: FollowUpSummary, quote: string | null): DigestFollowUp {
  return {
    title: clipText(sanitizeText(followUp.title), DIGEST_TITLE_CHARS),
    summary: clipText(sanitizeText(followUp.summary), DIGEST_QUOTE_CHARS),
    source: clipText(sanitizeText(followUp.source), DIGEST_TITLE_CHARS),
    link: safeLink(followUp.link),
    quote: quote === null ? null : clipText(sanitizeText(quote), DIGEST_QUOTE_CHARS),
  };
}

/** In the order they were published; an undated one where it was recorded. */
const byPublished = (a: FollowUpSummary, b: FollowUpSummary) =>
  (a.published ?? a.recordedAt ?? '').localeCompare(b.published ?? b.recordedAt ?? '');

function partyDigest(source: DigestSource, party: { id: string; name: string }, filter: ChannelFilter): DigestParty {
  const changes = source.alerts
    .filter((alert) => alert.party === party.id && matchesFilter(filter, alert))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((alert) => {
      const text = alertText(alert, { partyName: party.name, storyTitle: source.story.title });
      return {
        headline: clipText(text.headline, DIGEST_TITLE_CHARS),
        severity: text.severity,
        quote: clipText(text.quote, DIGEST_QUOTE_CHARS),
        source: clipText(text.source, DIGEST_TITLE_CHARS),
        link: text.link,
      };
    });
  const carrying = [...source.followUps].sort(byPublished).flatMap((followUp) => {
    const observation = followUp.stances.find((stance) => stance.party === party.id);
    return observation ? [followUpText(followUp, observation.evidence)] : [];
  });
  const stance = source.stances.find((state) => state.party === party.id);
  return {
    id: party.id,
    name: clipText(sanitizeText(party.name) || party.id, DIGEST_TITLE_CHARS),
    stance: stanceName(stance?.label),
    changes: changes.slice(0, DIGEST_CHANGES_PER_PARTY),
    moreChanges: Math.max(0, changes.length - DIGEST_CHANGES_PER_PARTY),
    followUps: carrying.slice(0, DIGEST_FOLLOW_UPS_PER_PARTY),
    moreFollowUps: Math.max(0, carrying.length - DIGEST_FOLLOW_UPS_PER_PARTY),
  };
}

function storyDigest(source: DigestSource, day: string, filter: ChannelFilter): DigestStory | null {
  const window = dayWindow(day);
  const inDay: DigestSource = {
    ...source,
    alerts: source.alerts.filter((alert) => alert.storyId === source.story.id && within(alert.createdAt, window)),
    followUps: source.followUps.filter((followUp) => within(newsTimeOf(followUp), window)),
  };
  const wanted = (id: string) => !filter.parties || filter.parties.length === 0 || filter.parties.includes(id);
  const parties = source.story.parties.filter((party) => wanted(party.id));
  const digests = parties.map((party) => partyDigest(inDay, party, filter));
  const listed = new Set(parties.map((party) => party.id));
  // Without a party filter, follow-ups that carry no stance are news too; with one, only the parties asked for.
  const others = [...inDay.followUps]
    .sort(byPublished)
    .filter((followUp) => !followUp.stances.some((stance) => listed.has(stance.party)))
    .filter((followUp) => parties.length === source.story.parties.length || followUp.parties.some(wanted))
    .map((followUp) => followUpText(followUp, null));
  const active = digests.some((party) => party.changes.length + party.followUps.length > 0) || others.length > 0;
  if (!active) return null;
  return {
    id: source.story.id,
    title: clipText(sanitizeText(source.story.title) || source.story.id, DIGEST_TITLE_CHARS),
    parties: digests,
    otherFollowUps: others.slice(0, DIGEST_OTHER_FOLLOW_UPS),
    moreOtherFollowUps: Math.max(0, others.length - DIGEST_OTHER_FOLLOW_UPS),
  };
}

/**
 * One channel's digest of one UTC day: per story with news that day, each party the channel's filter takes, with
 * its stance now, the changes committed that day (quote and link) that pass the severity filter, and the
 * follow-ups recorded that day that carried its stance. Null on a day with nothing for the channel: a quiet day sends nothing.
 */
export function buildDigest(day: string, sources: readonly DigestSource[], filter: ChannelFilter): Digest | null {
  const stories = sources.flatMap((source) => storyDigest(source, day, filter) ?? []);
  return stories.length === 0 ? null : { id: digestId(day), day, stories };
}
