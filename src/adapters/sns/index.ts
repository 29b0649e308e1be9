export { createSnsDigestChannel, SNS_DIGEST_CHANNEL_ID } from './digest-publisher';
export { alertAttributes, createSnsNotifier, isPermanentSnsError, type SnsNotifierOptions } from './notifier';
