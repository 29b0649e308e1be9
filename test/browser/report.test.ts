/// <reference lib="dom" />
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalNotifier } from '../../src/adapters/local/index';
import { DEMO_TIMELINE, demoItemLink } from '../../src/demo/timeline';
import { loadStory } from '../../src/detection/index';
import { runDemo } from '../../src/local/demo';

const CHROMIUM = process.env.STORYWATCH_CHROMIUM ?? '/usr/bin/chromium';
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1100, height: 900 };

/**
 * Screenshots are for a person to look at when something looks wrong: kept when a test fails, or always in
 * STORYWATCH_SCREENSHOT_DIR when it is set; otherwise removed with the rest of the run.
 */
const keptDir = process.env.STORYWATCH_SCREENSHOT_DIR;
const screenshotDir = keptDir ?? mkdtempSync(join(tmpdir(), 'storywatch-report-shots-'));
let failed = false;

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    failed = true;
  });
});
let reportUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/install-browser.sh (or set STORYWATCH_CHROMIUM)`);
  }
  mkdirSync(screenshotDir, { recursive: true });
  const reportPath = join(screenshotDir, 'demo-report.html');
  await runDemo({
    dataDir: null,
    reportPath,
    fresh: true,
    notifier: createLocalNotifier({ file: join(screenshotDir, 'alerts.jsonl'), out: new PassThrough() }),
    out: new PassThrough(),
  });
  reportUrl = pathToFileURL(reportPath).href;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (keptDir) return;
  if (failed) {
    // The run's own temp dir goes when the run ends; a failure's screenshots move where they outlive it.
    const outer = process.env.STORYWATCH_OUTER_TMPDIR ?? tmpdir();
    const kept = mkdtempSync(join(outer, 'storywatch-report-shots-'));
    cpSync(screenshotDir, kept, { recursive: true });
    console.warn(`report screenshots of the failed run: ${kept}`);
  }
  rmSync(screenshotDir, { recursive: true, force: true });
});

async function openReport(
  viewport: { width: number; height: number },
  colorScheme: 'light' | 'dark',
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // The report must not fetch anything: any request other than the file itself is a failure.
  page.on('request', (request) => {
    if (request.url() !== reportUrl) problems.push(`request: ${request.url()}`);
  });
  await page.emulateMedia({ colorScheme });
  await page.goto(reportUrl, { waitUntil: 'load' });
  return { page, problems };
}

describe('demo report in headless Chromium', () => {
  it('draws one lane per party of the story, in the story order', async () => {
    const { page } = await openReport(DESKTOP, 'light');
    const lanes = await page
      .locator('.lane')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-party')));
    expect(lanes).toEqual(loadStory(DEMO_TIMELINE.storyId).parties.map((party) => party.id));
    await page.close();
  });

  it('shows every planned change point on its lane, linked to the evidence article', async () => {
    const { page } = await openReport(DESKTOP, 'light');
    for (const change of DEMO_TIMELINE.plannedChanges) {
      const cause = DEMO_TIMELINE.items.find((item) => item.slug === change.causeSlug);
      if (!cause) throw new Error(`planned change without item: ${change.causeSlug}`);
      const marker = page.locator(`.lane[data-party="${change.party}"] a.change-point[href="${demoItemLink(cause)}"]`);
      await expect.poll(() => marker.count()).toBe(1);
      expect(await marker.isVisible()).toBe(true);
      const box = await marker.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) + (box?.width ?? 0)).toBeLessThanOrEqual(DESKTOP.width);
      expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
    }
    const markers = await page.locator('.change-point').count();
    expect(markers).toBe(DEMO_TIMELINE.plannedChanges.length);
    await page.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`fits a 375px phone screen without horizontal scrolling in the ${colorScheme} scheme, with no console errors`, async () => {
      const { page, problems } = await openReport(PHONE, colorScheme);
      const widths = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      expect(widths.scroll).toBeLessThanOrEqual(widths.client);
      await page.screenshot({ path: join(screenshotDir, `report-phone-${colorScheme}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.close();
    });

    it(`follows the ${colorScheme} colour scheme with readable contrast`, async () => {
      const { page, problems } = await openReport(DESKTOP, colorScheme);
      const colours = await page.evaluate(() => {
        const style = getComputedStyle(document.body);
        return { background: style.backgroundColor, text: style.color };
      });
      const background = luminance(colours.background);
      const text = luminance(colours.text);
      if (colorScheme === 'light') expect(background).toBeGreaterThan(0.8);
      else expect(background).toBeLessThan(0.1);
      expect(contrastRatio(background, text)).toBeGreaterThanOrEqual(7);
      await page.screenshot({ path: join(screenshotDir, `report-desktop-${colorScheme}.png`) });
      expect(problems).toEqual([]);
      await page.close();
    });
  }
});

/** WCAG relative luminance of a CSS rgb()/rgba() colour. */
function luminance(css: string): number {
  const channels =
    css
      .match(/[\d.]+/g)
      ?.slice(0, 3)
      .map(Number) ?? [];
  if (channels.length !== 3) throw new Error(`not an rgb colour: ${css}`);
  const [r, g, b] = channels.map((value) => {
    const unit = value / 255;
    return unit <= 0.03928 ? unit / 12.92 : ((unit + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrastRatio(a: number, b: number): number {
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
