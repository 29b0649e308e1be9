import type { DeclaredChannel } from '../../src/channels/declared';
import { createDeployedNotifier } from '../../src/channels/deployed';
import { createChannelFanout } from '../../src/channels/fanout';
import type { JsonPoster } from '../../src/channels/http-post';
import { METRIC } from '../../src/config/metrics';
import type { AlertNotifier, ChannelDeliveries, ChannelDelivery, Clock } from '../../src/core/ports';
import type { SecretValues } from '../../src/core/ports/secret-values';
import type { AlertDescriber } from '../../src/tracking/describe';
import type { Log, MetricsSink } from './observability';

export interface PublisherNotifierOptions {
  /** SNS: the alert topic's email and SMS subscribers. */
  primary: AlertNotifier;
  channels: readonly DeclaredChannel[];
  secrets: SecretValues;
  deliveries: ChannelDeliveries;
  clock: Clock;
  post: JsonPoster;
  describe: AlertDescriber;
  metrics: MetricsSink;
  log: Log;
}

/**
 * What the publisher sends through: SNS and every declared channel, each with its own delivery state. A parked
 * delivery is counted (the parked-deliveries alarm reads the count) and logged with what an operator needs.
 */
export function publisherNotifier(options: PublisherNotifierOptions): AlertNotifier {
  return createDeployedNotifier({ ...options, onParked: parkedDeliveryHook(options.metrics, options.log) });
}

/** Counts a parked delivery (alert or digest) for the parked-deliveries alarm and logs what an operator needs. */
export function parkedDeliveryHook(metrics: MetricsSink, log: Log): (delivery: ChannelDelivery) => void {
  return (delivery) => {
    metrics.count(METRIC.deliveriesParked, 1);
    log.error('delivery parked: the channel will not be tried again for this alert or digest', {
      alertId: delivery.alertId,
      channelId: delivery.channelId,
      attempts: delivery.attempts,
      lastError: delivery.lastError,
    });
  };
}

/**
 * What the analyzer sends through right after a commit. With channels, the publisher's sweep delivers to them: the
 * analyzer sends to SNS only, records that, and leaves the alert pending, so the sweep sends SNS nothing twice.
 */
export function analyzerNotifier(
  primary: AlertNotifier,
  channelsByPublisher: boolean,
  deliveries: ChannelDeliveries,
  clock: Clock,
): AlertNotifier {
  if (!channelsByPublisher) return primary;
  return createChannelFanout({ primary, channels: [], deliveries, clock, channelsElsewhere: true });
}
