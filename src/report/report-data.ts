import type { StanceHistoryEntry } from '../core/ports';
import type { Alert, StanceEvidence, StanceState } from '../core/stance-state';
import type { FollowUpSummary, StanceLabel } from '../core/story';

export interface ReportParty {
  id: string;
  name: string;
}

/** Everything the HTML report shows; plain data so the renderer stays pure and testable. */
export interface ReportData {
  story: { id: string; title: string; description: string; startDate: string };
  /** One lane per party, in this order. */
  parties: ReportParty[];
  /** Committed changes of every party, any order. */
  history: StanceHistoryEntry[];
  currentStances: StanceState[];
  followUps: FollowUpSummary[];
  alerts: Alert[];
  /** Right edge of the timeline: the store's "now" (the simulated clock in the demo). */
  until: string;
  generatedAt: string;
}

export interface StancePeriod {
  label: StanceLabel | null;
  start: string;
  end: string;
}

export interface ChangePoint {
  party: string;
  at: string;
  from: StanceLabel | null;
  to: StanceLabel | null;
  evidence: StanceEvidence | null;
}

export interface PartyLane {
  party: ReportParty;
  periods: StancePeriod[];
  changes: ChangePoint[];
}

/**
 * Turns the change history into contiguous periods per party. Only label changes start a new period; a change of
 * conditions alone keeps the colour and is listed with the alerts instead. The label a party starts with is the
 * `from` of its first change (the seed's baseline), or its current label when it never changed.
 */
export function buildLanes(data: ReportData): PartyLane[] {
  const storyStart = `${data.story.startDate.slice(0, 10)}T00:00:00.000Z`;
  return data.parties.map((party) => {
    const labelChanges = data.history
      .filter((entry) => entry.party === party.id && entry.from !== entry.to)
      .map((entry) => ({ entry, at: changeTime(entry) }))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.entry.version - b.entry.version);
    const current = data.currentStances.find((state) => state.party === party.id);
    const firstChange = labelChanges[0];
    let label: StanceLabel | null = firstChange ? firstChange.entry.from : (current?.label ?? null);
    let start = storyStart;
    const periods: StancePeriod[] = [];
    const changes: ChangePoint[] = [];
    for (const { entry, at } of labelChanges) {
      if (Date.parse(at) > Date.parse(start)) periods.push({ label, start, end: at });
      changes.push({ party: party.id, at, from: entry.from, to: entry.to, evidence: entry.evidence });
      label = entry.to;
      start = at;
    }
    const until = Date.parse(data.until) > Date.parse(start) ? data.until : start;
    periods.push({ label, start, end: until });
    return { party, periods, changes };
  });
}

/** When the world changed: the evidence's publication, not when our store happened to write it. */
function changeTime(entry: StanceHistoryEntry): string {
  const published = entry.evidence?.published;
  return published && Number.isFinite(Date.parse(published)) ? published : entry.committedAt;
}
