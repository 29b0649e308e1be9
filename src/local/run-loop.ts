import type { FeedDefinition, FeedState } from '../core/feed';
import { type CycleDeps, CycleFailedError, type CycleReport, runCycle, summarizeCycle } from '../pipeline/run-cycle';
import { itemsFailedPart, shownId } from './format';

export interface PollingLoopOptions {
  deps: CycleDeps;
  feeds: FeedDefinition[];
  concurrency: number;
  /** One cycle over every feed, due or not, then return. */
  once: boolean;
  /** Aborting lets the running cycle finish, then the loop returns instead of sleeping again. */
  signal: AbortSignal;
  out: NodeJS.WritableStream;
  /** Bounds on the pause between cycles; the pause itself follows the feeds' own schedules. */
  minPauseMs?: number;
  maxPauseMs?: number;
  /** Waits `ms` or until the signal aborts. Injected so tests need not wait for real schedules. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface PollingLoopResult {
  cycles: number;
  reports: CycleReport[];
  stoppedBySignal: boolean;
}

const DEFAULT_MIN_PAUSE_MS = 1_000;
const DEFAULT_MAX_PAUSE_MS = 15 * 60_000;

/**
 * Live polling for `storywatch run`: the same cycle the Lambdas run (poll due feeds, analyze, send the outbox),
 * then a pause until the earliest feed is due again. Stopping is cooperative so a cycle is never cut in half.
 */
export async function runPollingLoop(options: PollingLoopOptions): Promise<PollingLoopResult> {
  const wait = options.wait ?? abortableDelay;
  const result: PollingLoopResult = { cycles: 0, reports: [], stoppedBySignal: false };
  while (!options.signal.aborted) {
    const report = await runReportedCycle(options, result.cycles + 1);
    result.cycles += 1;
    result.reports.push(report);
    options.out.write(formatCycleLine(result.cycles, options.deps.clock.now(), report));
    if (options.once) return result;
    if (options.signal.aborted) break;
    const states = await feedStatesOf(options);
    const polled = new Set(report.feeds.map((feed) => feed.feedId));
    options.out.write(formatSkippedFeeds(options.feeds, polled, states, options.deps.clock.now()));
    const pause = pauseUntilNextDue(options, states);
    options.out.write(`  next check in ${formatDuration(pause)}\n`);
    await wait(pause, options.signal);
  }
  result.stoppedBySignal = true;
  return result;
}

/**
 * One cycle. A cycle a failure stopped (the store is down) still prints what it did and which items wait for the
 * next cycle, then fails the loop with that failure's own error.
 */
async function runReportedCycle(options: PollingLoopOptions, cycle: number): Promise<CycleReport> {
  try {
    return await runCycle(options.deps, options.feeds, { concurrency: options.concurrency, onlyDue: !options.once });
  } catch (error) {
    if (!(error instanceof CycleFailedError)) throw error;
    const { report, savedFeeds } = error;
    options.out.write(formatCycleLine(cycle, options.deps.clock.now(), report));
    options.out.write(
      `  ✗ cycle ${cycle} stopped: ${error.message}; the state of ${savedFeeds} of ${report.feeds.length} feed(s) saved, ` +
        'the others are fetched again next time\n',
    );
    throw error;
  }
}

/** One compact line per cycle, then one line per failing feed and per item that could not be stored, with reasons. */
export function formatCycleLine(cycle: number, at: Date, report: CycleReport): string {
  const failedItems = report.feeds.flatMap((feed) => feed.failedItems.map((failure) => ({ feed, failure })));
  const itemsFailed = itemsFailedPart(failedItems.map(({ failure }) => failure)).replace(/^, /, ' · ');
  const counts = cycleCounts(summarizeCycle(report)).join(' · ');
  const lines = [`${at.toISOString().slice(0, 19)}Z cycle ${cycle}: ${counts}${itemsFailed}`];
  for (const { feed, failure } of failedItems) {
    const fate = failure.permanent ? 'left behind' : 'tried again next cycle';
    lines.push(`  ✗ item ${shownId(failure.item.id)} of ${feed.feedId} not stored (${fate}): ${failure.message}`);
  }
  for (const { alertId, reason } of report.published.parked) {
    lines.push(`  ✗ alert ${alertId} parked (refused for good, kept in the store, not retried): ${reason}`);
  }
  lines.push(...failedFeedLines(report));
  return `${lines.join('\n')}\n`;
}

/** The cycle's counts, each a phrase; condition changes and alerts only when there were some. */
function cycleCounts(summary: ReturnType<typeof summarizeCycle>): string[] {
  const parts = [
    `feeds ${summary.feedsPolled} polled / ${summary.feedsUnchanged} unchanged / ${summary.feedsFailed} failed`,
    `${summary.newItems} new items`,
    `${summary.followUps} follow-ups`,
    `${summary.stanceChanges} stance changes`,
  ];
  if (summary.conditionChanges) parts.push(`${summary.conditionChanges} condition changes`);
  if (summary.alertsSent || summary.alertsFailed || summary.alertsParked) {
    const failed = summary.alertsFailed ? `, ${summary.alertsFailed} failed` : '';
    const parked = summary.alertsParked ? `, ${summary.alertsParked} parked` : '';
    parts.push(`${summary.alertsSent} alerts sent${failed}${parked}`);
  }
  return parts;
}

/** A line per feed whose poll failed: its error and, when not active, its status. */
function failedFeedLines(report: CycleReport): string[] {
  return report.feeds
    .filter((feed) => feed.outcome === 'failed')
    .map((feed) => {
      const reason = feed.error ? `${feed.error.kind}: ${feed.error.message}` : 'unknown error';
      return `  ✗ ${feed.feedId} (${feed.url}) — ${reason}${feed.status === 'active' ? '' : ` [${feed.status}]`}`;
    });
}

async function feedStatesOf(options: PollingLoopOptions): Promise<FeedState[]> {
  const ids = new Set(options.feeds.map((feed) => feed.id));
  return (await options.deps.store.listFeedStates()).filter((state) => ids.has(state.feedId));
}

/**
 * Why each feed this cycle left alone was skipped, and when it is due: waiting on its schedule, in backoff after
 * failures (until when), or parked or gone (waiting for a person). Empty when every feed was polled.
 */
export function formatSkippedFeeds(
  feeds: FeedDefinition[],
  polled: Set<string>,
  states: FeedState[],
  now: Date,
): string {
  const byId = new Map(states.map((state) => [state.feedId, state]));
  const scheduled: string[] = [];
  const lines: string[] = [];
  for (const feed of feeds) {
    const state = byId.get(feed.id);
    if (polled.has(feed.id) || !state) continue;
    const error = state.lastError ? ` (${state.lastError.kind}: ${state.lastError.message})` : '';
    if (state.status === 'gone') {
      lines.push(`  · ${feed.id} is gone${error}: never polled again; remove it from the registry`);
    } else if (state.status === 'parked') {
      lines.push(
        `  · ${feed.id} is parked after ${state.consecutiveFailures} failures${error}: not polled until its state is reset`,
      );
    } else if (state.consecutiveFailures > 0) {
      lines.push(
        `  · ${feed.id} in backoff until ${clockTime(state.nextPollAt, now)} after ${state.consecutiveFailures} failure(s)${error}`,
      );
    } else {
      scheduled.push(`${feed.id} ${clockTime(state.nextPollAt, now)}`);
    }
  }
  if (scheduled.length > 0) lines.unshift(`  not due yet (on schedule), due at: ${scheduled.join(', ')}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** "14:05Z" today, "2025-03-15 14:05Z" on another day. */
function clockTime(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const text = at.toISOString();
  return text.slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${text.slice(11, 16)}Z`
    : `${text.slice(0, 16).replace('T', ' ')}Z`;
}

function pauseUntilNextDue(options: PollingLoopOptions, states: FeedState[]): number {
  const min = options.minPauseMs ?? DEFAULT_MIN_PAUSE_MS;
  const max = options.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  const now = options.deps.clock.now().getTime();
  // A feed never polled yet (no state) is due right away; parked and gone feeds wait for a person, not for us.
  const neverPolled = states.length < new Set(options.feeds.map((feed) => feed.id)).size;
  const active = states.filter((state) => state.status === 'active').map((state) => Date.parse(state.nextPollAt));
  const next = neverPolled ? now : Math.min(...active);
  const pause = Number.isFinite(next) ? next - now : max;
  return Math.min(max, Math.max(min, pause));
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.round(seconds / 60)} min`;
}
