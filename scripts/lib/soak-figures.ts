// What the soak prints and checks about one poll cycle: its figures, its row in the table, its problems.

export interface CycleFigures {
  cycle: number;
  feedsPolled: number;
  feedsChanged: number;
  feedsNotModified: number;
  feedsFailed: number;
  newItems: number;
  expectedNewItems: number;
  seconds: number;
  heapMB: number;
  rssMB: number;
}

export const format = (value: number, digits = 1) => value.toFixed(digits);

/** A cycle before any of its feeds is polled. */
export function emptyFigures(cycle: number): CycleFigures {
  return {
    cycle,
    feedsPolled: 0,
    feedsChanged: 0,
    feedsNotModified: 0,
    feedsFailed: 0,
    newItems: 0,
    expectedNewItems: 0,
    seconds: 0,
    heapMB: 0,
    rssMB: 0,
  };
}

export function cycleRow(current: CycleFigures): string {
  return (
    `${String(current.cycle).padStart(5)}  ${String(current.feedsPolled).padStart(6)}  ${String(current.feedsChanged).padStart(7)}` +
    `  ${String(current.feedsNotModified).padStart(4)}  ${String(current.feedsFailed).padStart(6)}` +
    `  ${String(current.newItems).padStart(9)}  ${String(current.expectedNewItems).padStart(8)}` +
    `  ${format(current.newItems / current.seconds).padStart(8)}  ${format(current.heapMB).padStart(7)}` +
    `  ${format(current.rssMB).padStart(6)}\n`
  );
}

/** What went wrong in a full cycle: items analysed other than expected, feeds that failed. */
export function fullCycleProblems(current: CycleFigures): string[] {
  const problems: string[] = [];
  if (current.newItems !== current.expectedNewItems) {
    problems.push(`cycle ${current.cycle}: ${current.newItems} items analyzed, ${current.expectedNewItems} expected`);
  }
  if (current.feedsFailed > 0) problems.push(`cycle ${current.cycle}: ${current.feedsFailed} feeds failed`);
  return problems;
}

/** The notice of a cycle the time bound cut short, saying how far it got. */
export function stopNotice(current: CycleFigures, bound: { feeds: number; maxSeconds: number }, fullCycles: number) {
  const reached = `${current.feedsPolled} of ${bound.feeds} feeds (${fullCycles} full cycles done)`;
  return (
    `\nSTOPPED: time bound of ${bound.maxSeconds} s reached in cycle ${current.cycle} after ${reached}; ` +
    `that cycle analyzed ${current.newItems} new items ` +
    `(expected ${current.expectedNewItems} for the feeds it reached)\n`
  );
}

/** A cut-short cycle is a problem only when it analysed other than the items of the feeds it reached. */
export function partialCycleProblems(current: CycleFigures): string[] {
  return current.newItems === current.expectedNewItems
    ? []
    : [`partial cycle: ${current.newItems} items analyzed, ${current.expectedNewItems} expected`];
}
