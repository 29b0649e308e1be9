import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { createDynamoStoryStore } from '../../../src/adapters/dynamodb/store';
import type { FeedItem } from '../../../src/core/feed';
import type { StanceCommit, StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/index';
import {
  type AnalysisOutcome,
  analyzeBatch,
  commitAnalysis,
  inPublishedOrder,
  planAnalysis,
} from '../../../src/pipeline/analyze-batch';
import type { TestDynamo } from '../../support/dynamo';
import { commitOne } from '../../support/stance-commits';
import { storageTest as it } from '../../support/storage';
import { watchedStore } from '../../support/watched-store';

const archive: FeedItem[] = inPublishedOrder(
  readFileSync(new URL('../../fixtures/pipeline/archive.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => ({ ...(JSON.parse(line) as Omit<FeedItem, 'language'>), language: 'en' })),
);
// Both halves move the same party's stance, so two batches holding one half each compete for the same state.
const earlier = archive.slice(0, 4);
const later = archive.slice(4);
const stories = loadStories();
const story = stories[0]?.id ?? '';
// One fixed time for every write, so the rows of two runs compare equal.
const clock = { now: () => new Date('2025-03-20T00:00:00.000Z') };

/** A store on a new table of the file's engine, stamping rows with the fixed clock. */
async function freshStore(dynamo: TestDynamo): Promise<StoryStore> {
  return createDynamoStoryStore({ client: dynamo.client, tableName: await dynamo.freshTable(), clock });
}

/** One batch over the items, committed before it returns: the way nobody else writes in between. */
const analyzeAlone = (store: StoryStore, items: FeedItem[]) => analyzeBatch({ store, stories, clock }, items);

const alertIdsOf = (outcome: AnalysisOutcome) => outcome.alerts.map((alert) => alert.id).sort();

/** What the stance side of the store holds: states, every party's history and every alert. */
async function stanceRecord(store: StoryStore) {
  const states = (await store.getStanceStates(story)).sort((a, b) => a.party.localeCompare(b.party));
  const history = await Promise.all(states.map((state) => store.getStanceHistory(story, state.party)));
  const alerts = (await store.listAlerts()).sort((a, b) => a.id.localeCompare(b.id));
  return { states, history, alerts };
}

describe('two analysis batches moving the same stance at once', () => {
  it('ends as if they had run one after the other, and each reports the alerts it committed', async ({ dynamo }) => {
    const sequentialStore = await freshStore(dynamo);
    await analyzeAlone(sequentialStore, earlier);
    await analyzeAlone(sequentialStore, later);
    const sequential = await stanceRecord(sequentialStore);
    expect(sequential.alerts.length).toBeGreaterThan(1);

    const sharedStore = await freshStore(dynamo);
    const watch = watchedStore(sharedStore);
    const winnerDeps = { store: sharedStore, stories, clock };
    const loserDeps = { store: watch.store, stories, clock };
    // Both read the stances before either commits; the one committing last finds them moved.
    const winnerPlan = await planAnalysis(winnerDeps, earlier);
    const loserPlan = await planAnalysis(loserDeps, later);
    const winnerAnalyses = await commitAnalysis(winnerDeps, winnerPlan);
    const loserAnalyses = await commitAnalysis(loserDeps, loserPlan);

    // The loser's first commit of a party was refused, and that party was committed again after a fresh read.
    const loserParties = watch
      .called('commitStanceChanges')
      .map((call) => (call.args[0] as StanceCommit[])[0]?.next.party);
    const retried = loserParties.filter((party, index) => loserParties.indexOf(party) !== index);
    expect(retried).toHaveLength(1);
    expect(watch.called('getStanceStates')).toHaveLength(2);
    expect(await stanceRecord(sharedStore)).toEqual(sequential);
    // The loser's analyses were corrected to what it committed after applying its items again.
    expect([...alertIdsOf(winnerAnalyses), ...alertIdsOf(loserAnalyses)].sort()).toEqual(
      sequential.alerts.map((alert) => alert.id).sort(),
    );
  });
});

describe('a batch whose stance run was cut short by another writer', () => {
  it('keeps the changes that went in and applies the observations after them again on the moved state', async ({
    dynamo,
  }) => {
    const referenceStore = await freshStore(dynamo);
    await analyzeAlone(referenceStore, archive);
    const expected = await stanceRecord(referenceStore);

    const store = await freshStore(dynamo);
    const runs: StanceCommit[][] = [];
    // The first run of a party with several changes: only its first change goes in, then another writer stores the
    // same state again under the next version, as a commit from elsewhere that changed nothing visible would.
    const interrupting: StoryStore = Object.create(store, {
      commitStanceChanges: {
        value: async (changes: StanceCommit[]) => {
          runs.push(changes);
          const [first] = changes;
          if (runs.length > 1 || changes.length < 2 || !first) return store.commitStanceChanges(changes);
          await store.commitStanceChanges([first]);
          await commitOne(store, {
            next: { ...first.next, version: first.next.version + 1 },
            expectedVersion: first.next.version,
            causeItemId: 'elsewhere',
            alerts: [],
          });
          return 1;
        },
      },
    });
    const analyses = await analyzeBatch({ store: interrupting, stories, clock }, archive);
    const [cut] = runs as [StanceCommit[]];
    const party = cut[0]?.next.party;
    const retry = runs.slice(1).find((run) => run[0]?.next.party === party);
    // The retry carries the changes that had not gone in, on top of the other writer's version.
    expect(retry?.length).toBe(cut.length - 1);
    expect(retry?.[0]?.expectedVersion).toBe((cut[0]?.next.version ?? 0) + 1);
    const actual = await stanceRecord(store);
    // Same stances and alerts as without the interruption; the interrupted party is one version further on.
    const withoutOtherWriter = actual.states.map((state) =>
      state.party === party ? { ...state, version: state.version - 1 } : state,
    );
    expect(withoutOtherWriter).toEqual(expected.states);
    expect(actual.alerts).toEqual(expected.alerts);
    expect(alertIdsOf(analyses)).toEqual(expected.alerts.map((alert) => alert.id).sort());
  });
});
