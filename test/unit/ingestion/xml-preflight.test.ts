import { describe, expect, it } from 'vitest';
import { prepareFeedXml } from '../../../src/ingestion/xml-preflight';

const prepare = (text: string, depth = 64) => prepareFeedXml(text, depth);

describe('prepareFeedXml', () => {
  it('recognizes RSS, RDF and Atom roots', () => {
    expect(prepare('<rss version="2.0"><channel/></rss>').format).toBe('rss');
    expect(prepare('<rdf:RDF xmlns:rdf="x"><channel/></rdf:RDF>').format).toBe('rdf');
    expect(prepare('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru-RU"/>')).toMatchObject({
      format: 'atom',
      rootLanguage: 'ru-RU',
    });
  });

  it.each([
    ['', /empty/],
    ['   \n ', /empty/],
    ['{"items": []}', /JSON/],
    ['<!doctype html><html><body>hi</body></html>', /HTML/],
    ['<html><body>hi</body></html>', /HTML/],
    ['<svg xmlns="http://www.w3.org/2000/svg"/>', /<svg>/],
    ['plain text answer', /not XML/],
  ])('classifies %j as not a feed', (text, message) => {
    expect(() => prepare(text)).toThrow(
      expect.objectContaining({ kind: 'not_a_feed', message: expect.stringMatching(message) }),
    );
  });

  it('refuses any DOCTYPE that declares entities', () => {
    const text = '<!DOCTYPE rss [<!ENTITY a "b">]><rss><channel><title>&a;</title></channel></rss>';
    expect(() => prepare(text)).toThrow(expect.objectContaining({ kind: 'parse' }));
  });

  it('drops a DOCTYPE without entities and the XML declaration', () => {
    const { xml } = prepare(
      '<?xml version="1.0" encoding="koi8-r"?><!DOCTYPE rss SYSTEM "rss.dtd"><rss><channel/></rss>',
    );
    expect(xml).toBe('<rss><channel/></rss>');
  });

  it('refuses nesting beyond the limit', () => {
    const text = `<rss>${'<a>'.repeat(70)}${'</a>'.repeat(70)}</rss>`;
    expect(() => prepare(text)).toThrow(
      expect.objectContaining({ kind: 'parse', message: expect.stringMatching(/64/) }),
    );
  });

  it('repairs bare ampersands in text and attributes but leaves CDATA untouched', () => {
    const { xml } = prepare('<rss a="x&y"><t>A & B &nbsp;&amp;</t><c><![CDATA[R&D]]></c></rss>');
    expect(xml).toBe('<rss a="x&amp;y"><t>A &amp; B &#160;&amp;</t><c><![CDATA[R&D]]></c></rss>');
  });

  it('escapes a literal less-than sign in text', () => {
    expect(prepare('<rss><t>a < b</t></rss>').xml).toBe('<rss><t>a &lt; b</t></rss>');
  });

  it('closes elements a mismatched end tag skips and drops end tags nobody opened', () => {
    const { xml } = prepare('<rss><item><category>One</item><item><category>Two</category></bogus></item></rss>');
    expect(xml).toBe('<rss><item><category>One</category></item><item><category>Two</category></item></rss>');
  });

  it('cuts a truncated document back to before the unfinished item', () => {
    const result = prepare('<rss><channel><item><category>Done</category></item><item><category>Half');
    expect(result.xml).toBe('<rss><channel><item><category>Done</category></item></channel></rss>');
    expect(result.droppedItems).toBe(1);
  });

  it('closes a document cut outside any item, dropping only an unfinished tag', () => {
    expect(prepare('<rss><channel><title>Half a tit').xml).toBe(
      '<rss><channel><title>Half a tit</title></channel></rss>',
    );
    expect(prepare('<rss><channel><title>T</title><lin').xml).toBe('<rss><channel><title>T</title></channel></rss>');
  });

  it('empties an Atom date that cannot be read so the entry survives', () => {
    const { xml } = prepare(
      '<feed><entry><published>yesterday-ish</published><updated>2025-01-02T03:04:05Z</updated></entry></feed>',
    );
    expect(xml).toBe('<feed><entry><published></published><updated>2025-01-02T03:04:05Z</updated></entry></feed>');
  });

  it('carries Atom xhtml content as escaped HTML so its word order survives', () => {
    const { xml } = prepare('<feed><title type="xhtml"><div>A <b>B</b> C</div></title></feed>');
    expect(xml).toBe('<feed><title type="html"><![CDATA[<div>A <b>B</b> C</div>]]></title></feed>');
  });

  it('lifts the text-only fields of an item into one placeholder and keeps fields holding markup and other children', () => {
    const prepared = prepare(
      '<rss><channel><title>Desk</title>' +
        '<item><title>A &amp; B</title><description><![CDATA[<p>x & y</p>]]> &lt;i&gt;z&lt;/i&gt;</description>' +
        '<category>World</category><guid isPermaLink="false">g1</guid></item>' +
        '<item><title type="html">T</title><description>hi <b>there</b></description><link>https://x.example/t</link></item>' +
        '</channel></rss>',
    );
    expect(prepared.xml).toBe(
      '<rss><channel><title>Desk</title>' +
        '<item><_swl>0</_swl><category>World</category></item>' +
        '<item><_swl>1</_swl><_swd>hi <b>there</b></_swd></item>' +
        '</channel></rss>',
    );
    expect(prepared.liftedFields).toEqual([
      new Map([
        ['_swt', 'A & B'],
        ['_swd', '<p>x & y</p> <i>z</i>'],
        ['_swg', 'g1'],
      ]),
      new Map([
        ['_swt', 'T'],
        ['_swk', 'https://x.example/t'],
      ]),
    ]);
  });

  it("leaves Atom's <link> to the parser, whose URL is an attribute", () => {
    const prepared = prepare(
      '<feed><entry><id>urn:x:1</id><link rel="alternate" href="https://x.example/1"></link></entry></feed>',
    );
    expect(prepared.xml).toBe(
      '<feed><entry><_swl>0</_swl><link rel="alternate" href="https://x.example/1"></link></entry></feed>',
    );
    expect(prepared.liftedFields).toEqual([new Map([['_swi', 'urn:x:1']])]);
  });

  it('lifts only the first field of a kind in an item and leaves a repeat in the XML', () => {
    const prepared = prepare('<rss><channel><item><title>One</title><title>Two</title></item></channel></rss>');
    expect(prepared.xml).toBe('<rss><channel><item><_swl>0</_swl><_swt>Two</_swt></item></channel></rss>');
    expect(prepared.liftedFields).toEqual([new Map([['_swt', 'One']])]);
  });

  it('lifts a field up to its real close tag when a CDATA section in it spells the close tag', () => {
    const prepared = prepare(
      '<rss><channel><item><description><![CDATA[a</description>b]]></description></item></channel></rss>',
    );
    expect(prepared.liftedFields).toEqual([new Map([['_swd', 'a</description>b']])]);
  });

  it('gives the source span of every complete item next to its span in the prepared XML', () => {
    const text = '<rss><channel> <item><title>A</title></item> <item><category>b</category></item> <item><title>C';
    const prepared = prepare(text);
    expect(prepared.itemSourceSpans.map(([from, to]) => text.slice(from, to))).toEqual([
      '<item><title>A</title></item>',
      '<item><category>b</category></item>',
    ]);
    expect(prepared.itemSpans.map(([from, to]) => prepared.xml.slice(from, to))).toEqual([
      '<item><_swl>0</_swl></item>',
      '<item><category>b</category></item>',
    ]);
  });

  it('ignores anything after the root element ends', () => {
    expect(prepare('<rss><channel/></rss><rss>second</rss> trailing').xml).toBe('<rss><channel/></rss>');
  });
});
