import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createDynamoClient,
  createDynamoStoryStore,
  DEFAULT_TABLE_NAME,
  dropTable,
  ensureTable,
} from '../adapters/dynamodb/index';
import type { AlertNotifier, Clock, StoryStore } from '../core/ports';
import type { Reader } from '../core/ports/reader';
import type { StanceState } from '../core/stance-state';
import type { StanceLabel } from '../core/story';
import { clipText } from '../core/text-limits';
import { type DemoFeedServer, startDemoFeedServer } from '../demo/feed-server';
import { SimulatedClock } from '../demo/simulated-clock';
import { DEMO_TIMELINE, type DemoTimeline } from '../demo/timeline';
import { loadStory, type StoryDefinition } from '../detection/index';
import { feedFileNames } from '../feeds/story-feeds';
import { writeStoryFeeds } from '../feeds/write-feeds';
import { createHttpFeedFetcher } from '../ingestion/index';
import { type CycleReport, runCycle } from '../pipeline/run-cycle';
import { collectReportData } from '../report/collect';
import { renderReport } from '../report/render-report';

const feedNamesOf = (storyId: string) => Object.values(feedFileNames(storyId));

import { startEmbeddedDynamo } from './engine/index';
import { describeStanceChange, formatStanceTable, shownPath } from './format';

export interface DemoOptions {
  /** Where dynalite keeps its tables; null runs everything in memory. */
  dataDir: string | null;
  /** Where the HTML report goes; null skips it. */
  reportPath: string | null;
  /** Drop the table first, so a persistent data dir starts empty again. */
  fresh: boolean;
  /** Receives the alerts the demo publishes. */
  notifier: AlertNotifier;
  /** Puts channels beside the notifier once the store is open (their delivery state lives there). */
  withChannels?(notifier: AlertNotifier, store: StoryStore, clock: Clock): AlertNotifier;
  out: NodeJS.WritableStream;
  /** Checked between news days: an aborted demo stops there, with its store closed cleanly. */
  signal?: AbortSignal;
  timeline?: DemoTimeline;
  storiesDir?: string;
  /** Who reads the items; the rules when absent. */
  reader?: Reader;
}

export interface DemoStanceChange {
  party: string;
  from: StanceLabel | null;
  to: StanceLabel | null;
  itemId: string;
  published: string | null;
  quote: string;
}

export interface DemoResult {
  steps: number;
  /** Ids of the items classified as follow-ups, in the order they were analyzed. */
  followUpIds: string[];
  /** Ids of the items analyzed and found not to be follow-ups. */
  otherIds: string[];
  stanceChanges: DemoStanceChange[];
  conditionChanges: number;
  alertsSent: number;
  alertsFailed: number;
  finalStances: StanceState[];
  /** What the pipeline saw: full feed bodies versus 304 answers. */
  feedResponses: { full: number; notModified: number };
  /** What the demo server saw: requests, and how many carried If-None-Match / If-Modified-Since. */
  feedRequests: { total: number; conditional: number };
  reportPath: string | null;
  /** The report itself, so callers can compare runs without reading the file. */
  reportHtml: string;
}

/** Raised when a persistent demo store already holds a run: replaying into it would change nothing. */
export class DemoStoreNotEmptyError extends Error {}

