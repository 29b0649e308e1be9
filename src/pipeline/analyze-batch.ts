import type { FeedItem } from '../core/feed';
import type { Clock } from '../core/ports/clock';
import type { FollowUps } from '../core/ports/follow-ups';
import type { ItemClaims } from '../core/ports/item-claims';
import type { Reader, Reading } from '../core/ports/reader';
import type { Readings } from '../core/ports/readings';
import type { StanceLedger } from '../core/ports/stance-ledger';
import type { Alert, StanceState } from '../core/stance-state';
import type { FollowUpSummary, StanceObservation } from '../core/story';
import { baselineStances, type StoryDefinition } from '../detection/index';
import { createRulesReader, RULES_READER_ID } from '../reader/rules';
import { withStoredReadings } from '../reader/stored-readings';
import { baselineState, resolveStanceConfig, type StanceMachineConfig } from '../tracking/index';
import {
  applyToLedger,
  type LedgerStep,
  type PartyLedger,
  type PartyObservation,
  stepsAfterCommitted,
} from '../tracking/party-ledger';
import { type ProfileInBatch, readInOrder, readProfile, saveLearnedProfile } from './story-profiles';

export interface AnalyzeDeps {
  /** Readings: where a model's readings are kept, so a redelivered item is not sent to the model again. */
  store: FollowUps & ItemClaims & StanceLedger & Readings;
  stories: StoryDefinition[];
  clock: Clock;
  /** Who judges the items; the rules when left out. */
  reader?: Reader;
  /** Threshold overrides on top of each story's own tracking config (e.g. from `storywatch replay` flags). */
  stanceOverrides?: Partial<StanceMachineConfig>;
}

/** What one story made of one item: the reading, and the alerts of the stance changes committed for it. */
export interface StoryAnalysis {
  readonly storyId: string;
  readonly classification: Reading;
  readonly alerts: readonly Alert[];
}

export interface ItemAnalysis {
  readonly itemId: string;
  readonly stories: readonly StoryAnalysis[];
}

/** What a committed analysis batch did, built once after every write went through; nothing changes it later. */
export interface AnalysisOutcome {
  /** One per item, oldest first. */
  readonly items: readonly ItemAnalysis[];
  /** Every alert the batch committed, in the order of `items`. */
  readonly alerts: readonly Alert[];
  /** How many (item, story) pairs were follow-ups. */
  readonly followUps: number;
}

/** One story's part of a planned batch. */
interface StoryPlan {
  story: StoryDefinition;
  readings: Reading[];
  profile: ProfileInBatch;
  /** Each party's ledger, applied on the stances read when the batch was planned. */
  ledgers: Map<string, PartyLedger>;
}

/** A batch read and applied in memory, nothing written yet. */
export interface AnalysisPlan {
  readonly items: readonly FeedItem[];
  readonly stories: readonly StoryPlan[];
}

/** How often a stance commit is retried after another writer changed the same party's state first. */
const MAX_COMMIT_ATTEMPTS = 5;

const defaultReader = createRulesReader();

/**
 * The analysis of a batch of items (one local cycle, one queue batch in AWS) as one unit of work: read every item
 * for every story, apply the stance observations in published order to each party's ledger, commit, and report.
 * If the commit never completes (a crash), the items stay claimed but unmarked, come back 'unfinished' and are
 * analysed again; every write is idempotent, so the second pass adds only what the first did not write.
 */
export async function analyzeBatch(deps: AnalyzeDeps, items: FeedItem[]): Promise<AnalysisOutcome> {
  return commitAnalysis(deps, await planAnalysis(deps, items));
}

/**
 * Reads the items (one reader call per story for the whole batch, with the profile as stored), then walks them in
 * published order so each rules reading sees what the follow-ups before it in the batch taught (`readInOrder`), and
 * applies their stances on the states stored now. What the profiles learn is saved by the commit.
 */
