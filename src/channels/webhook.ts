import { createHmac } from 'node:crypto';
import type { Alert } from '../core/stance-state';
import type { AlertDescription } from '../tracking/describe';
import { alertHeadline } from './alert-text';

export const WEBHOOK_HEADERS = {
  idempotencyKey: 'Idempotency-Key',
  timestamp: 'X-Storywatch-Timestamp',
  signature: 'X-Storywatch-Signature',
} as const;

/** The body a generic webhook receives: the alert itself, with names and the headline a receiver can show. */
export function webhookBody(alert: Alert, description: AlertDescription): string {
  const { status: _status, sentAt: _sentAt, ...fields } = alert;
  return JSON.stringify({
    type: 'storywatch.alert',
    version: 1,
    headline: alertHeadline(alert, description.partyName),
    partyName: description.partyName,
    storyTitle: description.storyTitle,
    alert: fields,
  });
}

/** `sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<body>")>`: the contract receivers verify. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookHeaders(alertId: string, secret: string, now: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    [WEBHOOK_HEADERS.idempotencyKey]: alertId,
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.signature]: webhookSignature(secret, timestamp, body),
  };
}