/**
 * Replays the invented timeline through the production pipeline: real HTTP fetcher against the loopback demo
 * feeds, the real DynamoDB store on dynalite, the detector, the stance machine and the outbox. Only time is
 * simulated: the clock jumps to the end of each day that has news, so a season of news takes seconds.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const timeline = options.timeline ?? DEMO_TIMELINE;
  const story = loadStory(timeline.storyId, options.storiesDir);
  const days = newsDays(timeline);
  const clock = new SimulatedClock(`${story.startDate.slice(0, 10)}T00:00:00Z`);
  const out = options.out;

  const dynamo = await startEmbeddedDynamo({ dataDir: options.dataDir });
  const client = createDynamoClient({ endpoint: dynamo.endpoint });
  let feedServer: DemoFeedServer | null = null;
  try {
    const store = await openEmptyDemoStore(client, timeline, clock, options);
    feedServer = await startDemoFeedServer(timeline, { clock });
    const deps = {
      store,
      fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true }),
      clock,
      stories: [story],
      notifier: options.withChannels ? options.withChannels(options.notifier, store, clock) : options.notifier,
      ...(options.reader ? { reader: options.reader } : {}),
    };
    out.write(
      `storywatch demo — ${story.title}\n${timeline.items.length} invented items from ${timeline.outlets.length} loopback feeds, ${days.length} news days\n\n`,
    );
    const result = emptyResult();
    const titles = new Map<string, string>();
    for (const day of days) {
      options.signal?.throwIfAborted();
      clock.advanceTo(day);
      const report = await runCycle(deps, feedServer.feeds, { concurrency: feedServer.feeds.length, onlyDue: false });
      result.steps += 1;
      for (const feed of report.feeds) for (const item of feed.newItems) titles.set(item.id, item.title);
      recordStep(result, report);
      printStep(out, day, report, titles);
    }
    result.feedRequests = {
      total: feedServer.requests.length,
      conditional: feedServer.requests.filter((request) => request.conditional).length,
    };
    await finishDemo(store, story, clock, options, result);
    return result;
  } finally {
    await feedServer?.close();
    client.destroy();
    await dynamo.close();
  }
}

/** The store on the default table, refused when it already holds a run of this timeline. */
async function openEmptyDemoStore(
  client: DynamoDBClient,
  timeline: DemoTimeline,
  clock: Clock,
  options: DemoOptions,
): Promise<StoryStore> {
  // The default table, so `storywatch stances/history/report --data-dir <dir>` can inspect a persisted demo.
  if (options.fresh) await dropTable(client, DEFAULT_TABLE_NAME);
  await ensureTable(client, DEFAULT_TABLE_NAME);
  const store = createDynamoStoryStore({ client, tableName: DEFAULT_TABLE_NAME, clock });
  const outletIds = new Set(timeline.outlets.map((outlet) => outlet.id));
  if ((await store.listFeedStates()).some((state) => outletIds.has(state.feedId))) {
    // Its items are all claimed already and its feed states point at ports that are gone.
    throw new DemoStoreNotEmptyError(
      `the store in ${options.dataDir ?? 'memory'} already holds a demo run; pass --fresh to start over`,
    );
  }
  return store;
}

function emptyResult(): DemoResult {
  return {
    steps: 0,
    followUpIds: [],
    otherIds: [],
    stanceChanges: [],
    conditionChanges: 0,
    alertsSent: 0,
    alertsFailed: 0,
    finalStances: [],
    feedResponses: { full: 0, notModified: 0 },
    feedRequests: { total: 0, conditional: 0 },
    reportPath: null,
    reportHtml: '',
  };
}

/** After the last day: the final stances, the report and its feeds, and the summary lines. */
async function finishDemo(
  store: StoryStore,
  story: StoryDefinition,
  clock: Clock,
  options: DemoOptions,
  result: DemoResult,
) {
  const { out } = options;
  result.finalStances = await store.getStanceStates(story.id);
  out.write(
    `\nStances on ${clock.now().toISOString().slice(0, 10)}:\n${formatStanceTable(story, result.finalStances)}\n`,
  );
  const data = await collectReportData(store, story, { until: clock.now() });
  // The feeds are written next to the report, so the page links them by their file names.
  const names = feedFileNames(story.id);
  result.reportHtml = renderReport(data, options.reportPath ? { feeds: names } : {});
  if (options.reportPath) {
    mkdirSync(dirname(options.reportPath), { recursive: true });
    writeFileSync(options.reportPath, result.reportHtml);
    result.reportPath = options.reportPath;
    writeStoryFeeds(data, dirname(options.reportPath), { page: basename(options.reportPath) });
  }
  out.write(
    `\n${result.followUpIds.length} follow-ups, ${result.otherIds.length} other items, ${result.stanceChanges.length} stance changes, ${result.conditionChanges} condition changes, ${result.alertsSent} alerts sent` +
      `${result.alertsFailed ? `, ${result.alertsFailed} alerts failed` : ''}\n` +
      `feeds answered ${result.feedResponses.full} full responses and ${result.feedResponses.notModified} × 304 Not Modified\n` +
      (result.reportPath
        ? `report: ${shownPath(result.reportPath)}\nfeeds: ${feedNamesOf(story.id).join(', ')} next to it\n`
        : ''),
  );
}

