import type { Alert, StanceEvidence } from '../core/stance-state';
import { stanceName } from '../core/story';
import { clipText } from '../core/text-limits';

export interface AlertMessages {
  /** ASCII, one line, under 100 characters (SNS's rules for email subjects). */
  subject: string;
  /** Fits one SMS segment: 160 GSM-7 units, or 70 UTF-16 units as soon as one character is outside GSM-7. */
  sms: string;
  /** Plain-text email body with the full context. */
  email: string;
}

export const SUBJECT_MAX = 99;
export const SMS_GSM_MAX = 160;
export const SMS_UCS2_MAX = 70;

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';
const GSM_BASIC_SET = new Set(GSM_BASIC);
const GSM_EXTENDED_SET = new Set(GSM_EXTENDED);

/** Length of a text in one SMS encoding, and the limit of one segment in that encoding. */
export function smsLength(value: string): { units: number; limit: number; encoding: 'gsm7' | 'ucs2' } {
  let gsmUnits = 0;
  for (const char of value) {
    if (GSM_BASIC_SET.has(char)) gsmUnits += 1;
    else if (GSM_EXTENDED_SET.has(char)) gsmUnits += 2;
    else return { units: value.length, limit: SMS_UCS2_MAX, encoding: 'ucs2' };
  }
  return { units: gsmUnits, limit: SMS_GSM_MAX, encoding: 'gsm7' };
}

export function fitsOneSms(value: string): boolean {
  const { units, limit } = smsLength(value);
  return units <= limit;
}

/**
 * Feed text is untrusted: drop markup, control and bidi-override characters (they can disguise links or break
 * the layout of a message), and collapse whitespace.
 */
export function sanitizeText(value: string): string {
  return value
    .replace(/<[^>]*>/g, ' ')
    .replace(/[<>]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Only absolute http(s) links survive; anything else (javascript:, data:, garbage) becomes null. */
export function safeLink(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.toString();
  } catch {
    return null;
  }
}

/** Typographic punctuation costs an SMS its GSM-7 encoding (160 → 70 characters) for no gain. */
function plainPunctuation(value: string): string {
  return value
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/[\u201c\u201d\u201e\u00ab\u00bb]/g, '"')
    .replace(/[\u2018\u2019\u201a]/g, "'")
    .replace(/\u2026/g, '...')
    .replace(/\u2192/g, '->')
    .replace(/\u00a0/g, ' ');
}

