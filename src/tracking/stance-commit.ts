import type { StanceCommit, StanceHistoryRecord } from '../core/ports/stance-ledger';
import type { Alert, StanceState } from '../core/stance-state';

/**
 * The commit of one stance transition: the next state, conditioned on the version of the state it was applied to,
 * with its alerts and its history record. Only a change that raised alerts is history; one that only queued a
 * pending observation changes the state alone.
 */
export function stanceCommit(
  previous: StanceState,
  transition: { next: StanceState; alerts: Alert[] },
  causeItemId: string,
): StanceCommit {
  const { next, alerts } = transition;
  return {
    next,
    expectedVersion: previous.version,
    causeItemId,
    alerts,
    history: historyRecord(next, causeItemId, alerts),
  };
}

/**
 * The history record of a change: where the label came from and went, and the evidence of the change. A
 * label change and a conditions change raised by one item are one record; the label change's alert speaks for it.
 */
export function historyRecord(next: StanceState, causeItemId: string, alerts: Alert[]): StanceHistoryRecord | null {
  const cause = alerts.find((alert) => alert.kind === 'stance_change') ?? alerts[0];
  if (!cause) return null;
  return {
    storyId: next.storyId,
    party: next.party,
    version: next.version,
    causeItemId,
    from: cause.from,
    to: next.label,
    conditions: next.conditions,
    confidence: next.confidence,
    evidence: cause.evidence,
    alertIds: alerts.map((alert) => alert.id),
  };
}
