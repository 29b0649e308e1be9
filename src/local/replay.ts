import { createReadStream } from 'node:fs';
import type { FeedItem } from '../core/feed';
import { cleanPlainText, stripControlCharacters } from '../core/plain-text';
import type { AlertNotifier, StoryStore } from '../core/ports';
import type { Alert } from '../core/stance-state';
import { SimulatedClock } from '../demo/simulated-clock';
import type { StoryDefinition } from '../detection/index';
import { DEFAULT_MAX_LINE_BYTES, readBoundedLines } from '../ingestion/line-reader';
import { type AnalyzeDeps, analyzeBatch, inPublishedOrder } from '../pipeline/analyze-batch';
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
  const id = text('id') ?? link;
  if (!id) throw new Error('needs an "id" or a "link"');
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
export function clockForArchive(items: FeedItem[]): SimulatedClock {
  const times = items.flatMap((item) => (item.published ? [Date.parse(item.published)] : []));
  return new SimulatedClock(new Date(times.reduce((oldest, time) => Math.min(oldest, time), times[0] ?? 0)));
}

export interface ReplayOptions {
  items: FeedItem[];
  store: StoryStore;
  stories: StoryDefinition[];
  notifier: AlertNotifier;
  /** Moved to each item's published time; give the store the same clock so its timestamps match. */
  clock: SimulatedClock;
  stanceOverrides?: AnalyzeDeps['stanceOverrides'];
  /** Called after each item, for a progress display. */
  onProgress?: (progress: ReplayProgress) => void;
  /** Checked before each item: an aborted replay stops between items, never inside one. */
  signal?: AbortSignal;
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
  };
  const summary: ReplaySummary = {
    items: ordered.length,
    duplicates: 0,
    followUps: [],
    stanceChanges: [],
    conditionChanges: [],
    alertsSent: 0,
    alertsFailed: [],
  };
  let done = 0;
  for (const item of ordered) {
    options.signal?.throwIfAborted();
    // Undated items keep the last clock value: they sort last, so time still never runs backwards.
    if (item.published) clock.advanceTo(item.published);
    const recorded = await claimItems(options.store, [item]);
    summary.duplicates += recorded.duplicates;
    for (const fresh of recorded.toAnalyze) {
      const [analysis] = (await analyzeBatch(deps, [fresh])).items;
      for (const story of analysis?.stories ?? []) {
        if (story.classification.followUp) {
          summary.followUps.push({
            itemId: fresh.id,
            title: fresh.title,
            published: fresh.published,
            score: story.classification.score,
          });
        }
        for (const alert of story.alerts) {
          (alert.kind === 'stance_change' ? summary.stanceChanges : summary.conditionChanges).push(alert);
        }
      }
      const published = await publishPendingAlerts({ store: options.store, notifier: options.notifier, clock });
      summary.alertsSent += published.sent.length;
      summary.alertsFailed.push(...published.failed);
    }
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
