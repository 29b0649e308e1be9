export { createLocalNotifier, type LocalNotifierOptions } from './notifier';
export { renderTable, shortTime } from './text-table';
