import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StanceState } from '../../../src/core/stance-state';
import type { StanceLabel } from '../../../src/core/story';
import { DEFAULT_STANCE_MACHINE_CONFIG, type StanceMachineConfig } from '../../../src/tracking/config';
import { alertId, applyObservation, baselineState, siteOf } from '../../../src/tracking/stance-machine';
import { type Report, report, seedObservation, variant } from '../../support/tracking-reports';

const NOW = new Date('2025-03-18T00:00:00.000Z');
const config: StanceMachineConfig = { ...DEFAULT_STANCE_MACHINE_CONFIG };
const seeded = () => baselineState('ceasefire-2025', 'russia', seedObservation, '2025-03-11');

/** Applied when it arrives: at NOW, or when it was published if that is later (a clock never trails the news). */
function apply(state: StanceState, entry: Report, overrides: Partial<StanceMachineConfig> = {}) {
  const arrival = new Date(Math.max(NOW.getTime(), Date.parse(entry.item.published)));
  return applyObservation(state, entry.observation, entry.item, { ...config, ...overrides }, arrival);
}

function applyAll(state: StanceState, entries: Report[]) {
  let current = state;
  const alerts = [];
  for (const entry of entries) {
    const result = apply(current, entry);
    current = result.next;
    alerts.push(...result.alerts);
  }
  return { state: current, alerts };
}

describe('baseline', () => {
  it('starts from the seed position at the story start, unstored (version 0)', () => {
    const state = seeded();
    expect(state).toMatchObject({
      label: 'conditional',
      conditions: ['monitoring'],
      since: '2025-03-11T00:00:00.000Z',
      observedUntil: '2025-03-11T00:00:00.000Z',
      version: 0,
    });
    expect(state.evidence[0]?.quote).toBe(seedObservation.evidence);
  });

  it('has no label when the seed says nothing about the party', () => {
    expect(baselineState('ceasefire-2025', 'europe', null, '2025-03-11').label).toBeNull();
  });

  it('does not alert when the first article repeats the seed position', () => {
    const result = apply(seeded(), report('repeatOfSeed'));
    expect(result.alerts).toEqual([]);
    expect(result.next.label).toBe('conditional');
    expect(result.next.evidence[0]?.itemId).toBe('wire-a-0314');
  });
});

describe('label changes', () => {
  it('waits for a second site before accepting a reported change', () => {
    const first = apply(seeded(), report('rejectionReportA'));
    expect(first.changed).toBe(true);
    expect(first.alerts).toEqual([]);
    expect(first.next.label).toBe('conditional');
    expect(first.next.pending.map((entry) => entry.itemId)).toEqual(['wire-a-0316']);

    const second = apply(first.next, report('rejectionReportB'));
    expect(second.next.label).toBe('opposes');
    expect(second.next.pending).toEqual([]);
    expect(second.alerts).toHaveLength(1);
    expect(second.alerts[0]).toMatchObject({
      kind: 'stance_change',
      severity: 'high',
      from: 'conditional',
      to: 'opposes',
      conditionsDropped: ['monitoring'],
      status: 'pending',
    });
    expect(second.alerts[0]?.evidence.itemId).toBe('daily-b-0316');
    expect(second.alerts[0]?.previousEvidence?.itemId).toBe('seed:ceasefire-2025');
    expect(second.next.evidence.map((entry) => entry.itemId).slice(0, 2)).toEqual(['daily-b-0316', 'wire-a-0316']);
  });

  it('does not count two feeds of the same outlet as independent confirmation', () => {
    const result = applyAll(seeded(), [report('rejectionReportA'), report('rejectionReportSameSite')]);
    expect(result.alerts).toEqual([]);
    expect(result.state.label).toBe('conditional');
    expect(siteOf('https://feeds.daily-b.co.uk/rss')).toBe(siteOf('https://www.daily-b.co.uk/x'));
  });

  it('does not let reports further apart than the window confirm each other', () => {
    const late = variant('rejectionReportB', { itemId: 'daily-b-late', published: '2025-03-25T14:00:00.000Z' });
    const result = applyAll(seeded(), [report('rejectionReportA'), late]);
    expect(result.alerts).toEqual([]);
    expect(result.state.pending.map((entry) => entry.itemId)).toEqual(['daily-b-late']);
  });

  it('accepts a direct statement of the party on its own', () => {
    const result = apply(seeded(), report('directRejection'));
    expect(result.next.label).toBe('opposes');
    expect(result.alerts.map((alert) => alert.kind)).toEqual(['stance_change']);
  });

  describe('a direct statement below directConfidenceThreshold', () => {
    const hedgedDirect = (itemId: string, source: string, confidence: number): Report => ({
      observation: { ...report('directRejection').observation, confidence },
      item: { ...report('directRejection').item, itemId, source },
    });

    it('waits in pending instead of changing the label by itself', () => {
      const result = apply(seeded(), hedgedDirect('hedged-1', 'https://agency-c.example/feed', 0.7));
      expect(result.next.label).toBe('conditional');
      expect(result.alerts).toEqual([]);
      expect(result.next.pending.map((entry) => entry.itemId)).toEqual(['hedged-1']);
    });

    it('changes the label once a report from another site confirms it', () => {
      const result = applyAll(seeded(), [
        hedgedDirect('hedged-1', 'https://agency-c.example/feed', 0.7),
        variant('rejectionReportB', { itemId: 'daily-b-0317', published: '2025-03-17T12:00:00.000Z' }),
      ]);
      expect(result.state.label).toBe('opposes');
      expect(result.alerts.map((alert) => [alert.from, alert.to])).toEqual([['conditional', 'opposes']]);
    });

    it('still counts only once when the same site repeats it', () => {
      const result = applyAll(seeded(), [
        hedgedDirect('hedged-1', 'https://agency-c.example/feed', 0.7),
        hedgedDirect('hedged-2', 'https://www.agency-c.example/world', 0.72),
      ]);
      expect(result.state.label).toBe('conditional');
      expect(result.alerts).toEqual([]);
    });

    it('changes the label alone at exactly the threshold, and the threshold is configurable', () => {
      const atBar = hedgedDirect('at-bar', 'https://agency-c.example/feed', config.directConfidenceThreshold);
      expect(apply(seeded(), atBar).next.label).toBe('opposes');
      const strict = apply(seeded(), report('directRejection'), { directConfidenceThreshold: 0.95 });
      expect(strict.next.label).toBe('conditional');
      expect(strict.alerts).toEqual([]);
    });

    it('does not replace the conditions the party set with its clear statements', () => {
      const weakTerms: Report = {
        observation: { ...report('directNewTerms').observation, confidence: 0.65 },
        item: report('directNewTerms').item,
      };
      const result = apply(seeded(), weakTerms);
      expect(result.alerts).toEqual([]);
      expect(result.next.conditions).toEqual(['monitoring']);
    });
  });

  it('ignores observations below the confidence threshold without touching the state', () => {
    const state = seeded();
    const result = apply(state, report('lowConfidence'));
    expect(result).toEqual({ next: state, alerts: [], changed: false });
    expect(result.next).toBe(state);
  });

  it('rates the first known position of a party without a baseline as low severity', () => {
    const europe = baselineState('ceasefire-2025', 'europe', null, '2025-03-11');
    const statement = report('directRejection');
    const result = applyObservation(europe, { ...statement.observation, party: 'europe' }, statement.item, config, NOW);
    expect(result.alerts[0]).toMatchObject({ from: null, to: 'opposes', severity: 'low' });
  });
});

