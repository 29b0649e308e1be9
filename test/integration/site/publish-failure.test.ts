import { readFileSync } from 'node:fs';
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createAnalyzerHandler } from '../../../functions/handlers/analyzer';
import { createPublisherHandler } from '../../../functions/handlers/publisher';
import { createDynamoStaleSites } from '../../../src/adapters/dynamodb/stale-sites';
import { createS3SitePublisher } from '../../../src/adapters/s3/site-publisher';
import { createSnsNotifier } from '../../../src/adapters/sns/notifier';
import { METRIC } from '../../../src/config/metrics';
import type { FeedItem } from '../../../src/core/feed';
import type { StaleSites, StoryStore } from '../../../src/core/ports';
import { loadStories } from '../../../src/detection/story';
import { createStorySiteRefresher, type StorySiteRefresher, sitePaths } from '../../../src/pipeline/publish-site';
import { createAlertDescriber } from '../../../src/tracking/describe';
import { fixedClock, recordingLog, recordingMetrics, scheduledEvent, sqsEvent } from '../../support/handler-rig';
import { type LoopbackS3, startLoopbackS3 } from '../../support/loopback-s3';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../../support/sns-endpoint';
import { storageTest as it } from '../../support/storage';

const ITEMS = JSON.parse(
  readFileSync(new URL('../../fixtures/handlers/analyzer-items.json', import.meta.url), 'utf8'),
) as FeedItem[];
const STORY_ID = 'ceasefire-2025';
const BUCKET = 'storywatch-site-failure-test';
const PREFIX = 'q3Vn8cZ1wY6hJ5tB/';
const clock = fixedClock('2025-03-20T00:00:00.000Z');
const stories = loadStories();
const pageKey = `${BUCKET}/${PREFIX}${sitePaths(STORY_ID).page}`;

let s3: LoopbackS3;
let sns: SnsEndpoint;
let snsClient: SNSClient;
let store: StoryStore;
let staleSites: StaleSites;
let site: StorySiteRefresher;

beforeAll(async () => {
  s3 = await startLoopbackS3([BUCKET]);
  sns = await startSnsEndpoint();
  snsClient = loopbackSnsClient(sns.endpoint, 2);
});
afterAll(async () => {
  snsClient?.destroy();
  await sns?.close();
  await s3?.close();
});
it.beforeEach(({ store: fresh, requests }) => {
  store = fresh;
  staleSites = createDynamoStaleSites(requests);
  site = createStorySiteRefresher(
    {
      source: store,
      // The production client's own retries (three attempts, backoff) run against the failing loopback.
      site: createS3SitePublisher({ client: s3.client(), bucket: BUCKET, prefix: PREFIX }),
      clock,
      siteUrl: `https://d111111abcdef8.cloudfront.net/${PREFIX}`,
    },
    stories,
  );
  s3.objects.clear();
  s3.requests.length = 0;
  s3.failWith(null);
  sns.published.length = 0;
});

function handlers() {
  const metrics = recordingMetrics();
  const log = recordingLog();
  const notifier = createSnsNotifier({
    client: snsClient,
    topicArn: 'arn:aws:sns:eu-west-1:123456789012:storywatch-alerts',
    describe: createAlertDescriber(stories),
  });
  const deps = { store, clock, notifier, site, staleSites, metrics, log };
  return {
    analyzer: createAnalyzerHandler({ ...deps, stories }),
    publisher: createPublisherHandler(deps),
    metrics,
    log,
  };
}

const siteErrors = (log: ReturnType<typeof recordingLog>) =>
  log.entries.filter((entry) => entry.level === 'error' && entry.message.includes('story site failed'));

describe('a failed publish of the story site', () => {
  it('keeps the commit, is counted and logged, and the next sweep publishes the page once S3 is back', async () => {
    s3.failWith({ status: 503, code: 'SlowDown' });
    const first = handlers();

    const response = await first.analyzer(sqsEvent(ITEMS.map((item) => JSON.stringify(item))));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await store.listFollowUps(STORY_ID)).toHaveLength(ITEMS.length);
    expect(sns.published).toHaveLength(1);
    expect(first.metrics.totals[METRIC.sitePublishFailed]).toBe(1);
    expect(siteErrors(first.log)).toHaveLength(1);
    // Every document was tried its three times (the SDK's retries) before the handler answered: none is left
    // running behind the failure, to land in a later step of this test or write after the story was noted stale.
    expect(s3.requests).toHaveLength(Object.keys(sitePaths(STORY_ID)).length * 3);
    expect((await staleSites.list()).map((entry) => entry.storyId)).toEqual([STORY_ID]);
    expect(s3.objects.size).toBe(0);

    // Still down at the sweep: nothing was pending, but the stale page is tried again, fails again, stays noted.
    s3.failWith({ status: 500, code: 'InternalError' });
    const during = handlers();
    const report = await during.publisher(scheduledEvent('publish'));
    expect(report.failed).toEqual([]);
    expect(during.metrics.totals[METRIC.sitePublishFailed]).toBe(1);
    expect((await staleSites.list()).map((entry) => entry.storyId)).toEqual([STORY_ID]);

    s3.failWith(null);
    const after = handlers();
    await after.publisher(scheduledEvent('publish'));
    expect(after.metrics.totals[METRIC.sitePublishFailed]).toBeUndefined();
    expect(siteErrors(after.log)).toEqual([]);
    expect(await staleSites.list()).toEqual([]);
    const page = s3.objects.get(pageKey)?.body.toString('utf8') ?? '';
    for (const item of ITEMS) expect(page).toContain(item.link);

    // Nothing stale and nothing sent: a sweep leaves the bucket alone.
    s3.requests.length = 0;
    await handlers().publisher(scheduledEvent('publish'));
    expect(s3.requests).toEqual([]);
  });
});

describe('stale story pages in DynamoDB', () => {
  it('clears a note only as it was listed, so one marked again during a sweep is retried by the next', async () => {
    await staleSites.mark([STORY_ID, 'other-story'], '2025-03-20T00:00:00.000Z');
    const listed = await staleSites.list();
    expect(listed.map((entry) => entry.storyId).sort()).toEqual(['other-story', STORY_ID].sort());

    await staleSites.mark([STORY_ID], '2025-03-20T00:05:00.000Z');
    await staleSites.clear(listed);

    expect(await staleSites.list()).toEqual([{ storyId: STORY_ID, markedAt: '2025-03-20T00:05:00.000Z' }]);
  });
});
