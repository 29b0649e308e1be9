import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../src/ingestion/errors';
import { parseFeedDocument } from '../../../src/ingestion/parse';

/**
 * Every feed fixture parsed, checked against the JSON beside it (`rss2-news.xml` → `rss2-news.expected.json`): items, feed info, counts
 * and digests, or the classified error. After a deliberate parser change, regenerate them with
 * `STORYWATCH_UPDATE_GOLDEN=1 npx vitest run test/unit/ingestion/golden-feeds.test.ts` and review the diff.
 */
const FEEDS = new URL('../../fixtures/feeds/', import.meta.url);
const updating = process.env.STORYWATCH_UPDATE_GOLDEN === '1';
const fixtures = readdirSync(FEEDS).filter((name) => !name.endsWith('.expected.json'));
const goldenOf = (name: string) => `${name.replace(/\.[^.]+$/, '')}.expected.json`;

async function parsedForm(name: string): Promise<unknown> {
  const body = new Uint8Array(readFileSync(new URL(name, FEEDS)));
  try {
    const parsed = await parseFeedDocument(body, null, `https://feeds.example.org/${name}`);
    return {
      feed: parsed.feed,
      items: parsed.items,
      skippedItems: parsed.skippedItems,
      unchangedEntries: parsed.unchangedEntries,
      entryDigests: parsed.entryDigests,
      ending: parsed.ending,
    };
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    return { error: { kind: error.kind, message: error.message } };
  }
}

describe('feed fixtures against their golden files', () => {
  it('has a fixture for every golden file and the other way round', () => {
    const goldens = readdirSync(FEEDS).filter((name) => name.endsWith('.expected.json'));
    expect(goldens.sort()).toEqual(fixtures.map(goldenOf).sort());
  });

  for (const name of fixtures) {
    it(`parses ${name} as its golden file says`, async () => {
      const golden = new URL(goldenOf(name), FEEDS);
      const actual = await parsedForm(name);
      if (updating) writeFileSync(golden, `${JSON.stringify(actual, null, 2)}\n`);
      expect(actual).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
    });
  }
});
