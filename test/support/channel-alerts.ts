import type { Alert } from '../../src/core/stance-state';

/** A stance-change alert as the tracking code raises one; tests override what they are about. */
export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  const evidence = {
    itemId: 'item-kremlin-1',
    quote: 'Moscow will not accept any deal that keeps foreign troops at the line.',
    source: 'https://news.example.org/world',
    link: 'https://news.example.org/world/kremlin-rejects-deal',
    published: '2025-03-17T08:00:00.000Z',
  };
  return {
    id: 'ceasefire-2025:russia:3',
    storyId: 'ceasefire-2025',
    party: 'russia',
    kind: 'stance_change',
    severity: 'high',
    from: 'conditional',
    to: 'opposes',
    conditionsAdded: [],
    conditionsDropped: [],
    evidence,
    previousEvidence: null,
    conditions: [],
    recentStatements: [evidence],
    createdAt: '2025-03-17T09:00:00.000Z',
    status: 'pending',
    sentAt: null,
    ...overrides,
  };
}
