import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLocalNotifier } from '../../adapters/local/index';
import { terminalLines, terminalText } from '../../core/plain-text';
import type { Clock } from '../../core/ports/clock';
import type { Alert } from '../../core/stance-state';
import { stanceName } from '../../core/story';
import type { StoryDefinition } from '../../detection/index';
import { formatQueryHints, itemsFailedPart, oneLine, shownId, shownPath } from '../../local/format';
import { clockForArchive, type ReplayProgress, type ReplaySummary, readArchive, replayItems } from '../../local/replay';
import { countingStoredReadings } from '../../reader/stored-readings';
import { resolveStanceConfig, type StanceMachineConfig } from '../../tracking/index';
import { CHANNEL_OPTIONS, PRIVATE_NETWORK_OPTION, readAlertChannelSpecs, withChannels } from '../channel-options';
import { runThenClose } from '../close-after';
import { booleanOption, type Command, type CommandContext, stringOption, UsageError } from '../command';
import { clearFinishedRun, markRunFinished, replayStoreName } from '../kept-store';
import {
  BUDGET_OPTIONS,
  READER_OPTIONS,
  readerConfigFromOptions,
  readerFromOptions,
  readerSummary,
} from '../reader-options';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { selectStories } from '../stories';

export const replayCommand: Command = {
  name: 'replay',
  summary: 'Backtest archived items (JSON Lines) through the full pipeline and show what would have fired',
  usage:
    'storywatch replay <file.jsonl> [--min-confidence <0..1>] [--confirm-sources <k>] [--cooldown-hours <h>] [--reader rules|bedrock|openai] [--channels <file>] [store options]',
  options: {
    'min-confidence': { type: 'string', description: 'Stance observations below this confidence are ignored' },
    'confirm-sources': { type: 'string', description: 'Independent sources needed to confirm a stance change' },
    'cooldown-hours': { type: 'string', description: 'Hours in which flipping straight back needs more proof' },
    'alerts-file': {
      type: 'string',
      description: 'Keep the alerts as JSON Lines in this file',
      defaultText: '<data-dir>/alerts.jsonl',
    },
    fresh: {
      type: 'boolean',
      description:
        'Empty the store named by --data-dir or --endpoint first, but for its stored model readings (the default store always starts over so)',
    },
    ...READER_OPTIONS,
    ...BUDGET_OPTIONS,
    ...CHANNEL_OPTIONS,
    ...PRIVATE_NETWORK_OPTION,
    ...STORE_OPTIONS,
    // A backtest gets its own store, named after the archive, so the shared defaults read differently here.
    story: { type: 'string', description: 'Replay for this story only', defaultText: 'every story' },
    'data-dir': {
      type: 'string',
      description: 'Replay into the embedded store in this directory',
      defaultText: '.storywatch/replay-<file name>',
    },
  },
  async run(context) {
    const [file, ...extra] = context.positionals;
    if (!file) throw new UsageError('give the JSON Lines file to replay');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const { stories } = selectStories(context);
    const overrides = stanceOverrides(context, stories);
    const channelSpecs = readAlertChannelSpecs(context);
    const readerConfig = readerConfigFromOptions(context);
    const archive = await readArchive(resolve(file));
    for (const bad of archive.rejected) {
      context.io.stderr.write(`${terminalText(`${file}:${bad.line}: skipped, ${bad.reason}`)}\n`);
    }

    const clock = clockForArchive(archive.items);
    // A backtest spends each archived day's budget on that day's items, as the deployment would have.
    const reader = readerFromOptions(context, { config: readerConfig, clock });
    const target = await openReplayStore(context, file, clock);
    const { opened, dataDir, alertsFile } = target;
    const readings = countingStoredReadings(opened.store);
    // The summary lists every alert in one line each; the notifier's full blocks would bury it.
    const notifier = withChannels(createLocalNotifier({ file: alertsFile, out: discard() }), opened.store, clock, {
      specs: channelSpecs,
      allowPrivateNetwork: booleanOption(context, 'allow-private-network'),
      stories,
    });
    return runThenClose([opened.close], async () => {
      context.io.stdout.write(
        `replaying ${archive.items.length} items into ${opened.describe}${keptPart(opened.keptReadings)}\n`,
      );
      const summary = await replayItems({
        items: archive.items,
        store: readings.store,
        clock,
        stories,
        notifier,
        ...(overrides ? { stanceOverrides: overrides } : {}),
        reader,
        onProgress: createProgressDisplay(context.io.stdout),
        signal: context.signal,
      });
      // Titles, quotes and links come from the archive: printed without control or bidi characters.
      context.io.stdout.write(terminalLines(formatSummary(summary)));
      context.io.stdout.write(readerSummary(reader, { storedReadings: readings.found() }) ?? '');
      if (dataDir) printWhereKept(context, { file, dataDir, alertsFile, summary, stories });
      // Exit 1: some input was not taken whole (a line rejected, an item the store refused) or an alert not sent.
      const incomplete =
        archive.rejected.length +
        summary.itemsFailed.length +
        summary.alertsFailed.length +
        summary.alertsParked.length;
      return incomplete > 0 ? 1 : 0;
    });
  },
};

