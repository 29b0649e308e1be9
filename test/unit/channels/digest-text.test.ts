import { describe, expect, it } from 'vitest';
import { DIGEST_CUT_NOTE } from '../../../src/channels/digest-messages';
import { DIGEST_EMAIL_MAX_BYTES, digestTexts } from '../../../src/channels/digest-text';
import type { Digest, DigestParty } from '../../../src/core/digest';
import { fitsOneSms } from '../../../src/tracking/alert-messages';
import { SNS_MESSAGE_MAX_BYTES } from '../../../src/tracking/message-size';

function party(index: number, quote: string): DigestParty {
  return {
    id: `party-${index}`,
    name: `Party ${index}`,
    stance: 'opposes',
    changes: [
      { headline: `Party ${index}: conditional → opposes`, severity: 'high', quote, source: 'src', link: null },
    ],
    moreChanges: 1,
    followUps: [{ title: 'Talks', summary: 'Met again.', source: 'src', link: 'https://a.example/2', quote }],
    moreFollowUps: 0,
  };
}

function digest(parties: number, quote: string): Digest {
  const story = {
    id: 'ceasefire-2025',
    title: 'Ceasefire talks',
    parties: Array.from({ length: parties }, (_, index) => party(index, quote)),
    otherFollowUps: [],
    moreOtherFollowUps: 2,
  };
  return { id: 'digest:2025-03-17', day: '2025-03-17', stories: [story] };
}

/** The Publish message as the SNS digest channel builds it. */
const messageBytes = (texts: ReturnType<typeof digestTexts>) =>
  Buffer.byteLength(JSON.stringify({ default: texts.email, email: texts.email, sms: texts.sms }));

describe('the digest as email and SMS text', () => {
  it('lists each party, its change with the quote, and the follow-ups', () => {
    const texts = digestTexts(digest(2, 'We will not sign.'));
    expect(texts.subject).toBe('storywatch daily digest: 2025-03-17');
    expect(texts.email.split('\n')).toEqual(
      expect.arrayContaining([
        '== Ceasefire talks ==',
        'Party 0: opposes',
        '  Party 0: conditional → opposes [high]',
        '    “We will not sign.”',
        '  …and 1 more change(s)',
        '  Talks (src)',
        '  …and 2 more follow-up(s)',
      ]),
    );
    expect(texts.email).not.toContain(DIGEST_CUT_NOTE);
  });

  it('counts a follow-up listed under two parties once and fits one SMS segment', () => {
    const { sms } = digestTexts(digest(2, 'We will not sign.'));
    expect(sms).toBe(
      'storywatch 2025-03-17: 4 stance change(s), 3 follow-up(s). Party 0: conditional -> opposes; Party 1: conditional -> opposes',
    );
    // With many parties the headlines that do not fit are left out, the counts stay.
    const many = digestTexts(digest(40, 'x')).sms;
    expect(many.startsWith('storywatch 2025-03-17: 80 stance change(s), 3 follow-up(s).')).toBe(true);
    expect(fitsOneSms(many)).toBe(true);
  });

  it('cuts a huge digest at a whole line, ending with the note, so the Publish stays within SNS’s limit', () => {
    const huge = digestTexts(digest(300, `“quoted” ${'é'.repeat(2000)}`));
    expect(huge.email.endsWith(`\n\n${DIGEST_CUT_NOTE}`)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(huge.email))).toBeLessThanOrEqual(DIGEST_EMAIL_MAX_BYTES);
    expect(messageBytes(huge)).toBeLessThan(SNS_MESSAGE_MAX_BYTES);
    expect(huge.email).toContain('Party 0: opposes');
  });
});
