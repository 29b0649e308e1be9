import { createHash } from 'node:crypto';
import type { Alert, StanceEvidence, StanceState } from './stance-state';
import type { Classification, FollowUpSummary } from './story';

/**
 * How long stored text may be: keeps every stored row far below DynamoDB's 400 KB item limit. Long feed text is
 * cut; the link keeps the full article.
 */
export const TEXT_LIMITS = { title: 500, summary: 2000, quote: 500, listEntries: 20, keyTerms: 40 } as const;

export interface ClipOptions {
  /** What marks the cut; '…' unless the output must stay ASCII. */
  ellipsis?: string;
  /** Cut at the last space when one is in the last 40 %, and drop trailing separators: for prose people read. */
  atWord?: boolean;
}

/**
 * The one way text is shortened: at most `limit` characters (code points, so no pair is split) including the
 * ellipsis, with no whitespace left before it. Text within the limit is returned as it is. Only the head is
 * walked, so cutting a long document costs what the limit does, not what the document does.
 */
export function clipText(value: string, limit: number, options: ClipOptions = {}): string {
  if (value.length <= limit || codePointEnd(value, limit) === value.length) return value;
  const ellipsis = options.ellipsis ?? '…';
  let head = value.slice(0, codePointEnd(value, Math.max(0, limit - codePointCount(ellipsis))));
  if (options.atWord) {
    const space = head.lastIndexOf(' ');
    if (space > limit * 0.6) head = head.slice(0, space);
    head = head.replace(/[\s,;:]+$/, '');
  }
  return `${head.trimEnd()}${ellipsis}`;
}

/** The UTF-16 index after the first `count` code points of `value`, or its length when it has fewer. */
function codePointEnd(value: string, count: number): number {
  let index = 0;
  for (let seen = 0; seen < count && index < value.length; seen += 1) {
    index += (value.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
  }
  return Math.min(index, value.length);
}

const codePointCount = (value: string): number => [...value].length;

/**
 * What DynamoDB and SNS accept, counted in UTF-8 bytes as they count them, and the bounds storywatch keeps within
 * them. Every key, row and message is built within these (docs/reliability.md, "Sizes").
 */
export const BYTE_LIMITS = {
  partitionKey: 2_048,
  sortKey: 1_024,
  /** A row: attribute names and values together. */
  row: 400 * 1024,
  /**
   * Ids (of items, dedup keys) longer than this are replaced by a readable head and a hash of the whole, so a key
   * built of an id, a prefix and a time stays within a sort key, with room left for a feed URL.
   */
  id: 512,
  /** How much of an over-long id is kept readable in front of its hash. */
  idHead: 120,
  /**
   * A row holding several links (a stance's evidence, an alert's statements) that would pass the row limit keeps
   * the links up to this size; the longer ones are dropped, not cut: a cut link leads nowhere.
   */
  nestedLink: 2_048,
} as const;

export const utf8Bytes = (value: string): number => Buffer.byteLength(value, 'utf8');

/** The longest head of `value` of at most `maxBytes` UTF-8 bytes, cut between code points. */
export function clipBytes(value: string, maxBytes: number): string {
  if (utf8Bytes(value) <= maxBytes) return value;
  let bytes = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Bytes(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/**
 * An id within BYTE_LIMITS.id: itself when it fits, else its head and the SHA-256 of the whole. Deterministic, so
 * every entrance and every key maps one long id to the same bounded one, and idempotent: a bounded id is kept.
 */
export function boundedId(id: string): string {
  if (utf8Bytes(id) <= BYTE_LIMITS.id) return id;
  const digest = createHash('sha256').update(id).digest('hex');
  return `${clipBytes(id, BYTE_LIMITS.idHead)}~sha256:${digest}`;
}

/** How much of the links a stored value keeps: every link, or those up to a byte size (the others dropped). */
export type LinkBound = number | 'all';

export const keptLink = (link: string | null, bound: LinkBound): string | null =>
  link === null || bound === 'all' || utf8Bytes(link) <= bound ? link : null;

export function boundedEvidence(evidence: StanceEvidence, links: LinkBound = 'all'): StanceEvidence {
  return { ...evidence, quote: clipText(evidence.quote, TEXT_LIMITS.quote), link: keptLink(evidence.link, links) };
}

export function boundedState(state: StanceState, links: LinkBound = 'all'): StanceState {
  return {
    ...state,
    evidence: state.evidence.map((entry) => boundedEvidence(entry, links)),
    pending: state.pending.map((entry) => ({
      ...entry,
      quote: clipText(entry.quote, TEXT_LIMITS.quote),
      link: keptLink(entry.link, links),
    })),
  };
}

export function boundedAlert(alert: Alert, links: LinkBound = 'all'): Alert {
  return {
    ...alert,
    evidence: boundedEvidence(alert.evidence, links),
    previousEvidence: alert.previousEvidence ? boundedEvidence(alert.previousEvidence, links) : null,
    recentStatements: alert.recentStatements.slice(0, 5).map((entry) => boundedEvidence(entry, links)),
  };
}

export function boundedSummary(summary: FollowUpSummary, links: LinkBound = 'all'): FollowUpSummary {
  const list = (values: string[], limit: number) =>
    values.slice(0, TEXT_LIMITS.listEntries).map((value) => clipText(value, limit));
  return {
    ...summary,
    link: keptLink(summary.link, links),
    title: clipText(summary.title, TEXT_LIMITS.title),
    summary: clipText(summary.summary, TEXT_LIMITS.summary),
    quotes: list(summary.quotes, TEXT_LIMITS.quote),
    reasons: list(summary.reasons, TEXT_LIMITS.quote),
    keyTerms: summary.keyTerms.slice(0, TEXT_LIMITS.keyTerms),
    conditions: list(summary.conditions, TEXT_LIMITS.title),
    stances: summary.stances.map((stance) => ({ ...stance, evidence: clipText(stance.evidence, TEXT_LIMITS.quote) })),
  };
}

/** A reading as stored: its summary and every quote and reason bounded like the follow-up rows they feed. */
export function boundedClassification<T extends Classification>(reading: T, links: LinkBound = 'all'): T {
  return {
    ...reading,
    reasons: reading.reasons.slice(0, TEXT_LIMITS.listEntries).map((reason) => clipText(reason, TEXT_LIMITS.quote)),
    stances: reading.stances
      .slice(0, TEXT_LIMITS.listEntries)
      .map((stance) => ({ ...stance, evidence: clipText(stance.evidence, TEXT_LIMITS.quote) })),
    ...(reading.summary ? { summary: boundedSummary(reading.summary, links) } : {}),
  };
}

/**
 * A value no retry can store or send: a row past DynamoDB's 400 KB even without its links, a key past its limit.
 * The pipeline fails the one item (or alert) carrying it and goes on with the others.
 */
export class TooLargeError extends Error {
  override name = 'TooLargeError';
}
