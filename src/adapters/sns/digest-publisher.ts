import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { digestTexts } from '../../channels/digest-text';
import { ChannelError } from '../../channels/http-post';
import type { DigestChannel } from '../../core/ports';
import { isPermanentSnsError } from './notifier';

/**
 * The id of the daily topic's delivery state. Declared channel ids cannot hold a colon (CHANNEL_ID), so this one
 * never shares a declared channel's record.
 */
export const SNS_DIGEST_CHANNEL_ID = 'sns:daily';

/**
 * The daily digest topic as one more digest channel: one Publish a day with an email and an SMS variant, its
 * delivery recorded per day like a channel's, so a retried tick finds the day sent. Its subscribers take no
 * filter (the context refuses one), so the digest has every party. A message SNS refuses for itself is a
 * permanent failure (parked at once); anything else is retried after the backoff.
 */
export function createSnsDigestChannel(options: { client: SNSClient; topicArn: string }): DigestChannel {
  return {
    id: SNS_DIGEST_CHANNEL_ID,
    filter: {},
    async deliverDigest(digest) {
      const texts = digestTexts(digest);
      try {
        await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: texts.subject,
            MessageStructure: 'json',
            Message: JSON.stringify({ default: texts.email, email: texts.email, sms: texts.sms }),
          }),
        );
      } catch (error) {
        if (!isPermanentSnsError(error)) throw error;
        throw new ChannelError(`SNS refused the digest: ${error.name}: ${error.message}`, true);
      }
    },
  };
}
