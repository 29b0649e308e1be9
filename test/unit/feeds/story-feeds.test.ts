import Parser from 'rss-parser';
import { describe, expect, it } from 'vitest';
import { renderStoryFeeds } from '../../../src/feeds/story-feeds';
import type { ReportData } from '../../../src/report/report-data';
import { atomSchemaErrors } from '../../support/atom-schema';
import { sampleAlert } from '../../support/channel-alerts';

type Parsed = { title?: string; link?: string; id?: string; summary?: string; categories?: unknown[] };

function storyData(overrides: Partial<ReportData> = {}): ReportData {
  const hostile = sampleAlert({
    id: 'ceasefire-2025:ukraine:2',
    party: 'ukraine',
    severity: 'low',
    from: null,
    to: 'supports',
    createdAt: '2025-03-18T09:00:00.000Z',
    evidence: {
      ...sampleAlert().evidence,
      quote: 'Kyiv & allies: <b>yes</b> ]]> to talks',
      link: 'javascript:alert(1)',
    },
  });
  return {
    story: {
      id: 'ceasefire-2025',
      title: 'Ceasefire talks',
      description: 'Who backs the deal',
      startDate: '2025-03-11',
    },
    parties: [
      { id: 'russia', name: 'Russia' },
      { id: 'ukraine', name: 'Ukraine' },
    ],
    history: [],
    currentStances: [],
    followUps: [
      {
        storyId: 'ceasefire-2025',
        itemId: 'item-9',
        source: 'https://news.example.org/world',
        link: 'https://news.example.org/world/talks-resume',
        title: 'Talks resume in Geneva',
        published: '2025-03-18T07:00:00.000Z',
        score: 0.9,
        summary: 'Delegations met for six hours; a second round is planned.',
        parties: ['russia', 'ukraine'],
        stances: [],
        conditions: [],
        quotes: [],
        keyTerms: [],
        reasons: [],
      },
    ],
    alerts: [sampleAlert(), hostile],
    until: '2025-03-19T00:00:00.000Z',
    generatedAt: '2025-03-19T00:00:00.000Z',
    ...overrides,
  };
}

const parser = new Parser({ customFields: { item: ['id'] } });

describe('story feeds', () => {
  it('writes each stance change as an Atom entry titled "party: from → to" with its quote and evidence link', async () => {
    const feeds = renderStoryFeeds(storyData(), { page: 'https://story.example.net/ceasefire-2025/' });
    expect(await atomSchemaErrors(feeds.changes)).toEqual([]);
    const parsed = await parser.parseString(feeds.changes);
    const items = parsed.items as Parsed[];
    expect(items.map((item) => item.title)).toEqual(['Ukraine: none → supports', 'Russia: conditional → opposes']);
    expect(items[1]?.link).toBe('https://news.example.org/world/kremlin-rejects-deal');
    expect(items[1]?.summary).toContain('Moscow will not accept any deal');
    // The summary is type="html": the hostile quote arrives as escaped text without its markup, and its
    // javascript: link is replaced by the story page.
    expect(items[0]?.summary).toContain('Kyiv &amp; allies: yes ]] to talks');
    expect(items[0]?.summary).not.toContain('<b>');
    expect(items[0]?.link).toBe('https://story.example.net/ceasefire-2025/');
  });

  it('puts a category per party and per severity on every change', async () => {
    const xml = renderStoryFeeds(storyData()).changes;
    expect(xml).toMatch(/<category[^>]*term="party:russia"[^>]*\/>/);
    expect(xml).toMatch(/<category[^>]*term="severity:high"[^>]*\/>/);
    expect(xml).toMatch(/<category[^>]*term="severity:low"[^>]*\/>/);
    expect(xml).toMatch(/label="Ukraine"/);
  });

  it('lists the follow-ups with their summaries in a second valid feed', async () => {
    const feeds = renderStoryFeeds(storyData());
    expect(await atomSchemaErrors(feeds.followUps)).toEqual([]);
    const parsed = await parser.parseString(feeds.followUps);
    const [entry] = parsed.items as Parsed[];
    expect(entry?.title).toBe('Talks resume in Geneva');
    expect(entry?.summary).toBe('Delegations met for six hours; a second round is planned.');
    expect(parsed.items).toHaveLength(1);
  });

  it('stays valid for a story with nothing to report yet, and the schema rejects a broken feed', async () => {
    const feeds = renderStoryFeeds(storyData({ alerts: [], followUps: [] }));
    expect(await atomSchemaErrors(feeds.changes)).toEqual([]);
    const withoutId = feeds.changes.replace(/<id>[^<]*<\/id>/, '');
    expect((await atomSchemaErrors(withoutId)).length).toBeGreaterThan(0);
  });
});
