import { describe, expect, it } from 'vitest';
import {
  buildDigest,
  DIGEST_CHANGES_PER_PARTY,
  DIGEST_FOLLOW_UPS_PER_PARTY,
  DIGEST_QUOTE_CHARS,
  type DigestSource,
  dayWindow,
  previousDay,
} from '../../../src/channels/digest';
import { sampleAlert } from '../../support/channel-alerts';
import { DIGEST_STORY, observation, sampleFollowUp, stanceOf } from '../../support/digest-sources';

const DAY = '2025-03-17';

function source(overrides: Partial<DigestSource> = {}): DigestSource {
  return {
    story: DIGEST_STORY,
    stances: [stanceOf('russia', 'opposes'), stanceOf('ukraine', 'conditional'), stanceOf('eu', null)],
    alerts: [sampleAlert()],
    followUps: [sampleFollowUp()],
    ...overrides,
  };
}

describe('daily digest builder', () => {
  it('says nothing on a day without changes or follow-ups', () => {
    expect(buildDigest(DAY, [source({ alerts: [], followUps: [] })], {})).toBeNull();
    // What happened the day before or after is not this day's news.
    const otherDays = source({
      alerts: [sampleAlert({ createdAt: '2025-03-16T23:59:59.999Z' })],
      followUps: [sampleFollowUp({ published: '2025-03-18T00:00:00.000Z' }), sampleFollowUp({ published: null })],
    });
    expect(buildDigest(DAY, [otherDays], {})).toBeNull();
  });

  it('gives each party its stance, the changes of the day with quote and link, and its follow-ups', () => {
    const digest = buildDigest(DAY, [source()], {});
    expect(digest?.id).toBe('digest:2025-03-17');
    const [story] = digest?.stories ?? [];
    expect(story?.parties.map((party) => [party.name, party.stance, party.changes.length])).toEqual([
      ['Russia', 'opposes', 1],
      ['Ukraine', 'conditional', 0],
      ['European Union', 'none', 0],
    ]);
    expect(story?.parties[0]?.changes[0]).toEqual({
      headline: 'Russia: conditional → opposes',
      severity: 'high',
      quote: 'Moscow will not accept any deal that keeps foreign troops at the line.',
      source: 'https://news.example.org/world',
      link: 'https://news.example.org/world/kremlin-rejects-deal',
    });
    expect(story?.parties[0]?.followUps).toEqual([
      {
        title: 'Talks resume in Geneva',
        summary: 'Delegations met for a second round.',
        source: 'https://news.example.org/world',
        link: 'https://news.example.org/world/talks-resume',
        quote: 'Moscow will not accept the deal.',
      },
    ]);
  });

  it('lists a follow-up on the day it was recorded, whatever day it was published, undated ones too', () => {
    const titles = (day: string, followUps: ReturnType<typeof sampleFollowUp>[]) =>
      buildDigest(day, [source({ alerts: [], followUps })], {})?.stories[0]?.parties[0]?.followUps.map((f) => f.title);
    const followUps = [
      // Dated the evening before, analysed this morning: today's news, not yesterday's (already sent).
      sampleFollowUp({ title: 'late', published: '2025-03-16T23:50:00.000Z', recordedAt: '2025-03-17T07:00:00.000Z' }),
      sampleFollowUp({ title: 'undated', published: null, recordedAt: '2025-03-17T09:00:00.000Z' }),
      // Dated today, recorded only after midnight: tomorrow's.
      sampleFollowUp({ title: 'next', published: '2025-03-17T23:59:00.000Z', recordedAt: '2025-03-18T00:01:00.000Z' }),
      // Stored before the record time was kept: its published day, as before.
      sampleFollowUp({ title: 'older row', published: '2025-03-17T12:00:00.000Z' }),
    ];
    expect(titles(DAY, followUps)).toEqual(['late', 'undated', 'older row']);
    expect(titles('2025-03-16', followUps)).toBeUndefined();
    expect(titles('2025-03-18', followUps)).toEqual(['next']);
  });

  it('keeps many parties apart and lists follow-ups of no listed party on their own', () => {
    const parties = Array.from({ length: 12 }, (_, index) => ({ id: `party-${index}`, name: `Party ${index}` }));
    const followUps = parties.map((party, index) =>
      sampleFollowUp({
        itemId: `item-${index}`,
        published: `2025-03-17T${String(index + 8).padStart(2, '0')}:00:00.000Z`,
        parties: [party.id],
        stances: [observation(party.id, 'supports', `${party.name} backs the plan.`)],
      }),
    );
    const unrelated = sampleFollowUp({ itemId: 'item-x', title: 'Markets calm', parties: [], stances: [] });
    const story = { ...DIGEST_STORY, parties };
    const digest = buildDigest(
      DAY,
      [source({ story, stances: [], alerts: [], followUps: [...followUps, unrelated] })],
      {},
    );
    const parts = digest?.stories[0]?.parties ?? [];
    expect(parts).toHaveLength(12);
    expect(parts.map((party) => party.followUps.map((item) => item.quote))).toEqual(
      parties.map((party) => [`${party.name} backs the plan.`]),
    );
    expect(digest?.stories[0]?.otherFollowUps.map((item) => item.title)).toEqual(['Markets calm']);
  });

  it('takes only the parties and severities the channel filters for', () => {
    const alerts = [sampleAlert(), sampleAlert({ id: 'a2', party: 'ukraine', severity: 'low' })];
    const digest = buildDigest(DAY, [source({ alerts })], { parties: ['ukraine'], severities: ['high'] });
    // Ukraine's only change is low: nothing passes, and Russia's follow-up is not Ukraine's news.
    expect(digest).toBeNull();
    const ukraine = buildDigest(DAY, [source({ alerts })], { parties: ['ukraine'] });
    expect(ukraine?.stories[0]?.parties.map((party) => [party.id, party.changes.length])).toEqual([['ukraine', 1]]);
  });

  it('cuts long quotes and long days, counting what it left out', () => {
    const long = `${'The minister spoke at length. '.repeat(400)}End.`;
    const alerts = Array.from({ length: DIGEST_CHANGES_PER_PARTY + 2 }, (_, index) =>
      sampleAlert({ id: `a${index}`, evidence: { ...sampleAlert().evidence, quote: long } }),
    );
    const followUps = Array.from({ length: DIGEST_FOLLOW_UPS_PER_PARTY + 4 }, (_, index) =>
      sampleFollowUp({ itemId: `i${index}`, summary: long, stances: [observation('russia', 'opposes', long)] }),
    );
    const russia = buildDigest(DAY, [source({ alerts, followUps })], {})?.stories[0]?.parties[0];
    expect(russia?.changes).toHaveLength(DIGEST_CHANGES_PER_PARTY);
    expect([russia?.moreChanges, russia?.moreFollowUps]).toEqual([2, 4]);
    const texts = [...(russia?.changes ?? []).map((c) => c.quote), ...(russia?.followUps ?? []).map((f) => f.quote)];
    expect(texts.every((text) => (text?.length ?? 0) <= DIGEST_QUOTE_CHARS && text?.endsWith('…'))).toBe(true);
  });

  it('reads days as UTC and refuses what is not a day', () => {
    expect(dayWindow(DAY)).toEqual({ start: '2025-03-17T00:00:00.000Z', end: '2025-03-18T00:00:00.000Z' });
    expect(previousDay(new Date('2025-03-18T00:05:00.000Z'))).toBe(DAY);
    expect(() => dayWindow('2025-3-17')).toThrow('not a day');
    expect(() => dayWindow('2025-02-30')).toThrow('not a day');
    expect(() => dayWindow('2025-03-17x')).toThrow('not a day');
  });
});
