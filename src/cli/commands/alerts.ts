import { renderTable, shortTime } from '../../adapters/local/text-table';
import { booleanOption, type Command, numberOption, UsageError } from '../command';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'List stance alerts, newest first, with their delivery status',
  usage: 'storywatch alerts [--pending] [--limit <n>] [--json] [store options]',
  options: {
    pending: { type: 'boolean', description: 'Only alerts not yet delivered (the outbox), oldest first' },
    limit: { type: 'string', description: 'At most this many alerts', defaultText: '50' },
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError(`unexpected arguments: ${context.positionals.join(' ')}`);
    const limit = numberOption(context, 'limit', 50);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number of at least 1');
    const opened = await openStoreFromOptions(context);
    try {
      const alerts = booleanOption(context, 'pending')
        ? await opened.store.listPendingAlerts(limit)
        : await opened.store.listAlerts({ limit });
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
        return 0;
      }
      if (alerts.length === 0) {
        context.io.stdout.write('no alerts\n');
        return 0;
      }
      const rows = alerts.map((alert) => [
        shortTime(alert.createdAt),
        alert.severity,
        alert.party,
        alert.kind === 'stance_change'
          ? `${alert.from ?? 'none'} -> ${alert.to ?? 'none'}`
          : [...alert.conditionsAdded.map((c) => `+${c}`), ...alert.conditionsDropped.map((c) => `-${c}`)].join(' '),
        alert.status === 'sent' ? `sent ${shortTime(alert.sentAt)}` : 'pending',
        alert.id,
      ]);
      context.io.stdout.write(renderTable(['CREATED (UTC)', 'SEVERITY', 'PARTY', 'CHANGE', 'STATUS', 'ID'], rows));
      return 0;
    } finally {
      await opened.close();
    }
  },
};
