import { createHash } from 'node:crypto';
import type {
  Alert,
  AlertKind,
  AlertSeverity,
  PendingObservation,
  StanceEvidence,
  StanceState,
} from '../core/stance-state';
import type { StanceLabel, StanceObservation } from '../core/story';
import type { StanceMachineConfig } from './config';

/** The item an observation came from. */
export interface ObservedItem {
  itemId: string;
  /** Feed URL (or any URL of the outlet): its site decides whether two reports are independent. */
  source: string;
  link: string | null;
  /** ISO time; the caller substitutes the time it first saw the item when the feed gave none. */
  published: string;
}

export interface StanceTransition {
  /** The state to store; the very same object as the input when nothing needs storing. */
  next: StanceState;
  alerts: Alert[];
  /** True when `next` differs from the input and must be committed (with its alerts, if any). */
  changed: boolean;
}

const HOUR_MS = 3_600_000;
const SEED_SOURCE = 'seed';

/**
 * The position a story starts from. The seed article's known stance is the baseline, so the first follow-up that
 * repeats it is not news. Version 0 means "not stored yet": the first commit creates the row.
 */
export function baselineState(
  storyId: string,
  party: string,
  observation: StanceObservation | null,
  storyStart: string,
): StanceState {
  const start = toIso(storyStart);
  return {
    storyId,
    party,
    label: observation?.label ?? null,
    confidence: observation?.confidence ?? 0,
    since: start,
    conditions: observation ? [...new Set(observation.conditions)] : [],
    evidence: observation
      ? [{ itemId: `seed:${storyId}`, quote: observation.evidence, source: SEED_SOURCE, link: null, published: start }]
      : [],
    pending: [],
    observedUntil: start,
    lastChangeAt: null,
    previousLabel: null,
    version: 0,
  };
}

/**
 * Applies one observation of one party. Rules, in order:
 * - an item already applied (in evidence or pending) is a no-op, so replays and redeliveries change nothing;
 * - an item older than observedUntil minus the tolerance, or below the confidence threshold, is ignored;
 * - a new label needs confirmation: one direct statement of the party at or above `directConfidenceThreshold`, or
 *   `confirmations` distinct sites within the window (a less certain direct statement is one of those sites); flipping back to the previous label within the cool-down needs `coolDownConfirmations` sites,
 *   and a direct statement alone is not enough there (a party walking a statement back is common, and noisy);
 * - with the label unchanged, conditions the party adds (confirmed the same way) or drops (only in its own
 *   clear direct statement that lists its conditions) raise a low-severity conditions_change alert;
 * - an unconfirmed observation waits in `pending`; a repeat of the current position is kept as evidence.
 */
export function applyObservation(
  state: StanceState,
  observation: StanceObservation,
  item: ObservedItem,
  config: StanceMachineConfig,
  now: Date,
): StanceTransition {
  if (observation.party !== state.party) {
    throw new Error(`observation for ${observation.party} applied to the stance of ${state.party}`);
  }
  const unchanged: StanceTransition = { next: state, alerts: [], changed: false };
  const alreadyApplied =
    state.evidence.some((entry) => entry.itemId === item.itemId) ||
    state.pending.some((entry) => entry.itemId === item.itemId);
  if (alreadyApplied) return unchanged;
  // Never later than the clock: a forged or fast-running date must not set observedUntil past every real statement.
  const publishedMs = Math.min(parseTime(item.published) ?? now.getTime(), now.getTime());
  const published = new Date(publishedMs).toISOString();
  const observedUntilMs = parseTime(state.observedUntil) ?? 0;
  if (publishedMs < observedUntilMs - config.staleToleranceMinutes * 60_000) return unchanged;
  if (observation.confidence < config.confidenceThreshold) return unchanged;

  const current: PendingObservation = {
    label: observation.label,
    itemId: item.itemId,
    source: item.source,
    published,
    direct: observation.direct,
    confidence: observation.confidence,
    quote: observation.evidence,
    link: item.link,
    conditions: [...new Set(observation.conditions)],
  };
  const reference = Math.max(publishedMs, observedUntilMs);
  const livePending = state.pending.filter(
    (entry) => (parseTime(entry.published) ?? 0) >= reference - config.confirmationWindowHours * HOUR_MS,
  );
  const base: StanceState = {
    ...state,
    pending: livePending,
    observedUntil: new Date(reference).toISOString(),
    version: state.version + 1,
  };
  const context = { state, base, current, config, now };
  return observation.label === state.label ? sameLabel(context) : newLabel(context);
}

