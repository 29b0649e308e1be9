import type { FeedItem } from '../core/feed';
import type { Clock, StoryStore } from '../core/ports';
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
import { applyObservation, baselineState, resolveStanceConfig, type StanceMachineConfig } from '../tracking/index';

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
  /** Alerts committed to the outbox because of this item (stance and condition changes). */
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
 * the order given; what can wait (follow-up rows, what the story profiles learned, the follow-ups' analyzed marks)
 * is written once by finish(). Stance commits are not held back: each carries its alerts into the outbox at once.
 * An item that is no story's follow-up wrote nothing, so its mark goes out during the analysis.
 * If finish() never runs (a crash), the items stay claimed but unmarked, come back 'unfinished' and are analyzed
 * again; every step is idempotent, so the second pass adds only what the first one did not write.
 */
export interface AnalysisBatch {
  analyze(item: FeedItem): Promise<ItemAnalysis>;
  /** Writes the follow-ups and learned profiles, then marks the follow-ups; settles once every mark is written. */
  finish(): Promise<void>;
}

/** A story profile as this batch knows it: the version read, and the follow-ups it learned from since. */
interface ProfileInBatch {
  profile: StoryProfile;
  version: number;
  learned: FollowUpSummary[];
}

export function startAnalysisBatch(deps: AnalyzeDeps): AnalysisBatch {
  const profiles = new Map<string, ProfileInBatch>();
  // Stance states by story, read once and kept current after each of our commits; dropped on a conflict. Stale
  // states are safe with other writers: the stance machine only leaves a state as it is for reasons a newer state
  // would not change (an item already applied, an item older than what was observed, low confidence); any other
  // outcome is a commit conditioned on the version read, which fails if someone else moved the state meanwhile.
  const stanceStates = new Map<string, StanceState[]>();
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

  async function currentStance(story: StoryDefinition, party: string): Promise<StanceState> {
    let states = stanceStates.get(story.id);
    if (!states) {
      states = await deps.store.getStanceStates(story.id);
      stanceStates.set(story.id, states);
    }
    const stored = states.find((state) => state.party === party);
    if (stored) return stored;
    // The baseline the story's seed sets, so repeating a known position is not news.
    const seeded = baselineStances(story).find((observation) => observation.party === party) ?? null;
    return baselineState(story.id, party, seeded, story.startDate);
  }

  function remember(storyId: string, next: StanceState): void {
    const states = stanceStates.get(storyId);
    if (states) stanceStates.set(storyId, [...states.filter((state) => state.party !== next.party), next]);
  }

  async function trackStance(story: StoryDefinition, item: FeedItem, observation: StanceObservation): Promise<Alert[]> {
    const config = resolveStanceConfig({ ...(story.tracking ?? {}), ...(deps.stanceOverrides ?? {}) });
    const itemRef = {
      itemId: item.id,
      source: item.source,
      link: item.link,
      published: item.published ?? deps.clock.now().toISOString(),
    };
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt += 1) {
      const current = await currentStance(story, observation.party);
      const result = applyObservation(current, observation, itemRef, config, deps.clock.now());
      if (!result.changed) return [];
      const committed = await deps.store.commitStanceChange({
        next: result.next,
        expectedVersion: current.version,
        causeItemId: item.id,
        alerts: result.alerts,
      });
      if (committed === 'ok') {
        remember(story.id, result.next);
        return result.alerts;
      }
      // Another writer moved this story's stances: read them again before the next attempt.
      stanceStates.delete(story.id);
    }
    throw new Error(
      `stance of ${observation.party} in ${story.id} kept changing under us after ${MAX_COMMIT_ATTEMPTS} attempts`,
    );
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
    const alerts: Alert[] = [];
    for (const observation of classification.stances) {
      alerts.push(...(await trackStance(story, item, observation)));
    }
    return { storyId: story.id, classification, alerts };
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
      if (followUps.length > 0) await deps.store.saveFollowUps(followUps);
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
