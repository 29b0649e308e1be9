/**
 * A per-host request budget: at most N requests to one host name in any sliding hour, whatever its feeds'
 * intervals say. Many feeds of one publisher (a section feed each) would otherwise add up to a crawl of its server
 * when they all turn hot at once. Pure bookkeeping: the dispatcher asks before it sends a feed out, and stores
 * `toJSON()` between ticks.
 */

const HOUR_MS = 3_600_000;

export type HostBudgetSnapshot = Record<string, string[]>;

export { hostOf } from '../core/host-budget';

export class HostBudget {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly requestsPerHour: number,
    snapshot: HostBudgetSnapshot = {},
  ) {
    if (!Number.isInteger(requestsPerHour) || requestsPerHour < 1)
      throw new RangeError('host budget: requestsPerHour must be a whole number ≥ 1');
    for (const [host, times] of Object.entries(snapshot)) {
      this.sent.set(
        host,
        times.map((time) => Date.parse(time)).filter((time) => !Number.isNaN(time)),
      );
    }
  }

  /** Requests to `host` within the hour before `now`. */
  used(host: string, now: Date): number {
    return this.recent(host, now).length;
  }

  /** The earliest moment from `now` on at which one more request to `host` stays within the budget. */
  nextSlot(host: string, now: Date): Date {
    const recent = this.recent(host, now);
    if (recent.length < this.requestsPerHour) return now;
    // The oldest request that must leave the window before one more fits.
    const leaving = recent[recent.length - this.requestsPerHour] as number;
    return new Date(leaving + HOUR_MS);
  }

  /** Spends one request now if the budget allows it; false (nothing spent) when the host's hour is full. */
  tryTake(host: string, now: Date): boolean {
    const recent = this.recent(host, now);
    if (recent.length >= this.requestsPerHour) return false;
    recent.push(now.getTime());
    this.sent.set(host, recent);
    return true;
  }

  toJSON(): HostBudgetSnapshot {
    const snapshot: HostBudgetSnapshot = {};
    for (const [host, times] of this.sent) {
      if (times.length > 0) snapshot[host] = times.map((time) => new Date(time).toISOString());
    }
    return snapshot;
  }

  private recent(host: string, now: Date): number[] {
    const cutoff = now.getTime() - HOUR_MS;
    const times = (this.sent.get(host) ?? []).filter((time) => time > cutoff);
    this.sent.set(host, times);
    return times;
  }
}
