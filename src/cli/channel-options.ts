import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createChannel } from '../channels/channel';
import { ChannelConfigError, type ChannelSpec, parseChannelsFile, resolveChannelEntry } from '../channels/config';
import { createChannelFanout } from '../channels/fanout';
import { createJsonPoster } from '../channels/http-post';
import type { AlertNotifier, ChannelDeliveries, Clock } from '../core/ports';
import type { StoryDefinition } from '../detection/index';
import { createAlertDescriber } from '../tracking/describe';
import { type CommandContext, type OptionSpec, stringOption, UsageError } from './command';

export const CHANNEL_OPTIONS: Record<string, OptionSpec> = {
  channels: {
    type: 'string',
    description: 'Also deliver alerts to the Slack/Teams/webhook channels in this JSON file (secrets from env)',
  },
};

/** For commands that have no --allow-private-network of their own (demo, replay). */
export const PRIVATE_NETWORK_OPTION: Record<string, OptionSpec> = {
  'allow-private-network': {
    type: 'boolean',
    description: 'Allow channel destinations on loopback or private addresses (local receivers only)',
  },
};

/**
 * The channels named by --channels, secrets looked up in the environment; empty without the flag. With `digest`,
 * only the channels of that mode, so a command needs only their secrets set.
 */
export function readChannelSpecs(
  context: CommandContext,
  env: NodeJS.ProcessEnv = process.env,
  digest?: ChannelSpec['digest'],
): ChannelSpec[] {
  const file = stringOption(context, 'channels');
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(`--channels: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const entries = parseChannelsFile(text).filter((entry) => digest === undefined || entry.digest === digest);
    return entries.map((entry) => resolveChannelEntry(entry, env));
  } catch (error) {
    if (error instanceof ChannelConfigError) throw new UsageError(`--channels ${file}: ${error.message}`);
    throw error;
  }
}

export interface ChannelWiring {
  specs: readonly ChannelSpec[];
  allowPrivateNetwork: boolean;
  stories: StoryDefinition[];
}

/** The notifier with the channels beside it, each with its own delivery state; the notifier alone without any. */
export function withChannels(
  notifier: AlertNotifier,
  deliveries: ChannelDeliveries,
  clock: Clock,
  wiring: ChannelWiring,
): AlertNotifier {
  const immediate = wiring.specs.filter((spec) => spec.digest === 'immediate');
  if (immediate.length === 0) return notifier;
  const post = createJsonPoster({ allowPrivateNetwork: wiring.allowPrivateNetwork });
  const describe = createAlertDescriber(wiring.stories);
  const channels = immediate.map((spec) => createChannel(spec, { post, clock, describe }));
  return createChannelFanout({ primary: notifier, channels, deliveries, clock });
}
