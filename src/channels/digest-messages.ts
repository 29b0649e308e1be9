import type { Digest, DigestFollowUp, DigestParty } from '../core/digest';
import { clipText } from '../core/text-limits';
import { escapeCardMarkdown } from './teams';

export const DIGEST_TITLE = 'storywatch daily digest';
export const DIGEST_CUT_NOTE = 'The digest is cut here; the report has the rest.';

/** Slack takes at most 50 blocks in a message. */
export const SLACK_MAX_BLOCKS = 50;
/** A Teams Workflows webhook refuses a message over 28 KB; the card body stays under this many bytes. */
export const TEAMS_MAX_BODY_BYTES = 26_000;

function partyLine(party: DigestParty): string {
  const changed = party.changes.length > 0 ? ` (changed: ${party.changes.map((c) => c.headline).join('; ')})` : '';
  return `${party.name}: ${party.stance}${changed}`;
}

function moreLines(party: Pick<DigestParty, 'moreChanges' | 'moreFollowUps'>): string[] {
  const plural = (count: number, word: string) => `…and ${count} more ${word}${count === 1 ? '' : 's'}`;
  return [
    ...(party.moreChanges > 0 ? [plural(party.moreChanges, 'change')] : []),
    ...(party.moreFollowUps > 0 ? [plural(party.moreFollowUps, 'follow-up')] : []),
  ];
}

type Element = Record<string, unknown>;

/** What a digest message may hold: its elements are measured by `size` and cut to `maxCount` and `maxBytes`. */
export interface DigestBudget<T> {
  size(element: T): number;
  maxCount: number;
  maxBytes: number;
  /** Ends the message when some elements are left out (must fit in the room it is given). */
  tail: T[];
}

/**
 * Keeps the leading elements that fit both limits and, when some are left out, ends with the budget's tail instead.
 * Cutting at an element keeps every kept one whole. Shared by every digest message, chat cards and SNS text alike.
 */
export function keepLeading<T>(elements: T[], budget: DigestBudget<T>): T[] {
  const { size, maxCount, maxBytes, tail } = budget;
  const all = elements.reduce((total, element) => total + size(element), 0);
  if (elements.length <= maxCount && all <= maxBytes) return elements;
  const kept: T[] = [];
  let bytes = tail.reduce((total, element) => total + size(element), 0);
  for (const element of elements) {
    if (kept.length + tail.length >= maxCount || bytes + size(element) > maxBytes) break;
    kept.push(element);
    bytes += size(element);
  }
  return [...kept, ...tail];
}

/** A card element's share of the message: its JSON and the comma that joins it to the next. */
const elementSize = (element: Element) => Buffer.byteLength(JSON.stringify(element), 'utf8') + 1;

function fitted(elements: Element[], maxCount: number, maxBytes: number, note: Element): Element[] {
  return keepLeading(elements, { size: elementSize, maxCount, maxBytes, tail: [note] });
}

/**
 * The digest as one Slack Block Kit message: a header, then per story its title, each party's stance and changes
 * with their quotes, and the follow-ups, each linked through a button. Every text is plain_text, as in alerts.
 */
export function slackDigestMessage(digest: Digest): Record<string, unknown> {
  const plain = (value: string, max: number) => ({ type: 'plain_text', text: clipText(value, max), emoji: false });
  const section = (text: string, link: string | null) => ({
    type: 'section',
    text: plain(text, 3000),
    ...(link ? { accessory: { type: 'button', text: plain('Open', 75), url: clipText(link, 3000) } } : {}),
  });
  const context = (line: string) => ({ type: 'context', elements: [plain(line, 2000)] });
  const followUpBlock = (item: DigestFollowUp) =>
    section(`${item.title} (${item.source})${item.quote ? `\n“${item.quote}”` : ''}`, item.link);
  const blocks: Element[] = [{ type: 'header', text: plain(`${DIGEST_TITLE}: ${digest.day}`, 150) }];
  for (const story of digest.stories) {
    blocks.push({ type: 'divider' }, section(story.title, null));
    for (const party of story.parties) {
      blocks.push(section(partyLine(party), null));
      for (const change of party.changes) blocks.push(section(`${change.headline}: “${change.quote}”`, change.link));
      blocks.push(...party.followUps.map(followUpBlock), ...moreLines(party).map(context));
    }
    blocks.push(...story.otherFollowUps.map(followUpBlock));
    blocks.push(...moreLines({ moreChanges: 0, moreFollowUps: story.moreOtherFollowUps }).map(context));
  }
  // Slack's own limits are 50 blocks and 40,000 characters of text; the byte bound stays well inside the latter.
  const kept = fitted(blocks, SLACK_MAX_BLOCKS, 36_000, context(DIGEST_CUT_NOTE));
  return { text: `${DIGEST_TITLE}: ${digest.day}`, blocks: kept };
}

/** The digest as one Teams Adaptive Card: the same parts, links as OpenUrl actions, text escaped as in alerts. */
export function teamsDigestMessage(digest: Digest): Record<string, unknown> {
  const text = (value: string, max: number, extra: Element = {}) => ({
    type: 'TextBlock',
    text: escapeCardMarkdown(clipText(value, max)),
    wrap: true,
    ...extra,
  });
  const link = (url: string | null) =>
    url ? [{ type: 'ActionSet', actions: [{ type: 'Action.OpenUrl', title: 'Open', url }] }] : [];
  const followUp = (item: DigestFollowUp) => [
    text(`${item.title} (${item.source})`, 400),
    ...(item.quote ? [text(`“${item.quote}”`, 1000, { isSubtle: true })] : []),
    ...link(item.link),
  ];
  const more = (line: string) => text(line, 200);
  const body: Element[] = [text(`${DIGEST_TITLE}: ${digest.day}`, 200, { weight: 'Bolder', size: 'Medium' })];
  for (const story of digest.stories) {
    body.push(text(story.title, 200, { weight: 'Bolder', separator: true }));
    for (const party of story.parties) {
      body.push(text(partyLine(party), 1000, { weight: 'Bolder' }));
      for (const change of party.changes) {
        body.push(text(`“${change.quote}”`, 1000, { isSubtle: true }), ...link(change.link));
      }
      body.push(...party.followUps.flatMap(followUp), ...moreLines(party).map(more));
    }
    body.push(...story.otherFollowUps.flatMap(followUp));
    body.push(...moreLines({ moreChanges: 0, moreFollowUps: story.moreOtherFollowUps }).map(more));
  }
  const card = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body: fitted(body, Number.POSITIVE_INFINITY, TEAMS_MAX_BODY_BYTES, more(DIGEST_CUT_NOTE)),
  };
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }],
  };
}

/** A generic webhook's digest body: the digest itself, typed and versioned like the alert body. */
export function webhookDigestBody(digest: Digest): string {
  return JSON.stringify({ type: 'storywatch.digest', version: 1, ...digest });
}
