import { describe, expect, it } from 'vitest';
import {
  DIGEST_CUT_NOTE,
  SLACK_MAX_BLOCKS,
  slackDigestMessage,
  TEAMS_MAX_BODY_BYTES,
  teamsDigestMessage,
  webhookDigestBody,
} from '../../../src/channels/digest-messages';
import type { Digest, DigestParty } from '../../../src/core/digest';

const long = (word: string) => `${word} `.repeat(2000).trim();

function party(index: number, quote: string): DigestParty {
  return {
    id: `party-${index}`,
    name: `Party ${index}`,
    stance: 'opposes',
    changes: [
      {
        headline: `Party ${index}: conditional → opposes`,
        severity: 'high',
        quote,
        source: 'src',
        link: 'https://a.example/1',
      },
    ],
    moreChanges: 0,
    followUps: [{ title: 'Talks', summary: quote, source: 'src', link: 'https://a.example/2', quote }],
    moreFollowUps: 2,
  };
}

function digest(parties: number, quote: string): Digest {
  const story = {
    id: 'ceasefire-2025',
    title: 'Ceasefire talks',
    parties: Array.from({ length: parties }, (_, index) => party(index, quote)),
    otherFollowUps: [],
    moreOtherFollowUps: 0,
  };
  return { id: 'digest:2025-03-17', day: '2025-03-17', stories: [story] };
}

type Block = { type: string; text?: { text: string }; elements?: { text: string }[] };
const blocksOf = (message: Record<string, unknown>) => message.blocks as Block[];
const cardBody = (message: Record<string, unknown>) =>
  (message.attachments as { content: { body: { text: string }[] } }[])[0]?.content.body ?? [];

describe('daily digest messages', () => {
  it('shows a small day whole in Slack: stance, change with quote and link, follow-up, what was left out', () => {
    const blocks = blocksOf(slackDigestMessage(digest(1, 'We will not sign.')));
    const texts = blocks.flatMap((block) => [block.text?.text, ...(block.elements ?? []).map((e) => e.text)]);
    expect(texts).toContain('storywatch daily digest: 2025-03-17');
    expect(texts).toContain('Party 0: opposes (changed: Party 0: conditional → opposes)');
    expect(texts).toContain('Party 0: conditional → opposes: “We will not sign.”');
    expect(texts).toContain('…and 2 more follow-ups');
    expect(texts).not.toContain(DIGEST_CUT_NOTE);
    expect(JSON.stringify(blocks)).toContain('"url":"https://a.example/1"');
  });

  it('keeps a long day within Slack limits and says where it was cut', () => {
    const blocks = blocksOf(slackDigestMessage(digest(40, long('quote'))));
    expect(blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    for (const block of blocks) expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    expect(blocks.at(-1)?.elements?.[0]?.text).toBe(DIGEST_CUT_NOTE);
  });

  it('keeps a long day within the Teams message size and says where it was cut', () => {
    const message = teamsDigestMessage(digest(40, long('citation')));
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(28 * 1024);
    const body = cardBody(message);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(TEAMS_MAX_BODY_BYTES);
    expect(body.at(-1)?.text).toBe('The digest is cut here; the report has the rest\\.');
    expect(cardBody(teamsDigestMessage(digest(1, 'short'))).at(-1)?.text).not.toContain('cut here');
  });

  it('escapes card markdown in Teams and posts the digest itself to a webhook', () => {
    const body = cardBody(teamsDigestMessage(digest(1, '[click](https://evil.example)')));
    expect(body.map((block) => block.text)).toContain('“\\[click\\]\\(https://evil\\.example\\)”');
    const parsed = JSON.parse(webhookDigestBody(digest(2, 'q')));
    expect(parsed).toMatchObject({ type: 'storywatch.digest', version: 1, id: 'digest:2025-03-17' });
    expect(parsed.stories[0].parties).toHaveLength(2);
  });
});
