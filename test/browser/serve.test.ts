/// <reference lib="dom" />
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenedStore } from '../../src/cli/store-options';
import { DEMO_TIMELINE } from '../../src/demo/timeline';
import { loadStory } from '../../src/detection/index';
import { REPORT_CSP_HEADER } from '../../src/report/render-report';
import { type StorySite, startStorySite } from '../../src/site/story-site';
import { baselineState } from '../../src/tracking/stance-machine';
import { sampleAlert } from '../support/channel-alerts';
import { openDemoStore } from '../support/demo-store';
import { commitOne } from '../support/stance-commits';

const CHROMIUM = process.env.STORYWATCH_CHROMIUM ?? '/usr/bin/chromium';
const scratch = mkdtempSync(join(tmpdir(), 'storywatch-serve-'));
let browser: Browser;
let opened: OpenedStore;
let site: StorySite;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set STORYWATCH_CHROMIUM)`);
  opened = await openDemoStore(scratch);
  site = await startStorySite({ store: opened.store, story: loadStory(DEMO_TIMELINE.storyId), port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await opened?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('storywatch serve in headless Chromium', () => {
  it('shows the timeline with its change points, the policy header set, and no console errors', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(site.url, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toBe(REPORT_CSP_HEADER);
    expect(await page.locator('.lane').first().isVisible()).toBe(true);
    expect(await page.locator('.change-point').count()).toBe(DEMO_TIMELINE.plannedChanges.length);
    const hrefs = await page
      .locator('a.change-point')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    expect(hrefs.every((href) => href !== null && /^https?:\/\//.test(href))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serves both feeds as Atom, with a change per demo alert, and 404 for anything else', async () => {
    const page = await browser.newPage();
    const changes = await page.request.get(`${site.url}${DEMO_TIMELINE.storyId}.changes.atom`);
    expect(changes.status()).toBe(200);
    expect(changes.headers()['content-type']).toContain('application/atom+xml');
    const parsed = await new Parser().parseString(await changes.text());
    expect(parsed.items.length).toBe((await opened.store.listAlerts({})).length);
    const followUps = await page.request.get(`${site.url}${DEMO_TIMELINE.storyId}.follow-ups.atom`);
    expect((await new Parser().parseString(await followUps.text())).items.length).toBeGreaterThan(0);
    expect((await page.request.get(`${site.url}../etc/passwd`)).status()).toBe(404);
    await page.close();
  });

  it('links both feeds in the head and visibly, and the visible links open them', async () => {
    const page = await browser.newPage();
    await page.goto(site.url, { waitUntil: 'load' });
    const alternates = await page
      .locator('link[rel="alternate"][type="application/atom+xml"]')
      .evaluateAll((links) => links.map((link) => (link as HTMLLinkElement).href));
    const visible = page.locator('a.feed-link');
    expect(await visible.count()).toBe(2);
    expect(await visible.first().isVisible()).toBe(true);
    const hrefs = await visible.evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).href));
    expect(hrefs).toEqual(alternates);
    expect(hrefs).toEqual([
      `${site.url}${DEMO_TIMELINE.storyId}.changes.atom`,
      `${site.url}${DEMO_TIMELINE.storyId}.follow-ups.atom`,
    ]);
    const [opened] = await Promise.all([page.waitForResponse(hrefs[0] as string), visible.first().click()]);
    expect(opened.status()).toBe(200);
    expect(opened.headers()['content-type']).toContain('application/atom+xml');
    expect((await new Parser().parseString(await opened.text())).items.length).toBeGreaterThan(0);
    await page.close();
  });

  it('shows a change as soon as it is committed, without a restart', async () => {
    const alert = sampleAlert({
      id: 'serve-test:russia:99',
      storyId: DEMO_TIMELINE.storyId,
      createdAt: new Date().toISOString(),
    });
    const next = { ...baselineState(alert.storyId, 'serve-test-party', null, '2025-03-11'), version: 1 };
    expect(
      await commitOne(opened.store, { next, expectedVersion: 0, causeItemId: 'serve-test-item', alerts: [alert] }),
    ).toBe('ok');
    const page = await browser.newPage();
    const feed = await page.request.get(`${site.url}${DEMO_TIMELINE.storyId}.changes.atom`);
    expect(await feed.text()).toContain('urn:storywatch:alert:serve-test%3Arussia%3A99');
    await page.close();
  });
});
