import { createReadStream } from 'node:fs';
import type { FeedItem } from '../core/feed';
import { cleanPlainText, stripControlCharacters } from '../core/plain-text';
import type { AlertNotifier, StoryStore } from '../core/ports';
import { boundPublishedTime } from '../core/published-time';
import type { Alert } from '../core/stance-state';
import { boundedId } from '../core/text-limits';
import { SimulatedClock } from '../demo/simulated-clock';
import type { StoryDefinition } from '../detection/index';
import { DEFAULT_MAX_LINE_BYTES, readBoundedLines } from '../ingestion/line-reader';
import { type AnalysisOutcome, type AnalyzeDeps, analyzeBatch, inPublishedOrder } from '../pipeline/analyze-batch';
import { isPermanentFailure } from '../pipeline/analyze-isolated';
import { claimItems } from '../pipeline/poll-feeds';
import { publishPendingAlerts } from '../pipeline/publish-alerts';

export interface ArchiveReadResult {
  items: FeedItem[];
  /** 1-based line numbers with the reason each line was skipped. */
  rejected: { line: number; reason: string }[];
}

/**
 * Reads archived items, one JSON object per line (the eval files' format: id, source, link, published, title,
 * description; other fields such as labels are ignored). A bad line is reported and skipped, never fatal.
 */
