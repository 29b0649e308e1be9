export { createLocalNotifier, type LocalNotifierOptions } from './notifier';
