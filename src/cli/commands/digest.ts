import { createSnsDigestChannel } from '../../adapters/sns/index';
import { dayWindow } from '../../channels/digest';
import { createDigestChannel } from '../../channels/digest-channel';
import { createJsonPoster } from '../../channels/http-post';
import { terminalLines } from '../../core/plain-text';
import { type DigestChannel, systemClock } from '../../core/ports';
import { DIGEST_SETTLE_MS, type DigestReport, sendDailyDigests } from '../../pipeline/send-digests';
import { CHANNEL_OPTIONS, PRIVATE_NETWORK_OPTION, readChannelSpecs } from '../channel-options';
import { booleanOption, type Command, type CommandContext, stringOption, UsageError } from '../command';
import { openSnsTarget, snsOptions } from '../notifier-options';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { selectStories } from '../stories';

function summary(report: DigestReport): string {
  if (report.notOver) {
    const from = new Date(Date.parse(dayWindow(report.day).end) + DIGEST_SETTLE_MS).toISOString().slice(0, 16);
    return `digest ${report.day}: not sent, the day is not over; it can be sent from ${from.replace('T', ' ')} UTC\n`;
  }
  const parts = [
    report.sent.length > 0 ? `sent to ${report.sent.join(', ')}` : 'sent to no channel',
    ...(report.quiet.length > 0 ? [`nothing to say to ${report.quiet.join(', ')}`] : []),
    ...(report.skipped.length > 0 ? [`already sent, parked or waiting to retry: ${report.skipped.join(', ')}`] : []),
  ];
  const failures = report.failed.map((failure) => `  ${failure.channelId}: ${failure.message}\n`).join('');
  return terminalLines(`digest ${report.day}: ${parts.join('; ')}\n${failures}`);
}

/** The daily channels of --channels and, with --sns-topic-arn, the topic: at least one of them. */
function digestChannels(context: CommandContext): { channels: DigestChannel[]; close(): void } {
  const hasChannels = stringOption(context, 'channels') !== undefined;
  const sns = openSnsTarget(context);
  if (!hasChannels && sns === null) {
    throw new UsageError('give the channels file with --channels, an SNS topic with --sns-topic-arn, or both');
  }
  const close = () => sns?.client.destroy();
  try {
    const specs = readChannelSpecs(context, process.env, 'daily');
    if (hasChannels && specs.length === 0) throw new UsageError('--channels names no channel with "digest": "daily"');
    const post = createJsonPoster({ allowPrivateNetwork: booleanOption(context, 'allow-private-network') });
    const channels = specs.map((spec) => createDigestChannel(spec, { post, clock: systemClock }));
    // The whole digest, tagged `digestFilter: all`: on a deployed daily topic, what its unfiltered subscribers get.
    if (sns) channels.push(createSnsDigestChannel(sns));
    return { channels, close };
  } catch (error) {
    close();
    throw error;
  }
}

export const digestCommand: Command = {
  name: 'digest',
  summary:
    'Send the daily digest of one UTC day to the channels with "digest": "daily" and/or an SNS topic (once per channel and day)',
  usage:
    'storywatch digest [--channels <file>] [--sns-topic-arn <arn> [--sns-endpoint <url>]] [--day YYYY-MM-DD] [--allow-private-network] [store options]',
  options: {
    day: { type: 'string', description: 'The UTC day the digest covers', defaultText: 'yesterday (UTC)' },
    ...CHANNEL_OPTIONS,
    ...snsOptions('the digest (email and SMS texts), recorded as the channel sns:daily'),
    ...PRIVATE_NETWORK_OPTION,
    ...STORE_OPTIONS,
  },
  async run(context) {
    const day = stringOption(context, 'day');
    if (day !== undefined) {
      try {
        dayWindow(day);
      } catch {
        throw new UsageError('--day must be a day such as 2025-03-17');
      }
    }
    const { stories } = selectStories(context);
    const { channels, close } = digestChannels(context);
    try {
      const opened = await openStoreFromOptions(context);
      try {
        const report = await sendDailyDigests(
          { store: opened.store, clock: systemClock, stories, channels },
          day === undefined ? {} : { day },
        );
        context.io.stdout.write(summary(report));
        return report.failed.length > 0 ? 1 : 0;
      } finally {
        await opened.close();
      }
    } finally {
      close();
    }
  },
};