function asciiOnly(value: string): string {
  return plainPunctuation(value)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** SMS and e-mail subjects stay ASCII, so the cut is marked with three dots. */
function shorten(value: string, max: number): string {
  return clipText(value, max, { ellipsis: '...' });
}

function siteName(source: string): string {
  try {
    return new URL(source).hostname.replace(/^www\./, '');
  } catch {
    return sanitizeText(source);
  }
}

function describeChange(alert: Alert): string {
  if (alert.kind === 'stance_change') {
    return alert.from === null ? `now ${stanceName(alert.to)}` : `${alert.from} -> ${stanceName(alert.to)}`;
  }
  const parts = [
    ...alert.conditionsAdded.map((condition) => `+${condition}`),
    ...alert.conditionsDropped.map((condition) => `-${condition}`),
  ];
  return `conditions ${parts.join(' ')}`;
}

export function formatAlertMessages(alert: Alert, partyName: string, storyTitle: string): AlertMessages {
  return {
    subject: formatSubject(alert, partyName, storyTitle),
    sms: formatSms(alert, partyName),
    email: formatEmail(alert, partyName, storyTitle),
  };
}

function formatSubject(alert: Alert, partyName: string, storyTitle: string): string {
  const party = asciiOnly(sanitizeText(partyName)) || alert.party;
  const head = `${alert.severity === 'high' ? 'Stance change' : 'Stance update'}: ${party} ${describeChange(alert)}`;
  const title = asciiOnly(sanitizeText(storyTitle));
  const full = title ? `${head} (${title})` : head;
  if (full.length <= SUBJECT_MAX) return full;
  const room = SUBJECT_MAX - head.length - 3;
  return room >= 12 ? `${head} (${shorten(title, room)})` : shorten(head, SUBJECT_MAX);
}

function formatSms(alert: Alert, partyName: string): string {
  const party = plainPunctuation(sanitizeText(partyName)) || alert.party;
  const head = `storywatch: ${party} ${describeChange(alert)}.`;
  const link = safeLink(alert.evidence.link);
  // No segment holds more than 160 characters, so longer quotes only slow the fitting loop down.
  const quote = [...plainPunctuation(sanitizeText(alert.evidence.quote))].slice(0, SMS_GSM_MAX).join('');
  const withQuote = (text: string, tail: string) => (text ? `${head} "${text}"${tail}` : `${head}${tail}`);
  // The link is worth more than a longer quote, but only whole: a cut link is useless.
  for (const tail of link ? [` ${link}`, ''] : ['']) {
    if (!fitsOneSms(withQuote('', tail))) continue;
    const keep = longestFitting(quote, (kept) => fitsOneSms(withQuote(shorten(quote, kept), tail)));
    if (keep >= 20 || tail === '') return withQuote(keep > 0 ? shorten(quote, keep) : '', tail);
  }
  let fallback = head;
  while (!fitsOneSms(fallback)) fallback = shorten(fallback, [...fallback].length - 1);
  return fallback;
}

/** How many characters of `text` can be kept with `fits` still true; 0 when none can. */
function longestFitting(text: string, fits: (kept: number) => boolean): number {
  let keep = [...text].length;
  while (keep > 0 && !fits(keep)) keep -= 1;
  return keep;
}

function evidenceLines(evidence: StanceEvidence, indent = '  '): string[] {
  const lines = [`${indent}"${sanitizeText(evidence.quote)}"`];
  const origin = [siteName(evidence.source), evidence.published ? `published ${evidence.published}` : null]
    .filter(Boolean)
    .join(', ');
  lines.push(`${indent}Source: ${origin}`);
  lines.push(`${indent}Link: ${safeLink(evidence.link) ?? '(none)'}`);
  return lines;
}

function formatEmail(alert: Alert, partyName: string, storyTitle: string): string {
  const party = sanitizeText(partyName) || alert.party;
  const title = sanitizeText(storyTitle);
  const lines: string[] = [];
  if (alert.kind === 'stance_change') {
    lines.push(`${party} changed its position on "${title}".`, '');
    lines.push(`  From: ${stanceName(alert.from)}`, `  To:   ${stanceName(alert.to)}`);
  } else {
    lines.push(`${party} changed its conditions on "${title}" (position still ${stanceName(alert.to)}).`, '');
  }
  lines.push(`  Severity: ${alert.severity}`, '', 'What was said:', ...evidenceLines(alert.evidence), '');
  if (alert.previousEvidence) {
    lines.push(
      `Previous position (${stanceName(alert.from)}), based on:`,
      ...evidenceLines(alert.previousEvidence),
      '',
    );
  }
  lines.push(`Conditions now: ${alert.conditions.length > 0 ? alert.conditions.join(', ') : '(none)'}`);
  if (alert.conditionsAdded.length > 0) lines.push(`  Added:   ${alert.conditionsAdded.join(', ')}`);
  if (alert.conditionsDropped.length > 0) lines.push(`  Dropped: ${alert.conditionsDropped.join(', ')}`);
  lines.push('');
  if (alert.recentStatements.length > 0) {
    lines.push(`What else ${party} said recently:`);
    for (const statement of alert.recentStatements) lines.push(...evidenceLines(statement, '  - '.padEnd(4)), '');
  }
  lines.push(`Alert id: ${alert.id}`, `Detected: ${alert.createdAt}`);
  return `${lines.join('\n')}\n`;
}
