export { alertAttributes, createSnsNotifier, type SnsNotifierOptions } from './notifier';