/**
 * The store a replay writes to and the file its alerts go to. Its own store, named after the archive, is rebuilt
 * on every replay: a backtest into yesterday's results would find every item a duplicate. A store named by flag is
 * written into as it is, unless --fresh. The rebuild keeps the stored model readings alone: found only for the same
 * item, story, reader and prompt version, they make a second backtest with a model cost nothing and give the same
 * answers.
 */
async function openReplayStore(context: CommandContext, file: string, clock: Clock) {
  const dataDir = replayDataDir(context, file);
  const startOver =
    booleanOption(context, 'fresh') || (dataDir !== null && stringOption(context, 'data-dir') === undefined);
  if (dataDir) clearFinishedRun(dataDir);
  const opened = await openStoreFromOptions(
    dataDir ? { options: { ...context.options, 'data-dir': dataDir } } : context,
    { clock, fresh: startOver, keepReadings: true },
  );
  // Alerts go through the same local notifier as `storywatch run`: next to the store, or where --alerts-file says.
  const alertsFile = resolve(
    stringOption(context, 'alerts-file') ?? join(dataDir ?? context.tempDir('replay'), 'alerts.jsonl'),
  );
  if (startOver) rmSync(alertsFile, { force: true });
  return { opened, dataDir, alertsFile };
}

/** After a replay into an embedded store: marks it finished and says where the alerts are and how to query it. */
function printWhereKept(
  context: CommandContext,
  replay: { file: string; dataDir: string; alertsFile: string; summary: ReplaySummary; stories: StoryDefinition[] },
): void {
  markRunFinished(replay.dataDir, { source: resolve(replay.file) });
  const party = replay.summary.stanceChanges[0]?.party ?? replay.stories[0]?.parties[0]?.id ?? 'russia';
  context.io.stdout.write(`alerts: ${shownPath(replay.alertsFile)}\n\n${formatQueryHints(replay.dataDir, party)}`);
}

function keptPart(readings: number): string {
  return readings > 0 ? `, keeping ${readings} stored model reading(s) from before` : '';
}

/** The embedded store a replay writes to, or null when an endpoint or table flag names another store. */
function replayDataDir(context: CommandContext, file: string): string | null {
  // Only flags count: an endpoint or table inherited from the environment must not receive backtest data.
  if (stringOption(context, 'endpoint') !== undefined || stringOption(context, 'table') !== undefined) return null;
  return resolve(stringOption(context, 'data-dir') ?? join('.storywatch', replayStoreName(file)));
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
      `${summary.stanceChanges.length} stance changes, ${summary.conditionChanges.length} condition changes` +
      itemsFailedPart(summary.itemsFailed),
    ...summary.itemsFailed.map((failure) => `  ✗ item ${shownId(failure.itemId)} not stored: ${failure.message}`),
    '',
    ...(summary.futureDated > 0
      ? [`${summary.futureDated} item(s) dated after now were taken at the replay's time instead`, '']
      : []),
    'Stance changes:',
    ...(summary.stanceChanges.length ? summary.stanceChanges.map(formatChange) : ['  none']),
    '',
    `Alerts that would have fired: ${summary.alertsSent}${summary.alertsFailed.length ? ` (${summary.alertsFailed.length} failed to send)` : ''}${summary.alertsParked.length ? ` (${summary.alertsParked.length} parked: refused for good)` : ''}`,
    ...summary.alertsParked.map((parked) => `  ✗ alert ${parked.alertId} parked: ${parked.reason}`),
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
  const quote = oneLine(alert.evidence.quote, 100);
  return `  ${day(alert)}  ${alert.party}: ${stanceName(alert.from)} → ${stanceName(alert.to)}  "${quote}"  ${alert.evidence.link ?? alert.evidence.source}`;
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
