import type { Digest, DigestFollowUp, DigestParty } from '../core/digest';
import { fitsOneSms } from '../tracking/alert-messages';
import { DIGEST_CUT_NOTE, DIGEST_TITLE, keepLeading } from './digest-messages';

/** The digest as the email and SMS subscribers of the daily topic get it, like the alert messages. */
export interface DigestTexts {
  /** ASCII, one line, under 100 characters (SNS's rules for email subjects). */
  subject: string;
  /** Plain text with every party's stance, the changes with quotes and links, and the follow-ups. */
  email: string;
  /** One SMS segment: the day, the counts, and as many change headlines as fit. */
  sms: string;
}

/**
 * The email text travels twice in the Publish (as `default` and `email`) and SNS refuses more than 256 KB in all,
 * so each copy stays under this many bytes once JSON-escaped.
 */
export const DIGEST_EMAIL_MAX_BYTES = 110_000;

/** An arrow or typographic quote would cost the SMS its GSM-7 encoding (160 → 70 characters). */
function smsPlain(value: string): string {
  return value
    .replace(/\u2192/g, '->')
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2018\u2019]/g, "'");
}

function followUpLines(item: DigestFollowUp, indent: string): string[] {
  return [
    `${indent}${item.title} (${item.source})`,
    ...(item.summary ? [`${indent}  ${item.summary}`] : []),
    ...(item.quote ? [`${indent}  “${item.quote}”`] : []),
    ...(item.link ? [`${indent}  ${item.link}`] : []),
  ];
}

function partyLines(party: DigestParty): string[] {
  const lines = [`${party.name}: ${party.stance}`];
  for (const change of party.changes) {
    lines.push(`  ${change.headline} [${change.severity}]`, `    “${change.quote}”`, `    ${change.source}`);
    if (change.link) lines.push(`    ${change.link}`);
  }
  if (party.moreChanges > 0) lines.push(`  …and ${party.moreChanges} more change(s)`);
  for (const item of party.followUps) lines.push(...followUpLines(item, '  '));
  if (party.moreFollowUps > 0) lines.push(`  …and ${party.moreFollowUps} more follow-up(s)`);
  return lines;
}

/**
 * Keeps whole leading lines within the budget and ends with the cut note when some are left out. Each line is
 * measured JSON-escaped with its quotes, which also covers the newline joining it.
 */
function fittedText(lines: string[], maxBytes: number): string {
  const size = (line: string) => Buffer.byteLength(JSON.stringify(line), 'utf8');
  const tail = ['', DIGEST_CUT_NOTE];
  return keepLeading(lines, { size, maxCount: Number.POSITIVE_INFINITY, maxBytes, tail }).join('\n');
}

function emailText(digest: Digest, maxBytes: number): string {
  const lines = [`${DIGEST_TITLE}: ${digest.day} (UTC)`];
  for (const story of digest.stories) {
    lines.push('', `== ${story.title} ==`);
    for (const party of story.parties) lines.push(...partyLines(party));
    if (story.otherFollowUps.length > 0) lines.push('Other follow-ups:');
    for (const item of story.otherFollowUps) lines.push(...followUpLines(item, '  '));
    if (story.moreOtherFollowUps > 0) lines.push(`  …and ${story.moreOtherFollowUps} more follow-up(s)`);
  }
  return fittedText(lines, maxBytes);
}

function smsText(digest: Digest): string {
  const parties = digest.stories.flatMap((story) => story.parties);
  const headlines = parties.flatMap((party) => party.changes.map((change) => smsPlain(change.headline)));
  const changes = parties.reduce((total, party) => total + party.changes.length + party.moreChanges, 0);
  // A follow-up carrying two parties' stances is listed under both; it is one follow-up.
  const followUps = new Set(
    digest.stories.flatMap((story) =>
      [...story.parties.flatMap((party) => party.followUps), ...story.otherFollowUps].map(
        (item) => `${story.id} ${item.link ?? item.title}`,
      ),
    ),
  ).size;
  const more = digest.stories.reduce(
    (total, story) => total + story.moreOtherFollowUps + story.parties.reduce((n, p) => n + p.moreFollowUps, 0),
    0,
  );
  let text = `storywatch ${digest.day}: ${changes} stance change(s), ${followUps + more} follow-up(s)`;
  for (const headline of headlines) {
    const longer = `${text}${text.includes('. ') ? '; ' : '. '}${headline}`;
    if (!fitsOneSms(longer)) break;
    text = longer;
  }
  return text;
}

export function digestTexts(digest: Digest, emailMaxBytes = DIGEST_EMAIL_MAX_BYTES): DigestTexts {
  return {
    subject: `${DIGEST_TITLE}: ${digest.day}`,
    email: emailText(digest, emailMaxBytes),
    sms: smsText(digest),
  };
}
