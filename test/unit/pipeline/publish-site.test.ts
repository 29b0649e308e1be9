import { describe, expect, it } from 'vitest';
import { lastChangeAt } from '../../../src/pipeline/publish-site';
import type { ReportData } from '../../../src/report/report-data';
import { sampleAlert } from '../../support/channel-alerts';

const NOW = new Date('2025-06-01T12:00:00.000Z');

function data(overrides: Partial<ReportData>): ReportData {
  return {
    story: { id: 's', title: 'S', description: 'd', startDate: '2025-03-11' },
    parties: [],
    history: [],
    currentStances: [],
    followUps: [],
    alerts: [],
    until: NOW.toISOString(),
    generatedAt: NOW.toISOString(),
    ...overrides,
  };
}

describe('lastChangeAt: what the hosted page is dated by', () => {
  it('is the start of the story when nothing happened yet', () => {
    expect(lastChangeAt(data({}), NOW)).toBe('2025-03-11T00:00:00.000Z');
  });

  it('is the newest alert, send or follow-up, skipping dates that do not parse', () => {
    const alert = sampleAlert({ createdAt: '2025-04-01T00:00:00.000Z', sentAt: '2025-04-02T08:00:00.000Z' });
    const followUp = { published: 'not a date' } as ReportData['followUps'][number];
    expect(lastChangeAt(data({ alerts: [alert], followUps: [followUp] }), NOW)).toBe('2025-04-02T08:00:00.000Z');
  });

  it('never lies in the future, whatever a feed claimed', () => {
    const followUp = { published: '2031-01-01T00:00:00.000Z' } as ReportData['followUps'][number];
    expect(lastChangeAt(data({ followUps: [followUp] }), NOW)).toBe(NOW.toISOString());
  });
});
