import { describe, expect, it } from 'vitest';
import { refreshSite, storiesChangedBy } from '../../../functions/lib/site';
import { METRIC } from '../../../src/config/metrics';
import type { AnalysisOutcome } from '../../../src/pipeline/analyze-batch';
import type { StorySiteRefresher } from '../../../src/pipeline/publish-site';
import { sampleAlert } from '../../support/channel-alerts';
import { fixedClock, recordingLog, recordingMetrics } from '../../support/handler-rig';

const reading = (followUp: boolean) =>
  ({ followUp }) as AnalysisOutcome['items'][number]['stories'][number]['classification'];

describe('which stories a committed batch changed', () => {
  it('counts a story with a follow-up or a committed alert, not one that only saw other items', () => {
    const outcome: AnalysisOutcome = {
      items: [
        {
          itemId: 'a',
          stories: [
            { storyId: 'quiet', classification: reading(false), alerts: [] },
            { storyId: 'busy', classification: reading(true), alerts: [] },
          ],
        },
      ],
      alerts: [sampleAlert({ storyId: 'alerted' })],
      followUps: 1,
    };
    expect(storiesChangedBy(outcome).sort()).toEqual(['alerted', 'busy']);
  });
});

describe('refreshing the site after a commit', () => {
  it('asks for the changed stories only, skips an idle batch, and counts and logs a failure instead of throwing', async () => {
    const asked: string[][] = [];
    let fail = false;
    const site: StorySiteRefresher = {
      storyIds: ['a', 'b'],
      async refresh(ids) {
        asked.push([...ids]);
        if (fail) throw new Error('S3 is down');
        return { written: [], unchanged: [] };
      },
    };
    const log = recordingLog();
    const metrics = recordingMetrics();
    const deps = { site, clock: fixedClock('2026-12-03T12:00:00.000Z'), metrics, log };
    await refreshSite(deps, [], { retryStale: true });
    expect(asked).toEqual([]);
    await refreshSite(deps, ['b'], { retryStale: false });
    expect(asked).toEqual([['b']]);
    expect(metrics.totals[METRIC.sitePublishFailed]).toBeUndefined();
    fail = true;
    await expect(refreshSite(deps, ['a'], { retryStale: false })).resolves.toBeUndefined();
    expect(metrics.totals[METRIC.sitePublishFailed]).toBe(1);
    expect(log.entries.at(-1)).toMatchObject({ level: 'error', message: expect.stringContaining('story site failed') });
  });
});
