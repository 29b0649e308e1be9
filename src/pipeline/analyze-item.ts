import type { FeedItem } from '../core/feed';
import type { Clock, StoryStore } from '../core/ports';
import type { Alert, StanceState } from '../core/stance-state';
import type { Classification, StanceObservation } from '../core/story';
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
 * Classifies one item against every tracked story; for each follow-up stores its summary, lets the story
 * profile learn from it, runs the stance machine and commits changes together with their alerts.
 * Every step is idempotent, so a redelivered item changes nothing the second time.
 */
export async function analyzeItem(deps: AnalyzeDeps, item: FeedItem): Promise<ItemAnalysis> {
  const stories: StoryAnalysis[] = [];
  for (const story of deps.stories) {
    stories.push(await analyzeForStory(deps, story, item));
  }
  await deps.store.markItemAnalyzed(item.id);
  return { itemId: item.id, stories };
}

async function analyzeForStory(deps: AnalyzeDeps, story: StoryDefinition, item: FeedItem): Promise<StoryAnalysis> {
  const stored = await deps.store.getStoryProfile(story.id);
  const profile = stored ? coerceProfile(stored.profile, story) : initialProfile(story);
  const classification = classifyItem(item, story, profile);
  if (!classification.followUp || !classification.summary) {
    return { storyId: story.id, classification, alerts: [] };
  }
  await deps.store.saveFollowUp(classification.summary);
  await learnFromFollowUp(deps, story, profile, stored?.version ?? 0, classification);
  const alerts: Alert[] = [];
  for (const observation of classification.stances) {
    alerts.push(...(await trackStance(deps, story, item, observation)));
  }
  return { storyId: story.id, classification, alerts };
}

/** The profile is soft state: on a concurrent update we re-read once and otherwise let the other writer win. */
async function learnFromFollowUp(
  deps: AnalyzeDeps,
  story: StoryDefinition,
  profile: StoryProfile,
  version: number,
  classification: Classification,
): Promise<void> {
  const summary = classification.summary;
  if (!summary) return;
  const saved = await deps.store.saveStoryProfile(story.id, adaptProfile(profile, summary, story), version);
  if (saved === 'ok') return;
  const fresh = await deps.store.getStoryProfile(story.id);
  if (!fresh) return;
  await deps.store.saveStoryProfile(
    story.id,
    adaptProfile(fresh.profile as StoryProfile, summary, story),
    fresh.version,
  );
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
