import type { Clock } from '../core/ports';

/** A clock the demo moves by hand, so the feeds and the pipeline agree on "now" and every run is the same. */
export class SimulatedClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new Error(`invalid start time for the simulated clock: ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Time only moves forward: a step backwards would un-publish items the pipeline has already seen. */
  advanceTo(at: Date | string): void {
    const next = new Date(at).getTime();
    if (Number.isNaN(next)) throw new Error(`invalid time for the simulated clock: ${String(at)}`);
    if (next < this.current) {
      throw new Error(
        `the simulated clock cannot go back from ${this.now().toISOString()} to ${new Date(next).toISOString()}`,
      );
    }
    this.current = next;
  }
}
