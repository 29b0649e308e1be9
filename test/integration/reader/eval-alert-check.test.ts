import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkAlerts } from '../../../scripts/lib/reader-evaluation';
import type { FeedItem } from '../../../src/core/feed';
import type { Reading } from '../../../src/core/ports/reader';
import type { LabeledItem } from '../../../src/detection/evaluation';
import { loadStory } from '../../../src/detection/index';
import { readByRules } from '../../../src/reader/rules';

const story = loadStory('ceasefire-2025');
/** Three wire items in which Russia turns the truce down, as the analyzer handler tests use them. */
const ITEMS = JSON.parse(
  readFileSync(new URL('../../fixtures/handlers/analyzer-items.json', import.meta.url), 'utf8'),
) as FeedItem[];

const labelled = (label: 'supports' | 'opposes'): LabeledItem[] =>
  ITEMS.map((item) => ({
    id: item.id,
    source: item.source,
    link: item.link,
    published: item.published,
    title: item.title,
    description: item.description,
    followUp: true,
    borderline: false,
    stances: { russia: label },
  }));

const rulesReadings = (): Reading[] => ITEMS.map((item) => readByRules(item, story));

describe('the eval’s end-to-end alert check', () => {
  it('replays the file through the pipeline and judges each alert by the labels of the item it cites', async () => {
    const agreeing = await checkAlerts(rulesReadings(), labelled('opposes'), story);
    expect(agreeing.alerts).toBeGreaterThan(0);
    expect(agreeing.supported).toBe(agreeing.alerts);
    expect(agreeing.caughtShifts).toBe(1);

    const disagreeing = await checkAlerts(rulesReadings(), labelled('supports'), story);
    expect(disagreeing.alerts).toBe(agreeing.alerts);
    expect(disagreeing.supported).toBe(0);
    expect(disagreeing.unsupported[0]).toContain('stance_change russia → opposes');
  });

  it('replays a model’s readings as they were read, without asking the model again', async () => {
    const modelReadings = rulesReadings().map((reading) => ({
      ...reading,
      reader: 'openai:judge',
      promptVersion: 'test-prompt',
      stances: reading.stances.map((stance) => ({ ...stance, label: 'supports' as const })),
    }));
    const check = await checkAlerts(modelReadings, labelled('supports'), story);
    expect(check.alerts).toBeGreaterThan(0);
    expect(check.supported).toBe(check.alerts);
  });
});
