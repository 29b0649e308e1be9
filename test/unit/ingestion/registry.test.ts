import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEED_REGISTRY_PATH, loadFeedRegistry, validateFeedRegistry } from '../../../src/ingestion/registry';

const entry = {
  id: 'sample',
  url: 'https://feeds.example.org/world.xml',
  name: 'Sample',
  publisher: 'Sample Media',
  language: 'en',
  note: 'Published by Sample Media.',
};

describe('the shipped feed registry', () => {
  it('validates and covers English, Russian and Ukrainian feeds over https', () => {
    const feeds = loadFeedRegistry(DEFAULT_FEED_REGISTRY_PATH);
    expect(new Set(feeds.map((feed) => feed.language))).toEqual(new Set(['en', 'ru', 'uk']));
    expect(feeds.every((feed) => feed.url.startsWith('https://'))).toBe(true);
    expect(feeds.length).toBeGreaterThanOrEqual(12);
  });
});

describe('validateFeedRegistry', () => {
  it('returns the entries as feed definitions without the note', () => {
    expect(validateFeedRegistry([entry])).toEqual([
      { id: 'sample', url: entry.url, name: 'Sample', publisher: 'Sample Media', language: 'en' },
    ]);
  });

  it('lists every problem with the entry it belongs to', () => {
    const problems = () =>
      validateFeedRegistry([
        entry,
        { ...entry, url: 'ftp://x.example/feed' },
        { ...entry, id: 'Bad Id', url: 'https://b.example/', language: 'English' },
        { ...entry, id: 'no-note', url: 'https://c.example/', note: '' },
        'not an object',
      ]);
    expect(problems).toThrow(/entry 1 \("sample"\): duplicate id/);
    expect(problems).toThrow(/entry 1 \("sample"\): url must be http\(s\)/);
    expect(problems).toThrow(/entry 2 \("Bad Id"\): id must be/);
    expect(problems).toThrow(/language must be a lowercase ISO 639 code/);
    expect(problems).toThrow(/entry 3 \("no-note"\): missing or empty note/);
    expect(problems).toThrow(/entry 4: expected an object/);
  });

  it('rejects a document that is not an array', () => {
    expect(() => validateFeedRegistry({ feeds: [] })).toThrow(/expected a JSON array/);
  });
});

describe('loadFeedRegistry', () => {
  it('names the file when it is missing or not JSON', () => {
    const directory = mkdtempSync(join(tmpdir(), 'storywatch-registry-'));
    try {
      const broken = join(directory, 'broken.json');
      writeFileSync(broken, '[{"id": ');
      expect(() => loadFeedRegistry(broken)).toThrow(/broken\.json is not valid JSON/);
      expect(() => loadFeedRegistry(join(directory, 'absent.json'))).toThrow(
        /cannot read feed registry .*absent\.json/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
