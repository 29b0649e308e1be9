import type { FeedItem } from '../core/feed';
import type { Clock, StanceCommit, StoryStore } from '../core/ports';
import type { Alert, StanceState } from '../core/stance-state';
import type { Classification, FollowUpSummary, StanceObservation } from '../core/story';
import {
  adaptProfile,
  baselineStances,
  classifyItem,
  coerceProfile,
  initialProfile,
  type StoryDefinition,
  type StoryProfile,
} from '../detection/index';
import {
  applyObservation,
  baselineState,
  type ObservedItem,
  resolveStanceConfig,
  type StanceMachineConfig,
  stanceCommit,
} from '../tracking/index';

export interface AnalyzeDeps {
  store: StoryStore;
  stories: StoryDefinition[];
  clock: Clock;
  /** Threshold overrides on top of each story's own tracking config (e.g. from `storywatch replay` flags). */
  stanceOverrides?: Partial<StanceMachineConfig>;
}

export interface StoryAnalysis {
  storyId: string;
  classification: Classification;
  /**
   * Alerts this item raised (stance and condition changes). They reach the outbox when the batch's finish() commits
   * them; should another writer's change make the batch apply the item again, finish() replaces them.
   */
  alerts: Alert[];
}

export interface ItemAnalysis {
  itemId: string;
  stories: StoryAnalysis[];
}

/** How often a stance commit is retried after another writer changed the same party's state first. */
const MAX_COMMIT_ATTEMPTS = 5;

/**
 * The analysis of a batch of items: one local cycle, or one queue batch in AWS. Items are analyzed one by one, in
 * the order given, each against the stances the items before it left. What can wait is written once by finish():
 * each party's stance changes (one transaction per party, more past 100 rows), the follow-up rows, what the story
 * profiles learned, and last the follow-ups' analyzed marks. An item that is no story's follow-up wrote nothing, so
 * its mark goes out during the analysis.
 * If finish() never runs (a crash), the items stay claimed but unmarked, come back 'unfinished' and are analyzed
 * again; every step is idempotent, so the second pass adds only what the first one did not write.
 */
export interface AnalysisBatch {
  analyze(item: FeedItem): Promise<ItemAnalysis>;
  /**
   * Commits the stance changes, writes the follow-ups and learned profiles, then marks the follow-ups; settles once
   * every mark is written. Should another writer have moved a party's stance meanwhile, that party's observations
   * are applied again on top of it, and the analyses' alerts are corrected to what was committed.
   */
  finish(): Promise<void>;
}

/** A story profile as this batch knows it: the version read, and the follow-ups it learned from since. */
interface ProfileInBatch {
  profile: StoryProfile;
  version: number;
  learned: FollowUpSummary[];
}

/** One party's stance as this batch moves it: what is stored, and the changes made on top not yet committed. */
interface StanceLedger {
  story: StoryDefinition;
  party: string;
  /** The state after the batch's changes so far: what the next observation is applied to. */
  current: StanceState;
  /** Changes on top of the stored state, oldest first; committed by finish(). */
  changes: StanceCommit[];
  /** Every observation applied since the stored state, for a replay on a state another writer moved. */
  observations: LedgerObservation[];
}

interface LedgerObservation {
  observation: StanceObservation;
  item: ObservedItem;
  at: Date;
  /** The analysis that reported this observation's alerts, corrected after a replay. */
  analysis: StoryAnalysis;
  /** How many changes the ledger held once this observation was applied (the first to reach a count made it). */
  changesAfter: number;
}

