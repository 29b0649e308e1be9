import { resolve } from 'node:path';
import { optionalAdaptiveSchedule } from '../../config/env';
import { type Reader, systemClock } from '../../core/ports';
import { feedScheduleSettings } from '../../ingestion/feed-schedule';
import { createHttpFeedFetcher, loadFeedRegistry, resolveFetchOptions } from '../../ingestion/index';
import { runPollingLoop } from '../../local/run-loop';
import type { CycleReport } from '../../pipeline/run-cycle';
import { RULES_READER_ID } from '../../reader/rules';
import { type StorySite, startStorySite } from '../../site/story-site';
import { startLocalWebSub } from '../../websub/local';
import { CHANNEL_OPTIONS, readAlertChannelSpecs, withChannels } from '../channel-options';
import { runThenClose } from '../close-after';
import { booleanOption, type Command, type CommandContext, numberOption, stringOption, UsageError } from '../command';
import { NOTIFIER_OPTIONS, openNotifierFromOptions } from '../notifier-options';
import {
  BUDGET_OPTIONS,
  READER_OPTIONS,
  readerConfigFromOptions,
  readerFromOptions,
  readerSummary,
} from '../reader-options';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { selectStories } from '../stories';

const DEFAULT_CONCURRENCY = 8;

export const runCommand: Command = {
  name: 'run',
  summary: 'Poll the feed registry on each feed’s schedule and track the stories locally (Ctrl-C stops)',
  usage:
    'storywatch run [--once] [--feeds <registry.json>] [--concurrency <n>] [--allow-private-network] [--websub-port <n>] [--reader rules|bedrock|openai] [--channels <file>] [store options]',
  options: {
    once: { type: 'boolean', description: 'Poll every feed once, then exit' },
    feeds: { type: 'string', description: 'Feed registry to poll', defaultText: 'feeds/registry.json' },
    concurrency: {
      type: 'string',
      description: 'Feeds fetched at the same time',
      defaultText: String(DEFAULT_CONCURRENCY),
    },
    'allow-private-network': {
      type: 'boolean',
      description: 'Allow feeds on loopback or private addresses (local test servers only)',
    },
    'websub-port': {
      type: 'string',
      description: 'Subscribe to the hubs feeds name and accept their pushes on this 127.0.0.1 port (0: any free port)',
    },
    'serve-port': {
      type: 'string',
      description: 'Also serve the story page and feeds on this 127.0.0.1 port, current after every commit',
    },
    ...READER_OPTIONS,
    ...BUDGET_OPTIONS,
    ...NOTIFIER_OPTIONS,
    ...CHANNEL_OPTIONS,
    ...STORE_OPTIONS,
  },
  async run(context) {
    const options = readRunOptions(context);
    const readerConfig = readerConfigFromOptions(context);
    const alerts = openNotifierFromOptions(context, options.stories);
    const opened = await openStoreFromOptions(context);
    // The day's model budget is counted in the store: a second run that day gets what is left, not a new allowance.
    const reader = readerFromOptions(context, {
      config: readerConfig,
      clock: systemClock,
      budget: opened.readingBudget,
    });
    const notifier = withChannels(alerts.notifier, opened.store, systemClock, {
      specs: options.channelSpecs,
      allowPrivateNetwork: options.fetchOptions.allowPrivateNetwork,
      stories: options.stories,
    });
    const running: RunningServers = { websub: null, site: null };
    const closes = [() => running.websub?.close(), () => running.site?.close(), () => alerts.close(), opened.close];
    return runThenClose(closes, async () => {
      running.site = await serveAlongside(context, opened.store, options.stories);
      const deps = { store: opened.store, clock: systemClock, stories: options.stories, notifier, reader };
      running.websub = await startWebSubUnlessOnce(context, options, deps);
      context.io.stdout.write(
        `polling ${options.feeds.length} feeds for ${options.stories.map((story) => story.id).join(', ')} into ${opened.describe}, alerts to ${alerts.describe}${readBy(reader)}${options.once ? ' (once)' : ''}\n`,
      );
      const result = await runPollingLoop({
        deps: { ...deps, fetcher: createHttpFeedFetcher(options.fetchOptions), schedule: options.schedule },
        feeds: options.feeds,
        concurrency: options.concurrency,
        once: options.once,
        // Ctrl-C lets the current cycle finish, then the loop returns and the store is closed (see lifecycle.ts).
        signal: context.signal,
        out: context.io.stdout,
      });
      if (result.stoppedBySignal) context.io.stdout.write(`stopped after ${result.cycles} cycle(s)\n`);
      context.io.stdout.write(readerSummary(reader) ?? '');
      return exitCodeOf(result.reports.at(-1));
    });
  },
};

