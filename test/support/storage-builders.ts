import { readFileSync } from 'node:fs';
import type { FeedItem, FeedState } from '../../src/core/feed';
import type { Alert, StanceState } from '../../src/core/stance-state';
import type { FollowUpSummary } from '../../src/core/story';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/storage/${name}`, import.meta.url), 'utf8')) as unknown;

export const fixtureItems = () => fixture('items.json') as FeedItem[];
export const fixtureFollowUp = () => fixture('followup.json') as FollowUpSummary;

export function feedState(feedId: string, overrides: Partial<FeedState> = {}): FeedState {
  return {
    feedId,
    url: `https://${feedId}.example.org/rss`,
    etag: '"v1"',
    lastModified: null,
    nextPollAt: '2025-03-14T10:00:00.000Z',
    consecutiveFailures: 0,
    status: 'active',
    lastError: null,
    lastPolledAt: '2025-03-14T09:45:00.000Z',
    lastSuccessAt: '2025-03-14T09:45:00.000Z',
    ...overrides,
  };
}

export function stanceState(party: string, version: number, overrides: Partial<StanceState> = {}): StanceState {
  return {
    storyId: 'ceasefire-2025',
    party,
    label: 'conditional',
    confidence: 0.8,
    since: '2025-03-14T09:30:00.000Z',
    conditions: ['monitoring'],
    evidence: [],
    pending: [],
    observedUntil: '2025-03-14T09:30:00.000Z',
    lastChangeAt: '2025-03-14T09:30:00.000Z',
    version,
    ...overrides,
  };
}

export function alertFor(state: StanceState, causeItemId: string, overrides: Partial<Alert> = {}): Alert {
  return {
    id: `alert-${state.party}-${state.version}-${causeItemId}`,
    storyId: state.storyId,
    party: state.party,
    kind: 'stance_change',
    severity: 'high',
    from: 'supports',
    to: state.label,
    conditionsAdded: [],
    conditionsDropped: [],
    evidence: {
      itemId: causeItemId,
      quote: 'The pause would need monitoring.',
      source: 'https://wire.example.org/feeds/world.rss',
      link: 'https://wire.example.org/world/1',
      published: state.observedUntil,
    },
    previousEvidence: null,
    conditions: state.conditions,
    recentStatements: [],
    createdAt: '2025-03-14T09:40:00.000Z',
    status: 'pending',
    sentAt: null,
    ...overrides,
  };
}
