import type { AlertChannel, ChannelDeliveries, ChannelDelivery } from '../core/ports/channels';
import type { Clock } from '../core/ports/clock';
import {
  type AlertNotifier,
  ChannelsPendingError,
  DeliveryDeferredError,
  UndeliverableError,
} from '../core/ports/notifier';
import type { Alert } from '../core/stance-state';
import { PRIMARY_TARGET_ID } from './config';
import {
  afterFailure,
  afterSuccess,
  DEFAULT_RETRY_POLICY,
  firstDelivery,
  isDue,
  type RetryPolicy,
} from './delivery-policy';
import { ChannelError } from './http-post';

export interface FanoutOptions {
  /** SNS in AWS, the console and alerts file locally: delivered like a channel that takes every alert. */
  primary: AlertNotifier;
  channels: readonly AlertChannel[];
  deliveries: ChannelDeliveries;
  clock: Clock;
  policy?: RetryPolicy;
  /**
   * Told about every channel delivery that was just parked (metrics, logs). The primary's is not told here: the
   * publisher parks the whole alert for it and counts it there.
   */
  onParked?(delivery: ChannelDelivery): void;
  /**
   * The channels are delivered by someone else (in AWS, the publisher's sweep): this fan-out serves the primary
   * notifier only, records it, and leaves the alert pending for the channels.
   */
  channelsElsewhere?: boolean;
}

function targetsFor(options: FanoutOptions, alert: Alert): AlertChannel[] {
  const primary: AlertChannel = {
    id: PRIMARY_TARGET_ID,
    accepts: () => true,
    deliver: (candidate) => options.primary.publish(candidate),
  };
  return [primary, ...options.channels.filter((channel) => channel.accepts(alert))];
}

async function attempt(options: FanoutOptions, target: AlertChannel, alert: Alert, record: ChannelDelivery) {
  const now = options.clock.now();
  let next: ChannelDelivery;
  try {
    await target.deliver(alert);
    next = afterSuccess(record, now);
  } catch (error) {
    const permanent = (error instanceof ChannelError && error.permanent) || error instanceof UndeliverableError;
    const message = error instanceof Error ? error.message : String(error);
    next = afterFailure(record, message, now, permanent ? { ...policyOf(options), maxAttempts: 1 } : policyOf(options));
  }
  await options.deliveries.saveDelivery(next);
  if (next.status === 'parked' && target.id !== PRIMARY_TARGET_ID) options.onParked?.(next);
  return next;
}

const policyOf = (options: FanoutOptions) => options.policy ?? DEFAULT_RETRY_POLICY;

/**
 * The notifier the publisher uses when channels are configured. Each target (the primary notifier and every
 * channel whose filter takes the alert) has its own delivery record: a target already served is never sent the
 * alert again, a failing one waits out its backoff alone and is parked when its attempts are used up. The alert
 * leaves the outbox once every target is sent or parked; until then publish throws. It leaves as sent (publish
 * returns) when the primary has it, else as parked (UndeliverableError with the primary's last error).
 */
export function createChannelFanout(options: FanoutOptions): AlertNotifier {
  return {
    async publish(alert) {
      const known = new Map((await options.deliveries.listDeliveries(alert.id)).map((d) => [d.channelId, d]));
      const now = options.clock.now();
      const targets = targetsFor(options, alert).map((target) => ({
        target,
        record: known.get(target.id) ?? firstDelivery(alert.id, target.id),
      }));
      const due = targets.filter(({ record }) => isDue(record, now));
      const tried = await Promise.all(due.map(({ target, record }) => attempt(options, target, alert, record)));
      const triedById = new Map(tried.map((record) => [record.channelId, record]));
      const current = targets.map(({ record }) => triedById.get(record.channelId) ?? record);
      const open = current.filter((record) => record.status === 'pending');
      if (open.length === 0 && options.channelsElsewhere)
        throw new DeliveryDeferredError('channels are left to the sweep');
      // The primary is the first target; parked, no channel's success makes the alert sent.
      const primary = current[0];
      if (open.length === 0 && primary?.status === 'parked') {
        throw new UndeliverableError(`${PRIMARY_TARGET_ID}: ${primary.lastError ?? 'parked'}`);
      }
      if (open.length === 0) return;
      const failedNow = tried.filter((record) => record.status === 'pending');
      const summary = open.map((record) => `${record.channelId}: ${record.lastError ?? 'waiting'}`).join('; ');
      if (failedNow.length === 0) throw new DeliveryDeferredError(`waiting to retry ${summary}`);
      if (open.some((record) => record.channelId === PRIMARY_TARGET_ID)) throw new Error(`not delivered to ${summary}`);
      throw new ChannelsPendingError(`not delivered to ${summary}`);
    },
  };
}
