export {
  createSnsDigestChannel,
  createSnsDigestChannels,
  SNS_DIGEST_CHANNEL_ID,
  snsDigestChannelId,
} from './digest-publisher';
export { alertAttributes, createSnsNotifier, isPermanentSnsError, type SnsNotifierOptions } from './notifier';
