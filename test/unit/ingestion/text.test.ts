import { describe, expect, it } from 'vitest';
import {
  decodeHtmlEntities,
  decodeXmlText,
  flattenXmlValue,
  htmlToPlainText,
  repairAmpersands,
  truncateText,
} from '../../../src/ingestion/text';

describe('htmlToPlainText', () => {
  it('removes scripts, styles and comments with their contents', () => {
    expect(htmlToPlainText('a<script type="x">evil()</script>b<style>.c{}</style>c<!-- hidden -->d')).toBe('a b c d');
  });

  it('separates block elements with a space and joins inline ones', () => {
    expect(htmlToPlainText('<p>One</p><p>Two <b>bold</b>ly</p><br/>Three')).toBe('One Two boldly Three');
  });

  it('decodes entities after stripping so escaped markup stays text', () => {
    expect(htmlToPlainText('5 &lt; 6 &amp;&amp; caf&eacute; &#x41;&#66; &mdash;')).toBe('5 < 6 && café AB —');
  });

  it('drops control and zero-width characters and folds whitespace', () => {
    expect(htmlToPlainText('  a\u0007b\u200b c\n\t\u00a0 d  ')).toBe('ab c d');
  });

  it('removes an unterminated script to the end', () => {
    expect(htmlToPlainText('safe<script>never closed')).toBe('safe');
  });
});

describe('repairAmpersands', () => {
  it('escapes bare ampersands, translates HTML names, keeps XML references, drops forbidden code points', () => {
    expect(repairAmpersands('a & b &amp; &lt; &nbsp; &unknown; &#38; &#x26; &#0; &')).toBe(
      'a &amp; b &amp; &lt; &#160; &amp;unknown; &#38; &#x26;  &amp;',
    );
  });
});

describe('decodeHtmlEntities', () => {
  it('leaves unknown named references as they are', () => {
    expect(decodeHtmlEntities('&madeup; &amp;')).toBe('&madeup; &');
  });

  it('treats names of Object.prototype members as unknown references', () => {
    expect(decodeHtmlEntities('&constructor; &toString; &__proto__;')).toBe('&constructor; &toString; &__proto__;');
    expect(repairAmpersands('&constructor; &valueOf;')).toBe('&amp;constructor; &amp;valueOf;');
  });
});

describe('decodeXmlText', () => {
  it('decodes what repairAmpersands keeps, keeps a bare & and unknown names as written, drops forbidden code points', () => {
    expect(decodeXmlText('a & b &amp; &lt;p&gt; &nbsp; &unknown; &#38; &#x2019; &#0; &constructor;')).toBe(
      'a & b & <p> \u00a0 &unknown; & \u2019  &constructor;',
    );
  });
});

describe('flattenXmlValue', () => {
  it('reads xml2js text-with-attributes objects and nested element objects, ignoring attributes', () => {
    expect(flattenXmlValue({ _: 'Title', $: { type: 'text' } })).toBe('Title');
    expect(flattenXmlValue([{ $: { type: 'xhtml' }, div: [{ _: 'Hello', b: ['world'] }] }])).toBe('Hello world');
    expect(flattenXmlValue(undefined)).toBe('');
  });
});

describe('truncateText', () => {
  it('counts characters, so a pair at the cut is kept whole and never split', () => {
    expect(truncateText('ab😀cd', 3)).toBe('ab😀');
    expect(truncateText('abc', 10)).toBe('abc');
  });

  it('marks no cut and leaves no space at the end', () => {
    expect(truncateText('one two three', 8)).toBe('one two');
  });
});
