import { describe, expect, it } from 'vitest';
import { DEFAULT_STANCE_MACHINE_CONFIG } from '../../../src/tracking/config';
import { applyToLedger, type PartyObservation, stepsAfterCommitted } from '../../../src/tracking/party-ledger';
import { baselineState } from '../../../src/tracking/stance-machine';
import { type Report, report, seedObservation, variant } from '../../support/tracking-reports';

const NOW = new Date('2025-03-18T00:00:00.000Z');
const seeded = () => baselineState('ceasefire-2025', 'russia', seedObservation, '2025-03-11');
const observed = (entry: Report): PartyObservation => ({ ...entry, at: NOW });

describe('applyToLedger', () => {
  it('chains the changes: each expects the version the one before it stored', () => {
    const ledger = applyToLedger(
      seeded(),
      [observed(report('rejectionReportA')), observed(report('rejectionReportB'))],
      DEFAULT_STANCE_MACHINE_CONFIG,
    );
    expect(ledger.changes.map((change) => change.expectedVersion)).toEqual([0, 1]);
    expect(ledger.current.label).toBe('opposes');
    expect(ledger.steps.map((step) => [step.alerts.length, step.changesAfter])).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('gives the same changes and alerts for the same base and observations', () => {
    const entries = [observed(report('rejectionReportA')), observed(report('rejectionReportB'))];
    const once = applyToLedger(seeded(), entries, DEFAULT_STANCE_MACHINE_CONFIG);
    const again = applyToLedger(seeded(), entries, DEFAULT_STANCE_MACHINE_CONFIG);
    expect(again.changes).toEqual(once.changes);
  });

  it('records an observation that changes nothing as a step without a change', () => {
    const older = variant('rejectionReportA', { itemId: 'before-the-story', published: '2025-03-01T00:00:00.000Z' });
    const ledger = applyToLedger(seeded(), [observed(older)], DEFAULT_STANCE_MACHINE_CONFIG);
    expect(ledger.changes).toEqual([]);
    expect(ledger.steps).toHaveLength(1);
    expect(ledger.steps[0]?.changesAfter).toBe(0);
  });
});

describe('stepsAfterCommitted', () => {
  const ledger = () =>
    applyToLedger(
      seeded(),
      [observed(report('rejectionReportA')), observed(report('rejectionReportB'))],
      DEFAULT_STANCE_MACHINE_CONFIG,
    );

  it('keeps the steps up to the last stored change and redoes the rest', () => {
    const { kept, redo } = stepsAfterCommitted(ledger(), 1);
    expect(kept).toHaveLength(1);
    expect(redo.map((step) => step.observation.item.itemId)).toEqual(['daily-b-0316']);
  });

  it('redoes every step when no change went in', () => {
    const { kept, redo } = stepsAfterCommitted(ledger(), 0);
    expect(kept).toEqual([]);
    expect(redo).toHaveLength(2);
  });
});
