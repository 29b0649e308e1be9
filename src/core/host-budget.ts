/**
 * The per-host request budget as counters per host and time window, so every poller can share it through one
 * conditional write (no read, no lock): at most N requests to one host in any sliding hour, all of its feeds and
 * all pollers together. Pure: the plan of windows and the rule for who may take the last requests of a window.
 *
 * A sliding hour overlaps at most `windowsPerHour + 1` windows, so each window allows
 * floor(N / (windowsPerHour + 1)) requests: counted per window, no hour can ever see more than N. Of the window
 * lengths that divide the hour, the plan takes the one that lets the most requests through (the longest on a tie,
 * for room to burst): 16 windows of 225 s with 7 each for the default 120 an hour, 112 an hour sustained.
 *
 * Priority by heat: the last `hotShare` of every window is kept for hot feeds (a follow-up within the hot window),
 * so on a busy host the feeds carrying the story get its requests first and the others wait for the next window.
 */
import type { HostRequestBudget, RequestPriority } from './ports/host-budget';

export type { RequestPriority };

export interface HostBudgetPlan {
  /** Length of one counting window, seconds; divides the hour. */
  windowSec: number;
  /** Requests one host may take within one window, hot feeds included. */
  perWindow: number;
  /** How many of a window's requests a poll of each priority may see taken before its own (its ceiling). */
  ceilings: Readonly<Record<RequestPriority, number>>;
}

const HOUR_SEC = 3600;
/** Windows shorter than a minute would only cost writes: the dispatcher ticks once a minute. */
const MIN_WINDOW_SEC = 60;

/** Window counts that divide the hour into whole windows of at least a minute, fewest first. */
const WINDOW_COUNTS = Array.from({ length: HOUR_SEC / MIN_WINDOW_SEC }, (_, index) => index + 1).filter(
  (count) => HOUR_SEC % count === 0,
);

/** The windows for a budget of `requestsPerHour`, and each priority's ceiling within one. */
export function hostBudgetPlan(requestsPerHour: number, hotShare: number): HostBudgetPlan {
  const budget = Math.floor(requestsPerHour);
  let best = { windows: 1, perWindow: 0 };
  for (const windows of WINDOW_COUNTS) {
    const perWindow = Math.floor(budget / (windows + 1));
    if (perWindow * windows > best.perWindow * best.windows) best = { windows, perWindow };
  }
  if (best.perWindow < 1) {
    throw new RangeError(`host budget: ${requestsPerHour} requests an hour cannot be shared in windows (at least 2)`);
  }
  if (!(hotShare >= 0 && hotShare < 1)) throw new RangeError('host budget: hotShare must be in [0, 1)');
  // A window of one request has nothing to keep back: the feeds take turns, first come first served.
  const others = Math.max(1, best.perWindow - Math.ceil(best.perWindow * hotShare));
  return {
    windowSec: HOUR_SEC / best.windows,
    perWindow: best.perWindow,
    ceilings: { hot: best.perWindow, other: others },
  };
}

/** Start of the window holding `at`, ms since the epoch: windows are aligned on the epoch, the same for everyone. */
export function windowStart(plan: HostBudgetPlan, at: Date): number {
  const windowMs = plan.windowSec * 1000;
  return Math.floor(at.getTime() / windowMs) * windowMs;
}

/** The first moment of the window after the one holding `at`: when a refused poll may ask again. */
export function nextWindow(plan: HostBudgetPlan, at: Date): Date {
  return new Date(windowStart(plan, at) + plan.windowSec * 1000);
}

/** Lower-case host name of a feed URL; the whole text when it is not a URL (its own budget then). */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return url;
  }
}

/**
 * The same budget in one process's memory (the local cycle, tests): a counter per host for its current window, with
 * the same ceilings, so a test of the rule needs no table. A host's counter starts over when its window changes.
 */
export function createMemoryHostBudget(plan: HostBudgetPlan): HostRequestBudget {
  const counters = new Map<string, { startMs: number; taken: number }>();
  return {
    async take(host, now, priority) {
      const at = new Date(now);
      const startMs = windowStart(plan, at);
      const counter = counters.get(host);
      const taken = counter?.startMs === startMs ? counter.taken : 0;
      if (taken >= plan.ceilings[priority]) return { granted: false, retryAt: nextWindow(plan, at).toISOString() };
      counters.set(host, { startMs, taken: taken + 1 });
      return { granted: true };
    },
  };
}