interface TransitionContext {
  state: StanceState;
  base: StanceState;
  current: PendingObservation;
  config: StanceMachineConfig;
  now: Date;
}

function newLabel({ state, base, current, config, now }: TransitionContext): StanceTransition {
  const supporters = [...base.pending.filter((entry) => entry.label === current.label), current];
  const sites = distinctSites(supporters);
  const changedAtMs = parseTime(state.lastChangeAt);
  const flippingBack =
    state.previousLabel === current.label &&
    changedAtMs !== undefined &&
    (parseTime(current.published) ?? 0) - changedAtMs < config.coolDownHours * HOUR_MS;
  const authoritative = (entry: PendingObservation) => isAuthoritative(entry, config);
  const confirmed = flippingBack
    ? sites >= config.coolDownConfirmations
    : supporters.some(authoritative) || sites >= config.confirmations;
  if (!confirmed) {
    return { next: withPending(base, current, config), alerts: [], changed: true };
  }
  const direct = [...supporters].reverse().find(authoritative);
  const conditions = direct ? (direct.conditions ?? []) : union(supporters.map((entry) => entry.conditions ?? []));
  const supporterEvidence = [current, ...supporters.filter((entry) => entry !== current)].map(toEvidence);
  const next: StanceState = {
    ...base,
    label: current.label,
    confidence: round(supporters.reduce((sum, entry) => sum + entry.confidence, 0) / supporters.length),
    since: current.published,
    conditions,
    evidence: mergeEvidence(supporterEvidence, state.evidence, config.maxEvidence),
    pending: base.pending.filter((entry) => entry.label !== current.label),
    lastChangeAt: current.published,
    previousLabel: state.label,
  };
  const alert = buildAlert(state, next, 'stance_change', labelChangeSeverity(state.label, current.label), now);
  return { next, alerts: [alert], changed: true };
}

function sameLabel({ state, base, current, config, now }: TransitionContext): StanceTransition {
  const named = current.conditions ?? [];
  let conditions = state.conditions;
  if (isAuthoritative(current, config) && named.length > 0) {
    // The party listing its own terms is authoritative, including for terms it no longer names.
    conditions = [...named];
  } else {
    const sameLabelReports = [...base.pending.filter((entry) => entry.label === current.label), current];
    const confirmedNew = named.filter(
      (condition) =>
        !state.conditions.includes(condition) &&
        distinctSites(sameLabelReports.filter((entry) => (entry.conditions ?? []).includes(condition))) >=
          config.confirmations,
    );
    conditions = [...state.conditions, ...confirmedNew];
  }
  const added = conditions.filter((condition) => !state.conditions.includes(condition));
  const dropped = state.conditions.filter((condition) => !conditions.includes(condition));
  const waitingConditions = named.some((condition) => !conditions.includes(condition));
  const evidence = mergeEvidence([toEvidence(current)], state.evidence, config.maxEvidence);
  if (added.length === 0 && dropped.length === 0) {
    const next = waitingConditions
      ? withPending({ ...base, evidence }, current, config)
      : { ...base, evidence, confidence: Math.max(state.confidence, current.confidence) };
    return { next, alerts: [], changed: true };
  }
  const next: StanceState = {
    ...base,
    conditions,
    evidence,
    confidence: Math.max(state.confidence, current.confidence),
    pending: base.pending.filter(
      (entry) => entry.label !== current.label || (entry.conditions ?? []).some((c) => !conditions.includes(c)),
    ),
  };
  return { next, alerts: [buildAlert(state, next, 'conditions_change', 'low', now)], changed: true };
}

