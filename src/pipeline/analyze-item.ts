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
  /**
   * Story profiles already read, by story id, kept current after each save. A batch of items (one local cycle,
   * one queue batch) shares one map so each profile is read once; without it every item reads the store.
   */
  profiles?: Map<string, { profile: StoryProfile; version: number }>;
  /**
   * Leave the analyzed mark to the caller, who marks a whole batch with markItemsAnalyzed once every item of it
   * was analyzed. A crash before that mark makes the items come back 'unfinished' and be analyzed again, which
   * is idempotent.
   */
  deferAnalyzedMark?: boolean;
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
 * Classifies one item against every tracked story; for each follow-up stores its summary, lets the story
 * profile learn from it, runs the stance machine and commits changes together with their alerts.
 * Every step is idempotent, so a redelivered item changes nothing the second time.
 */
export async function analyzeItem(deps: AnalyzeDeps, item: FeedItem): Promise<ItemAnalysis> {
  const stories: StoryAnalysis[] = [];
  for (const story of deps.stories) {
    stories.push(await analyzeForStory(deps, story, item));
  }
  if (!deps.deferAnalyzedMark) await deps.store.markItemAnalyzed(item.id);
  return { itemId: item.id, stories };
}

async function analyzeForStory(deps: AnalyzeDeps, story: StoryDefinition, item: FeedItem): Promise<StoryAnalysis> {
  const { profile, version } = await loadProfile(deps, story);
  const classification = classifyItem(item, story, profile);
  if (!classification.followUp || !classification.summary) {
    return { storyId: story.id, classification, alerts: [] };
  }
  await deps.store.saveFollowUp(classification.summary);
  await learnFromFollowUp(deps, story, profile, version, classification.summary);
  const alerts: Alert[] = [];
  for (const observation of classification.stances) {
    alerts.push(...(await trackStance(deps, story, item, observation)));
  }
  return { storyId: story.id, classification, alerts };
}

async function loadProfile(
  deps: AnalyzeDeps,
  story: StoryDefinition,
): Promise<{ profile: StoryProfile; version: number }> {
  const cached = deps.profiles?.get(story.id);
  if (cached) return cached;
  const stored = await deps.store.getStoryProfile(story.id);
  const loaded = stored
    ? { profile: coerceProfile(stored.profile, story), version: stored.version }
    : { profile: initialProfile(story), version: 0 };
  deps.profiles?.set(story.id, loaded);
  return loaded;
}

/** The profile is soft state: on a concurrent update we re-read once and otherwise let the other writer win. */
async function learnFromFollowUp(
  deps: AnalyzeDeps,
  story: StoryDefinition,
  profile: StoryProfile,
  version: number,
  summary: FollowUpSummary,
): Promise<void> {
  const adapted = adaptProfile(profile, summary, story);
  // The profile hands itself back for a follow-up it already absorbed (a redelivery): nothing to write.
  if (adapted === profile) return;
  if ((await deps.store.saveStoryProfile(story.id, adapted, version)) === 'ok') {
    deps.profiles?.set(story.id, { profile: adapted, version: version + 1 });
    return;
  }
  // Someone else saved first (or the cache is stale): whatever we hold is no longer the stored profile.
  deps.profiles?.delete(story.id);
  const fresh = await deps.store.getStoryProfile(story.id);
  if (!fresh) return;
  const stored = coerceProfile(fresh.profile, story);
  const readapted = adaptProfile(stored, summary, story);
  if (readapted === stored) return;
  if ((await deps.store.saveStoryProfile(story.id, readapted, fresh.version)) === 'ok') {
    deps.profiles?.set(story.id, { profile: readapted, version: fresh.version + 1 });
  }
}

async function trackStance(
  deps: AnalyzeDeps,
  story: StoryDefinition,
  item: FeedItem,
  observation: StanceObservation,
): Promise<Alert[]> {
  const config = resolveStanceConfig({ ...(story.tracking ?? {}), ...(deps.stanceOverrides ?? {}) });
  const itemRef = {
    itemId: item.id,
    source: item.source,
    link: item.link,
    published: item.published ?? deps.clock.now().toISOString(),
  };
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt += 1) {
    const current = await currentStance(deps.store, story, observation.party);
    const result = applyObservation(current, observation, itemRef, config, deps.clock.now());
    if (!result.changed) return [];
    const committed = await deps.store.commitStanceChange({
      next: result.next,
      expectedVersion: current.version,
      causeItemId: item.id,
      alerts: result.alerts,
    });
    if (committed === 'ok') return result.alerts;
  }
  throw new Error(
    `stance of ${observation.party} in ${story.id} kept changing under us after ${MAX_COMMIT_ATTEMPTS} attempts`,
  );
}

/** The stored state, or the baseline the story's seed sets, so repeating a known position is not news. */
async function currentStance(store: StoryStore, story: StoryDefinition, party: string): Promise<StanceState> {
  const states = await store.getStanceStates(story.id);
  const stored = states.find((state) => state.party === party);
  if (stored) return stored;
  const seeded = baselineStances(story).find((observation) => observation.party === party) ?? null;
  return baselineState(story.id, party, seeded, story.startDate);
}
