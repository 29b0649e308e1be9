import { describe, expect, it } from 'vitest';
import { decodeFeedBody, detectCharset } from '../../../src/ingestion/decode';
import { FeedError } from '../../../src/ingestion/errors';

const ascii = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('detectCharset', () => {
  it('prefers the Content-Type charset over the XML declaration', () => {
    const body = ascii('<?xml version="1.0" encoding="windows-1251"?><rss/>');
    expect(detectCharset(body, 'text/xml; charset="KOI8-R"')).toEqual({ charset: 'koi8-r', source: 'header' });
  });

  it('falls back to the XML declaration, then to UTF-8', () => {
    expect(detectCharset(ascii("<?xml version='1.0' encoding='ISO-8859-5' ?><rss/>"), 'application/rss+xml')).toEqual({
      charset: 'iso-8859-5',
      source: 'prolog',
    });
    expect(detectCharset(ascii('<rss/>'), null)).toEqual({ charset: 'utf-8', source: 'default' });
  });

  it('lets a byte-order mark decide even when the header names another charset', () => {
    const body = new Uint8Array([0xfe, 0xff, 0x00, 0x3c]);
    expect(detectCharset(body, 'text/xml; charset=utf-8')).toEqual({ charset: 'utf-16be', source: 'bom' });
  });
});

describe('decodeFeedBody', () => {
  it('decodes ISO-8859-2 declared in the header', () => {
    const body = new Uint8Array(Buffer.from([0x3c, 0x61, 0x3e, 0xb1, 0xea, 0x3c, 0x2f, 0x61, 0x3e]));
    expect(decodeFeedBody(body, 'text/xml; charset=iso-8859-2')).toBe('<a>ąę</a>');
  });

  it('strips the byte-order mark from the decoded text', () => {
    const body = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('<rss/>')]);
    expect(decodeFeedBody(body, null)).toBe('<rss/>');
  });

  it('recovers when the header claims UTF-8 but the declaration names the real charset', () => {
    const body = new Uint8Array(
      Buffer.concat([
        Buffer.from('<?xml version="1.0" encoding="windows-1251"?><t>'),
        Buffer.from([0xcc, 0xe8, 0xf0]),
        Buffer.from('</t>'),
      ]),
    );
    expect(decodeFeedBody(body, 'text/xml; charset=utf-8')).toContain('<t>Мир</t>');
  });

  it('raises a decode error for an unknown charset label', () => {
    expect(() => decodeFeedBody(ascii('<rss/>'), 'text/xml; charset=x-martian')).toThrow(
      expect.objectContaining({ kind: 'decode', message: expect.stringMatching(/x-martian/) }),
    );
  });

  it('raises a decode error rather than inventing replacement characters for broken UTF-8', () => {
    let caught: unknown;
    try {
      decodeFeedBody(new Uint8Array([0x3c, 0x61, 0x3e, 0xc3, 0x28]), null);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FeedError);
    expect((caught as FeedError).kind).toBe('decode');
  });
});
