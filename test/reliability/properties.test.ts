import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../src/core/feed';
import type { StanceLabel, StanceObservation } from '../../src/core/story';
import { classifyItem } from '../../src/detection/classify';
import { loadStory } from '../../src/detection/story';
import { FeedError } from '../../src/ingestion/errors';
import { parseFeedDocument } from '../../src/ingestion/parse';
import { DEFAULT_STANCE_MACHINE_CONFIG } from '../../src/tracking/config';
import { applyObservation, baselineState, type ObservedItem } from '../../src/tracking/stance-machine';

const SOURCE_URL = 'https://feeds.example.org/world.xml';
// Seeds are fixed so a failure reproduces; fast-check prints the counterexample and the path to replay it.
const SEED = 20250311;

/** Text pieces a hostile or broken feed is made of: markup, entities, schemes, controls, scripts of other languages. */
const HOSTILE_TEXT = fc.constantFrom(
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<!-- hidden -->',
  '&amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt;',
  '&amp;#x3C;svg onload=alert(1)&amp;#x3E;',
  '&amp;#60;iframe src=//evil.example&amp;#62;',
  '&lt;![CDATA[&lt;b&gt;raw&lt;/b&gt;]]&gt;',
  '\u0000\u0001\u0007\u001b[31m',
  '\u007f\u0085\u009b',
  '\u200e\u202e\u2066',
  'перемирие на 30 дней',
  'Кремль отверг',
  '&nbsp;&hellip;&unknown;',
  'a < b && c > d',
  '\r\n\t',
  'Ceasefire talks',
);

const LINKS = fc.constantFrom(
  'https://news.example.org/a?utm_source=rss',
  'http://news.example.org/b',
  '/relative/path',
  '//cdn.example.org/c',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'java&#x09;script:alert(1)',
  '&#106;avascript:alert(1)',
  'data:text/html;base64,PHNjcmlwdD4=',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'mailto:desk@example.org',
  'ftp://files.example.org/x',
  'http://[::1',
  '',
);

const textArbitrary = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.array(HOSTILE_TEXT, { maxLength: 4 }).map((parts) => parts.join(' ')),
);

interface DraftItem {
  title: string;
  description: string;
  link: string;
  guid: string;
  date: string;
}

