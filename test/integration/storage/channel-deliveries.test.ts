import { describe, expect } from 'vitest';
import { afterFailure, afterSuccess, firstDelivery } from '../../../src/channels/delivery-policy';
import { storageTest } from '../../support/storage';

const now = new Date('2025-03-17T09:30:00.000Z');

describe('channel delivery rows', () => {
  storageTest('keeps one record per alert and channel, listed together', async ({ store }) => {
    await store.saveDelivery(afterSuccess(firstDelivery('alert-1', 'slack'), now));
    await store.saveDelivery(afterFailure(firstDelivery('alert-1', 'hook'), 'HTTP 503', now));
    await store.saveDelivery(afterSuccess(firstDelivery('alert-2', 'slack'), now));

    const rows = await store.listDeliveries('alert-1');
    expect(rows.map((row) => [row.channelId, row.status, row.attempts]).sort()).toEqual([
      ['hook', 'pending', 1],
      ['slack', 'sent', 0],
    ]);
    expect(rows.find((row) => row.channelId === 'hook')?.lastError).toBe('HTTP 503');
    expect(await store.listDeliveries('alert-3')).toEqual([]);
  });

  storageTest('a sent delivery stays sent when a slower sweep records a failure afterwards', async ({ store }) => {
    const pending = firstDelivery('alert-1', 'slack');
    expect(await store.saveDelivery(afterSuccess(pending, now))).toBe(true);
    expect(await store.saveDelivery(afterFailure(pending, 'timeout', now))).toBe(false);
    expect((await store.listDeliveries('alert-1'))[0]?.status).toBe('sent');
  });

  storageTest('lists parked deliveries, and only those, for the operator', async ({ store }) => {
    const policy = { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 1 };
    await store.saveDelivery(afterFailure(firstDelivery('alert-1', 'teams'), 'HTTP 404', now, policy));
    await store.saveDelivery(afterFailure(firstDelivery('alert-2', 'teams'), 'HTTP 503', now));
    const parked = await store.listParkedDeliveries();
    expect(parked).toEqual([
      {
        alertId: 'alert-1',
        channelId: 'teams',
        status: 'parked',
        attempts: 1,
        nextAttemptAt: null,
        lastError: 'HTTP 404',
        settledAt: now.toISOString(),
      },
    ]);
    // The parked row does not appear in the outbox sweep of pending alerts.
    expect(await store.listPendingAlerts()).toEqual([]);
  });
});
