import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  canonicalDigestFilter,
  DIGEST_FILTER_ATTRIBUTE,
  type DigestFilter,
  digestFilterKey,
  distinctDigestFilters,
} from '../../channels/digest-filter';
import { digestTexts } from '../../channels/digest-text';
import { ChannelError } from '../../channels/http-post';
import type { DigestChannel } from '../../core/ports';
import { isPermanentSnsError } from './notifier';

/**
 * The id of the daily topic's delivery state. Declared channel ids cannot hold a colon (CHANNEL_ID), so this one
 * never shares a declared channel's record.
 */
export const SNS_DIGEST_CHANNEL_ID = 'sns:daily';

/** The delivery record of one filter's digest: `sns:daily` for the whole one, as before filters existed. */
export function snsDigestChannelId(filter: DigestFilter): string {
  const key = digestFilterKey(filter);
  return key === 'all' ? SNS_DIGEST_CHANNEL_ID : `${SNS_DIGEST_CHANNEL_ID}:${key}`;
}

export interface SnsDigestOptions {
  client: SNSClient;
  topicArn: string;
}

/**
 * The daily digest topic as one more digest channel, for the subscribers of one filter (none: the whole digest):
 * one Publish a day with an email and an SMS variant, cut to the filter and tagged with its key in the
 * `digestFilter` attribute, which only those subscribers' filter policies take. Its delivery is recorded per day
 * like a channel's, so a retried tick finds the day sent. A message SNS refuses for itself is a permanent failure
 * (parked at once); anything else is retried after the backoff.
 */
export function createSnsDigestChannel(options: SnsDigestOptions & { filter?: DigestFilter }): DigestChannel {
  const filter = canonicalDigestFilter(options.filter ?? {});
  const key = digestFilterKey(filter);
  return {
    id: snsDigestChannelId(filter),
    filter,
    async deliverDigest(digest) {
      const texts = digestTexts(digest);
      try {
        await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: texts.subject,
            MessageStructure: 'json',
            Message: JSON.stringify({ default: texts.email, email: texts.email, sms: texts.sms }),
            MessageAttributes: { [DIGEST_FILTER_ATTRIBUTE]: { DataType: 'String', StringValue: key } },
          }),
        );
      } catch (error) {
        if (!isPermanentSnsError(error)) throw error;
        throw new ChannelError(`SNS refused the digest: ${error.name}: ${error.message}`, true);
      }
    },
  };
}

/** One digest channel per distinct filter of the daily subscribers: each (day, filter) is sent once. */
export function createSnsDigestChannels(
  options: SnsDigestOptions & { filters: readonly DigestFilter[] },
): DigestChannel[] {
  return distinctDigestFilters(options.filters).map((filter) => createSnsDigestChannel({ ...options, filter }));
}