describe('order and replays', () => {
  it('ignores an item older than what was already applied, beyond the tolerance', () => {
    const after = apply(seeded(), report('directRejection')).next;
    const old = variant('rejectionReportB', { itemId: 'old', published: '2025-03-16T14:00:00.000Z' });
    const result = apply(after, old);
    expect(result.next).toBe(after);
    expect(result.changed).toBe(false);
  });

  it('still accepts an item slightly older than the newest one, within the tolerance', () => {
    const after = apply(seeded(), report('repeatOfSeed')).next;
    const slightlyOlder = variant('directRejection', { itemId: 'late-feed', published: '2025-03-14T07:30:00.000Z' });
    expect(apply(after, slightlyOlder).next.label).toBe('opposes');
    expect(apply(after, slightlyOlder, { staleToleranceMinutes: 10 }).changed).toBe(false);
  });

  it('takes an item dated after the clock at the clock, so statements made after it still count', () => {
    const forged = variant('directRejection', { itemId: 'forged-2099', published: '2099-01-01T00:00:00.000Z' });
    const after = applyObservation(seeded(), forged.observation, forged.item, config, NOW).next;
    expect(after.label).toBe('opposes');
    expect(after.since).toBe(NOW.toISOString());
    expect(after.observedUntil).toBe(NOW.toISOString());
    const later = new Date(NOW.getTime() + 2 * 3_600_000);
    const statement = variant('directNewTerms', {
      itemId: 'real-after',
      published: new Date(NOW.getTime() + 3_600_000).toISOString(),
    });
    const result = applyObservation(after, statement.observation, statement.item, config, later);
    expect(result.changed).toBe(true);
    expect(Date.parse(result.next.observedUntil ?? '')).toBeLessThanOrEqual(later.getTime());
  });

  it('treats an item already applied as a no-op, whether it changed the label or is still pending', () => {
    const pending = apply(seeded(), report('rejectionReportA')).next;
    expect(apply(pending, report('rejectionReportA')).next).toBe(pending);
    const changed = apply(seeded(), report('directRejection')).next;
    const replay = apply(changed, report('directRejection'));
    expect(replay).toEqual({ next: changed, alerts: [], changed: false });
  });

  it('derives the alert id from story, party, kind, version and cause item only', () => {
    const first = apply(seeded(), report('directRejection'));
    const again = applyObservation(
      seeded(),
      report('directRejection').observation,
      report('directRejection').item,
      config,
      new Date('2030-01-01T00:00:00.000Z'),
    );
    expect(again.alerts[0]?.id).toBe(first.alerts[0]?.id);
    expect(first.alerts[0]?.id).toBe(alertId('ceasefire-2025', 'russia', 'stance_change', 1, 'agency-c-0317'));
    expect(first.alerts[0]?.id).toMatch(/^[0-9a-f]{20}$/);
  });
});

