import type { StanceHistoryEntry, StanceHistoryRecord } from '../../../core/ports/stance-ledger';
import type { StanceState } from '../../../core/stance-state';
import { boundedEvidence, boundedState } from '../../../core/text-limits';
import { data, keyOf, n, type Row, s, withData } from '../attributes';
import { keys } from '../keys';
import { fittedRow } from './fit-row';

/** A party's current stance: label and version outside the JSON body, so conditions can read them. */
export function stanceStateRow(state: StanceState): Row {
  return fittedRow('stance', (links) => ({
    ...keyOf(keys.stance(state.storyId, state.party)),
    party: s(state.party),
    label: s(state.label ?? 'unknown'),
    version: n(state.version),
    ...withData(boundedState(state, links)),
  }));
}

export const stanceStateFromRow = (row: Row): StanceState => data<StanceState>(row);

/** A history record, keyed by version and cause, so the replay of a commit finds its own row. */
export function historyRow(record: StanceHistoryRecord, committedAt: string): Row {
  return fittedRow('history', (links) => {
    const entry: StanceHistoryEntry = {
      ...record,
      evidence: record.evidence ? boundedEvidence(record.evidence, links) : null,
      committedAt,
    };
    return {
      ...keyOf(keys.history(record.storyId, record.party, record.version, record.causeItemId)),
      ...withData(entry),
    };
  });
}

export const historyFromRow = (row: Row): StanceHistoryEntry => data<StanceHistoryEntry>(row);
