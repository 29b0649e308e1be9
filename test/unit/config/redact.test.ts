import { describe, expect, it } from 'vitest';
import { REDACTED, redact, redactText } from '../../../src/config/redact';

describe('redactText', () => {
  it('masks email addresses wherever they appear in a message', () => {
    expect(redactText('subscription for desk.editor+alerts@news.example.org confirmed')).toBe(
      'subscription for [email] confirmed',
    );
  });

  it('masks phone numbers in E.164 and in spaced or punctuated spellings', () => {
    expect(redactText('sms to +14155550100 failed')).toBe('sms to [phone] failed');
    expect(redactText('call +44 (20) 7946 0958 now')).toBe('call [phone] now');
  });

  it('leaves ids, counts, dates and URLs without addresses untouched', () => {
    const text = 'feed bbc-world polled 12 items at 2025-03-14T09:30:00Z from https://feeds.example.org/rss.xml';
    expect(redactText(text)).toBe(text);
  });
});

describe('redact', () => {
  it('drops feed bodies and free text whole, whatever their nesting', () => {
    const redacted = redact({
      feedId: 'wire',
      response: { status: 200, body: '<rss>…</rss>' },
      item: { content: 'x' },
    });
    expect(redacted).toEqual({
      feedId: 'wire',
      response: { status: 200, body: REDACTED },
      item: { content: REDACTED },
    });
  });

  it('masks addresses inside arrays and error messages', () => {
    const redacted = redact({
      endpoints: ['ops@example.org', '+14155550100'],
      error: new Error('bad ops@example.org'),
    });
    expect(redacted).toEqual({ endpoints: ['[email]', '[phone]'], error: { name: 'Error', message: 'bad [email]' } });
  });

  it('stops at a fixed depth instead of walking a deep or cyclic structure', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const redacted = JSON.stringify(redact(cyclic));
    expect(redacted).toContain(REDACTED);
    expect(redacted.length).toBeLessThan(500);
  });

  it('keeps numbers, booleans and null as they are', () => {
    expect(redact({ items: 3, ok: true, error: null })).toEqual({ items: 3, ok: true, error: null });
  });
});
