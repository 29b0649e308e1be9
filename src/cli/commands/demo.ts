import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { createLocalNotifier } from '../../adapters/local/index';
import type { Reader } from '../../core/ports/reader';
import { DEMO_TIMELINE } from '../../demo/timeline';
import { loadStory } from '../../detection/index';
import { type DemoResult, DemoStoreNotEmptyError, runDemo } from '../../local/demo';
import { formatQueryHints, shownPath } from '../../local/format';
import { RULES_READER_ID } from '../../reader/rules';
import { CHANNEL_OPTIONS, PRIVATE_NETWORK_OPTION, readAlertChannelSpecs, withChannels } from '../channel-options';
import { booleanOption, type Command, type CommandContext, stringOption, UsageError } from '../command';
import { clearFinishedRun, type FinishedRun, markRunFinished, readFinishedRun } from '../kept-store';
import { READER_OPTIONS, readerFromOptions, readerSummary } from '../reader-options';

export const DEFAULT_DEMO_DATA_DIR = '.storywatch/demo';

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Replay an invented season of ceasefire news through the real pipeline, offline, in seconds',
  usage:
    'storywatch demo [--data-dir <dir>] [--report <file>] [--fresh] [--reader rules|bedrock|openai] [--channels <file>]',
  options: {
    'data-dir': {
      type: 'string',
      description: 'Keep the demo store here; query it afterwards with stances, history, alerts, report',
      defaultText: DEFAULT_DEMO_DATA_DIR,
    },
    report: { type: 'string', description: 'Write the HTML report here', defaultText: '<data-dir>/report.html' },
    fresh: { type: 'boolean', description: 'Start over: empty the store in --data-dir first' },
    ...READER_OPTIONS,
    ...CHANNEL_OPTIONS,
    ...PRIVATE_NETWORK_OPTION,
  },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError(`unexpected arguments: ${context.positionals.join(' ')}`);
    const dataDir = resolve(stringOption(context, 'data-dir') ?? DEFAULT_DEMO_DATA_DIR);
    const reportPath = resolve(stringOption(context, 'report') ?? join(dataDir, 'report.html'));
    const reader = readerFromOptions(context);
    const fresh = booleanOption(context, 'fresh');
    const finished = fresh ? null : readFinishedRun(dataDir);
    // A demo read by another reader is not the one asked for: it is run again (demo data is only ever the demo's).
    const sameReader = (finished?.reader ?? RULES_READER_ID) === reader.id;
    if (finished && sameReader) return showFinishedRun(context, dataDir, finished);
    if (finished)
      context.io.stdout.write(
        `the store in ${shownPath(dataDir)} holds the demo as read by ${finished.reader ?? RULES_READER_ID}; starting over with ${reader.id}\n`,
      );

    const started = performance.now();
    const result = await runDemoInto(context, { dataDir, reportPath, reader }, fresh || finished !== null);
    markRunFinished(dataDir, { source: 'demo', reportPath, reader: reader.id });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    context.io.stdout.write(
      `${readerSummary(reader) ?? ''}alerts: ${shownPath(join(dataDir, 'alerts.jsonl'))}\ndone in ${seconds} s\n\n${demoQueryHints(dataDir)}`,
    );
    return result.alertsFailed > 0 ? 1 : 0;
  },
};

interface DemoTarget {
  dataDir: string;
  reportPath: string;
  reader: Reader;
}

async function runDemoInto(context: CommandContext, target: DemoTarget, fresh: boolean) {
  const { dataDir, reportPath, reader } = target;
  const alertsFile = join(dataDir, 'alerts.jsonl');
  const specs = readAlertChannelSpecs(context);
  const allowPrivateNetwork = booleanOption(context, 'allow-private-network');
  const stories = [loadStory(DEMO_TIMELINE.storyId)];
  const attempt = (startOver: boolean): Promise<DemoResult> => {
    clearFinishedRun(dataDir);
    if (startOver) rmSync(alertsFile, { force: true });
    return runDemo({
      dataDir,
      reportPath,
      fresh: startOver,
      reader,
      // The demo prints its own one-line summary of each alert; the notifier's full block would drown the steps.
      notifier: createLocalNotifier({ file: alertsFile, out: discard() }),
      withChannels: (notifier, store, clock) =>
        withChannels(notifier, store, clock, { specs, allowPrivateNetwork, stories }),
      out: context.io.stdout,
      signal: context.signal,
    });
  };
  try {
    return await attempt(fresh);
  } catch (error) {
    if (!(error instanceof DemoStoreNotEmptyError)) throw error;
    // Demo data but no finished marker: an earlier run was interrupted (Ctrl-C, `| head`). Nothing to keep.
    context.io.stdout.write(`the store in ${shownPath(dataDir)} holds an unfinished demo run; starting over\n`);
    return attempt(true);
  }
}

function showFinishedRun(context: CommandContext, dataDir: string, finished: FinishedRun): number {
  context.io.stdout.write(
    `The store in ${shownPath(dataDir)} already holds the demo (finished ${finished.finishedAt}); ` +
      `"npx storywatch demo --fresh" runs it again.\n` +
      `${finished.reportPath ? `report: ${shownPath(finished.reportPath)}\n` : ''}\n${demoQueryHints(dataDir)}`,
  );
  return 0;
}

function demoQueryHints(dataDir: string): string {
  const story = loadStory(DEMO_TIMELINE.storyId);
  const firstMover = DEMO_TIMELINE.plannedChanges[0]?.party ?? story.parties[0]?.id ?? 'russia';
  return formatQueryHints(dataDir, firstMover);
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
