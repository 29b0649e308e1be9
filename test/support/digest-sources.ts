import type { DigestSource } from '../../src/channels/digest';
import type { StanceState } from '../../src/core/stance-state';
import type { FollowUpSummary, StanceLabel, StanceObservation } from '../../src/core/story';

/** The story the digest tests read: three parties, the ids the sample alert uses. */
export const DIGEST_STORY: DigestSource['story'] = {
  id: 'ceasefire-2025',
  title: 'Ceasefire talks',
  parties: [
    { id: 'russia', name: 'Russia' },
    { id: 'ukraine', name: 'Ukraine' },
    { id: 'eu', name: 'European Union' },
  ],
};

export function observation(party: string, label: StanceLabel, evidence: string): StanceObservation {
  return { party, label, confidence: 0.9, evidence, conditions: [], direct: true };
}

/** A stored follow-up as the read model returns it; tests override what they are about. */
export function sampleFollowUp(overrides: Partial<FollowUpSummary> = {}): FollowUpSummary {
  return {
    storyId: DIGEST_STORY.id,
    itemId: 'item-1',
    source: 'https://news.example.org/world',
    link: 'https://news.example.org/world/talks-resume',
    title: 'Talks resume in Geneva',
    published: '2025-03-17T10:00:00.000Z',
    score: 0.8,
    summary: 'Delegations met for a second round.',
    parties: ['russia'],
    stances: [observation('russia', 'opposes', 'Moscow will not accept the deal.')],
    conditions: [],
    quotes: [],
    keyTerms: [],
    reasons: [],
    ...overrides,
  };
}

export function stanceOf(party: string, label: StanceLabel | null): StanceState {
  return {
    storyId: DIGEST_STORY.id,
    party,
    label,
    confidence: 0.9,
    since: '2025-03-17T08:00:00.000Z',
    conditions: [],
    evidence: [],
    pending: [],
    observedUntil: '2025-03-17T08:00:00.000Z',
    lastChangeAt: null,
    version: 1,
  };
}
