import { isAbsolute, relative } from 'node:path';
import type { Alert, StanceState } from '../core/stance-state';
import { stanceName } from '../core/story';
import { clipText } from '../core/text-limits';

interface NamedParties {
  parties: { id: string; name: string }[];
}

/** "russia: conditional → opposes ("quote", source)": one line a person can scan in a terminal. */
export function describeStanceChange(alert: Alert): string {
  const quote = oneLine(alert.evidence.quote, 110);
  const source = shortSource(alert.evidence.link ?? alert.evidence.source);
  if (alert.kind === 'conditions_change') {
    const added = alert.conditionsAdded.map((id) => `+${id}`);
    const dropped = alert.conditionsDropped.map((id) => `-${id}`);
    return `~ ${alert.party}: conditions ${[...added, ...dropped].join(' ')} ("${quote}", ${source})`;
  }
  return `! ${alert.party}: ${stanceName(alert.from)} → ${stanceName(alert.to)} ("${quote}", ${source})`;
}

/** Fixed-width table of every party's current stance, in the story's party order. */
export function formatStanceTable(story: NamedParties, states: StanceState[]): string {
  const rows = story.parties.map((party) => {
    const state = states.find((candidate) => candidate.party === party.id);
    return [
      party.name,
      stanceName(state?.label),
      state?.since ? state.since.slice(0, 10) : '—',
      state?.conditions.length ? state.conditions.join(', ') : '—',
    ];
  });
  const header = ['party', 'stance', 'since', 'conditions'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Host of a feed or article URL: the outlet's name in practice, and much shorter than the URL. */
export function shortSource(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Text on one line of a terminal: whitespace folded to single spaces, then cut to `max` characters by clipText. */
export function oneLine(text: string, max: number): string {
  return clipText(text.replace(/\s+/g, ' ').trim(), max);
}

/** A path as a person would type it here: relative when under the working directory, quoted for the shell if needed. */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const fromHere = relative(cwd, path);
  const shown = fromHere === '' ? '.' : fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
  return /^[\w./@%+=:,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, "'\\''")}'`;
}

/** The exact commands that query a store the demo or a replay just filled, ready to copy. */
export function formatQueryHints(dataDir: string, party: string): string {
  const store = `--data-dir ${shownPath(dataDir)}`;
  const lines = [
    `Query this store (it stays in ${shownPath(dataDir)}):`,
    `  npx storywatch stances ${store}`,
    `  npx storywatch history ${party} ${store}`,
    `  npx storywatch articles ${store}`,
    `  npx storywatch alerts ${store}`,
    `  npx storywatch report ${store}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** ", 1 item failed: <reason>" for a summary line: the reason of the first when several failed. */
export function itemsFailedPart(failed: readonly { message: string }[]): string {
  const [first] = failed;
  if (!first) return '';
  return `, ${failed.length} item${failed.length === 1 ? '' : 's'} failed: ${first.message}`;
}

/** An item id as a line shows it: ids run up to 512 bytes, so a long one is cut. */
export const shownId = (itemId: string): string => clipText(itemId, 120);
