import { describe, expect, it } from 'vitest';
import { DEFAULT_STANCE_MACHINE_CONFIG } from '../../../src/tracking/config';
import { stanceCommit } from '../../../src/tracking/stance-commit';
import { applyObservation, baselineState } from '../../../src/tracking/stance-machine';
import { type Report, report, seedObservation } from '../../support/tracking-reports';

const NOW = new Date('2025-03-18T00:00:00.000Z');
const seeded = () => baselineState('ceasefire-2025', 'russia', seedObservation, '2025-03-11');
const apply = (state: ReturnType<typeof seeded>, entry: Report) =>
  applyObservation(state, entry.observation, entry.item, DEFAULT_STANCE_MACHINE_CONFIG, NOW);

describe('stanceCommit', () => {
  it('expects the version the change was applied to, and records a label change as history', () => {
    const before = seeded();
    const entry = report('directRejection');
    const commit = stanceCommit(before, apply(before, entry), entry.item.itemId);
    expect(commit.expectedVersion).toBe(before.version);
    expect(commit.alerts).toHaveLength(1);
    expect(commit.history).toMatchObject({
      party: 'russia',
      version: commit.next.version,
      causeItemId: entry.item.itemId,
      from: 'conditional',
      to: 'opposes',
      alertIds: commit.alerts.map((alert) => alert.id),
    });
    expect(commit.history?.evidence?.itemId).toBe(entry.item.itemId);
  });

  it('gives a change that only queued a pending report no history record', () => {
    const before = seeded();
    const entry = report('rejectionReportA');
    const commit = stanceCommit(before, apply(before, entry), entry.item.itemId);
    expect(commit.next.pending).toHaveLength(1);
    expect(commit.alerts).toEqual([]);
    expect(commit.history).toBeNull();
  });
});
