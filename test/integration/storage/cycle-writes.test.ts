import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import type { FeedDefinition } from '../../../src/core/feed';
import type { StanceCommit, StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/story';
import { createHttpFeedFetcher } from '../../../src/ingestion/fetcher';
import { type CycleDeps, runCycle } from '../../../src/pipeline/run-cycle';
import { type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';
import { storageTest } from '../../support/storage';
import { watchedStore } from '../../support/watched-store';

// The reliability feeds carry follow-ups with stance changes, so a cycle over them exercises every store call.
const FEED_FILES = ['wire-a.xml', 'wire-b.xml'];
const clock = { now: () => new Date('2025-03-16T00:00:00.000Z') };
const stories = loadStories();

/** The reliability fixtures as RSS, one route per file. */
const feedRoutes = () =>
  Object.fromEntries(
    FEED_FILES.map((file) => [
      `/${file}`,
      {
        headers: { 'content-type': 'application/rss+xml; charset=utf-8' },
        body: readFileSync(new URL(`../../fixtures/reliability/${file}`, import.meta.url)),
      },
    ]),
  );

const it = storageTest.extend({ clock }).extend<{ feedServer: LoopbackFeedServer; feeds: FeedDefinition[] }>({
  feedServer: [
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
    async ({}, use) => {
      const server = await startLoopbackFeedServer(feedRoutes());
      try {
        await use(server);
      } finally {
        await server.close();
      }
    },
    { scope: 'file' },
  ],
  feeds: async ({ feedServer }, use) => {
    await use(
      FEED_FILES.map((file) => ({
        id: file.replace('.xml', ''),
        url: feedServer.url(`/${file}`),
        name: `Cycle ${file}`,
        publisher: 'storywatch storage tests',
        language: 'en',
      })),
    );
  },
});

/** The store with every call noted in order; with `fail`, every call of that method fails as a crash would. */
const watched = (target: StoryStore, fail?: keyof StoryStore) =>
  watchedStore(target, fail ? { method: fail, message: `${fail} crashed` } : undefined);

const cycleDeps = (target: StoryStore): CycleDeps => ({
  store: target,
  fetcher: createHttpFeedFetcher({ allowPrivateNetwork: true, timeoutMs: 5_000 }),
  clock,
  stories,
  notifier: { publish: async () => {} },
});

describe('a local cycle against the store', () => {
  it('reads feed states, profiles and stances once, claims each item once, commits each moved party once, writes follow-ups and feed states in one call each, marks follow-ups after their rows and every item before the feed states', async ({
    store,
    feeds,
  }) => {
    const watch = watched(store);
    const report = await runCycle(cycleDeps(watch.store), feeds, { concurrency: 2, onlyDue: false });

    const followUps = report.analysis.items.filter((analysis) =>
      analysis.stories.some((s) => s.classification.followUp),
    );
    expect(followUps.length).toBeGreaterThan(1);
    // Stance changes wait for the end of the batch: one run per party that moved, carrying every alert reported.
    const stanceRuns = watch.called('commitStanceChanges').map((call) => call.args[0] as StanceCommit[]);
    expect(stanceRuns.length).toBeGreaterThan(0);
    const movedParties = stanceRuns.map((run) => run[0]?.next.party);
    expect(new Set(movedParties).size).toBe(stanceRuns.length);
    const committedAlerts = stanceRuns.flatMap((run) =>
      run.flatMap((change) => change.alerts.map((alert) => alert.id)),
    );
    const reportedAlerts = report.analysis.items.flatMap((analysis) =>
      analysis.stories.flatMap((s) => s.alerts.map((alert) => alert.id)),
    );
    expect(reportedAlerts.length).toBeGreaterThan(1);
    expect([...committedAlerts].sort()).toEqual([...reportedAlerts].sort());
    expect(watch.called('getFeedState')).toEqual([]);
    expect(watch.called('getFeedStates')).toHaveLength(1);
    expect(watch.called('listFeedStates')).toEqual([]);
    expect(watch.called('getStoryProfile').length).toBeLessThanOrEqual(stories.length);
    expect(watch.called('getStanceStates').length).toBeLessThanOrEqual(stories.length);
    // Claims go out while fetching goes on, at most one per feed, and each item is claimed exactly once.
    const claims = watch.called('claimItems');
    expect(claims.length).toBeGreaterThanOrEqual(1);
    expect(claims.length).toBeLessThanOrEqual(feeds.length);
    const claimedIds = claims.flatMap((call) =>
      (call.args[0] as { item: { id: string } }[]).map(({ item }) => item.id),
    );
    expect(new Set(claimedIds).size).toBe(claimedIds.length);
    expect(claimedIds).toEqual(expect.arrayContaining(report.analysis.items.map((analysis) => analysis.itemId)));
    const savedFollowUps = watch.called('saveFollowUps');
    expect(savedFollowUps).toHaveLength(1);
    const summaries = report.analysis.items
      .flatMap((analysis) => analysis.stories)
      .filter((s) => s.classification.followUp);
    expect(savedFollowUps[0]?.args[0]).toHaveLength(summaries.length);
    expect(watch.called('saveStoryProfile').length).toBeLessThanOrEqual(stories.length);
    // Every analyzed item is marked once; a follow-up only after its stances, its row and the profile are written.
    const markedIds = watch.called('markItemsAnalyzed').flatMap((call) => call.args[0] as string[]);
    expect([...markedIds].sort()).toEqual(report.analysis.items.map((analysis) => analysis.itemId).sort());
    const followUpIds = new Set(followUps.map((analysis) => analysis.itemId));
    const lastFollowUpWrite = Math.max(
      ...['commitStanceChanges', 'saveFollowUps', 'saveStoryProfile'].map((method) =>
        watch.calls.map((call) => call.method).lastIndexOf(method),
      ),
    );
    watch.calls.forEach((call, position) => {
      if (call.method !== 'markItemsAnalyzed') return;
      const marksFollowUps = (call.args[0] as string[]).some((id) => followUpIds.has(id));
      if (marksFollowUps) expect(position).toBeGreaterThan(lastFollowUpWrite);
    });
    const savedStates = watch.called('putFeedStates');
    expect(savedStates).toHaveLength(1);
    expect(savedStates[0]?.args[0]).toHaveLength(feeds.length);
    const order = watch.calls.map((call) => call.method);
    expect(order.lastIndexOf('markItemsAnalyzed')).toBeLessThan(order.indexOf('putFeedStates'));
  });

  it('brings the items of a cycle that crashed before its analyzed mark back as unfinished, and the rerun adds nothing twice', async ({
    store,
    feeds,
  }) => {
    const crashing = watched(store, 'markItemsAnalyzed');
    await expect(runCycle(cycleDeps(crashing.store), feeds, { concurrency: 2, onlyDue: false })).rejects.toThrow(
      /markItemsAnalyzed crashed/,
    );
    expect(crashing.called('putFeedStates')).toEqual([]);
    const followUpsBefore = await store.listFollowUps(stories[0]?.id ?? '');
    const alertsBefore = await store.listAlerts();
    expect(followUpsBefore.length).toBeGreaterThan(0);

    const rerun = watched(store);
    const report = await runCycle(cycleDeps(rerun.store), feeds, { concurrency: 2, onlyDue: false });
    // Claimed but never marked: the rerun analyzes exactly the items the crashed cycle had analyzed.
    const analyzedIds = report.analysis.items.map((analysis) => analysis.itemId);
    // What the crashed cycle analyzed: the items it tried to mark early, and the follow-ups whose rows it wrote.
    const attemptedMarks = crashing.called('markItemsAnalyzed').flatMap((call) => call.args[0] as string[]);
    const savedFollowUps = crashing
      .called('saveFollowUps')
      .flatMap((call) => (call.args[0] as { itemId: string }[]).map((summary) => summary.itemId));
    expect(savedFollowUps.length).toBeGreaterThan(0);
    expect(new Set(analyzedIds)).toEqual(new Set([...attemptedMarks, ...savedFollowUps]));
    expect(await store.listFollowUps(stories[0]?.id ?? '')).toEqual(followUpsBefore);
    expect((await store.listAlerts()).map((alert) => alert.id)).toEqual(alertsBefore.map((alert) => alert.id));

    const quiet = await runCycle(cycleDeps(store), feeds, { concurrency: 2, onlyDue: false });
    expect(quiet.analysis.items).toEqual([]);
  });
});
