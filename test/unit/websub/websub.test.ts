import { describe, expect, it } from 'vitest';
import { discoverHubs, parseLinkHeader } from '../../../src/websub/discovery';
import { signBody, verifySignature } from '../../../src/websub/signature';
import {
  answerVerification,
  DEFAULT_WEBSUB_CONFIG,
  deliveryAccepted,
  deliveryRefused,
  isPushActive,
  needsRenewal,
  renewalRequested,
  requestSubscription,
  verificationOverdue,
} from '../../../src/websub/subscription';

const FEED_URL = 'https://news.example/world/rss.xml';
const NOW = new Date('2026-06-01T08:00:00Z');
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe('discoverHubs', () => {
  it('reads hub and self from Link headers, several relations and values included', () => {
    const links = parseLinkHeader('<https://hub.example/>; rel="hub", </world/rss.xml>; rel="self alternate"');
    expect(links).toEqual([
      { url: 'https://hub.example/', rels: ['hub'] },
      { url: '/world/rss.xml', rels: ['self', 'alternate'] },
    ]);
    expect(
      discoverHubs({ feedUrl: FEED_URL, linkHeader: ['<https://hub.example/>; rel=hub', '<./rss.xml>; rel=self'] }),
    ).toEqual({ hubs: ['https://hub.example/'], self: FEED_URL });
  });

  it('reads <atom:link rel="hub"> in RSS and <link rel="hub"> in Atom, with entities decoded', () => {
    const rss = `<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>x</title>
      <atom:link rel="hub" href="https://hub.example/?a=1&amp;b=2"/><atom:link rel='self' href="${FEED_URL}"/>
      <item><link>https://news.example/a</link><atom:link rel="hub" href="https://item-level.example/"/></item>
      </channel></rss>`;
    expect(discoverHubs({ feedUrl: FEED_URL, document: rss })).toEqual({
      hubs: ['https://hub.example/?a=1&b=2'],
      self: FEED_URL,
    });
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://hub.example/" rel="hub"/>
      <link rel="hub" href="javascript:alert(1)"/><entry><id>1</id></entry></feed>`;
    expect(discoverHubs({ feedUrl: FEED_URL, document: atom })).toEqual({ hubs: ['https://hub.example/'], self: null });
  });

  it('prefers the Link header over the document, and finds nothing in a feed without a hub', () => {
    const rss = '<rss><channel><link>https://news.example/</link><atom:link rel="hub" href="https://b.example/"/>';
    expect(
      discoverHubs({ feedUrl: FEED_URL, document: rss, linkHeader: '<https://a.example/>; rel="hub"' }).hubs,
    ).toEqual(['https://a.example/']);
    expect(discoverHubs({ feedUrl: FEED_URL, document: '<rss><channel><title>t</title></channel></rss>' })).toEqual({
      hubs: [],
      self: null,
    });
  });
});

describe('X-Hub-Signature', () => {
  const body = Buffer.from('<rss>pushed</rss>');
  it('accepts every method the Recommendation names, signed with our secret', () => {
    for (const method of ['sha1', 'sha256', 'sha384', 'sha512']) {
      expect(verifySignature(signBody('s3cret', body, method), 's3cret', body)).toEqual({ ok: true });
    }
  });

  it('refuses a missing, unknown-method, wrong-key or tampered signature', () => {
    expect(verifySignature(undefined, 's3cret', body)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature('md5=abcd', 's3cret', body)).toEqual({ ok: false, reason: 'unsupported' });
    expect(verifySignature(signBody('other', body), 's3cret', body)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(signBody('s3cret', 'something else'), 's3cret', body)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature('sha256=short', 's3cret', body)).toEqual({ ok: false, reason: 'mismatch' });
  });
});

describe('a subscription', () => {
  const requested = requestSubscription({ id: 'sub-1', feedId: 'world', topic: FEED_URL, hub: 'https://h/', now: NOW });
  const verification = (fields: Record<string, string>) => new URLSearchParams(fields);
  const verify = (leaseSeconds = '7200') =>
    answerVerification(
      requested,
      verification({
        'hub.mode': 'subscribe',
        'hub.topic': FEED_URL,
        'hub.challenge': 'c-123',
        'hub.lease_seconds': leaseSeconds,
      }),
      NOW,
    );

  it('gets a secret of its own and is not trusted for push before the hub verifies it', () => {
    expect(requested.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(requestSubscription({ id: 'x', feedId: 'f', topic: 't', hub: 'h', now: NOW }).secret).not.toBe(
      requested.secret,
    );
    expect(isPushActive(requested, NOW)).toBe(false);
  });

  it('echoes the challenge for its own topic and becomes active for the granted lease', () => {
    const { answer, next } = verify();
    expect(answer).toEqual({ status: 200, body: 'c-123' });
    expect(next?.status).toBe('active');
    expect(next?.leaseExpiresAt).toBe(later(7200).toISOString());
    expect(isPushActive(next ?? undefined, later(7199))).toBe(true);
    // The lease lapsed: the feed is polled again.
    expect(isPushActive(next ?? undefined, later(7200))).toBe(false);
  });

  it('answers 404 to another topic, a missing challenge or an unknown subscription', () => {
    const other = { 'hub.mode': 'subscribe', 'hub.topic': 'https://evil.example/', 'hub.challenge': 'c' };
    expect(answerVerification(requested, verification(other), NOW)).toMatchObject({
      answer: { status: 404 },
      next: null,
    });
    const noChallenge = { 'hub.mode': 'subscribe', 'hub.topic': FEED_URL };
    expect(answerVerification(requested, verification(noChallenge), NOW).answer.status).toBe(404);
    expect(answerVerification(undefined, verification(other), NOW).answer.status).toBe(404);
  });

  it('records a denial with the hub reason', () => {
    const denied = answerVerification(
      requested,
      verification({ 'hub.mode': 'denied', 'hub.topic': FEED_URL, 'hub.reason': 'not allowed' }),
      NOW,
    ).next;
    expect(denied).toMatchObject({ status: 'denied', note: 'hub denied the subscription: not allowed' });
    expect(isPushActive(denied ?? undefined, NOW)).toBe(false);
  });

  it('asks for renewal within the margin before the lease ends, once until the hub verifies again', () => {
    const active = verify('86400').next;
    if (!active) throw new Error('expected an active subscription');
    expect(needsRenewal(active, later(86_400 - DEFAULT_WEBSUB_CONFIG.renewBeforeSec - 1))).toBe(false);
    const due = later(86_400 - DEFAULT_WEBSUB_CONFIG.renewBeforeSec + 1);
    expect(needsRenewal(active, due)).toBe(true);
    const sent = renewalRequested(active, due);
    const dueAt = due.getTime() / 1000 - NOW.getTime() / 1000;
    expect(needsRenewal(sent, later(dueAt + 300))).toBe(false);
    // The hub never verified the renewal: it goes out again.
    expect(needsRenewal(sent, later(dueAt + DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec + 1))).toBe(true);
    // Still trusted while the renewal is pending, as long as the old lease runs.
    expect(isPushActive(sent, later(86_400 - 60))).toBe(true);
  });

  it('renews a short lease at its half', () => {
    const short = verify('600').next;
    if (!short) throw new Error('expected an active subscription');
    expect(needsRenewal(short, later(299))).toBe(false);
    expect(needsRenewal(short, later(300))).toBe(true);
  });

  it('stops trusting a hub after too many refused deliveries, and forgives after a good one', () => {
    let active = verify().next;
    if (!active) throw new Error('expected an active subscription');
    active = deliveryRefused(active, 'signature mismatch');
    active = deliveryAccepted(deliveryRefused(active, 'signature mismatch'));
    expect(active.strikes).toBe(0);
    for (let strike = 0; strike < DEFAULT_WEBSUB_CONFIG.maxStrikes; strike += 1) {
      active = deliveryRefused(active, 'signature missing');
    }
    expect(active.status).toBe('failed');
    expect(active.note).toContain('signature missing');
    expect(isPushActive(active, NOW)).toBe(false);
  });

  it('counts a request the hub never verified as a failing hub', () => {
    expect(verificationOverdue(requested, later(DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec))).toBe(false);
    expect(verificationOverdue(requested, later(DEFAULT_WEBSUB_CONFIG.verifyTimeoutSec + 1))).toBe(true);
  });
});