export async function planAnalysis(deps: AnalyzeDeps, items: FeedItem[]): Promise<AnalysisPlan> {
  const ordered = inPublishedOrder(items);
  const at = deps.clock.now();
  const reader = withStoredReadings(deps.reader ?? defaultReader, deps.store);
  const stories = await Promise.all(
    deps.stories.map(async (story): Promise<StoryPlan> => {
      const known = await readProfile(deps.store, story);
      // The rules read each item in order with what the follow-ups before it taught (readInOrder): a reading of the
      // whole batch with the stored profile would be made again for every item past the first lesson.
      const given =
        reader.id === RULES_READER_ID || ordered.length === 0
          ? undefined
          : await reader.read(ordered, story, known.read);
      const { readings, profile } = readInOrder(known, ordered, given, story);
      const observations = observationsByParty(ordered, readings, at);
      const states = observations.size > 0 ? await deps.store.getStanceStates(story.id) : [];
      const config = stanceConfig(deps, story);
      const ledgers = new Map(
        [...observations].map(([party, seen]) => [
          party,
          applyToLedger(storedOrBaseline(states, story, party), seen, config),
        ]),
      );
      return { story, readings, profile, ledgers };
    }),
  );
  return { items: ordered, stories };
}

/**
 * Writes a planned batch: each party's run of changes (one transaction per party, more past 100 rows) beside the
 * follow-up rows, then the learned profiles, then the follow-ups' analysed marks. Items that are no story's
 * follow-up wrote nothing, so their marks go out first. A party another writer moved meanwhile is read again and
 * the batch's observations after its last stored change are applied on top; the outcome reports what went in.
 */
export async function commitAnalysis(deps: AnalyzeDeps, plan: AnalysisPlan): Promise<AnalysisOutcome> {
  const followUpIds = new Set(plan.stories.flatMap(({ readings }) => summariesOf(readings).map((s) => s.itemId)));
  const others = plan.items.filter((item) => !followUpIds.has(item.id)).map((item) => item.id);
  const earlyMark = others.length > 0 ? deps.store.markItemsAnalyzed(others) : Promise.resolve();
  earlyMark.catch(() => {}); // Awaited (and reported) below.
  // Stamped before anything is written: a digest that waits out DIGEST_SETTLE_MS past a day finds every row of it.
  const recordedAt = deps.clock.now().toISOString();
  const summaries = plan.stories.flatMap(({ readings }) => summariesOf(readings)).map((s) => ({ ...s, recordedAt }));
  const [committed] = await Promise.all([
    Promise.all(plan.stories.map((part) => commitStory(deps, part))),
    summaries.length > 0 ? deps.store.saveFollowUps(summaries) : undefined,
  ]);
  for (const part of plan.stories) await saveLearnedProfile(deps.store, part.story, part.profile);
  // Only now the follow-ups: a crash before their mark brings them back as 'unfinished'.
  const followUpMark = followUpIds.size > 0 ? deps.store.markItemsAnalyzed([...followUpIds]) : Promise.resolve();
  const failed = (await Promise.allSettled([earlyMark, followUpMark])).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return outcomeOf(plan, committed);
}

/** The steps of every party once committed, by the observation each applied (an object of the readings). */
type CommittedSteps = Map<StanceObservation, LedgerStep>;

async function commitStory(deps: AnalyzeDeps, part: StoryPlan): Promise<CommittedSteps> {
  const steps: CommittedSteps = new Map();
  const parties = await Promise.all(
    [...part.ledgers].map(([party, ledger]) => commitParty(deps, part.story, party, ledger)),
  );
  for (const step of parties.flat()) steps.set(step.observation.observation, step);
  return steps;
}

