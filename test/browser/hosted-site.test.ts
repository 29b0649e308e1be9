/// <reference lib="dom" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3SitePublisher } from '../../src/adapters/s3/site-publisher';
import type { OpenedStore } from '../../src/cli/store-options';
import { systemClock } from '../../src/core/ports';
import { DEMO_TIMELINE, demoItemLink } from '../../src/demo/timeline';
import { loadStory } from '../../src/detection/index';
import { publishStorySites, sitePaths } from '../../src/pipeline/publish-site';
import { REPORT_CSP_HEADER } from '../../src/report/render-report';
import { openDemoStore } from '../support/demo-store';
import { type LoopbackS3, startLoopbackS3 } from '../support/loopback-s3';
import { type SiteEdge, siteResponseHeaders, startSiteEdge } from '../support/site-edge';

const CHROMIUM = process.env.STORYWATCH_CHROMIUM ?? '/usr/bin/chromium';
const BUCKET = 'storywatch-hosted-site';
const PREFIX = 'p3Vn8qLw2Zt6Hc9Rk4Ys/';
const story = loadStory(DEMO_TIMELINE.storyId);
const paths = sitePaths(story.id);
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-hosted-site-'));
/** The CloudFront policy's headers, from the synthesized Site construct: the edge serves these, the test expects these. */
const policyHeaders = siteResponseHeaders();
let s3: LoopbackS3;
let edge: SiteEdge;
let opened: OpenedStore;
let browser: Browser;
let siteUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-browser.sh`);
  opened = await openDemoStore(scratch);
  s3 = await startLoopbackS3([BUCKET]);
  edge = await startSiteEdge({ client: s3.client(), bucket: BUCKET, headers: policyHeaders });
  siteUrl = `${edge.url}${PREFIX}`;
  const site = createS3SitePublisher({ client: s3.client(), bucket: BUCKET, prefix: PREFIX });
  const report = await publishStorySites({ source: opened.store, site, clock: systemClock, siteUrl }, [story]);
  expect(report.written.sort()).toEqual(Object.values(paths).sort());
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await edge?.close();
  await s3?.close();
  await opened?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface OpenedPage {
  page: Page;
  /** Console errors and warnings, page errors, and every request other than the page's own address. */
  problems: string[];
  /** Content-Security-Policy violations the page reported, as "<directive> <blocked URI>". */
  violations(): Promise<string[]>;
}

async function openPage(url: string): Promise<OpenedPage> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) problems.push(`request: ${request.url()}`);
  });
  // Injected by the browser itself, so the page's policy (no scripts at all) does not stop it listening.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  expect(response?.status()).toBe(200);
  return {
    page,
    problems,
    violations: () => page.evaluate(() => (window as unknown as { violations: string[] }).violations),
  };
}

describe('the hosted story page, from the bucket through the edge, in headless Chromium', () => {
  it('is served with every header of the CloudFront policy, the report CSP among them', async () => {
    expect(policyHeaders['content-security-policy']).toBe(REPORT_CSP_HEADER);
    expect(Object.keys(policyHeaders).sort()).toEqual([
      'content-security-policy',
      'referrer-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
    ]);
    const page = await browser.newPage();
    const response = await page.goto(`${siteUrl}${paths.page}`, { waitUntil: 'load' });
    expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(response?.headers()).toMatchObject(policyHeaders);
    await page.close();
  });

  it('shows the timeline: a lane per party, every planned change linked to its evidence article', async () => {
    const { page, problems, violations } = await openPage(`${siteUrl}${paths.page}`);
    const lanes = await page
      .locator('.lane')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-party')));
    expect(lanes).toEqual(story.parties.map((party) => party.id));
    expect(await page.locator('.lane').first().isVisible()).toBe(true);
    for (const change of DEMO_TIMELINE.plannedChanges) {
      const cause = DEMO_TIMELINE.items.find((item) => item.slug === change.causeSlug);
      if (!cause) throw new Error(`planned change without item: ${change.causeSlug}`);
      const marker = page.locator(`.lane[data-party="${change.party}"] a.change-point[href="${demoItemLink(cause)}"]`);
      expect(await marker.count()).toBe(1);
      expect(await marker.isVisible()).toBe(true);
    }
    expect(await page.locator('.change-point').count()).toBe(DEMO_TIMELINE.plannedChanges.length);
    expect(problems).toEqual([]);
    expect(await violations()).toEqual([]);
    await page.close();
  });

  it('links both feeds beside the page, and the links open them through the edge with the same headers', async () => {
    const { page, problems, violations } = await openPage(`${siteUrl}${paths.page}`);
    const alternates = await page
      .locator('link[rel="alternate"][type="application/atom+xml"]')
      .evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
    const visible = page.locator('a.feed-link');
    const hrefs = await visible.evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href));
    expect(hrefs).toEqual([`${siteUrl}${paths.changes}`, `${siteUrl}${paths.followUps}`]);
    expect(alternates).toEqual(hrefs);
    expect(problems).toEqual([]);
    expect(await violations()).toEqual([]);
    const [feed] = await Promise.all([page.waitForResponse(hrefs[0] as string), visible.first().click()]);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(feed.headers()).toMatchObject(policyHeaders);
    const parsed = await new Parser().parseString(await feed.text());
    expect(parsed.items.length).toBe((await opened.store.listAlerts({})).filter((a) => a.storyId === story.id).length);
    await page.close();
  });

  it('gives each feed links that resolve on the site: itself and the page', async () => {
    for (const path of [paths.changes, paths.followUps]) {
      const response = await fetch(`${siteUrl}${path}`);
      expect(response.status).toBe(200);
      const xml = await response.text();
      const self = xml.match(/<link rel="self" href="([^"]+)"/)?.[1];
      const page = xml.match(/<link rel="alternate" href="([^"]+)"/)?.[1];
      expect(self).toBe(`${siteUrl}${path}`);
      expect(page).toBe(`${siteUrl}${paths.page}`);
      expect((await fetch(page as string)).status).toBe(200);
      expect((await new Parser().parseString(xml)).items.length).toBeGreaterThan(0);
    }
    // Only what was published is there: a path beside it is the origin's refusal, with the headers all the same.
    const missing = await fetch(`${siteUrl}missing.html`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(REPORT_CSP_HEADER);
  });

  it('runs no script and loads nothing the policy does not allow (checked by trying both)', async () => {
    const { page, problems, violations } = await openPage(`${siteUrl}${paths.page}`);
    await page.evaluate((target) => {
      const image = document.createElement('img');
      image.src = target;
      document.body.append(image);
      const script = document.createElement('script');
      script.textContent = 'document.title = "ran"';
      document.body.append(script);
    }, `${siteUrl}${paths.changes}`);
    // Each is reported once per policy in force: the header's and the page's own meta tag.
    const directives = async () => [...new Set((await violations()).map((entry) => entry.split(' ')[0]))].sort();
    await expect.poll(directives).toEqual(['img-src', 'script-src-elem']);
    expect(await page.title()).not.toBe('ran');
    // The browser said so in the console too: what the other tests' empty console lists rely on.
    expect(problems.some((problem) => problem.includes('Content Security Policy'))).toBe(true);
    await page.close();
  });
});