/**
 * Every label change is 'high', supports↔conditional included: moving between "yes" and "yes, if" is exactly
 * what negotiators watch. The first known position of a party without a baseline is 'low': it is new
 * information, not a change of mind.
 */
function labelChangeSeverity(from: StanceLabel | null, _to: StanceLabel): AlertSeverity {
  return from === null ? 'low' : 'high';
}

function buildAlert(state: StanceState, next: StanceState, kind: AlertKind, severity: AlertSeverity, now: Date): Alert {
  const [cause] = next.evidence;
  if (!cause) throw new Error('a stance transition always carries its evidence');
  const previousEvidence = state.evidence[0] ?? null;
  return {
    id: alertId(next.storyId, next.party, kind, next.version, cause.itemId),
    storyId: next.storyId,
    party: next.party,
    kind,
    severity,
    from: state.label,
    to: next.label,
    conditionsAdded: next.conditions.filter((condition) => !state.conditions.includes(condition)),
    conditionsDropped: state.conditions.filter((condition) => !next.conditions.includes(condition)),
    evidence: cause,
    previousEvidence,
    conditions: next.conditions,
    recentStatements: next.evidence
      .filter((entry) => entry.itemId !== cause.itemId && entry.itemId !== previousEvidence?.itemId)
      .slice(0, 3),
    createdAt: now.toISOString(),
    status: 'pending',
    sentAt: null,
  };
}

/** Same inputs, same id: a replayed commit can only ever produce the alert rows it produced before. */
export function alertId(storyId: string, party: string, kind: AlertKind, version: number, causeItemId: string) {
  return createHash('sha1').update(`${storyId}|${party}|${kind}|${version}|${causeItemId}`).digest('hex').slice(0, 20);
}

/** The party's own clear statement: enough on its own to set its label or its list of conditions. */
function isAuthoritative(entry: PendingObservation, config: StanceMachineConfig): boolean {
  return entry.direct && entry.confidence >= config.directConfidenceThreshold;
}

function withPending(state: StanceState, entry: PendingObservation, config: StanceMachineConfig): StanceState {
  return { ...state, pending: [...state.pending, entry].slice(-config.maxPending) };
}

function toEvidence(entry: PendingObservation): StanceEvidence {
  return {
    itemId: entry.itemId,
    quote: entry.quote,
    source: entry.source,
    link: entry.link,
    published: entry.published,
  };
}

function mergeEvidence(fresh: StanceEvidence[], older: StanceEvidence[], limit: number): StanceEvidence[] {
  const seen = new Set(fresh.map((entry) => entry.itemId));
  return [...fresh, ...older.filter((entry) => !seen.has(entry.itemId))].slice(0, limit);
}

function union(lists: string[][]): string[] {
  return [...new Set(lists.flat())];
}

/**
 * Reports count as independent when they come from different sites. Subdomains of one outlet (feeds.example.co.uk
 * and www.example.co.uk) are the same site.
 */
export function siteOf(source: string): string {
  let host: string;
  try {
    host = new URL(source).hostname.toLowerCase();
  } catch {
    return source.toLowerCase();
  }
  const labels = host.split('.');
  const secondLevel = labels.at(-2) ?? '';
  const countryCode = (labels.at(-1) ?? '').length === 2;
  const keep = countryCode && ['co', 'com', 'org', 'net', 'gov', 'ac', 'edu'].includes(secondLevel) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

function distinctSites(entries: PendingObservation[]): number {
  return new Set(entries.map((entry) => siteOf(entry.source))).size;
}

function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function toIso(value: string): string {
  const ms = parseTime(value);
  if (ms === undefined) throw new Error(`story start "${value}" is not a date`);
  return new Date(ms).toISOString();
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
