import type { Alert, StanceEvidence, StanceState } from './stance-state';
import type { FollowUpSummary } from './story';

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
 * ellipsis, with no whitespace left before it. Text within the limit is returned as it is.
 */
export function clipText(value: string, limit: number, options: ClipOptions = {}): string {
  if (value.length <= limit) return value;
  const chars = [...value];
  if (chars.length <= limit) return value;
  const ellipsis = options.ellipsis ?? '…';
  let head = chars.slice(0, Math.max(0, limit - [...ellipsis].length)).join('');
  if (options.atWord) {
    const space = head.lastIndexOf(' ');
    if (space > limit * 0.6) head = head.slice(0, space);
    head = head.replace(/[\s,;:]+$/, '');
  }
  return `${head.trimEnd()}${ellipsis}`;
}

export function boundedEvidence(evidence: StanceEvidence): StanceEvidence {
  return { ...evidence, quote: clipText(evidence.quote, TEXT_LIMITS.quote) };
}

export function boundedState(state: StanceState): StanceState {
  return {
    ...state,
    evidence: state.evidence.map(boundedEvidence),
    pending: state.pending.map((entry) => ({ ...entry, quote: clipText(entry.quote, TEXT_LIMITS.quote) })),
  };
}

export function boundedAlert(alert: Alert): Alert {
  return {
    ...alert,
    evidence: boundedEvidence(alert.evidence),
    previousEvidence: alert.previousEvidence ? boundedEvidence(alert.previousEvidence) : null,
    recentStatements: alert.recentStatements.slice(0, 5).map(boundedEvidence),
  };
}

export function boundedSummary(summary: FollowUpSummary): FollowUpSummary {
  const list = (values: string[], limit: number) =>
    values.slice(0, TEXT_LIMITS.listEntries).map((value) => clipText(value, limit));
  return {
    ...summary,
    title: clipText(summary.title, TEXT_LIMITS.title),
    summary: clipText(summary.summary, TEXT_LIMITS.summary),
    quotes: list(summary.quotes, TEXT_LIMITS.quote),
    reasons: list(summary.reasons, TEXT_LIMITS.quote),
    keyTerms: summary.keyTerms.slice(0, TEXT_LIMITS.keyTerms),
    conditions: list(summary.conditions, TEXT_LIMITS.title),
    stances: summary.stances.map((stance) => ({ ...stance, evidence: clipText(stance.evidence, TEXT_LIMITS.quote) })),
  };
}
