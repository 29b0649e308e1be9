import { describe, expect, it } from 'vitest';
import type { AlertText } from '../../../src/channels/alert-text';
import { buildDigest, DIGEST_QUOTE_CHARS } from '../../../src/channels/digest';
import { slackMessage } from '../../../src/channels/slack';
import { teamsMessage } from '../../../src/channels/teams';
import { sampleAlert } from '../../support/channel-alerts';
import { DIGEST_STORY, sampleFollowUp, stanceOf } from '../../support/digest-sources';

/** Text of `length` characters whose character at `at` (0-based) is an emoji: a pair of UTF-16 code units. */
const emojiAt = (at: number, length: number) => `${'a'.repeat(at)}😀${'b'.repeat(length - at - 1)}`;
const hasLoneSurrogate = (value: string) =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);

function text(overrides: Partial<AlertText>): AlertText {
  return {
    headline: 'Russia: conditional → opposes',
    partyName: 'Russia',
    storyTitle: 'Ceasefire',
    change: 'conditional → opposes',
    severity: 'high',
    quote: 'We will not accept it.',
    source: 'news.example.org',
    link: 'https://news.example.org/a',
    published: null,
    ...overrides,
  };
}

describe('alert texts cut for a channel', () => {
  it('keep an emoji at the cut of a Slack header whole, counting it as one character', () => {
    const message = slackMessage(text({ headline: emojiAt(148, 400) }));
    const [header] = message.blocks as { text: { text: string } }[];
    expect(header?.text.text).toBe(`${'a'.repeat(148)}😀…`);
  });

  it('never leave half a pair in a Teams quote cut at its limit', () => {
    const message = teamsMessage(text({ quote: emojiAt(1997, 3000) }));
    const serialized = JSON.stringify(message);
    expect(serialized).toContain(`${'a'.repeat(1997)}😀…`);
    expect(hasLoneSurrogate(serialized)).toBe(false);
  });

  it('keep an emoji at the cut of a digest quote whole', () => {
    const quote = emojiAt(DIGEST_QUOTE_CHARS - 2, DIGEST_QUOTE_CHARS * 2);
    const digest = buildDigest(
      '2025-03-17',
      [
        {
          story: DIGEST_STORY,
          stances: [stanceOf('russia', 'opposes')],
          alerts: [sampleAlert({ evidence: { ...sampleAlert().evidence, quote } })],
          followUps: [sampleFollowUp()],
        },
      ],
      {},
    );
    expect(digest?.stories[0]?.parties[0]?.changes[0]?.quote).toBe(`${'a'.repeat(DIGEST_QUOTE_CHARS - 2)}😀…`);
  });
});
