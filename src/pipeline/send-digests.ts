import {
  afterFailure,
  afterSuccess,
  DEFAULT_RETRY_POLICY,
  firstDelivery,
  isDue,
  type RetryPolicy,
} from '../channels/delivery-policy';
import { buildDigest, type DigestSource, dayWindow, digestId, previousDay } from '../channels/digest';
import { ChannelError } from '../channels/http-post';
import type { Digest } from '../core/digest';
import type { ChannelDelivery, DigestChannel, DigestDeliveries, StoryStore } from '../core/ports';
import type { Clock } from '../core/ports/clock';
import type { FollowUpSummary } from '../core/story';

export interface DigestDeps {
  store: Pick<StoryStore, 'getStanceStates' | 'listFollowUps' | 'listFollowUpsRecorded' | 'listAlerts'> &
    DigestDeliveries;
  clock: Clock;
  stories: readonly DigestSource['story'][];
  channels: readonly DigestChannel[];
  policy?: RetryPolicy;
  onParked?(delivery: ChannelDelivery): void;
}

export interface DigestReport {
  day: string;
  sent: string[];
  failed: { channelId: string; message: string }[];
  /** Sent before, parked, waiting out a backoff, or taken by a concurrent run: not tried by this one. */
  skipped: string[];
  /** Nothing of the day passed the channel's filter: nothing is sent, nothing recorded. */
  quiet: string[];
  /** The day (plus DIGEST_SETTLE_MS) is not over yet: nothing was read or sent; a later run sends it. */
  notOver: boolean;
}

/** Alerts of a day are few; this many newest alerts cover any day a run can still send. */
const ALERTS_READ = 500;
/** How long a claimed digest is kept from other runs: well past a function's timeout, so a crashed run's wait. */
export const DIGEST_CLAIM_MS = 5 * 60_000;
/**
 * How long after a day ends its digest waits. Alerts and follow-ups are stamped when their analysis commits and
 * written within that function's run (a minute at most), so after this every row of the day is in the store.
 */
export const DIGEST_SETTLE_MS = 5 * 60_000;
/**
 * Follow-ups are read by the time they were recorded (an index of their own), so an item first seen long after
 * its published date (a feed added with a back catalogue) or without one is in the digest of the day it was
 * recorded. Rows written before that index existed carry no index keys: those published up to this long before
 * the day are read by published time as well, so the days around the change lose nothing either.
 */
export const DIGEST_LOOKBACK_MS = 30 * 86_400_000;

/** One follow-up read both ways counts once. */
function distinctFollowUps(followUps: readonly FollowUpSummary[]): FollowUpSummary[] {
  return [
    ...new Map(followUps.map((followUp) => [`${followUp.published}\u0000${followUp.itemId}`, followUp])).values(),
  ];
}

async function readFollowUps(deps: DigestDeps, storyId: string, day: string): Promise<FollowUpSummary[]> {
  const window = dayWindow(day);
  const since = new Date(Date.parse(window.start) - DIGEST_LOOKBACK_MS).toISOString();
  const [recorded, published] = await Promise.all([
    deps.store.listFollowUpsRecorded(storyId, { from: window.start, to: window.end }),
    deps.store.listFollowUps(storyId, { since }),
  ]);
  return distinctFollowUps([...recorded, ...published]);
}

async function readSources(deps: DigestDeps, day: string): Promise<DigestSource[]> {
  const alerts = await deps.store.listAlerts({ limit: ALERTS_READ });
  return Promise.all(
    deps.stories.map(async (story) => ({
      story,
      stances: await deps.store.getStanceStates(story.id),
      alerts: alerts.filter((alert) => alert.storyId === story.id),
      followUps: await readFollowUps(deps, story.id, day),
    })),
  );
}

async function sendOne(deps: DigestDeps, channel: DigestChannel, digest: Digest, record: ChannelDelivery) {
  const now = deps.clock.now();
  if (!(await deps.store.claimDigestDelivery(record, now, new Date(now.getTime() + DIGEST_CLAIM_MS)))) return null;
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  let next: ChannelDelivery;
  try {
    await channel.deliverDigest(digest);
    next = afterSuccess(record, deps.clock.now());
  } catch (error) {
    const permanent = error instanceof ChannelError && error.permanent;
    const message = error instanceof Error ? error.message : String(error);
    next = afterFailure(record, message, deps.clock.now(), permanent ? { ...policy, maxAttempts: 1 } : policy);
  }
  await deps.store.saveDigestDelivery(next);
  if (next.status === 'parked') deps.onParked?.(next);
  return next;
}

/**
 * Sends each daily channel its digest of one UTC day (by default the day before the clock's), at most once: the
 * delivery is recorded per (digest day, channel) in the same rows as alert deliveries, so a second run, a retry
 * or a crash-free redelivery sends nothing twice, and a failing channel is retried with the same backoff and
 * parking as an alert while the others are left alone. Each attempt first claims the record with a conditional
 * write, so of two runs racing on one day only one sends. A crash between the POST and the record can repeat one
 * send after the claim runs out; the webhook's Idempotency-Key (`digest:<day>`) lets a receiver drop it. A day is
 * sent only once it has been over for DIGEST_SETTLE_MS, so each alert and follow-up is in the digest of exactly the
 * day its analysis committed.
 */
export async function sendDailyDigests(deps: DigestDeps, options: { day?: string } = {}): Promise<DigestReport> {
  const day = options.day ?? previousDay(deps.clock.now());
  const id = digestId(day);
  const report: DigestReport = { day, sent: [], failed: [], skipped: [], quiet: [], notOver: false };
  if (deps.channels.length === 0) return report;
  if (deps.clock.now().getTime() < Date.parse(dayWindow(day).end) + DIGEST_SETTLE_MS) {
    report.notOver = true;
    return report;
  }
  const known = new Map((await deps.store.listDigestDeliveries(day)).map((record) => [record.channelId, record]));
  const due = deps.channels.flatMap((channel) => {
    const record = known.get(channel.id) ?? firstDelivery(id, channel.id);
    if (isDue(record, deps.clock.now())) return [{ channel, record }];
    report.skipped.push(channel.id);
    return [];
  });
  // Most hourly ticks find the day sent everywhere: they stop here, before reading the stories.
  if (due.length === 0) return report;
  const sources = await readSources(deps, day);
  for (const { channel, record } of due) {
    const digest = buildDigest(day, sources, channel.filter);
    if (!digest) {
      report.quiet.push(channel.id);
      continue;
    }
    const next = await sendOne(deps, channel, digest, record);
    if (next === null) report.skipped.push(channel.id);
    else if (next.status === 'sent') report.sent.push(channel.id);
    else report.failed.push({ channelId: channel.id, message: next.lastError ?? 'failed' });
  }
  return report;
}
