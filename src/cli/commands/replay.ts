import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLocalNotifier } from '../../adapters/local/index';
import { terminalLines, terminalText } from '../../core/plain-text';
import type { Alert } from '../../core/stance-state';
import { loadStories, type StoryDefinition } from '../../detection/index';
import { openInMemoryStore } from '../../local/memory-store';
import { clockForArchive, type ReplayProgress, type ReplaySummary, readArchive, replayItems } from '../../local/replay';
import { resolveStanceConfig, type StanceMachineConfig } from '../../tracking/index';
import { type Command, type CommandContext, stringOption, UsageError } from '../command';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Backtest archived items (JSON Lines) through the full pipeline and show what would have fired',
  usage:
    'storywatch replay <file.jsonl> [--min-confidence <0..1>] [--confirm-sources <k>] [--cooldown-hours <h>] [store options]',
  options: {
    'min-confidence': { type: 'string', description: 'Stance observations below this confidence are ignored' },
    'confirm-sources': { type: 'string', description: 'Independent sources needed to confirm a stance change' },
    'cooldown-hours': { type: 'string', description: 'Hours in which flipping straight back needs more proof' },
    'alerts-file': {
      type: 'string',
      description: 'Keep the alerts as JSON Lines in this file',
      defaultText: 'not kept',
    },
    ...STORE_OPTIONS,
    // A backtest gets its own throwaway store unless one is named, so the shared defaults read differently here.
    story: { type: 'string', description: 'Replay for this story only', defaultText: 'every story' },
    'data-dir': {
      type: 'string',
      description: 'Replay into the embedded store in this directory',
      defaultText: 'a fresh in-memory store',
    },
  },
  async run(context) {
    const [file, ...extra] = context.positionals;
    if (!file) throw new UsageError('give the JSON Lines file to replay');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const stories = selectStories(context);
    const overrides = stanceOverrides(context, stories);
    const archive = await readArchive(resolve(file));
    for (const bad of archive.rejected) {
      context.io.stderr.write(`${terminalText(`${file}:${bad.line}: skipped, ${bad.reason}`)}\n`);
    }

    // A backtest must not mix with live data: unless a store is named explicitly, it gets a throwaway one.
    const clock = clockForArchive(archive.items);
    const opened = usesExplicitStore(context)
      ? await openStoreFromOptions(context, { clock })
      : await openInMemoryStore({ clock });
    // Alerts go through the same local notifier as `storywatch run`; without --alerts-file into a scratch file.
    const scratch = mkdtempSync(join(tmpdir(), 'storywatch-replay-'));
    const alertsFile = resolve(stringOption(context, 'alerts-file') ?? join(scratch, 'alerts.jsonl'));
    // The summary lists every alert in one line each; the notifier's full blocks would bury it.
    const notifier = createLocalNotifier({ file: alertsFile, out: discard() });
    const progress = createProgressDisplay(context.io.stdout);
    try {
      context.io.stdout.write(`replaying ${archive.items.length} items into ${opened.describe}\n`);
      const summary = await replayItems({
        items: archive.items,
        store: opened.store,
        clock,
        stories,
        notifier,
        ...(overrides ? { stanceOverrides: overrides } : {}),
        onProgress: progress,
      });
      // Titles, quotes and links come from the archive: printed without control or bidi characters.
      context.io.stdout.write(terminalLines(formatSummary(summary)));
      return archive.rejected.length > 0 || summary.alertsFailed.length > 0 ? 1 : 0;
    } finally {
      await opened.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};

function selectStories(context: CommandContext): StoryDefinition[] {
  const all = loadStories();
  const wanted = stringOption(context, 'story');
  if (!wanted) return all;
  const story = all.find((candidate) => candidate.id === wanted);
  if (!story) throw new UsageError(`unknown story "${wanted}" (known: ${all.map((s) => s.id).join(', ')})`);
  return [story];
}

/** Only flags count: an endpoint or table inherited from the environment must not receive backtest data. */
function usesExplicitStore(context: CommandContext): boolean {
  return ['data-dir', 'endpoint', 'table'].some((name) => stringOption(context, name) !== undefined);
}

/** Flags override every story's own tracking settings; validated here so a bad value is a usage error. */
function stanceOverrides(context: CommandContext, stories: StoryDefinition[]): Partial<StanceMachineConfig> | null {
  const overrides: Partial<StanceMachineConfig> = {};
  const number = (name: string) => {
    const raw = stringOption(context, name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
    return value;
  };
  const minConfidence = number('min-confidence');
  const confirmations = number('confirm-sources');
  const coolDownHours = number('cooldown-hours');
  if (minConfidence !== undefined) overrides.confidenceThreshold = minConfidence;
  if (confirmations !== undefined) overrides.confirmations = confirmations;
  if (coolDownHours !== undefined) overrides.coolDownHours = coolDownHours;
  if (Object.keys(overrides).length === 0) return null;
  for (const story of stories) {
    try {
      const base = resolveStanceConfig(story.tracking);
      // Flipping back must never be easier than a first change, so raise that bar along with --confirm-sources.
      if (confirmations !== undefined && confirmations > base.coolDownConfirmations) {
        overrides.coolDownConfirmations = confirmations;
      }
      resolveStanceConfig({ ...(story.tracking ?? {}), ...overrides });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return overrides;
}

const BAR_WIDTH = 24;

/** A redrawn bar on a terminal; on a pipe or file, a plain line about every tenth of the way. */
function createProgressDisplay(out: NodeJS.WritableStream & { isTTY?: boolean }): (progress: ReplayProgress) => void {
  let lastLine = 0;
  return (progress) => {
    const fraction = progress.total === 0 ? 1 : progress.done / progress.total;
    const day = progress.at ? progress.at.slice(0, 10) : 'undated';
    const counts = `${progress.done}/${progress.total} ${day} · ${progress.followUps} follow-ups · ${progress.stanceChanges} stance changes`;
    if (out.isTTY) {
      const filled = Math.round(fraction * BAR_WIDTH);
      out.write(`\r[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${counts}\x1b[K`);
      if (progress.done === progress.total) out.write('\n');
      return;
    }
    const step = Math.max(1, Math.ceil(progress.total / 10));
    if (progress.done === progress.total || progress.done - lastLine >= step) {
      lastLine = progress.done;
      out.write(`${Math.round(fraction * 100)}% ${counts}\n`);
    }
  };
}

function formatSummary(summary: ReplaySummary): string {
  const lines = [
    '',
    `${summary.items} items, ${summary.duplicates} duplicates, ${summary.followUps.length} follow-ups, ` +
      `${summary.stanceChanges.length} stance changes, ${summary.conditionChanges.length} condition changes`,
    '',
    'Stance changes:',
    ...(summary.stanceChanges.length ? summary.stanceChanges.map(formatChange) : ['  none']),
    '',
    `Alerts that would have fired: ${summary.alertsSent}${summary.alertsFailed.length ? ` (${summary.alertsFailed.length} failed to send)` : ''}`,
    ...[...summary.stanceChanges, ...summary.conditionChanges]
      .sort((a, b) => (a.evidence.published ?? '').localeCompare(b.evidence.published ?? ''))
      .map(
        (alert) => `  ${day(alert)}  ${alert.severity.padEnd(4)} ${alert.kind.padEnd(17)} ${alert.party}  ${alert.id}`,
      ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function formatChange(alert: Alert): string {
  const quote = alert.evidence.quote.replace(/\s+/g, ' ').slice(0, 100);
  return `  ${day(alert)}  ${alert.party}: ${alert.from ?? 'unknown'} → ${alert.to ?? 'unknown'}  "${quote}"  ${alert.evidence.link ?? alert.evidence.source}`;
}

function day(alert: Alert): string {
  return (alert.evidence.published ?? alert.createdAt).slice(0, 10);
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