/** Commits one party's changes, applying the observations again on a state another writer moved first. */
async function commitParty(
  deps: AnalyzeDeps,
  story: StoryDefinition,
  party: string,
  planned: PartyLedger,
): Promise<LedgerStep[]> {
  let ledger = planned;
  const kept: LedgerStep[] = [];
  for (let attempt = 1; ledger.changes.length > 0; attempt += 1) {
    const committed = await deps.store.commitStanceChanges([...ledger.changes]);
    if (committed === ledger.changes.length) break;
    if (attempt >= MAX_COMMIT_ATTEMPTS) {
      throw new Error(`stance of ${party} in ${story.id} kept changing under us after ${MAX_COMMIT_ATTEMPTS} attempts`);
    }
    const { kept: stored, redo } = stepsAfterCommitted(ledger, committed);
    kept.push(...stored);
    const fresh = storedOrBaseline(await deps.store.getStanceStates(story.id), story, party);
    ledger = applyToLedger(
      fresh,
      redo.map((step) => step.observation),
      stanceConfig(deps, story),
    );
  }
  return [...kept, ...ledger.steps];
}

function outcomeOf(plan: AnalysisPlan, committed: CommittedSteps[]): AnalysisOutcome {
  const items = plan.items.map(
    (item, index): ItemAnalysis =>
      Object.freeze({
        itemId: item.id,
        stories: Object.freeze(
          plan.stories.map((part, storyIndex): StoryAnalysis => {
            const classification = part.readings[index] as Reading;
            const steps = committed[storyIndex] as CommittedSteps;
            const alerts = classification.followUp
              ? classification.stances.flatMap((seen) => steps.get(seen)?.alerts ?? [])
              : [];
            return Object.freeze({ storyId: part.story.id, classification, alerts: Object.freeze(alerts) });
          }),
        ),
      }),
  );
  const stories = items.flatMap((item) => item.stories);
  return Object.freeze({
    items: Object.freeze(items),
    alerts: Object.freeze(stories.flatMap((story) => story.alerts)),
    followUps: stories.filter((story) => story.classification.followUp).length,
  });
}

function summariesOf(readings: Reading[]): FollowUpSummary[] {
  return readings.flatMap((reading) => (reading.followUp && reading.summary ? [reading.summary] : []));
}

/** The stance observations of the follow-ups, per party, in the order of the items. */
function observationsByParty(items: FeedItem[], readings: Reading[], at: Date): Map<string, PartyObservation[]> {
  const byParty = new Map<string, PartyObservation[]>();
  for (const [index, item] of items.entries()) {
    const reading = readings[index];
    if (!reading?.followUp || !reading.summary) continue;
    const observed = {
      itemId: item.id,
      source: item.source,
      link: item.link,
      published: item.published ?? at.toISOString(),
    };
    for (const observation of reading.stances) {
      const list = byParty.get(observation.party) ?? [];
      list.push({ observation, item: observed, at });
      byParty.set(observation.party, list);
    }
  }
  return byParty;
}

/** The stored state, or the baseline the story's seed sets, so repeating a known position is not news. */
function storedOrBaseline(states: StanceState[], story: StoryDefinition, party: string): StanceState {
  const stored = states.find((state) => state.party === party);
  if (stored) return stored;
  const seeded = baselineStances(story).find((observation) => observation.party === party) ?? null;
  return baselineState(story.id, party, seeded, story.startDate);
}

function stanceConfig(deps: AnalyzeDeps, story: StoryDefinition): StanceMachineConfig {
  return resolveStanceConfig({ ...(story.tracking ?? {}), ...(deps.stanceOverrides ?? {}) });
}

/**
 * Oldest first; undated items last, in feed order. Stances only move forward in time, so a batch is analysed in
 * this order. It lives here, not beside runCycle, so the analyzer Lambda does not pull in the feed parser.
 */
export function inPublishedOrder(items: FeedItem[]): FeedItem[] {
  return items
    .map((item, index) => ({
      item,
      index,
      time: item.published ? Date.parse(item.published) : Number.POSITIVE_INFINITY,
    }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ item }) => item);
}
