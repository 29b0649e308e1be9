import type { StanceCommit } from '../core/ports/stance-ledger';
import type { Alert, StanceState } from '../core/stance-state';
import type { StanceObservation } from '../core/story';
import type { StanceMachineConfig } from './config';
import { stanceCommit } from './stance-commit';
import { applyObservation, type ObservedItem } from './stance-machine';

/** One stance observation of one party, with the item it came from and when the analysis saw it. */
export interface PartyObservation {
  observation: StanceObservation;
  item: ObservedItem;
  at: Date;
}

/** What one observation did to the ledger: the alerts it raised and how many changes the ledger held after it. */
export interface LedgerStep {
  observation: PartyObservation;
  alerts: Alert[];
  changesAfter: number;
}

/** One party's stance as a batch moves it: the state it started from, the changes on top, and how each came. */
export interface PartyLedger {
  readonly base: StanceState;
  /** The state after every step: what the next observation would be applied to. */
  readonly current: StanceState;
  /** Changes on top of `base`, oldest first, ready to commit as one run. */
  readonly changes: readonly StanceCommit[];
  readonly steps: readonly LedgerStep[];
}

/**
 * Applies observations of one party, in the order given (the caller orders them by published time), on top of
 * `base`. Pure: the same base and observations always give the same changes and alerts.
 */
export function applyToLedger(
  base: StanceState,
  observations: readonly PartyObservation[],
  config: StanceMachineConfig,
): PartyLedger {
  let current = base;
  const changes: StanceCommit[] = [];
  const steps: LedgerStep[] = [];
  for (const entry of observations) {
    const result = applyObservation(current, entry.observation, entry.item, config, entry.at);
    if (result.changed) {
      changes.push(stanceCommit(current, result, entry.item.itemId));
      current = result.next;
    }
    steps.push({ observation: entry, alerts: result.alerts, changesAfter: changes.length });
  }
  return { base, current, changes, steps };
}

/**
 * The observations to apply again once a commit stored only the first `committed` changes of the ledger (another
 * writer moved the state): every one after the observation that made the last stored change; all when none went in.
 */
export function stepsAfterCommitted(
  ledger: PartyLedger,
  committed: number,
): { kept: LedgerStep[]; redo: LedgerStep[] } {
  const lastIn = committed === 0 ? -1 : ledger.steps.findIndex((step) => step.changesAfter === committed);
  return { kept: ledger.steps.slice(0, lastIn + 1), redo: ledger.steps.slice(lastIn + 1) };
}
