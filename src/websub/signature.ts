/**
 * Content signatures (W3C WebSub §8): the hub sends `X-Hub-Signature: <method>=<hex HMAC of the body>` keyed with
 * the secret we gave at subscription. Every subscription of ours has a secret, so an unsigned delivery is as
 * unacceptable as a wrongly signed one: either could come from anyone who learned the callback URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'unsupported' | 'mismatch' };

/** A fresh secret: 32 random bytes as hex, well under the 200-byte limit of hub.secret. */
export function newSubscriptionSecret(): string {
  return randomBytes(32).toString('hex');
}

export function signBody(secret: string, body: Uint8Array | string, method = 'sha256'): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}

export function verifySignature(
  header: string | null | undefined,
  secret: string,
  body: Uint8Array | string,
): SignatureCheck {
  const text = header?.trim();
  if (!text) return { ok: false, reason: 'missing' };
  const separator = text.indexOf('=');
  const method = text.slice(0, separator).toLowerCase();
  if (separator <= 0 || !METHODS.has(method)) return { ok: false, reason: 'unsupported' };
  const given = Buffer.from(text.slice(separator + 1).toLowerCase(), 'utf8');
  const expected = Buffer.from(createHmac(method, secret).update(body).digest('hex'), 'utf8');
  // Equal lengths first: timingSafeEqual throws otherwise, and the length of a hex digest is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'mismatch' };
  return { ok: true };
}