export function startAnalysisBatch(deps: AnalyzeDeps): AnalysisBatch {
  const profiles = new Map<string, ProfileInBatch>();
  // Stance states by story, read once; each party's ledger is then the batch's own view of it. Commits wait for
  // finish(), conditioned on the version read: a stale state costs a replay then, never a lost change.
  const storedStances = new Map<string, StanceState[]>();
  const ledgers = new Map<string, StanceLedger>();
  let followUps: FollowUpSummary[] = [];
  /** Items that are a follow-up of some story: marked by finish(), after their rows and what the profiles learned. */
  let followUpIds: string[] = [];
  /** Items that are no story's follow-up, not yet sent to be marked: they go 100 at a time, a mark request's worth. */
  let unmarked: string[] = [];
  let earlyMarks: Promise<void>[] = [];
  const sendEarlyMarks = (): void => {
    const marked = deps.store.markItemsAnalyzed(unmarked);
    marked.catch(() => {}); // Awaited (and reported) by finish().
    earlyMarks.push(marked);
    unmarked = [];
  };

  async function profileOf(story: StoryDefinition): Promise<ProfileInBatch> {
    const known = profiles.get(story.id);
    if (known) return known;
    const stored = await deps.store.getStoryProfile(story.id);
    const loaded: ProfileInBatch = stored
      ? { profile: coerceProfile(stored.profile, story), version: stored.version, learned: [] }
      : { profile: initialProfile(story), version: 0, learned: [] };
    profiles.set(story.id, loaded);
    return loaded;
  }

  async function storedStance(story: StoryDefinition, party: string): Promise<StanceState> {
    let states = storedStances.get(story.id);
    if (!states) {
      states = await deps.store.getStanceStates(story.id);
      storedStances.set(story.id, states);
    }
    const stored = states.find((state) => state.party === party);
    if (stored) return stored;
    // The baseline the story's seed sets, so repeating a known position is not news.
    const seeded = baselineStances(story).find((observation) => observation.party === party) ?? null;
    return baselineState(story.id, party, seeded, story.startDate);
  }

  async function ledgerOf(story: StoryDefinition, party: string): Promise<StanceLedger> {
    const key = `${story.id}\u0000${party}`;
    let ledger = ledgers.get(key);
    if (!ledger) {
      ledger = { story, party, current: await storedStance(story, party), changes: [], observations: [] };
      ledgers.set(key, ledger);
    }
    return ledger;
  }

  function stanceConfig(story: StoryDefinition): StanceMachineConfig {
    return resolveStanceConfig({ ...(story.tracking ?? {}), ...(deps.stanceOverrides ?? {}) });
  }

  /** Applies one observation on the ledger's current state; a change joins the ledger's uncommitted changes. */
  function applyToLedger(ledger: StanceLedger, entry: Omit<LedgerObservation, 'changesAfter'>): Alert[] {
    const result = applyObservation(
      ledger.current,
      entry.observation,
      entry.item,
      stanceConfig(ledger.story),
      entry.at,
    );
    if (result.changed) {
      ledger.changes.push(stanceCommit(ledger.current, result, entry.item.itemId));
      ledger.current = result.next;
    }
    ledger.observations.push({ ...entry, changesAfter: ledger.changes.length });
    return result.alerts;
  }

  async function trackStance(
    story: StoryDefinition,
    item: FeedItem,
    observation: StanceObservation,
    analysis: StoryAnalysis,
  ): Promise<void> {
    const ledger = await ledgerOf(story, observation.party);
    const at = deps.clock.now();
    const observed = {
      itemId: item.id,
      source: item.source,
      link: item.link,
      published: item.published ?? at.toISOString(),
    };
    analysis.alerts.push(...applyToLedger(ledger, { observation, item: observed, at, analysis }));
  }

  /**
   * Commits one party's changes. When another writer moved the state first, what was committed stays, the state
   * is read again and the observations after the last committed change are applied on top of it, then committed.
   */
  async function commitLedger(ledger: StanceLedger): Promise<void> {
    for (let attempt = 1; ledger.changes.length > 0; attempt += 1) {
      const committed = await deps.store.commitStanceChanges(ledger.changes);
      if (committed === ledger.changes.length) break;
      if (attempt >= MAX_COMMIT_ATTEMPTS) {
        throw new Error(
          `stance of ${ledger.party} in ${ledger.story.id} kept changing under us after ${MAX_COMMIT_ATTEMPTS} attempts`,
        );
      }
      // Everything after the observation that made the last committed change; all of them when none went in.
      const lastIn = committed === 0 ? -1 : ledger.observations.findIndex((entry) => entry.changesAfter === committed);
      const toReplay = ledger.observations.slice(lastIn + 1);
      storedStances.delete(ledger.story.id);
      ledger.current = await storedStance(ledger.story, ledger.party);
      ledger.changes = [];
      ledger.observations = [];
      // An item carries at most one observation per party, so its alerts for this party all come from the replay.
      for (const entry of toReplay) {
        const others = entry.analysis.alerts.filter((alert) => alert.party !== ledger.party);
        entry.analysis.alerts = [...others, ...applyToLedger(ledger, entry)];
      }
    }
    ledger.changes = [];
  }

  async function analyzeForStory(story: StoryDefinition, item: FeedItem): Promise<StoryAnalysis> {
    const known = await profileOf(story);
    const classification = classifyItem(item, story, known.profile);
    if (!classification.followUp || !classification.summary) {
      return { storyId: story.id, classification, alerts: [] };
    }
    const summary = classification.summary;
    const adapted = adaptProfile(known.profile, summary, story);
    // The profile hands itself back for a follow-up it already absorbed (a redelivery): nothing to learn.
    if (adapted !== known.profile) {
      known.profile = adapted;
      known.learned.push(summary);
    }
    const analysis: StoryAnalysis = { storyId: story.id, classification, alerts: [] };
    for (const observation of classification.stances) await trackStance(story, item, observation, analysis);
    return analysis;
  }

  return {
    async analyze(item) {
      const stories: StoryAnalysis[] = [];
      for (const story of deps.stories) stories.push(await analyzeForStory(story, item));
      // Only a fully analyzed item joins the batch's writes; a failed one is redone whole when it comes back.
      const summaries = stories.flatMap((story) =>
        story.classification.followUp && story.classification.summary ? [story.classification.summary] : [],
      );
      if (summaries.length > 0) {
        followUps.push(...summaries);
        followUpIds.push(item.id);
      } else {
        // Not a follow-up of any story: its analysis wrote nothing, so it can be marked now, in the background.
        unmarked.push(item.id);
        if (unmarked.length >= 100) sendEarlyMarks();
      }
      return { itemId: item.id, stories };
    },

    async finish() {
      if (unmarked.length > 0) sendEarlyMarks();
      // Parties move independently, so their commits go out side by side, along with the follow-up rows.
      const pendingLedgers = [...ledgers.values()].filter((ledger) => ledger.changes.length > 0);
      await Promise.all([
        Promise.all(pendingLedgers.map(commitLedger)),
        followUps.length > 0 ? deps.store.saveFollowUps(followUps) : undefined,
      ]);
      // Every observation is now part of a stored state, or changed nothing; none needs applying again.
      for (const ledger of ledgers.values()) ledger.observations = [];
      for (const story of deps.stories) {
        const known = profiles.get(story.id);
        if (known && known.learned.length > 0) await saveLearnedProfile(deps.store, story, known);
      }
      // Only now the follow-ups: a crash before their mark brings them back as 'unfinished'.
      const followUpMark = followUpIds.length > 0 ? deps.store.markItemsAnalyzed(followUpIds) : Promise.resolve();
      const settled = await Promise.allSettled([...earlyMarks, followUpMark]);
      followUps = [];
      followUpIds = [];
      earlyMarks = [];
      for (const known of profiles.values()) known.learned = [];
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

/** Analyzes one item on its own: a batch of one, finished at once. */
export async function analyzeItem(deps: AnalyzeDeps, item: FeedItem): Promise<ItemAnalysis> {
  const batch = startAnalysisBatch(deps);
  const analysis = await batch.analyze(item);
  await batch.finish();
  return analysis;
}

/**
 * The profile is soft state: if another writer saved it since we read it, we re-read once, replay what this batch
 * learned on top of theirs, and otherwise let the other writer win.
 */
async function saveLearnedProfile(store: StoryStore, story: StoryDefinition, known: ProfileInBatch): Promise<void> {
  if ((await store.saveStoryProfile(story.id, known.profile, known.version)) === 'ok') {
    known.version += 1;
    return;
  }
  const fresh = await store.getStoryProfile(story.id);
  if (!fresh) return;
  const stored = coerceProfile(fresh.profile, story);
  const replayed = known.learned.reduce((profile, summary) => adaptProfile(profile, summary, story), stored);
  known.profile = replayed;
  known.version = fresh.version;
  if (replayed === stored) return;
  if ((await store.saveStoryProfile(story.id, replayed, fresh.version)) === 'ok') known.version += 1;
}

/**
 * Oldest first; undated items last, in feed order. Stances only move forward in time, so a batch is analyzed in
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
