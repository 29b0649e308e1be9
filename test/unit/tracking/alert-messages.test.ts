import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/stance-state';
import {
  fitsOneSms,
  formatAlertMessages,
  SMS_GSM_MAX,
  SMS_UCS2_MAX,
  safeLink,
  sanitizeText,
  smsLength,
} from '../../../src/tracking/alert-messages';

const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/tracking/alerts.json', import.meta.url), 'utf8')) as {
  stanceChange: Alert;
  hostileText: { quote: string; link: string };
  cyrillicQuote: string;
};
const STORY_TITLE = 'Russia–Ukraine 30-day ceasefire proposal (2025)';
const alert = () => structuredClone(fixtures.stanceChange);
const withQuote = (quote: string, link: string | null = alert().evidence.link): Alert => {
  const base = alert();
  return { ...base, evidence: { ...base.evidence, quote, link } };
};

describe('subject', () => {
  it('names the party and the change in ASCII on one line under 100 characters', () => {
    const { subject } = formatAlertMessages(alert(), 'Russia', STORY_TITLE);
    expect(subject).toBe(
      'Stance change: Russia conditional -> opposes (Russia-Ukraine 30-day ceasefire proposal (2025))',
    );
    expect(subject.length).toBeLessThan(100);
  });

  it('shortens a long story title instead of exceeding the limit', () => {
    const { subject } = formatAlertMessages(alert(), 'Russia', `${STORY_TITLE} `.repeat(6));
    expect(subject.length).toBeLessThan(100);
    expect(subject.startsWith('Stance change: Russia conditional -> opposes (')).toBe(true);
  });
});

describe('sms', () => {
  it('fits one GSM-7 segment for English text and carries the quote and the link', () => {
    const { sms } = formatAlertMessages(alert(), 'Russia', STORY_TITLE);
    expect(smsLength(sms)).toMatchObject({ encoding: 'gsm7' });
    expect(smsLength(sms).units).toBeLessThanOrEqual(SMS_GSM_MAX);
    expect(sms).toContain('storywatch: Russia conditional -> opposes.');
    expect(sms).toContain('https://agency-c.example/spokesman-no-pause');
  });

  it('fits 70 characters when the quote is Cyrillic', () => {
    const { sms } = formatAlertMessages(withQuote(fixtures.cyrillicQuote), 'Russia', STORY_TITLE);
    expect(smsLength(sms).encoding).toBe('ucs2');
    expect(sms.length).toBeLessThanOrEqual(SMS_UCS2_MAX);
    expect(sms).toContain('Russia conditional -> opposes');
  });

  it('counts GSM-7 extension characters twice', () => {
    expect(smsLength('a[b]').units).toBe(6);
    expect(fitsOneSms('€'.repeat(80))).toBe(true);
    expect(fitsOneSms('€'.repeat(81))).toBe(false);
  });

  it('always fits one segment, whatever the feed text and party name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 40 }), (quote, party) => {
        const { sms, subject } = formatAlertMessages(withQuote(quote), party, STORY_TITLE);
        expect(fitsOneSms(sms)).toBe(true);
        expect(subject.length).toBeLessThan(100);
        expect(subject).toMatch(/^[\x20-\x7e]+$/);
      }),
      { numRuns: 300 },
    );
  });
});

describe('email', () => {
  it('gives party, change, evidence with source and link, previous position, conditions, recent statements and id', () => {
    const { email } = formatAlertMessages(alert(), 'Russia', STORY_TITLE);
    expect(email).toContain(`Russia changed its position on "${STORY_TITLE}".`);
    expect(email).toContain('From: conditional');
    expect(email).toContain('To:   opposes');
    expect(email).toContain('the other side rearm');
    expect(email).toContain('Source: agency-c.example, published 2025-03-17T09:00:00.000Z');
    expect(email).toContain('Link: https://agency-c.example/spokesman-no-pause');
    expect(email).toContain('Previous position (conditional), based on:');
    expect(email).toContain('questions of monitoring had to be settled first');
    expect(email).toContain('Dropped: monitoring');
    expect(email).toContain('What else Russia said recently:');
    expect(email).toContain('Moscow again said a pause would need monitoring.');
    expect(email).toContain('Alert id: 4f1c2a9e0b7d3c5e6a18');
  });

  it('describes a conditions change as such', () => {
    const change: Alert = {
      ...alert(),
      kind: 'conditions_change',
      severity: 'low',
      to: 'conditional',
      conditionsAdded: ['no_mobilization'],
      conditionsDropped: [],
      conditions: ['monitoring', 'no_mobilization'],
    };
    const messages = formatAlertMessages(change, 'Russia', STORY_TITLE);
    expect(messages.email).toContain('changed its conditions');
    expect(messages.email).toContain('Added:   no_mobilization');
    expect(messages.subject).toContain('Stance update: Russia conditions +no_mobilization');
  });
});

describe('sanitizing feed text', () => {
  it('strips markup, control and bidi characters from quotes and drops non-http links', () => {
    const hostile = withQuote(fixtures.hostileText.quote, fixtures.hostileText.link);
    const { email, sms, subject } = formatAlertMessages(hostile, 'Russia\u0007', STORY_TITLE);
    for (const text of [email, sms, subject]) {
      expect(text.replaceAll('\n', ' ')).not.toMatch(/<|script>|javascript:|\p{Cc}|\u202e/u);
    }
    expect(email).toContain('Link: (none)');
    expect(sanitizeText(fixtures.hostileText.quote)).toBe('alert(1) Click here evil text');
  });

  it('keeps only absolute http and https links', () => {
    expect(safeLink('https://example.org/a?b=1')).toBe('https://example.org/a?b=1');
    expect(safeLink('http://example.org')).toBe('http://example.org/');
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('data:text/html,hi')).toBeNull();
    expect(safeLink('/relative/path')).toBeNull();
    expect(safeLink(null)).toBeNull();
  });
});
