import type { StoryStore } from '../core/ports';
import type { ReportData, ReportParty } from './report-data';

export interface ReportStory {
  id: string;
  title: string;
  description: string;
  startDate: string;
  parties: ReportParty[];
}

/** The read side of the store the report needs; any StoryStore provides it. */
export type ReportSource = Pick<StoryStore, 'getStanceStates' | 'getStanceHistory' | 'listFollowUps' | 'listAlerts'>;

/** Large enough for a season of a busy story while keeping the single HTML file a comfortable size. */
const DEFAULT_MAX_FOLLOW_UPS = 500;
const DEFAULT_MAX_ALERTS = 500;

/** Reads what the report shows for one story. `until` is the store's "now" (the simulated clock in the demo). */
export async function collectReportData(
  store: ReportSource,
  story: ReportStory,
  options: { until: Date; generatedAt?: Date; maxFollowUps?: number; maxAlerts?: number },
): Promise<ReportData> {
  const [currentStances, followUps, alerts, histories] = await Promise.all([
    store.getStanceStates(story.id),
    store.listFollowUps(story.id, { limit: options.maxFollowUps ?? DEFAULT_MAX_FOLLOW_UPS }),
    store.listAlerts({ limit: options.maxAlerts ?? DEFAULT_MAX_ALERTS }),
    Promise.all(story.parties.map((party) => store.getStanceHistory(story.id, party.id))),
  ]);
  return {
    story: { id: story.id, title: story.title, description: story.description, startDate: story.startDate },
    parties: story.parties.map((party) => ({ id: party.id, name: party.name })),
    history: histories.flat(),
    currentStances,
    followUps,
    alerts: alerts.filter((alert) => alert.storyId === story.id),
    until: options.until.toISOString(),
    generatedAt: (options.generatedAt ?? options.until).toISOString(),
  };
}
