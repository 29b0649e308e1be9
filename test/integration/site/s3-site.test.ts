import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import Parser from 'rss-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3SitePublisher, DIGEST_METADATA, SITE_OBJECT_HEADERS } from '../../../src/adapters/s3/site-publisher';
import type { OpenedStore } from '../../../src/cli/store-options';
import { systemClock } from '../../../src/core/ports';
import { DEMO_TIMELINE } from '../../../src/demo/timeline';
import { loadStory } from '../../../src/detection/index';
import { publishStorySites, type SiteDeps, sitePaths } from '../../../src/pipeline/publish-site';
import { baselineState } from '../../../src/tracking/stance-machine';
import { atomSchemaErrors } from '../../support/atom-schema';
import { sampleAlert } from '../../support/channel-alerts';
import { openDemoStore } from '../../support/demo-store';
import { type LoopbackS3, startLoopbackS3 } from '../../support/loopback-s3';
import { commitOne } from '../../support/stance-commits';

const BUCKET = 'storywatch-site-test';
const PREFIX = 'k7Qm2xR9vT4pL8sW/';
const SITE_URL = `https://d111111abcdef8.cloudfront.net/${PREFIX}`;
const story = loadStory(DEMO_TIMELINE.storyId);
const paths = sitePaths(story.id);
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-s3-site-'));
let s3: LoopbackS3;
let opened: OpenedStore;
let deps: SiteDeps;

beforeAll(async () => {
  opened = await openDemoStore(scratch);
  s3 = await startLoopbackS3([BUCKET]);
  deps = {
    source: opened.store,
    site: createS3SitePublisher({ client: s3.client(), bucket: BUCKET, prefix: PREFIX }),
    clock: systemClock,
    siteUrl: SITE_URL,
  };
}, 120_000);

afterAll(async () => {
  await s3?.close();
  await opened?.close();
  rmSync(scratch, { recursive: true, force: true });
});

beforeEach(() => {
  s3.requests.length = 0;
});

const stored = (path: string) => s3.objects.get(`${BUCKET}/${PREFIX}${path}`);
const puts = () => s3.requests.filter((request) => request.method === 'PUT').map((request) => request.key);

async function readBack(path: string): Promise<{ type?: string; cache?: string; body: string }> {
  const object = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${path}` }));
  return { type: object.ContentType, cache: object.CacheControl, body: (await object.Body?.transformToString()) ?? '' };
}

describe('publishing the story site to S3 (real SDK, loopback S3)', () => {
  it('stores the page and both feeds under the prefix, typed and cached as served', async () => {
    const report = await publishStorySites(deps, [story]);
    expect(report.written.sort()).toEqual([paths.page, paths.changes, paths.followUps].sort());
    expect(report.unchanged).toEqual([]);
    expect([...s3.objects.keys()].sort()).toEqual(
      [paths.page, paths.changes, paths.followUps].map((path) => `${BUCKET}/${PREFIX}${path}`).sort(),
    );

    expect(stored(paths.page)?.metadata[DIGEST_METADATA]).toMatch(/^[0-9a-f]{64}$/);
    const page = await readBack(paths.page);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.cache).toBe(SITE_OBJECT_HEADERS.page.cacheControl);
    expect(page.cache).toMatch(/max-age=\d{1,3}\b/);
    expect(page.body).toContain(
      `<link rel="alternate" type="application/atom+xml" title="Stance changes (Atom)" href="${paths.changes}">`,
    );
    expect(page.body).toContain(`href="${paths.followUps}">Follow-ups (Atom)</a>`);

    for (const path of [paths.changes, paths.followUps]) {
      const feed = await readBack(path);
      expect(feed.type).toBe('application/atom+xml; charset=utf-8');
      expect(feed.cache).toBe(SITE_OBJECT_HEADERS.feed.cacheControl);
      expect(await atomSchemaErrors(feed.body)).toEqual([]);
      expect(feed.body).toContain(`<link rel="self" href="${SITE_URL}${path}"/>`);
    }
    const changes = await new Parser().parseString((await readBack(paths.changes)).body);
    expect(changes.items.length).toBe((await opened.store.listAlerts({})).length);
    expect(changes.items.length).toBeGreaterThan(0);
    const followUps = await new Parser().parseString((await readBack(paths.followUps)).body);
    expect(followUps.items.length).toBe((await opened.store.listFollowUps(story.id, { limit: 500 })).length);
  });

  it('writes nothing when nothing changed: one HEAD per document and no PUT', async () => {
    await publishStorySites(deps, [story]);
    s3.requests.length = 0;
    const report = await publishStorySites(deps, [story]);
    expect(report.written).toEqual([]);
    expect(report.unchanged.sort()).toEqual([paths.page, paths.changes, paths.followUps].sort());
    expect(puts()).toEqual([]);
    expect(s3.requests.map((request) => request.method)).toEqual(['HEAD', 'HEAD', 'HEAD']);
  });

  it('after a committed stance change rewrites the page and the changes feed, not the follow-ups feed', async () => {
    await publishStorySites(deps, [story]);
    const alert = sampleAlert({ id: 'site-test:russia:99', storyId: story.id, createdAt: new Date().toISOString() });
    const next = { ...baselineState(story.id, 'site-test-party', null, '2025-03-11'), version: 1 };
    expect(
      await commitOne(opened.store, { next, expectedVersion: 0, causeItemId: 'site-test-item', alerts: [alert] }),
    ).toBe('ok');
    s3.requests.length = 0;
    const report = await publishStorySites(deps, [story]);
    expect(report.written.sort()).toEqual([paths.page, paths.changes].sort());
    expect(puts().sort()).toEqual([`${PREFIX}${paths.page}`, `${PREFIX}${paths.changes}`].sort());
    expect((await readBack(paths.changes)).body).toContain('urn:storywatch:alert:site-test%3Arussia%3A99');
  });

  it('fails loudly when the bucket does not exist, and refuses a prefix without its slash', async () => {
    const lost = createS3SitePublisher({ client: s3.client(), bucket: 'no-such-bucket', prefix: '' });
    await expect(lost.publish([{ path: 'a.html', kind: 'page', body: 'x' }])).rejects.toThrow(
      /no-such-bucket|NoSuchBucket/,
    );
    expect(() => createS3SitePublisher({ client: s3.client(), bucket: BUCKET, prefix: 'abc' })).toThrow(/end in "\/"/);
  });
});