describe('cool-down', () => {
  const backToConditional = (itemId: string, source: string, hoursAfter: number, direct: boolean): Report => ({
    observation: { ...report('directNewTerms').observation, direct, conditions: ['monitoring'] },
    item: {
      itemId,
      source,
      link: null,
      published: new Date(Date.parse('2025-03-17T09:00:00.000Z') + hoursAfter * 3_600_000).toISOString(),
    },
  });

  it('needs more than a direct statement to flip back within the cool-down', () => {
    const opposed = apply(seeded(), report('directRejection')).next;
    const result = apply(opposed, backToConditional('back-1', 'https://agency-c.example/feed', 5, true));
    expect(result.next.label).toBe('opposes');
    expect(result.alerts).toEqual([]);
  });

  it('flips back within the cool-down once three sites report it', () => {
    const opposed = apply(seeded(), report('directRejection')).next;
    const result = applyAll(opposed, [
      backToConditional('back-1', 'https://one.example/rss', 5, false),
      backToConditional('back-2', 'https://two.example/rss', 6, false),
      backToConditional('back-3', 'https://three.example/rss', 7, false),
    ]);
    expect(result.alerts.map((alert) => [alert.from, alert.to])).toEqual([['opposes', 'conditional']]);
  });

  it('accepts a direct statement flipping back once the cool-down is over', () => {
    const opposed = apply(seeded(), report('directRejection')).next;
    const result = apply(opposed, backToConditional('back-1', 'https://agency-c.example/feed', 60, true));
    expect(result.next.label).toBe('conditional');
  });
});

describe('conditions', () => {
  it('raises a low-severity alert when the party itself lists different terms under the same label', () => {
    const result = apply(seeded(), report('directNewTerms'));
    expect(result.next.label).toBe('conditional');
    expect(result.alerts).toHaveLength(1);
    expect(result.alerts[0]).toMatchObject({
      kind: 'conditions_change',
      severity: 'low',
      from: 'conditional',
      to: 'conditional',
      conditionsAdded: ['no_mobilization'],
      conditionsDropped: [],
      conditions: ['monitoring', 'no_mobilization'],
    });
  });

  it('adds a condition reported by others only once two sites name it, and never drops one on their word', () => {
    const reported = (itemId: string, source: string, conditions: string[]): Report => ({
      observation: { ...report('repeatOfSeed').observation, conditions },
      item: { ...report('repeatOfSeed').item, itemId, source },
    });
    const first = apply(seeded(), reported('r1', 'https://one.example/rss', ['no_rearmament']));
    expect(first.alerts).toEqual([]);
    const second = apply(first.next, reported('r2', 'https://two.example/rss', ['no_rearmament']));
    expect(second.alerts.map((alert) => alert.conditionsAdded)).toEqual([['no_rearmament']]);
    expect(second.next.conditions).toEqual(['monitoring', 'no_rearmament']);
    const silent = apply(second.next, reported('r3', 'https://three.example/rss', []));
    expect(silent.alerts).toEqual([]);
    expect(silent.next.conditions).toEqual(['monitoring', 'no_rearmament']);
  });
});

describe('invariants', () => {
  const labels: StanceLabel[] = ['supports', 'conditional', 'opposes'];
  const reportArbitrary = fc.record({
    label: fc.constantFrom(...labels),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    direct: fc.boolean(),
    site: fc.constantFrom('a', 'b', 'c', 'd'),
    hour: fc.integer({ min: 0, max: 24 * 20 }),
    conditions: fc.subarray(['monitoring', 'no_mobilization', 'no_rearmament']),
  });

  it('never alerts twice when every item is delivered again, and bumps the version once per stored change', () => {
    fc.assert(
      fc.property(fc.array(reportArbitrary, { maxLength: 25 }), (drafts) => {
        const entries: Report[] = drafts.map((draft, index) => ({
          observation: {
            party: 'russia',
            label: draft.label,
            confidence: draft.confidence,
            evidence: `statement ${index}`,
            conditions: draft.conditions,
            direct: draft.direct,
          },
          item: {
            itemId: `item-${index}`,
            source: `https://${draft.site}.example/rss`,
            link: null,
            published: new Date(Date.parse('2025-03-12T00:00:00.000Z') + draft.hour * 3_600_000).toISOString(),
          },
        }));
        let state = seeded();
        const alertIds = new Set<string>();
        for (const entry of [...entries, ...entries]) {
          const result = apply(state, entry);
          expect(result.next.version).toBe(state.version + (result.changed ? 1 : 0));
          for (const alert of result.alerts) {
            expect(alertIds.has(alert.id)).toBe(false);
            alertIds.add(alert.id);
          }
          state = result.next;
        }
        const replayed = entries.map((entry) => apply(state, entry));
        expect(replayed.every((result) => result.next === state && result.alerts.length === 0)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
