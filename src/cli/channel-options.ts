import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createChannel } from '../channels/channel';
import {
  ChannelConfigError,
  type ChannelEntry,
  type ChannelSpec,
  parseChannelsFile,
  resolveChannelEntry,
} from '../channels/config';
import { createChannelFanout } from '../channels/fanout';
import { createJsonPoster } from '../channels/http-post';
import { terminalText } from '../core/plain-text';
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

function readChannelEntries(file: string): ChannelEntry[] {
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (error) {
    throw new UsageError(`--channels: cannot read ${file}: ${(error as Error).message}`);
  }
  return asUsageError(file, () => parseChannelsFile(text));
}

function asUsageError<T>(file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ChannelConfigError) throw new UsageError(`--channels ${file}: ${error.message}`);
    throw error;
  }
}

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
  const entries = readChannelEntries(file).filter((entry) => digest === undefined || entry.digest === digest);
  return asUsageError(file, () => entries.map((entry) => resolveChannelEntry(entry, env)));
}

/**
 * The channels `run`, `replay` and `demo` deliver alerts to: the immediate ones, whose values must be set. Daily
 * channels are left to `storywatch digest`, which alone needs their values; they are named on stderr, so a
 * channels file shared by both commands works with either and nobody wonders why a daily channel stays quiet.
 */
export function readAlertChannelSpecs(context: CommandContext, env: NodeJS.ProcessEnv = process.env): ChannelSpec[] {
  const file = stringOption(context, 'channels');
  if (file === undefined) return [];
  const entries = readChannelEntries(file);
  const daily = entries.filter((entry) => entry.digest === 'daily');
  if (daily.length > 0) {
    const ids = daily.map((entry) => entry.id).join(', ');
    const [noun, verb, them] = daily.length === 1 ? ['channel', 'is', 'it'] : ['channels', 'are', 'them'];
    context.io.stderr.write(
      `${terminalText(`${noun} ${ids} ${verb} daily: \`storywatch digest --channels ${file}\` sends ${them}`)}\n`,
    );
  }
  const immediate = entries.filter((entry) => entry.digest === 'immediate');
  return asUsageError(file, () => immediate.map((entry) => resolveChannelEntry(entry, env)));
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