/** What `run` started besides the store, closed with it. */
interface RunningServers {
  websub: LocalWebSub | null;
  site: StorySite | null;
}

type LocalWebSub = Awaited<ReturnType<typeof startLocalWebSub>>;
type RunOptions = ReturnType<typeof readRunOptions>;

/** The flags and files `run` reads, each checked before anything is opened. */
function readRunOptions(context: CommandContext) {
  const concurrency = numberOption(context, 'concurrency', DEFAULT_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError('--concurrency must be a whole number ≥ 1');
  const feedsPath = stringOption(context, 'feeds');
  const feeds = loadFeedRegistry(feedsPath === undefined ? undefined : resolve(feedsPath));
  const { stories } = selectStories(context);
  const fetchOptions = resolveFetchOptions({ allowPrivateNetwork: booleanOption(context, 'allow-private-network') });
  // Adaptive due times, thresholds from STORYWATCH_ADAPTIVE_SCHEDULE (JSON) over the documented defaults.
  const schedule = feedScheduleSettings(feeds, {
    schedule: optionalAdaptiveSchedule(),
    hintCeilingSec: fetchOptions.maxPollIntervalSec,
  });
  const websubPort = stringOption(context, 'websub-port');
  if (websubPort !== undefined && !/^\d{1,5}$/.test(websubPort))
    throw new UsageError('--websub-port must be a port number');
  const channelSpecs = readAlertChannelSpecs(context);
  return {
    concurrency,
    feeds,
    stories,
    fetchOptions,
    schedule,
    websubPort,
    channelSpecs,
    once: booleanOption(context, 'once'),
  };
}

/** `--websub-port`: subscribe to the hubs the feeds name and take their pushes; a single `--once` cycle does not. */
async function startWebSubUnlessOnce(
  context: CommandContext,
  options: RunOptions,
  deps: Parameters<typeof startLocalWebSub>[0]['deps'],
): Promise<LocalWebSub | null> {
  if (options.websubPort === undefined || options.once) return null;
  const { feeds, fetchOptions } = options;
  return startLocalWebSub({ port: Number(options.websubPort), feeds, deps, fetchOptions, out: context.io.stdout });
}

/** Said in the status line only when a model reads: the rules are the default. */
function readBy(reader: Reader): string {
  return reader.id === RULES_READER_ID ? '' : `, read by ${reader.id}`;
}

/**
 * The exit code of the last cycle: 1 when every feed failed, 2 when the cycle went through but some item could not
 * be stored (it is named in the output and the other items are in), else 0. A feed that failed alone is reported
 * and retried on its schedule, so it does not change the code.
 */
function exitCodeOf(last: CycleReport | undefined): number {
  if (last === undefined) return 0;
  if (last.feeds.length > 0 && last.feeds.every((feed) => feed.outcome === 'failed')) return 1;
  return last.feeds.some((feed) => feed.failedItems.length > 0) ? 2 : 0;
}

/** `--serve-port`: the page and feeds of the first story, from the store this run writes to. */
async function serveAlongside(
  context: CommandContext,
  store: Parameters<typeof startStorySite>[0]['store'],
  stories: ReturnType<typeof selectStories>['stories'],
): Promise<StorySite | null> {
  const port = stringOption(context, 'serve-port');
  const story = stories[0];
  if (port === undefined || !story) return null;
  if (!/^\d{1,5}$/.test(port)) throw new UsageError('--serve-port must be a port number');
  const site = await startStorySite({ store, story, port: Number(port) });
  context.io.stdout.write(`serving ${story.id} at ${site.url}\n`);
  return site;
}
