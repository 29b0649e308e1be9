import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../src/ingestion/errors';
import { DEFAULT_FETCH_OPTIONS } from '../../../src/ingestion/options';
import { parseFeedDocument } from '../../../src/ingestion/parse';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url)));
const utf8 = (text: string) => new TextEncoder().encode(text);

describe('parseFeedDocument', () => {
  it('bounds ids in UTF-8 bytes at the entrance: a long guid or a long link without one becomes head and hash', async () => {
    const longLink = `https://news.example.org/${'p'.repeat(1_500)}`;
    const xml =
      '<rss version="2.0"><channel><title>T</title>' +
      `<item><title>A</title><guid>urn:${'д'.repeat(400)}a</guid></item>` +
      `<item><title>B</title><guid>urn:${'д'.repeat(400)}b</guid></item>` +
      `<item><title>C</title><link>${longLink}</link></item>` +
      '</channel></rss>';
    const parsed = await parseFeedDocument(utf8(xml), 'application/rss+xml', 'https://news.example.org/rss');
    const ids = parsed.items.map((item) => item.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(512);
    expect(ids[0]?.startsWith('urn:ддд')).toBe(true);
    // The link itself is kept whole; only the id made of it is bounded.
    expect(parsed.items[2]?.link).toBe(longLink);
  });

  it('normalizes an RSS 2.0 feed: trimmed guid, plain text, content:encoded, resolved links, ISO dates', async () => {
    const parsed = await parseFeedDocument(
      fixture('rss2-news.xml'),
      'application/rss+xml',
      'https://news.example.org/rss',
    );
    expect(parsed.feed).toEqual({
      title: 'Example World Desk',
      language: 'en',
      url: 'https://news.example.org/rss',
      ttlMinutes: 45,
    });
    expect(parsed.items).toEqual([
      {
        id: 'news.example.org/story-42',
        title: 'Envoys meet again over the proposed 30-day truce',
        description: 'Negotiators returned to the table on Wednesday.',
        content:
          'Negotiators returned to the table on Wednesday. Officials said a monitoring mechanism was still the main open question.',
        link: 'https://news.example.org/world/truce-talks?utm_source=rss&utm_medium=feed&id=42',
        published: '2025-03-12T09:30:00.000Z',
        source: 'https://news.example.org/rss',
        language: 'en',
      },
      {
        id: 'https://news.example.org/world/markets-steady',
        title: 'Markets steady as talks continue',
        description: 'Stocks barely moved.',
        link: 'https://news.example.org/world/markets-steady',
        published: '2025-03-12T10:00:00.000Z',
        source: 'https://news.example.org/rss',
        language: 'en',
      },
    ]);
    expect(parsed.skippedItems).toBe(0);
  });

  it('reads RSS 1.0 (RDF) items with their rdf:about as id and dc:date as published', async () => {
    const parsed = await parseFeedDocument(fixture('rss1-rdf.xml'), null, 'https://wire.example.net/rss');
    expect(parsed.items).toEqual([
      expect.objectContaining({
        id: 'https://wire.example.net/a/1001',
        title: 'Foreign ministers discuss ceasefire monitoring',
        published: '2025-03-13T07:15:00.000Z',
      }),
    ]);
  });

  it('reads an RSS 0.91 feed in ISO-8859-1 with its Netscape DOCTYPE', async () => {
    const parsed = await parseFeedDocument(fixture('rss091.xml'), 'text/xml', 'http://bulletin.example.com/rss');
    expect(parsed.feed.language).toBe('en');
    expect(parsed.items[0]).toMatchObject({
      id: 'http://bulletin.example.com/cafe',
      title: 'Café owners react to the truce proposal',
      published: null,
    });
  });

  it('takes the Atom summary as description, the content as content, and xml:lang as language', async () => {
    const parsed = await parseFeedDocument(fixture('atom-xhtml.xml'), null, 'https://atom.example.org/feed');
    expect(parsed.feed).toMatchObject({ title: 'Example Atom Desk', language: 'uk' });
    expect(parsed.items[0]).toMatchObject({
      description: 'The delegation said yes.',
      content: 'The delegation said yes, pending the other side.',
      language: 'uk',
    });
  });

  it('caps content at the configured length', async () => {
    const long = 'word '.repeat(2_000);
    const body = utf8(
      `<rss version="2.0" xmlns:content="c"><channel><title>t</title><item><guid>1</guid><title>T</title><content:encoded>${long}</content:encoded></item></channel></rss>`,
    );
    const parsed = await parseFeedDocument(body, null, 'https://x.example/rss', {
      ...DEFAULT_FETCH_OPTIONS,
      maxContentChars: 100,
    });
    // 100 characters end in the space after the 20th word; the cut leaves no space at the end.
    expect(parsed.items[0]?.content).toBe('word '.repeat(20).trimEnd());
  });

  it('cuts an over-long title at its limit in characters, keeping a pair at the cut whole', async () => {
    const title = `${'a'.repeat(999)}😀${'b'.repeat(50)}`;
    const body = utf8(
      `<rss version="2.0"><channel><title>t</title><item><guid>1</guid><title>${title}</title></item></channel></rss>`,
    );
    const parsed = await parseFeedDocument(body, null, 'https://x.example/rss');
    expect(parsed.items[0]?.title).toBe(`${'a'.repeat(999)}😀`);
  });

  it('prefers an item-level dc:language over the channel language', async () => {
    const body = utf8(
      '<rss version="2.0" xmlns:dc="d"><channel><title>t</title><language>en</language><item><guid>1</guid><title>Заголовок</title><dc:language>ru-RU</dc:language></item></channel></rss>',
    );
    expect((await parseFeedDocument(body, null, 'https://x.example/rss')).items[0]?.language).toBe('ru');
  });

  it('turns a document whose channel the parser cannot read into a parse error', async () => {
    const body = utf8(
      '<rss version="2.0"><channel><title a=unquoted>t</title><item><guid>1</guid><title>x</title></item></channel></rss>',
    );
    await expect(parseFeedDocument(body, null, 'https://x.example/rss')).rejects.toMatchObject({ kind: 'parse' });
  });

  it('drops only the items the parser cannot read and keeps the rest', async () => {
    const body = utf8(
      '<rss version="2.0"><channel><title>t</title>' +
        '<item><guid>good-1</guid><title>First</title></item>' +
        '<item><guid>bad</guid><title>Unquoted attribute</title><category lang=en>x</category></item>' +
        '<item><guid>bad-2</guid><comments hidden>https://x.example/a</comments><title>No value</title></item>' +
        '<item><guid>good-2</guid><title>Last</title></item>' +
        '</channel></rss>',
    );
    const parsed = await parseFeedDocument(body, null, 'https://x.example/rss');
    expect(parsed.items.map((item) => item.id)).toEqual(['x.example/good-1', 'x.example/good-2']);
    expect(parsed.skippedItems).toBe(2);
  });

  it('never fails with anything but a classified FeedError, whatever the bytes', async () => {
    const fragments = fc.constantFrom(
      '<rss version="2.0">',
      '<channel>',
      '<item>',
      '</item>',
      '<title>',
      '</title>',
      '<guid>',
      '</guid>',
      '<description>',
      '</description>',
      '&',
      '&amp;',
      '<![CDATA[',
      ']]>',
      '<!--',
      '-->',
      '<',
      '>',
      '"',
      "'",
      '<entry>',
      '<feed>',
      '</channel>',
      '</rss>',
      'text',
      ' ',
      '<link>javascript:x</link>',
      '<pubDate>nope</pubDate>',
      '\u0000',
      '<!DOCTYPE x>',
      '<?pi?>',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragments, { maxLength: 40 }), async (parts) => {
        try {
          const parsed = await parseFeedDocument(utf8(parts.join('')), null, 'https://x.example/rss');
          for (const item of parsed.items) expect(item.link === null || /^https?:/.test(item.link)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(FeedError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads a lifted item title exactly as the XML parser reads the same text in the channel title', async () => {
    const fragments = fc.constantFrom(
      'Kyiv',
      ' ',
      '\n',
      '\r\n',
      '&',
      '&amp;',
      '&lt;b&gt;',
      '&lt;/b&gt;',
      '&#8217;',
      '&#x41;',
      '&#0;',
      '&#x202E;',
      '&nbsp;',
      '&mdash;',
      '&bogus;',
      '&constructor;',
      '&amp;lt;',
      '<![CDATA[a & <i>b</i>]]>',
      '<![CDATA[]]>',
      ']]>',
      ']]',
      '>',
      '"',
      "'",
      'é',
      '\u0007',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragments, { maxLength: 12 }), async (parts) => {
        const text = parts.join('');
        const source = 'https://x.example/rss';
        // The channel title is never lifted: rss-parser (xml2js, sax) reads it, after the same ampersand repair.
        let expected: string;
        try {
          const channel = `<rss version="2.0"><channel><title>${text}</title></channel></rss>`;
          expected = (await parseFeedDocument(utf8(channel), null, source)).feed.title;
        } catch {
          return; // Text the parser refuses has no reading to agree with; lifting may still keep the item.
        }
        const item = `<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>${text}</title></item></channel></rss>`;
        const parsed = await parseFeedDocument(utf8(item), null, source);
        expect(parsed.items[0]?.title ?? '').toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a lifted <pubDate> exactly as rss-parser reads the same text in <dc:date>', async () => {
    const fragments = fc.constantFrom(
      'Tue, 11 Mar 2025 10:00:00 GMT',
      '2025-03-11T10:00:00+03:00',
      '2025-03-11',
      '11 Mar 2025',
      'Mar',
      '+0300',
      ' ',
      '\n',
      'yesterday',
      '&#32;',
      '&amp;',
      '<![CDATA[2025-03-12]]>',
      '275760-09-13',
      '0',
      '99',
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fragments, { maxLength: 4 }), async (parts) => {
        const text = parts.join('');
        const item = (dateElement: string) =>
          `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>` +
          `<item><guid>g</guid><title>x</title><${dateElement}>${text}</${dateElement}></item></channel></rss>`;
        const source = 'https://x.example/rss';
        const lifted = await parseFeedDocument(utf8(item('pubDate')), null, source);
        const byRssParser = await parseFeedDocument(utf8(item('dc:date')), null, source);
        expect(lifted.items[0]?.published).toBe(byRssParser.items[0]?.published);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps an item whose title tag has a malformed attribute, since the attributes of a lifted field are never read', async () => {
    const body = utf8(
      '<rss version="2.0"><channel><title>t</title><item><guid>a</guid><title lang=en>Kept</title></item></channel></rss>',
    );
    const parsed = await parseFeedDocument(body, null, 'https://x.example/rss');
    expect(parsed.items.map((item) => item.title)).toEqual(['Kept']);
    expect(parsed.skippedItems).toBe(0);
  });
});

describe('feed shapes other readers accept', () => {
  it('reads an <rss> root without a version attribute as RSS 2.0', async () => {
    const parsed = await parseFeedDocument(fixture('rss-without-version.xml'), null, 'https://wire.example.com/rss');
    expect(parsed.feed.title).toBe('Unversioned Wire');
    expect(parsed.items).toEqual([
      expect.objectContaining({
        id: 'https://wire.example.com/quiet-night',
        title: 'Monitors report a quiet night along the line',
      }),
    ]);
  });

  it.each([["text/xml; charset='us-ascii'"], ['text/xml; charset="us-ascii"'], ['text/xml; charset=us-ascii']])(
    'reads a body whose Content-Type is %s',
    async (contentType) => {
      const parsed = await parseFeedDocument(fixture('us-ascii.xml'), contentType, 'https://ascii.example.org/rss');
      expect(parsed.items.map((item) => item.title)).toEqual(['Foreign ministers agree to meet again']);
    },
  );

  it('classifies an <rss version="2.0"> root without a channel as not a feed', async () => {
    await expect(
      parseFeedDocument(fixture('rss-without-channel.xml'), null, 'https://x.example/rss'),
    ).rejects.toMatchObject({ kind: 'not_a_feed', message: expect.stringMatching(/without a <channel>/) });
  });

  it('takes control and bidi characters out of a guid as out of the text fields', async () => {
    const body = utf8(
      '<rss version="2.0"><channel><title>T</title><item><title>A\u202e title</title>' +
        '<guid>https://x.example/\u202egpj.exe&#x1b;[2J</guid></item></channel></rss>',
    );
    const parsed = await parseFeedDocument(body, null, 'https://x.example/rss');
    expect(parsed.items.map((item) => [item.id, item.title])).toEqual([['https://x.example/gpj.exe[2J', 'A title']]);
  });
});
