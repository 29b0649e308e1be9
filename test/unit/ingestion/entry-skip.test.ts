import { describe, expect, it } from 'vitest';
import { entryDigest, MAX_ENTRY_DIGESTS, parseFeedDocument } from '../../../src/ingestion/parse';
import { keepItems } from '../../../src/ingestion/prepared-xml';
import { prepareFeedXml } from '../../../src/ingestion/xml-preflight';

const SOURCE = 'https://x.example/rss';
const utf8 = (text: string) => new TextEncoder().encode(text);

interface Entry {
  guid: string;
  title: string;
  description?: string;
}

const rssItem = ({ guid, title, description = `About ${title}` }: Entry) =>
  `<item><guid>${guid}</guid><title>${title}</title><description>${description}</description></item>`;

const rss = (entries: Entry[], between = '\n') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Desk</title><language>en</language>${between}${entries
    .map(rssItem)
    .join(between)}${between}</channel></rss>`;

const atom = (entries: Entry[]) =>
  `<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom desk</title>${entries
    .map(
      ({ guid, title, description = `About ${title}` }) =>
        `<entry><id>urn:x:${guid}</id><title>${title}</title><summary>${description}</summary><link href="https://x.example/${guid}"/></entry>`,
    )
    .join('')}</feed>`;

const entry = (n: number, overrides: Partial<Entry> = {}): Entry => ({
  guid: `g${n}`,
  title: `Story ${n}`,
  ...overrides,
});

/** Parses `text` with the digests of `previous` (a document parsed first, as the fetcher does between polls). */
async function parseAfter(previous: string, text: string) {
  const first = await parseFeedDocument(utf8(previous), null, SOURCE);
  return parseFeedDocument(utf8(text), null, SOURCE, undefined, new Set(first.entryDigests));
}

describe('skipping entries the previous document carried', () => {
  it('parses only the new entries, counts the repeated ones as unchanged and digests every entry in document order', async () => {
    const older = [entry(1), entry(2), entry(3)];
    const newer = [entry(5), entry(4), ...older];
    const parsed = await parseAfter(rss(older), rss(newer));

    expect(parsed.items.map((item) => item.id)).toEqual(['x.example/g5', 'x.example/g4']);
    expect(parsed.items[0]).toMatchObject({ title: 'Story 5', description: 'About Story 5', language: 'en' });
    expect(parsed.unchangedEntries).toBe(3);
    expect(parsed.skippedItems).toBe(0);
    expect(parsed.feed).toMatchObject({ title: 'Desk', language: 'en', url: SOURCE });

    const prepared = prepareFeedXml(rss(newer), 64);
    // Digests are of each entry's source text, not of the prepared XML, where placeholders stand for lifted text.
    const expected = prepared.itemSourceSpans.map(([from, to]) => entryDigest(rss(newer).slice(from, to)));
    expect(expected[0]).toBe(entryDigest(rssItem(entry(5))));
    expect(parsed.entryDigests).toEqual(expected);
    expect(new Set(parsed.entryDigests).size).toBe(newer.length);
    // The repeated entries digest the same wherever they stand in the document.
    const previous = await parseFeedDocument(utf8(rss(older)), null, SOURCE);
    expect(parsed.entryDigests.slice(2)).toEqual(previous.entryDigests);
  });

  it('parses every entry when no digests are known', async () => {
    const parsed = await parseFeedDocument(utf8(rss([entry(1), entry(2)])), null, SOURCE);
    expect(parsed.items.map((item) => item.title)).toEqual(['Story 1', 'Story 2']);
    expect(parsed.unchangedEntries).toBe(0);
    expect(parsed.entryDigests).toHaveLength(2);
  });

  it('parses an entry again when its description was edited, though its guid is the same', async () => {
    const older = [entry(1), entry(2), entry(3)];
    const edited = [entry(1), entry(2, { description: 'Corrected: the talks moved to Friday' }), entry(3)];
    const parsed = await parseAfter(rss(older), rss(edited));
    expect(parsed.items).toEqual([
      expect.objectContaining({ id: 'x.example/g2', description: 'Corrected: the talks moved to Friday' }),
    ]);
    expect(parsed.unchangedEntries).toBe(2);
  });

  it('returns no items and counts every entry as unchanged when the document repeats the previous one', async () => {
    const text = rss([entry(1), entry(2)]);
    const parsed = await parseAfter(text, text);
    expect(parsed.items).toEqual([]);
    expect(parsed.unchangedEntries).toBe(2);
    expect(parsed.feed.title).toBe('Desk');
  });

  it('skips unchanged Atom <entry> elements the same way', async () => {
    const older = [entry(1), entry(2)];
    const parsed = await parseAfter(atom(older), atom([entry(3), entry(1), entry(2, { title: 'Story 2, updated' })]));
    expect(parsed.items.map((item) => [item.id, item.title])).toEqual([
      ['urn:x:g3', 'Story 3'],
      ['urn:x:g2', 'Story 2, updated'],
    ]);
    expect(parsed.items[0]?.link).toBe('https://x.example/g3');
    expect(parsed.unchangedEntries).toBe(1);
    expect(parsed.entryDigests).toHaveLength(3);
  });

  it('keeps at most MAX_ENTRY_DIGESTS digests, the first entries first, so later entries are parsed again next time', async () => {
    const many = Array.from({ length: MAX_ENTRY_DIGESTS + 5 }, (_, index) => entry(index));
    const first = await parseFeedDocument(utf8(rss(many)), null, SOURCE);
    expect(first.entryDigests).toHaveLength(MAX_ENTRY_DIGESTS);
    expect(first.entryDigests[0]).toBe(entryDigest(rssItem(entry(0))));

    const second = await parseFeedDocument(utf8(rss(many)), null, SOURCE, undefined, new Set(first.entryDigests));
    expect(second.unchangedEntries).toBe(MAX_ENTRY_DIGESTS);
    expect(second.items.map((item) => item.title)).toEqual(
      many.slice(MAX_ENTRY_DIGESTS).map((skipped) => skipped.title),
    );
  });

  it('drops only the malformed new entry when it stands among skipped ones, and counts it as skipped', async () => {
    const older = [entry(1), entry(2)];
    const broken = '<item><guid>bad</guid><title>Unquoted attribute</title><category lang=en>x</category></item>';
    const text = rss([entry(3)]).replace('</channel>', `${broken}\n${older.map(rssItem).join('\n')}\n</channel>`);
    const parsed = await parseAfter(rss(older), text);
    expect(parsed.items.map((item) => item.id)).toEqual(['x.example/g3']);
    expect(parsed.skippedItems).toBe(1);
    expect(parsed.unchangedEntries).toBe(2);
    // The malformed entry is digested like any other entry.
    expect(parsed.entryDigests).toHaveLength(4);
  });

  it('counts a malformed entry that was already in the previous document as unchanged, not as skipped again', async () => {
    const broken = '<item><guid>bad</guid><title>Unquoted attribute</title><category lang=en>x</category></item>';
    const withBroken = rss([entry(1)]).replace('</channel>', `${broken}</channel>`);
    const first = await parseFeedDocument(utf8(withBroken), null, SOURCE);
    expect(first.skippedItems).toBe(1);
    const second = await parseFeedDocument(
      utf8(withBroken.replace('<item>', `${rssItem(entry(2))}<item>`)),
      null,
      SOURCE,
      undefined,
      new Set(first.entryDigests),
    );
    expect(second.items.map((item) => item.id)).toEqual(['x.example/g2']);
    expect(second.skippedItems).toBe(0);
    expect(second.unchangedEntries).toBe(2);
  });

  it('still refuses a document whose channel is broken, even when every entry is known', async () => {
    const text = rss([entry(1)]).replace('<title>Desk</title>', '<title a=unquoted>Desk</title>');
    const known = await parseFeedDocument(utf8(rss([entry(1)])), null, SOURCE);
    await expect(
      parseFeedDocument(utf8(text), null, SOURCE, undefined, new Set(known.entryDigests)),
    ).rejects.toMatchObject({ kind: 'parse' });
  });
});

describe('keepItems', () => {
  const text = `<rss version="2.0"><channel><title>t</title> head-text ${rssItem(entry(1))} between-1-2 ${rssItem(
    entry(2),
  )} between-2-3 ${rssItem(entry(3))} between-3-4 ${rssItem(entry(4))} tail-text </channel></rss>`;

  it('keeps the text before, between and after the items and only the accepted items', () => {
    const prepared = prepareFeedXml(text, 64);
    expect(prepared.itemSpans).toHaveLength(4);
    const kept = keepItems(prepared, (index) => index === 1 || index === 3);
    const items = prepared.itemSpans.map(([from, to]) => prepared.xml.slice(from, to));
    type Span = [number, number];
    const [first, second, third, fourth] = prepared.itemSpans as [Span, Span, Span, Span];
    expect(kept.xml).toBe(
      prepared.xml.slice(0, first[0]) +
        prepared.xml.slice(first[1], second[0]) +
        items[1] +
        prepared.xml.slice(second[1], third[0]) +
        prepared.xml.slice(third[1], fourth[0]) +
        items[3] +
        prepared.xml.slice(fourth[1]),
    );
    expect(kept.xml).toContain('head-text');
    expect(kept.xml).toContain('between-1-2');
    expect(kept.xml).toContain('between-2-3');
    expect(kept.xml).toContain('between-3-4');
    expect(kept.xml).toContain('tail-text');
    // Each item's fields were lifted; its placeholder names its place in liftedFields.
    expect(kept.xml).not.toContain('<_swl>0</_swl>');
    expect(kept.xml).not.toContain('<_swl>2</_swl>');
    expect(kept.xml).toContain('<_swl>1</_swl>');
    expect(kept.xml).toContain('<_swl>3</_swl>');
  });

  it('recomputes itemSpans so that each span of the new text is exactly one kept item', () => {
    const prepared = prepareFeedXml(text, 64);
    const items = prepared.itemSpans.map(([from, to]) => prepared.xml.slice(from, to));
    for (const keep of [[0], [3], [0, 2], [1, 2, 3], [0, 1, 2, 3]]) {
      const kept = keepItems(prepared, (index) => keep.includes(index));
      expect(kept.itemSpans.map(([from, to]) => kept.xml.slice(from, to))).toEqual(keep.map((index) => items[index]));
    }
  });

  it('keeps format, language and dropped count, and leaves no spans when nothing is kept', () => {
    const prepared = prepareFeedXml(text, 64);
    const none = keepItems(prepared, () => false);
    expect(none.itemSpans).toEqual([]);
    expect(none.xml).not.toContain('<item>');
    expect(none.itemSourceSpans).toEqual([]);
    expect(none.xml).toContain('tail-text');
    expect(none).toMatchObject({ format: 'rss', rootLanguage: null, droppedItems: 0 });
    const all = keepItems(prepared, () => true);
    expect(all.xml).toBe(prepared.xml);
    expect(all.itemSpans).toEqual(prepared.itemSpans);
  });
});
