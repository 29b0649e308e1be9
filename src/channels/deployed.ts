import type { AlertChannel, ChannelDeliveries, ChannelDelivery } from '../core/ports/channels';
import type { Clock } from '../core/ports/clock';
import type { AlertNotifier } from '../core/ports/notifier';
import type { SecretSource, SecretValues } from '../core/ports/secret-values';
import type { AlertDescriber } from '../tracking/describe';
import { createChannel } from './channel';
import type { ChannelSpec } from './config';
import type { DeclaredChannel } from './declared';
import { createChannelFanout } from './fanout';
import { matchesFilter } from './filter';
import { ChannelError, type JsonPoster } from './http-post';

async function readSource(secrets: SecretValues, source: SecretSource, channelId: string): Promise<string> {
  try {
    return await secrets.read(source);
  } catch (error) {
    // Not permanent: a value created or a permission fixed after the deploy lets the next attempt through.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ChannelError(`channel "${channelId}": cannot read ${reason}`);
  }
}

/** The declared channel with its values read from where the declaration says. */
export async function resolveDeclaredChannel(declared: DeclaredChannel, secrets: SecretValues): Promise<ChannelSpec> {
  const url = declared.urlFrom ? await readSource(secrets, declared.urlFrom, declared.id) : (declared.url as string);
  const secret = declared.secretFrom ? await readSource(secrets, declared.secretFrom, declared.id) : null;
  return { id: declared.id, type: declared.type, url, secret, filter: declared.filter, digest: declared.digest };
}

export interface DeployedChannelDeps {
  secrets: SecretValues;
  post: JsonPoster;
  clock: Clock;
  describe: AlertDescriber;
}

/**
 * A declared channel whose values are read on its first delivery rather than at cold start: a secret that cannot
 * be read fails that channel's delivery alone (retried with backoff, parked, alarmed), never the other channels.
 */
export function createDeployedChannel(declared: DeclaredChannel, deps: DeployedChannelDeps): AlertChannel {
  return {
    id: declared.id,
    accepts: (alert) => matchesFilter(declared.filter, alert),
    async deliver(alert) {
      const spec = await resolveDeclaredChannel(declared, deps.secrets);
      await createChannel(spec, deps).deliver(alert);
    },
  };
}

export interface DeployedNotifierOptions extends DeployedChannelDeps {
  primary: AlertNotifier;
  channels: readonly DeclaredChannel[];
  deliveries: ChannelDeliveries;
  onParked?(delivery: ChannelDelivery): void;
}

/** The publisher's notifier: SNS plus the declared channels that take each alert as it comes; SNS alone without. */
export function createDeployedNotifier(options: DeployedNotifierOptions): AlertNotifier {
  const immediate = options.channels.filter((channel) => channel.digest === 'immediate');
  if (immediate.length === 0) return options.primary;
  return createChannelFanout({
    primary: options.primary,
    channels: immediate.map((channel) => createDeployedChannel(channel, options)),
    deliveries: options.deliveries,
    clock: options.clock,
    ...(options.onParked ? { onParked: options.onParked } : {}),
  });
}
