import { describe, expect } from 'vitest';
import { afterFailure, afterSuccess, firstDelivery } from '../../../src/channels/delivery-policy';
import { storageTest } from '../../support/storage';

const now = new Date('2025-03-18T01:00:00.000Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('digest delivery rows', () => {
  storageTest('keeps one record per day and channel, apart from alert deliveries', async ({ store }) => {
    await store.saveDigestDelivery(afterSuccess(firstDelivery('digest:2025-03-17', 'slack'), now));
    await store.saveDigestDelivery(afterFailure(firstDelivery('digest:2025-03-17', 'hook'), 'HTTP 503', now));
    await store.saveDigestDelivery(afterSuccess(firstDelivery('digest:2025-03-16', 'slack'), now));

    const rows = await store.listDigestDeliveries('2025-03-17');
    expect(rows.map((row) => [row.alertId, row.channelId, row.status, row.attempts]).sort()).toEqual([
      ['digest:2025-03-17', 'hook', 'pending', 1],
      ['digest:2025-03-17', 'slack', 'sent', 0],
    ]);
    expect(await store.listDigestDeliveries('2025-03-15')).toEqual([]);
    expect(await store.listDeliveries('digest:2025-03-17')).toEqual([]);
  });

  storageTest('only one of two runs that read the same record can claim it', async ({ store }) => {
    const fresh = firstDelivery('digest:2025-03-17', 'slack');
    expect(await store.claimDigestDelivery(fresh, now, later(5))).toBe(true);
    // The second run read "no record" too: its conditional write is refused, so it does not send.
    expect(await store.claimDigestDelivery(fresh, now, later(5))).toBe(false);
    const [claimed] = await store.listDigestDeliveries('2025-03-17');
    expect(claimed).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: later(5).toISOString() });
    if (!claimed) throw new Error('no record');
    // While the claim holds nobody takes it; once it has run out (a crashed run), a later run may.
    expect(await store.claimDigestDelivery(claimed, later(4), later(9))).toBe(false);
    expect(await store.claimDigestDelivery(claimed, later(5), later(10))).toBe(true);
  });

  storageTest('a sent or parked digest cannot be claimed, and sent stays sent', async ({ store }) => {
    const fresh = firstDelivery('digest:2025-03-17', 'slack');
    expect(await store.saveDigestDelivery(afterSuccess(fresh, now))).toBe(true);
    expect(await store.claimDigestDelivery(fresh, later(60), later(65))).toBe(false);
    expect(await store.saveDigestDelivery(afterFailure(fresh, 'timeout', now))).toBe(false);

    const policy = { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 1 };
    const hook = firstDelivery('digest:2025-03-17', 'hook');
    await store.saveDigestDelivery(afterFailure(hook, 'HTTP 404', now, policy));
    expect(await store.claimDigestDelivery({ ...hook, attempts: 1 }, later(60), later(65))).toBe(false);
    // The operator's listing of parked deliveries shows the digest beside parked alerts.
    expect((await store.listParkedDeliveries()).map((row) => [row.alertId, row.channelId])).toEqual([
      ['digest:2025-03-17', 'hook'],
    ]);
  });

  storageTest('refuses a record that is not a digest', async ({ store }) => {
    await expect(store.saveDigestDelivery(firstDelivery('alert-1', 'slack'))).rejects.toThrow('not a digest');
  });
});
