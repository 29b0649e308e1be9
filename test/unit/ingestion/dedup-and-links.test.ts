import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FeedItem } from '../../../src/core/feed';
import { itemDedupKeys, normalizeTitleForDedup } from '../../../src/ingestion/dedup';
import { canonicalLink, safeHttpLink } from '../../../src/ingestion/links';

const item = (overrides: Partial<FeedItem>): FeedItem => ({
  id: 'guid-1',
  title: 'Kremlin responds to the 30-day ceasefire proposal',
  description: '',
  link: 'https://news.example.org/a?utm_source=rss',
  published: null,
  source: 'https://news.example.org/rss',
  language: 'en',
  ...overrides,
});

describe('safeHttpLink', () => {
  it('resolves relative links against the feed and refuses other schemes', () => {
    expect(safeHttpLink('/x/y', 'https://feed.example/rss')).toBe('https://feed.example/x/y');
    expect(safeHttpLink(' JavaScript:alert(1) ', 'https://feed.example/rss')).toBeNull();
    expect(safeHttpLink('data:text/html,hi', 'https://feed.example/rss')).toBeNull();
    expect(safeHttpLink('mailto:desk@example.org', 'https://feed.example/rss')).toBeNull();
    expect(safeHttpLink('   ', 'https://feed.example/rss')).toBeNull();
  });
});

/** What the URL parser makes of a link: the reference safeHttpLink's shortcut for plain links must agree with. */
function viaUrlParser(raw: string, base: string): string | null {
  try {
    const url = new URL(raw.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

describe('safeHttpLink on links the URL parser may rewrite', () => {
  const base = 'https://feed.example/rss';
  it('agrees with the URL parser on hosts, ports, dot segments, escapes and query characters', () => {
    const tricky = [
      'https://news.example.org/a/b?x=1',
      'https://News.Example.org/a',
      'https://news.example.org',
      'http://127.1/a',
      'http://0x7f.0.0.1/a',
      'http://news.0x7f/a',
      'https://news.example.org:443/a',
      'https://user@news.example.org/a',
      'https://news.example.org/a/../b',
      'https://news.example.org/a/./b',
      'https://news.example.org/a/%2e%2E/b',
      'https://news.example.org/.well-known/x',
      "https://news.example.org/it's?q='quoted'",
      'https://news.example.org/a b',
      'https://news.example.org/a?',
      'https://news.example.org/a#frag',
      'https://xn--a.example/a',
      'https://xn--bcher-kva.example/a',
      'https://news.example.org/a|b{c}`d^e',
      'https://news.example.org/a\\b',
      'https://news.example.org./a',
      'https://-news.example.org/a',
      'https://news.example.org/%zz/%41',
    ];
    for (const link of tricky) expect(safeHttpLink(link, base), link).toBe(viaUrlParser(link, base));
  });

  it('agrees with the URL parser on generated links', () => {
    const piece = fc.constantFrom(
      ..."abcXYZ019-._~%!$&'()*+,;=:@/?#[]{}|\\^` ".split(''),
      '..',
      '/.',
      '%2e',
      'xn--',
      '0x',
      ':80',
      'utm_source=rss',
    );
    const host = fc.constantFrom('news.example.org', 'News.example.org', '127.1', 'a.0x10', 'xn--a.org', 'x.org.');
    const link = fc
      .tuple(fc.constantFrom('http://', 'https://', 'HTTPS://', 'ftp://'), host, fc.array(piece, { maxLength: 12 }))
      .map(([scheme, name, rest]) => `${scheme}${name}/${rest.join('')}`);
    fc.assert(
      fc.property(link, (raw) => safeHttpLink(raw, base) === viaUrlParser(raw, base)),
      { seed: 20261127, numRuns: 3000 },
    );
  });
});

describe('canonicalLink', () => {
  it('removes tracking parameters and the fragment and keeps the others in order', () => {
    expect(
      canonicalLink('https://Example.org/a?utm_source=x&b=2&fbclid=1&gclid=2&traffic_source=rss&a=1&UTM_Medium=y#top'),
    ).toBe('https://example.org/a?b=2&a=1');
  });
});

describe('normalizeTitleForDedup', () => {
  it('folds case, punctuation and spacing', () => {
    expect(normalizeTitleForDedup('  Kremlin RESPONDS — to the “30-day” ceasefire!! ')).toBe(
      'kremlin responds to the 30 day ceasefire',
    );
  });
});

describe('itemDedupKeys', () => {
  it('gives a syndicated copy on another feed a shared link key and title key', () => {
    const original = itemDedupKeys(item({}));
    const copy = itemDedupKeys(
      item({
        id: 'partner-99',
        title: 'Kremlin responds to the 30-day ceasefire proposal.',
        link: 'https://news.example.org/a?utm_medium=partner',
        source: 'https://partner.example.com/feed',
      }),
    );
    const shared = original.filter((key) => copy.includes(key));
    expect(shared.map((key) => key.split(':')[0])).toEqual(['link', 'title']);
  });

  it('leaves the id to the store: an item with no link and a short title has no dedup key', () => {
    expect(itemDedupKeys(item({ id: 'news.example.org/12345', link: null, title: 'short' }))).toEqual([]);
  });

  it('skips the title key for generic short titles', () => {
    expect(itemDedupKeys(item({ title: 'Live updates' })).some((key) => key.startsWith('title:'))).toBe(false);
  });

  it('hashes keys too long for a database key', () => {
    const keys = itemDedupKeys(item({ link: `https://news.example.org/${'x'.repeat(2000)}` }));
    expect(keys[0]).toMatch(/^link#[0-9a-f]{40}$/);
  });
});