/** End of every UTC day that has at least one item, oldest first. */
export function newsDays(timeline: DemoTimeline): string[] {
  const days = new Set(timeline.items.map((item) => item.published.slice(0, 10)));
  return [...days].sort().map((day) => `${day}T23:59:59.000Z`);
}

function recordStep(result: DemoResult, report: CycleReport): void {
  for (const feed of report.feeds) {
    if (feed.outcome === 'changed') result.feedResponses.full += 1;
    if (feed.outcome === 'not_modified') result.feedResponses.notModified += 1;
  }
  for (const analysis of report.analysis.items) {
    const followUp = analysis.stories.some((story) => story.classification.followUp);
    (followUp ? result.followUpIds : result.otherIds).push(analysis.itemId);
    for (const alert of analysis.stories.flatMap((story) => story.alerts)) {
      if (alert.kind === 'conditions_change') {
        result.conditionChanges += 1;
        continue;
      }
      result.stanceChanges.push({
        party: alert.party,
        from: alert.from,
        to: alert.to,
        itemId: alert.evidence.itemId,
        published: alert.evidence.published,
        quote: alert.evidence.quote,
      });
    }
  }
  result.alertsSent += report.published.sent.length;
  result.alertsFailed += report.published.failed.length;
}

function printStep(out: NodeJS.WritableStream, day: string, report: CycleReport, titles: Map<string, string>): void {
  const changed = report.feeds.filter((feed) => feed.outcome === 'changed').length;
  const unchanged = report.feeds.filter((feed) => feed.outcome === 'not_modified').length;
  const failed = report.feeds.filter((feed) => feed.outcome === 'failed');
  const newItems = report.feeds.reduce((sum, feed) => sum + feed.newItems.length, 0);
  out.write(
    `${day.slice(0, 10)}  feeds: ${changed} changed, ${unchanged} unchanged${failed.length ? `, ${failed.length} failed` : ''} · ${newItems} new\n`,
  );
  for (const feed of failed)
    out.write(`    ✗ ${feed.feedId}: ${feed.error?.kind ?? 'error'} — ${feed.error?.message ?? ''}\n`);
  printAnalysedItems(out, report, titles);
  for (const failure of report.published.failed)
    out.write(`    ✗ alert ${failure.alertId} not sent: ${failure.message}\n`);
  if (report.published.sent.length > 0) out.write(`    ✉ ${report.published.sent.length} alert(s) sent\n`);
}

/** A line per analysed item and story (follow-up or other, with its score), then a line per stance change. */
function printAnalysedItems(out: NodeJS.WritableStream, report: CycleReport, titles: Map<string, string>): void {
  for (const analysis of report.analysis.items) {
    const title = clipText(titles.get(analysis.itemId) ?? analysis.itemId, 90);
    for (const story of analysis.stories) {
      const score = story.classification.score.toFixed(2);
      out.write(
        story.classification.followUp ? `    + follow-up ${score}  ${title}\n` : `    · other     ${score}  ${title}\n`,
      );
      for (const alert of story.alerts) out.write(`      ${describeStanceChange(alert)}\n`);
    }
  }
}