const itemArbitrary: fc.Arbitrary<DraftItem> = fc.record({
  title: textArbitrary,
  description: textArbitrary,
  link: LINKS,
  guid: fc.string({ maxLength: 12 }),
  date: fc.constantFrom('Fri, 14 Mar 2025 09:30:00 GMT', '2025-03-14T09:30:00Z', 'not a date', ''),
});

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A well-formed document; item text is escaped once, the way feeds carry HTML inside XML. */
function feedDocument(format: 'rss' | 'atom', items: DraftItem[]): string {
  if (format === 'rss') {
    const entries = items
      .map(
        (item) =>
          `<item><title>${escapeXml(item.title)}</title><link>${escapeXml(item.link)}</link>` +
          `<guid>${escapeXml(item.guid)}</guid><pubDate>${escapeXml(item.date)}</pubDate>` +
          `<description>${escapeXml(item.description)}</description></item>`,
      )
      .join('');
    return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Generated</title>${entries}</channel></rss>`;
  }
  const entries = items
    .map(
      (item) =>
        `<entry><title type="html">${escapeXml(item.title)}</title><link href="${escapeXml(item.link)}"/>` +
        `<id>${escapeXml(item.guid)}</id><updated>${escapeXml(item.date)}</updated>` +
        `<summary type="html">${escapeXml(item.description)}</summary>` +
        `<content type="html">${escapeXml(item.description)}</content></entry>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Generated</title>${entries}</feed>`;
}

type Mutation =
  | { kind: 'none' }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number };

const INSERTED_MARKUP = fc.constantFrom(
  '<script>x</script>',
  '<b>',
  '</item>',
  '<item>',
  '&',
  '&amp;',
  '&#0;',
  '&#xD800;',
  '<!ENTITY x "y">',
  '<!DOCTYPE rss [<!ENTITY boom "boom">]>',
  '&boom;',
  '<![CDATA[',
  '\u0000',
  '\u001f',
  '\ufeff',
  '<link>javascript:alert(1)</link>',
  '<link>data:text/html,x</link>',
  '<description><![CDATA[<img src=x onerror=alert(1)>]]></description>',
);

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: INSERTED_MARKUP }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

function mutate(document: Buffer, mutations: Mutation[]): Buffer {
  let bytes = document;
  for (const mutation of mutations) {
    if (mutation.kind === 'none' || bytes.length === 0) continue;
    const at = mutation.at % bytes.length;
    if (mutation.kind === 'insert') {
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(mutation.text), bytes.subarray(at)]);
    } else if (mutation.kind === 'flip') {
      bytes = Buffer.from(bytes);
      bytes[at] = mutation.byte;
    } else {
      bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

/** C0 and C1 controls other than the tab and line breaks plain text may keep. */
function controlCharacters(text: string): string[] {
  return [...text].filter((char) => {
    const code = char.charCodeAt(0);
    return (code < 0x20 && char !== '\t' && char !== '\n' && char !== '\r') || (code >= 0x7f && code <= 0x9f);
  });
}
// A complete element, end tag, comment or declaration: what a renderer would act on. A lone "<" in text is not one.
const MARKUP = /<[a-zA-Z!/?][^>]*>/;

function assertSafeItem(item: FeedItem): void {
  if (item.link !== null) {
    expect(item.link).toMatch(/^https?:\/\//);
    expect(new URL(item.link).protocol).toMatch(/^https?:$/);
  }
  for (const text of [item.title, item.description, item.content ?? '']) {
    expect(controlCharacters(text)).toEqual([]);
    expect(text).not.toMatch(MARKUP);
  }
}

describe('feed documents, generated and mutated, through decode + parse + normalize', () => {
  it('either yields only plain-text items with http(s) links or fails with a classified FeedError', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('rss' as const, 'atom' as const),
        fc.array(itemArbitrary, { minLength: 1, maxLength: 4 }),
        fc.array(mutationArbitrary, { maxLength: 3 }),
        fc.constantFrom(null, 'application/rss+xml; charset=utf-8', 'text/xml; charset=windows-1251', 'text/html'),
        async (format, items, mutations, contentType) => {
          const body = mutate(Buffer.from(feedDocument(format, items)), mutations);
          let parsed: Awaited<ReturnType<typeof parseFeedDocument>>;
          try {
            parsed = await parseFeedDocument(body, contentType, SOURCE_URL);
          } catch (error) {
            expect(error).toBeInstanceOf(FeedError);
            return;
          }
          for (const item of parsed.items) assertSafeItem(item);
          expect(parsed.feed.title).not.toMatch(MARKUP);
        },
      ),
      { numRuns: 250, seed: SEED },
    );
  });

  it('keeps every item of an unmutated document and never lets a hostile link through', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('rss' as const, 'atom' as const),
        fc.array(itemArbitrary, { minLength: 1, maxLength: 5 }),
        async (format, items) => {
          const parsed = await parseFeedDocument(Buffer.from(feedDocument(format, items)), null, SOURCE_URL);
          for (const item of parsed.items) assertSafeItem(item);
          // Items are only dropped when they carry nothing usable or repeat an id already seen.
          expect(parsed.items.length + parsed.skippedItems).toBe(items.length);
        },
      ),
      { numRuns: 150, seed: SEED + 1 },
    );
  });
});

describe('markup that hides from a single stripping pass', () => {
  it('keeps a tag whose name starts with a NUL byte out of item text', async () => {
    // '</title>' with its '/' replaced by NUL: controls are removed before tags are stripped, so it is still markup.
    const body = Buffer.from(
      feedDocument('atom', [draftWith('Kremlin answers', 0)]).replace('answers</title>', 'answers<\u0000title>'),
    );
    const parsed = await parseFeedDocument(body, null, SOURCE_URL);
    expect(parsed.items).toHaveLength(1);
    for (const item of parsed.items) assertSafeItem(item);
  });

  it('normalizes entity-encoded tags and CDATA inside feed HTML to text without markup', async () => {
    const body = readFileSync(new URL('../fixtures/reliability/encoded-markup.xml', import.meta.url));
    const parsed = await parseFeedDocument(body, null, SOURCE_URL);
    expect(parsed.items).toHaveLength(2);
    for (const item of parsed.items) assertSafeItem(item);
    expect(parsed.items[0]?.title).toBe('Kremlin rejects the 30-day ceasefire');
  });
});

function draftWith(title: string, index: number): DraftItem {
  return { title, description: '', link: 'https://news.example.org/x', guid: `g${index}`, date: '' };
}

const story = loadStory('ceasefire-2025');

const STORY_WORDS = fc.constantFrom(
  'Russia',
  'Kremlin',
  'Peskov said',
  'Putin',
  'Zelensky',
  'Ukraine',
  'Kyiv',
  'the United States',
  'Witkoff',
  'European leaders',
  'rejects',
  'supports',
  'opposes',
  'welcomes',
  'ready to accept',
  'only if',
  'unless',
  'not',
  'would',
  '30-day ceasefire',
  'truce',
  'monitoring',
  'mobilization',
  'weapons deliveries',
  '"',
  '.',
  ',',
  ' — ',
  'Кремль',
  'перемирие',
  'Україна',
  'припинення вогню',
);

const storyText = fc
  .array(fc.oneof(STORY_WORDS, fc.string({ maxLength: 8 })), { maxLength: 40 })
  .map((parts) => parts.join(' '));

const classifiedItemArbitrary: fc.Arbitrary<FeedItem> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 16 }),
  title: fc.oneof(storyText, fc.string({ maxLength: 80 })),
  description: fc.oneof(storyText, fc.string({ unit: 'grapheme', maxLength: 200 })),
  link: fc.constantFrom(null, 'https://news.example.org/x'),
  published: fc.constantFrom(null, '2025-03-14T09:30:00.000Z', '2025-07-01T00:00:00.000Z'),
  source: fc.constantFrom('https://a.example/rss', 'https://b.example/rss'),
  language: fc.constantFrom(null, 'en', 'ru', 'uk'),
});

describe('classifyItem on random item text', () => {
  it('never throws and gives deep-equal answers for the same item, also for a fresh copy of the story', () => {
    fc.assert(
      fc.property(classifiedItemArbitrary, (item) => {
        const first = classifyItem(item, story);
        const again = classifyItem(structuredClone(item), story);
        const freshStory = classifyItem(item, structuredClone(story));
        expect(again).toEqual(first);
        expect(freshStory).toEqual(first);
        expect(first.score).toBeGreaterThanOrEqual(0);
        expect(first.followUp || first.stances.length === 0).toBe(true);
      }),
      { numRuns: 300, seed: SEED + 2 },
    );
  });
});

const PARTY = 'russia';
const LABELS: StanceLabel[] = ['supports', 'conditional', 'opposes'];
const START_MS = Date.parse('2025-03-11T00:00:00.000Z');
const NOW = new Date('2025-04-30T00:00:00.000Z');

const reportArbitrary = fc.record({
  label: fc.constantFrom(...LABELS),
  confidence: fc.double({ min: 0.5, max: 1, noNaN: true }),
  direct: fc.boolean(),
  site: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  // Minutes after the story start, so reports land both within and beyond the stale tolerance of each other.
  minute: fc.integer({ min: 0, max: 20 * 24 * 60 }),
  conditions: fc.subarray(['monitoring', 'no_mobilization', 'no_rearmament', 'kursk']),
});

describe('the stance machine under random observation orders', () => {
  it('never moves observedUntil or since backwards, and bumps the version by exactly one per change', () => {
    fc.assert(
      fc.property(fc.array(reportArbitrary, { minLength: 1, maxLength: 30 }), (drafts) => {
        let state = baselineState('ceasefire-2025', PARTY, null, '2025-03-11');
        drafts.forEach((draft, index) => {
          const observation: StanceObservation = {
            party: PARTY,
            label: draft.label,
            confidence: draft.confidence,
            evidence: `statement ${index}`,
            conditions: draft.conditions,
            direct: draft.direct,
          };
          const item: ObservedItem = {
            itemId: `item-${index}`,
            source: `https://${draft.site}.example/rss`,
            link: null,
            published: new Date(START_MS + draft.minute * 60_000).toISOString(),
          };
          const result = applyObservation(state, observation, item, DEFAULT_STANCE_MACHINE_CONFIG, NOW);
          if (!result.changed) {
            expect(result.next).toBe(state);
            expect(result.alerts).toEqual([]);
            return;
          }
          expect(result.next.version).toBe(state.version + 1);
          expect(Date.parse(result.next.observedUntil)).toBeGreaterThanOrEqual(Date.parse(state.observedUntil));
          expect(Date.parse(result.next.since)).toBeGreaterThanOrEqual(Date.parse(state.since));
          for (const alert of result.alerts.filter((entry) => entry.kind === 'stance_change')) {
            expect([alert.from, alert.to]).toEqual([state.label, result.next.label]);
          }
          state = result.next;
        });
      }),
      { numRuns: 400, seed: SEED + 3 },
    );
  });
});
