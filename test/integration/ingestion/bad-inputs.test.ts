import { readFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchFeedDocument } from '../../../src/ingestion/index';
import { generatedStream, type LoopbackFeedServer, startLoopbackFeedServer } from '../../support/loopback-feed-server';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/feeds/${name}`, import.meta.url));
const RSS = { 'content-type': 'application/rss+xml' };
const local = { allowPrivateNetwork: true };

/** Gzip of `size` zero bytes, compressed from a stream so the expanded form never sits in memory. */
async function gzipOfZeros(size: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  const gzip = createGzip({ level: 9 });
  gzip.on('data', (chunk: Buffer) => parts.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  generatedStream(size, 0).pipe(gzip);
  await done;
  return Buffer.concat(parts);
}

function nestedDocument(depth: number): string {
  return `<rss version="2.0"><channel>${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}</channel></rss>`;
}

describe('fetching hostile and broken feeds from a loopback server', () => {
  let server: LoopbackFeedServer;
  /** Bare guids come back scoped to the feed's host (here the loopback server) so they are unique across feeds. */
  const scopedToServer = (guid: string) => `${new URL(server.url('/')).host}/${guid}`;

  beforeAll(async () => {
    server = await startLoopbackFeedServer({
      '/billion-laughs': { headers: RSS, body: fixture('billion-laughs.xml') },
      '/entity-target': { body: 'SECRET' },
      '/unescaped-ampersand': { headers: RSS, body: fixture('unescaped-ampersand.xml') },
      '/truncated': { headers: RSS, body: fixture('truncated.xml') },
      '/html': { headers: { 'content-type': 'text/html; charset=utf-8' }, body: fixture('html-page.html') },
      '/empty': { headers: RSS, body: '' },
      '/json': { headers: { 'content-type': 'application/json' }, body: fixture('json-body.json') },
      '/deep': { headers: RSS, body: nestedDocument(20_000) },
      '/huge': { headers: RSS, stream: () => generatedStream(300 * 1024 * 1024) },
      '/huge-declared': { headers: { ...RSS, 'content-length': String(300 * 1024 * 1024) }, body: '' },
      '/slow-drip': { headers: RSS, dripIntervalMs: 50 },
      '/slow-headers': { headers: RSS, delayMs: 3_000, body: '<rss/>' },
      '/loop-a': { status: 302, headers: { location: '/loop-b' } },
      '/loop-b': { status: 302, headers: { location: '/loop-a' } },
      '/chain-1': { status: 302, headers: { location: '/chain-2' } },
      '/chain-2': { status: 302, headers: { location: '/chain-3' } },
      '/chain-3': { status: 302, headers: { location: '/unescaped-ampersand' } },
      '/cp1251': { headers: { 'content-type': 'application/rss+xml' }, body: fixture('windows-1251-prolog.xml') },
      '/koi8r': { headers: { 'content-type': 'text/xml; charset=KOI8-R' }, body: fixture('koi8r-header.xml') },
      '/utf8-bom': { headers: RSS, body: fixture('utf8-bom.xml') },
      '/utf16le': { headers: { 'content-type': 'application/xml' }, body: fixture('utf16le-bom.xml') },
      '/utf16be': { headers: { 'content-type': 'application/xml' }, body: fixture('utf16be-bom.xml') },
      '/bad-utf8': {
        headers: RSS,
        body: Buffer.from('<rss version="2.0"><channel><title>\xff\xfe bad</title></channel></rss>', 'latin1'),
      },
      '/atom-xhtml': { headers: { 'content-type': 'application/atom+xml' }, body: fixture('atom-xhtml.xml') },
      '/guids': { headers: RSS, body: fixture('guids.xml') },
      '/unsafe': { headers: RSS, body: fixture('unsafe-content.xml') },
    });
    server.route('/external-entity', {
      headers: RSS,
      body: fixture('external-entity.xml').toString('utf8').replace('{{ENTITY_TARGET}}', server.url('/entity-target')),
    });
    server.route('/gzip-bomb', {
      headers: { ...RSS, 'content-encoding': 'gzip' },
      body: await gzipOfZeros(64 * 1024 * 1024),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  it('refuses a billion-laughs DTD as a parse error without expanding it', async () => {
    const result = await fetchFeedDocument(server.url('/billion-laughs'), local);
    expect(result).toEqual({ ok: false, error: { kind: 'parse', message: expect.stringMatching(/ENTITY/) } });
  });

  it('refuses external entities and never requests their targets', async () => {
    const result = await fetchFeedDocument(server.url('/external-entity'), local);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.kind).toBe('parse');
    expect(server.hits('/entity-target')).toBe(0);
  });

  it('repairs unescaped ampersands and keeps every item', async () => {
    const result = await fetchFeedDocument(server.url('/unescaped-ampersand'), local);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.feed.title).toBe('Q & A Desk');
    expect(result.items.map((item) => item.title)).toEqual([
      'Russia & Ukraine: what the truce would mean',
      'Second & last',
    ]);
    expect(result.items[0]?.link).toBe('https://qa.example.org/story?a=1&b=2');
    expect(result.items[0]?.description).toBe('Tom & Jerry © 2025 — R&D © &bogus; done');
  });

  it('reports a truncated document as an error, with the complete items before the cut', async () => {
    const result = await fetchFeedDocument(server.url('/truncated'), local);
    if (result.ok) throw new Error('a truncated document was read as a success');
    expect(result.error).toEqual({ kind: 'truncated', message: expect.stringMatching(/root element/) });
    expect(result.partial?.items.map((item) => item.id)).toEqual(['cut-1', 'cut-2'].map(scopedToServer));
    expect(result.partial?.skippedItems).toBe(1);
  });

  it.each([
    ['/html', /HTML/],
    ['/empty', /empty/],
    ['/json', /JSON/],
  ])('classifies the 200 response at %s as not_a_feed', async (path, message) => {
    const result = await fetchFeedDocument(server.url(path), local);
    expect(result).toEqual({ ok: false, error: { kind: 'not_a_feed', message: expect.stringMatching(message) } });
  });

  it('classifies 20,000 nested elements as a parse error instead of overflowing the stack', async () => {
    const result = await fetchFeedDocument(server.url('/deep'), local);
    expect(result).toEqual({ ok: false, error: { kind: 'parse', message: expect.stringMatching(/nested deeper/) } });
  });

  it('aborts a streamed 300 MB body at the size cap and frees the connection', async () => {
    const result = await fetchFeedDocument(server.url('/huge'), { ...local, maxBytes: 1024 * 1024 });
    expect(result).toEqual({ ok: false, error: { kind: 'too_large', message: expect.stringMatching(/1048576/) } });
    await server.waitForNoConnections();
  });

  it('refuses a body whose declared Content-Length is over the cap before reading it', async () => {
    const result = await fetchFeedDocument(server.url('/huge-declared'), local);
    expect(!result.ok && result.error.kind).toBe('too_large');
  });

  it('stops inflating a gzip bomb at the cap measured after decompression', async () => {
    const result = await fetchFeedDocument(server.url('/gzip-bomb'), { ...local, maxBytes: 2 * 1024 * 1024 });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'too_large', message: expect.stringMatching(/after decompression/) },
    });
  });

  it('gives up on a slow-drip server at the deadline and releases the socket', async () => {
    const result = await fetchFeedDocument(server.url('/slow-drip'), { ...local, timeoutMs: 400 });
    expect(result).toEqual({ ok: false, error: { kind: 'timeout', message: expect.stringMatching(/400 ms/) } });
    await server.waitForNoConnections();
  });

  it('gives up on a server that never sends its status line at the deadline', async () => {
    const result = await fetchFeedDocument(server.url('/slow-headers'), { ...local, timeoutMs: 300 });
    expect(!result.ok && result.error.kind).toBe('timeout');
    await server.waitForNoConnections();
  });

  it('detects a redirect loop', async () => {
    const result = await fetchFeedDocument(server.url('/loop-a'), local);
    expect(!result.ok && result.error.kind).toBe('redirect_loop');
  });

  it('follows a redirect chain within the limit and refuses it beyond', async () => {
    const followed = await fetchFeedDocument(server.url('/chain-1'), local);
    expect(followed.ok && followed.feed.url).toBe(server.url('/unescaped-ampersand'));
    const limited = await fetchFeedDocument(server.url('/chain-1'), { ...local, maxRedirects: 2 });
    expect(!limited.ok && limited.error.kind).toBe('too_many_redirects');
    const disabled = await fetchFeedDocument(server.url('/chain-1'), { ...local, maxRedirects: 0 });
    expect(!disabled.ok && disabled.error.kind).toBe('too_many_redirects');
  });

  it('decodes windows-1251 declared only in the XML prolog', async () => {
    const result = await fetchFeedDocument(server.url('/cp1251'), local);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.feed.title).toBe('Новости дня');
    expect(result.items[0]?.title).toBe('Переговоры о перемирии продолжатся в среду');
    expect(result.items[0]?.language).toBe('ru');
  });

  it('decodes KOI8-R declared only in the Content-Type header', async () => {
    const result = await fetchFeedDocument(server.url('/koi8r'), local);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.items[0]?.title).toBe('Кремль ответил на предложение о прекращении огня');
  });

  it.each(['/utf8-bom', '/utf16le', '/utf16be'])('decodes the byte-order-marked body at %s', async (path) => {
    const result = await fetchFeedDocument(server.url(path), local);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.feed.title).toBe('Стрічка новин');
    expect(result.items[0]?.title).toBe('Україна погодилася на тридцятиденне припинення вогню');
    expect(result.items[0]?.language).toBe('uk');
  });

  it('reports malformed UTF-8 as a decode error instead of replacement characters', async () => {
    const result = await fetchFeedDocument(server.url('/bad-utf8'), local);
    expect(!result.ok && result.error.kind).toBe('decode');
  });

  it('flattens Atom xhtml titles and keeps an entry whose date is invalid with published null', async () => {
    const result = await fetchFeedDocument(server.url('/atom-xhtml'), local);
    if (!result.ok) throw new Error(result.error.message);
    expect(result.items.map((item) => [item.id, item.title, item.published])).toEqual([
      ['urn:example:entry:1', 'Kyiv accepts the proposal', '2025-03-11T18:00:00.000Z'],
      ['urn:example:entry:2', 'Second entry with markup', null],
      ['urn:example:entry:3', 'Third entry', '2025-03-15T05:45:00.000Z'],
    ]);
    expect(result.items[1]?.link).toBe(server.url('/entries/2'));
  });

  it('handles missing, duplicate and whitespace guids', async () => {
    const result = await fetchFeedDocument(server.url('/guids'), local);
    if (!result.ok) throw new Error(result.error.message);
    const ids = result.items.map((item) => item.id);
    expect(ids[0]).toBe(scopedToServer('same-guid'));
    expect(ids[1]).toBe('https://guids.example.org/3?page=2');
    expect(ids[2]).toMatch(/^sha1:[0-9a-f]{40}$/);
    expect(result.items[0]?.title).toBe('Has a guid');
    // The duplicate guid and the item with nothing in it.
    expect(result.skippedItems).toBe(2);
  });

  it('drops javascript: and data: links and strips scripts, styles and control characters', async () => {
    const result = await fetchFeedDocument(server.url('/unsafe'), local);
    if (!result.ok) throw new Error(result.error.message);
    const [first, second] = result.items;
    expect(first?.link).toBeNull();
    // `&amp;amp;` inside HTML is escaped twice; plain text shows the ampersand the publisher meant.
    expect(first?.description).toBe('Visible text. More text & entities');
    expect(first?.description).not.toMatch(/steal|color|boom/);
    expect(second?.link).toBeNull();
    expect(second?.title).toBe('Data link with a bell');
    expect(second?.description).toBe('Plain text over lines');
  });
});