export async function readArchive(file: string): Promise<ArchiveReadResult> {
  const items: FeedItem[] = [];
  const rejected: ArchiveReadResult['rejected'] = [];
  for await (const line of readBoundedLines(createReadStream(file), DEFAULT_MAX_LINE_BYTES)) {
    if (line.text === null) {
      rejected.push({
        line: line.lineNumber,
        reason: `${line.bytes} bytes, over the ${DEFAULT_MAX_LINE_BYTES}-byte limit`,
      });
      continue;
    }
    if (line.text.trim() === '') continue;
    try {
      items.push(archivedItem(JSON.parse(line.text)));
    } catch (error) {
      rejected.push({ line: line.lineNumber, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { items, rejected };
}

function archivedItem(json: unknown): FeedItem {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('not a JSON object');
  const record = json as Record<string, unknown>;
  // Archived text is cleaned as feed text is: no control or formatting characters get into the store.
  const text = (field: string): string | null => {
    const value = record[field];
    if (typeof value !== 'string') return null;
    const cleaned = field === 'id' || field === 'link' ? stripControlCharacters(value).trim() : cleanPlainText(value);
    return cleaned === '' ? null : cleaned;
  };
  const title = text('title');
  const link = text('link');
  const declaredId = text('id') ?? link;
  if (!declaredId) throw new Error('needs an "id" or a "link"');
  // Bounded as feed ids are: it goes into keys, and a long one must not stop the replay.
  const id = boundedId(declaredId);
  if (!title) throw new Error('needs a "title"');
  const publishedRaw = text('published');
  const publishedTime = publishedRaw ? Date.parse(publishedRaw) : Number.NaN;
  return {
    id,
    title,
    description: text('description') ?? '',
    link: link && /^https?:\/\//i.test(link) ? link : null,
    published: Number.isFinite(publishedTime) ? new Date(publishedTime).toISOString() : null,
    source: text('source') ?? 'archive',
    language: text('language'),
  };
}

/** A clock set to the oldest dated item, from which a replay moves forward. */
export function clockForArchive(items: FeedItem[], runsAt: Date = new Date()): SimulatedClock {
  const times = items.flatMap((item) => (item.published ? [Date.parse(item.published)] : []));
  // Never later than the replay runs: an archive of future-dated items alone starts at that time.
  const oldest = times.reduce((earliest, time) => Math.min(earliest, time), runsAt.getTime());
  return new SimulatedClock(new Date(times.length === 0 ? 0 : oldest));
}

export interface ReplayOptions {
  items: FeedItem[];
  store: StoryStore;
  stories: StoryDefinition[];
  notifier: AlertNotifier;
  /** Moved to each item's published time; give the store the same clock so its timestamps match. */
  clock: SimulatedClock;
  stanceOverrides?: AnalyzeDeps['stanceOverrides'];
  /** Who reads the items; the rules when absent. */
  reader?: AnalyzeDeps['reader'];
  /** Called after each item, for a progress display. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Checked before each item: an aborted replay stops between items, never inside one. */
  signal?: AbortSignal;
  /** When the replay runs (default: now). No archived item can be dated later; see replayTimeOf. */
  runsAt?: Date;
}

export interface ReplayProgress {
  done: number;
  total: number;
  at: string | null;
  followUps: number;
  stanceChanges: number;
}

export interface ReplaySummary {
  items: number;
  duplicates: number;
  followUps: { itemId: string; title: string; published: string | null; score: number }[];
  stanceChanges: Alert[];
  conditionChanges: Alert[];
  alertsSent: number;
  alertsFailed: { alertId: string; message: string }[];
  /** Refused for good by the notifier: kept in the store as parked, with the reason. */
  alertsParked: { alertId: string; reason: string }[];
  /** Items dated later than the replay runs: taken at the replay clock's time instead (their date kept as a flag). */
  futureDated: number;
  /** Items the store could not hold (refused for their size): counted with the reason, and the replay goes on. */
  itemsFailed: { itemId: string; message: string }[];
}

/**
 * The item as the replay takes it, and whether it moves the clock. An archive cannot hold news from after the
 * replay runs: an item dated later than that (beyond the tolerance) is taken at the replay clock's current time,
 * which never moves to it, so one item dated 2099 neither sets a stance "since 2099" nor drags the clock along.
 */
function replayTimeOf(item: FeedItem, clock: SimulatedClock, runsAt: Date): { item: FeedItem; future: boolean } {
  const bounded = boundPublishedTime(item, runsAt);
  if (bounded.declaredPublished === undefined) return { item: bounded, future: false };
  return { item: { ...bounded, published: clock.now().toISOString() }, future: true };
}

/**
 * One archived item: claimed, analyzed, its alerts sent. An item the store refuses for its size is counted in the
 * summary and the replay goes on; a failure a retry may fix (the store is down) stops the replay.
 */
async function replayOne(deps: AnalyzeDeps, options: ReplayOptions, item: FeedItem, summary: ReplaySummary) {
  const recorded = await claimItems(options.store, [item]);
  summary.duplicates += recorded.duplicates;
  for (const failure of recorded.refused) summary.itemsFailed.push({ itemId: item.id, message: failure.message });
  if (recorded.toAnalyze.length === 0) return;
  let outcome: AnalysisOutcome;
  try {
    outcome = await analyzeBatch(deps, recorded.toAnalyze);
  } catch (error) {
    if (!isPermanentFailure(error)) throw error;
    summary.itemsFailed.push({ itemId: item.id, message: (error as Error).message });
    return;
  }
  for (const story of outcome.items[0]?.stories ?? []) {
    if (story.classification.followUp) {
      summary.followUps.push({
        itemId: item.id,
        title: item.title,
        published: item.published,
        score: story.classification.score,
      });
    }
    for (const alert of story.alerts) {
      (alert.kind === 'stance_change' ? summary.stanceChanges : summary.conditionChanges).push(alert);
    }
  }
  const published = await publishPendingAlerts({ store: options.store, notifier: options.notifier, clock: deps.clock });
  summary.alertsSent += published.sent.length;
  summary.alertsFailed.push(...published.failed);
  summary.alertsParked.push(...published.parked);
}

/**
 * Backtests archived items through the production use-cases, oldest first, with the clock set to each item's
 * published time, so cool-downs and confirmation windows behave as they would have live.
 */
export async function replayItems(options: ReplayOptions): Promise<ReplaySummary> {
  const ordered = inPublishedOrder(options.items);
  const clock = options.clock;
  const deps: AnalyzeDeps = {
    store: options.store,
    stories: options.stories,
    clock,
    ...(options.stanceOverrides ? { stanceOverrides: options.stanceOverrides } : {}),
    ...(options.reader ? { reader: options.reader } : {}),
  };
  const summary: ReplaySummary = {
    items: ordered.length,
    duplicates: 0,
    followUps: [],
    stanceChanges: [],
    conditionChanges: [],
    alertsSent: 0,
    alertsFailed: [],
    alertsParked: [],
    futureDated: 0,
    itemsFailed: [],
  };
  const runsAt = options.runsAt ?? new Date();
  let done = 0;
  for (const archived of ordered) {
    options.signal?.throwIfAborted();
    const { item, future } = replayTimeOf(archived, clock, runsAt);
    if (future) summary.futureDated += 1;
    // Undated items keep the last clock value: they sort last, so time still never runs backwards.
    else if (item.published) clock.advanceTo(item.published);
    await replayOne(deps, options, item, summary);
    done += 1;
    options.onProgress?.({
      done,
      total: ordered.length,
      at: item.published,
      followUps: summary.followUps.length,
      stanceChanges: summary.stanceChanges.length,
    });
  }
  return summary;
}
