/**
 * What `npm run eval -- --reader ...` adds to the detector's figures: predictions through any Reader, the gate's
 * recall and pass share, and the end-to-end alert check (replay the file through the pipeline and judge each
 * stance-change alert by the labels of the item it cites).
 */
import type { Reader, Reading } from '../../src/core/ports/reader';
import type { Alert } from '../../src/core/stance-state';
import { baselineStances, type StoryDefinition } from '../../src/detection/index';
import { openInMemoryStore } from '../../src/local/memory-store';
import { clockForArchive, replayItems } from '../../src/local/replay';
import { createRulesReader, RULES_READER_ID, readByRules } from '../../src/reader/rules';
import { type LabeledItem, type Prediction, toFeedItem } from './evaluation';

/** Items per `read` call: several model requests' worth, like an analysis batch. */
const READ_CHUNK = 64;
const DAY_MS = 86_400_000;

export async function readAll(items: LabeledItem[], reader: Reader, story: StoryDefinition): Promise<Reading[]> {
  const readings: Reading[] = [];
  for (let start = 0; start < items.length; start += READ_CHUNK) {
    readings.push(...(await reader.read(items.slice(start, start + READ_CHUNK).map(toFeedItem), story)));
  }
  return readings;
}

export function predictionsOf(readings: Reading[]): Map<string, Prediction> {
  return new Map(
    readings.map((reading) => [
      reading.itemId,
      {
        followUp: reading.followUp,
        score: reading.score,
        stances: Object.fromEntries(reading.stances.map((stance) => [stance.party, stance.label])),
      },
    ]),
  );
}

/** An item the gate must pass: a decided follow-up or one carrying a stance label. */
function mustPass(item: LabeledItem): boolean {
  return !item.borderline && (item.followUp || Object.keys(item.stances).length > 0);
}

export interface GateFigures {
  items: number;
  passed: number;
  relevant: number;
  relevantPassed: number;
}

export function gateFigures(items: LabeledItem[], story: StoryDefinition, threshold: number): GateFigures {
  const figures: GateFigures = { items: items.length, passed: 0, relevant: 0, relevantPassed: 0 };
  for (const item of items) {
    const passes = readByRules(toFeedItem(item), story).score >= threshold;
    if (passes) figures.passed++;
    if (mustPass(item)) {
      figures.relevant++;
      if (passes) figures.relevantPassed++;
    }
  }
  return figures;
}

export function formatGateTable(groups: [string, LabeledItem[]][], story: StoryDefinition, threshold: number): string {
  const lines = [
    `== gate at ${threshold}: recall over decided follow-ups and stance-labelled items, share of items passed`,
    `${'slice'.padEnd(10)}${'items'.padStart(6)}${'recall'.padStart(16)}${'pass share'.padStart(12)}`,
  ];
  for (const [name, group] of groups) {
    const figures = gateFigures(group, story, threshold);
    const recall = figures.relevant === 0 ? '-' : (figures.relevantPassed / figures.relevant).toFixed(3);
    lines.push(
      `${name.padEnd(10)}${String(figures.items).padStart(6)}${`${recall} (${figures.relevantPassed}/${figures.relevant})`.padStart(16)}${(figures.passed / Math.max(1, figures.items)).toFixed(3).padStart(12)}`,
    );
  }
  return lines.join('\n');
}

export interface AlertCheck {
  alerts: number;
  /** Alerts whose cited item is labelled with the label (for that party) the alert claims. */
  supported: number;
  unsupported: string[];
  /** Changes of a party's labelled stance over the file, and those a stance_change alert caught within a week. */
  goldShifts: number;
  caughtShifts: number;
}

/**
 * Replays the file through the real pipeline (`replayItems`: dedup, story profile, stance machine, confirmations,
 * alerts committed to a store) on a throwaway in-memory store, and returns the stance-change alerts it fired.
 * A model's readings from the first pass are served again rather than asked for twice; every other item is read
 * by the rules with the profile the replay has learned so far, as the analyzer does.
 */
export async function replayAlerts(
  readings: Reading[],
  items: LabeledItem[],
  story: StoryDefinition,
): Promise<Alert[]> {
  const feedItems = items.map(toFeedItem);
  const clock = clockForArchive(feedItems);
  const opened = await openInMemoryStore({ clock });
  try {
    const summary = await replayItems({
      items: feedItems,
      store: opened.store,
      clock,
      stories: [story],
      notifier: { publish: async () => {} },
      reader: rememberedReader(readings),
    });
    return summary.stanceChanges;
  } finally {
    await opened.close();
  }
}

function rememberedReader(readings: Reading[]): Reader {
  const model = readings.find((reading) => reading.reader !== RULES_READER_ID);
  const known = new Map(
    readings.filter((reading) => reading.reader !== RULES_READER_ID).map((reading) => [reading.itemId, reading]),
  );
  const rules = createRulesReader();
  if (!model) return rules;
  return {
    id: model.reader,
    promptVersion: model.promptVersion,
    promptVersionFor: () => model.promptVersion,
    read: async (batch, readStory, profile) =>
      batch.map((item) => known.get(item.id) ?? readByRules(item, readStory, profile)),
  };
}

function goldShifts(items: LabeledItem[], story: StoryDefinition): { party: string; label: string; at: number }[] {
  const seeds = baselineStances(story);
  const current = new Map(seeds.map((seed) => [seed.party, seed.label as string]));
  const shifts: { party: string; label: string; at: number }[] = [];
  const ordered = [...items]
    .filter((item) => item.published)
    .sort((a, b) => (a.published ?? '').localeCompare(b.published ?? ''));
  for (const item of ordered) {
    for (const [party, label] of Object.entries(item.stances)) {
      if (current.get(party) === label) continue;
      current.set(party, label);
      shifts.push({ party, label, at: Date.parse(item.published ?? '') });
    }
  }
  return shifts;
}

export async function checkAlerts(
  readings: Reading[],
  items: LabeledItem[],
  story: StoryDefinition,
): Promise<AlertCheck> {
  const byId = new Map(items.map((item) => [item.id, item]));
  const alerts = await replayAlerts(readings, items, story);
  const unsupported: string[] = [];
  let supported = 0;
  for (const alert of alerts) {
    const cited = byId.get(alert.evidence.itemId);
    if (cited && alert.to !== null && cited.stances[alert.party] === alert.to) supported++;
    else
      unsupported.push(`  ${alert.kind} ${alert.party} → ${alert.to ?? '?'}: ${cited?.title ?? alert.evidence.itemId}`);
  }
  const shifts = goldShifts(items, story);
  const caught = shifts.filter((shift) =>
    alerts.some((alert) => {
      const at = Date.parse(alert.evidence.published ?? '');
      return (
        alert.kind === 'stance_change' &&
        alert.party === shift.party &&
        alert.to === shift.label &&
        at >= shift.at - DAY_MS &&
        at <= shift.at + 7 * DAY_MS
      );
    }),
  );
  return { alerts: alerts.length, supported, unsupported, goldShifts: shifts.length, caughtShifts: caught.length };
}

export function formatAlertCheck(check: AlertCheck, verbose: boolean): string {
  const share = check.alerts === 0 ? '-' : (check.supported / check.alerts).toFixed(3);
  const lines = [
    '== end-to-end alerts (each judged by the labels of the item it cites)',
    `alerts ${check.alerts}, supported by their cited item ${check.supported} (${share}); labelled shifts ${check.goldShifts}, alerted within a week ${check.caughtShifts}`,
  ];
  if (verbose && check.unsupported.length > 0) lines.push('unsupported:', ...check.unsupported);
  return lines.join('\n');
}
