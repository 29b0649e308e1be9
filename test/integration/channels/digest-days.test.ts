import { readFileSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { createDigestChannel } from '../../../src/channels/digest-channel';
import { createJsonPoster } from '../../../src/channels/http-post';
import type { Digest } from '../../../src/core/digest';
import type { FeedItem } from '../../../src/core/feed';
import type { StoryStore } from '../../../src/core/ports';
import { SimulatedClock } from '../../../src/demo/simulated-clock';
import { loadStory } from '../../../src/detection/index';
import { analyzeBatch } from '../../../src/pipeline/analyze-batch';
import { sendDailyDigests } from '../../../src/pipeline/send-digests';
import { type ChannelReceiver, startChannelReceiver } from '../../support/channel-receiver';
import { storageTest } from '../../support/storage';

const archive = readFileSync(new URL('../../fixtures/pipeline/archive.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line): FeedItem => ({ ...(JSON.parse(line) as Omit<FeedItem, 'language'>), language: 'en' }));
const item = (id: string) => archive.find((entry) => entry.id === id) as FeedItem;
const story = loadStory('ceasefire-2025');
/** Published 12 March 08:00, analysed that morning. */
const onTime = item('arc-01');
/** Published 14 March 10:00, first analysed the next morning: news of the 15th, not of a day already sent. */
const late = item('arc-04');

/** The production pipeline and digest sender on one store, the clock set by each step. */
function world(store: StoryStore, receiver: ChannelReceiver) {
  const clock = new SimulatedClock(new Date('2025-03-12T09:00:00.000Z'));
  const post = createJsonPoster({ allowPrivateNetwork: true, timeoutMs: 2000 });
  const spec = {
    id: 'morning',
    type: 'webhook' as const,
    url: `${receiver.url}/in`,
    secret: 'digest-days-secret',
    filter: {},
    digest: 'daily' as const,
  };
  const channels = [createDigestChannel(spec, { post, clock })];
  const at = (iso: string) => clock.advanceTo(iso);
  return {
    analyze: async (iso: string, items: FeedItem[]) => {
      at(iso);
      return analyzeBatch({ store, stories: [story], clock }, items);
    },
    digest: (iso: string) => {
      at(iso);
      return sendDailyDigests({ store, clock, stories: [story], channels });
    },
  };
}

/** Which follow-ups (by link) each digest the receiver got carried, by day. */
function followUpsByDay(receiver: ChannelReceiver): Record<string, (string | null)[]> {
  return Object.fromEntries(
    receiver.received.map((request) => {
      const digest = JSON.parse(request.body) as Digest;
      const links = digest.stories.flatMap((entry) => [
        ...entry.parties.flatMap((party) => party.followUps.map((followUp) => followUp.link)),
        ...entry.otherFollowUps.map((followUp) => followUp.link),
      ]);
      return [digest.day, [...new Set(links)]];
    }),
  );
}

describe('the daily digest and follow-ups analysed after their day', () => {
  storageTest(
    'lists a follow-up on the day it was recorded, once, however late it was published',
    async ({ store }) => {
      const receiver = await startChannelReceiver('webhook');
      try {
        const { analyze, digest } = world(store, receiver);
        const first = await analyze('2025-03-12T09:00:00.000Z', [onTime]);
        expect(first.followUps).toBe(1);
        expect((await digest('2025-03-13T00:10:00.000Z')).sent).toEqual(['morning']);
        // The 14th: nothing recorded yet when its digest goes out, though the late item is dated that day.
        expect((await digest('2025-03-15T00:10:00.000Z')).quiet).toEqual(['morning']);

        const second = await analyze('2025-03-15T08:00:00.000Z', [late]);
        expect(second.followUps).toBe(1);
        // Just after midnight the day's last commits may still be landing: the 15th is not sent before it settles.
        const early = await digest('2025-03-16T00:02:00.000Z');
        expect([early.day, early.notOver, early.sent]).toEqual(['2025-03-15', true, []]);
        expect((await digest('2025-03-16T00:10:00.000Z')).sent).toEqual(['morning']);

        // Redelivered (a crash before its analysed mark) the next day: still the 15th's news, not the 16th's.
        await analyze('2025-03-16T03:00:00.000Z', [late]);
        const [stored] = await store.listFollowUps(story.id, { since: '2025-03-14' });
        expect(stored?.recordedAt).toBe('2025-03-15T08:00:00.000Z');
        // The record-time index keeps it on the 15th too: the day the digest reads it on.
        const recordedOn = async (from: string, to: string) =>
          (await store.listFollowUpsRecorded(story.id, { from, to })).map((followUp) => followUp.link);
        expect(await recordedOn('2025-03-15T00:00:00.000Z', '2025-03-16T00:00:00.000Z')).toEqual([late.link]);
        expect(await recordedOn('2025-03-16T00:00:00.000Z', '2025-03-17T00:00:00.000Z')).toEqual([]);
        expect((await digest('2025-03-17T00:10:00.000Z')).quiet).toEqual(['morning']);

        expect(followUpsByDay(receiver)).toEqual({ '2025-03-12': [onTime.link], '2025-03-15': [late.link] });
      } finally {
        await receiver.close();
      }
    },
  );
  storageTest(
    'lists a follow-up first seen weeks after its published date, and an undated one, on the day they were seen',
    async ({ store }) => {
      const receiver = await startChannelReceiver('webhook');
      try {
        const { analyze, digest } = world(store, receiver);
        // A feed added with its back catalogue: dated 40 days before it is first analysed, and one with no date.
        const backCatalogue: FeedItem = {
          ...onTime,
          id: 'arc-01-archived',
          link: 'https://wire-one.example.org/2025/02/08/talks',
          published: '2025-02-08T08:00:00.000Z',
        };
        const undated: FeedItem = {
          ...late,
          id: 'arc-04-undated',
          link: 'https://wire-two.example.org/undated',
          published: null,
        };
        const analysed = await analyze('2025-03-20T09:00:00.000Z', [backCatalogue, undated]);
        expect(analysed.followUps).toBe(2);
        expect((await digest('2025-03-21T00:10:00.000Z')).sent).toEqual(['morning']);
        // Once, on that day: the next day's digest has nothing of them.
        expect((await digest('2025-03-22T00:10:00.000Z')).quiet).toEqual(['morning']);
        const days = followUpsByDay(receiver);
        expect(Object.keys(days)).toEqual(['2025-03-20']);
        expect(days['2025-03-20']?.sort()).toEqual([backCatalogue.link, undated.link].sort());
      } finally {
        await receiver.close();
      }
    },
  );
});
