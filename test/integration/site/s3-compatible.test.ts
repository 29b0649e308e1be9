import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { type MotoS3, startMotoS3 } from '../../support/moto-s3';
import { commitOne } from '../../support/stance-commits';

const BUCKET = 'storywatch-site-moto';
const PREFIX = 'k7Qm2xR9vT4pL8sW/';
const SITE_URL = `https://d111111abcdef8.cloudfront.net/${PREFIX}`;
const story = loadStory(DEMO_TIMELINE.storyId);
const paths = sitePaths(story.id);
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-moto-site-'));
let s3: MotoS3;
let opened: OpenedStore;
let deps: SiteDeps;

beforeAll(async () => {
  opened = await openDemoStore(scratch);
  s3 = await startMotoS3();
  await s3.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
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

async function readBack(path: string) {
  const object = await s3.client().send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${path}` }));
  return {
    type: object.ContentType,
    cache: object.CacheControl,
    digest: object.Metadata?.[DIGEST_METADATA],
    body: (await object.Body?.transformToString()) ?? '',
  };
}

async function storedKeys(): Promise<string[]> {
  const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '').sort();
}

describe('publishing the story site to an S3-compatible server that is not ours (moto, real SDK)', () => {
  it('stores the page and both feeds under the prefix, typed, cached and with the digest they were written with', async () => {
    const report = await publishStorySites(deps, [story]);
    expect(report.written.sort()).toEqual([paths.page, paths.changes, paths.followUps].sort());
    expect(await storedKeys()).toEqual([paths.page, paths.changes, paths.followUps].map((p) => `${PREFIX}${p}`).sort());

    const page = await readBack(paths.page);
    expect([page.type, page.cache]).toEqual([
      SITE_OBJECT_HEADERS.page.contentType,
      SITE_OBJECT_HEADERS.page.cacheControl,
    ]);
    expect(page.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(page.body).toContain('<html');

    const changes = await readBack(paths.changes);
    expect([changes.type, changes.cache]).toEqual([
      SITE_OBJECT_HEADERS.feed.contentType,
      SITE_OBJECT_HEADERS.feed.cacheControl,
    ]);
    expect(await atomSchemaErrors(changes.body)).toEqual([]);
    const feed = await new Parser().parseString(changes.body);
    expect(feed.items.length).toBeGreaterThan(0);
    expect(changes.body).toContain(`<link rel="self" href="${SITE_URL}${paths.changes}"/>`);
    expect(await atomSchemaErrors((await readBack(paths.followUps)).body)).toEqual([]);
  });

  it('reads the stored digests back through HEAD and rewrites only what a new commit changed', async () => {
    const again = await publishStorySites(deps, [story]);
    expect(again).toMatchObject({ written: [] });
    expect(again.unchanged.sort()).toEqual([paths.page, paths.changes, paths.followUps].sort());
    const before = await s3
      .client()
      .send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${paths.followUps}` }));

    const alert = sampleAlert({ id: 'moto-test:russia:99', storyId: story.id, createdAt: new Date().toISOString() });
    const next = { ...baselineState(story.id, 'moto-test-party', null, '2025-03-11'), version: 1 };
    const committed = await commitOne(opened.store, {
      next,
      expectedVersion: 0,
      causeItemId: 'moto-test-item',
      alerts: [alert],
    });
    expect(committed).toBe('ok');

    const after = await publishStorySites(deps, [story]);
    expect(after.written.sort()).toEqual([paths.page, paths.changes].sort());
    expect(after.unchanged).toEqual([paths.followUps]);
    const untouched = await s3
      .client()
      .send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${paths.followUps}` }));
    expect(untouched.LastModified).toEqual(before.LastModified);
    expect((await readBack(paths.changes)).body).toContain('urn:storywatch:alert:moto-test%3Arussia%3A99');
  });
});
