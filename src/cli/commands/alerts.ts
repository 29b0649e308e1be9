import { renderTable, shortTime } from '../../adapters/local/text-table';
import type { Alert } from '../../core/stance-state';
import { stanceName } from '../../core/story';
import { clipText } from '../../core/text-limits';
import { booleanOption, type Command, numberOption, UsageError } from '../command';
import { explainEmptyResult } from '../empty-result';
import { type OpenedStore, openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { type StorySelection, selectStories } from '../stories';

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'List stance alerts, newest first, with their delivery status',
  usage: 'storywatch alerts [--pending] [--limit <n>] [--story <id>] [--json] [store options]',
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
    const selection = selectStories(context);
    const opened = await openStoreFromOptions(context);
    try {
      const pending = booleanOption(context, 'pending');
      const alerts = await fetchAlerts(opened.store, selection, { pending, limit });
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
        return 0;
      }
      if (alerts.length === 0) {
        const what = pending ? 'alerts waiting to be sent' : 'alerts';
        explainEmptyResult(context, { what, opened, selection, retry: pending ? 'alerts --pending' : 'alerts' });
        return 0;
      }
      context.io.stdout.write(alertTable(alerts, selection));
      return 0;
    } finally {
      await opened.close();
    }
  },
};

/** The selected stories' alerts, pending ones or all of them, at most `limit`. */
async function fetchAlerts(
  store: OpenedStore['store'],
  selection: StorySelection,
  query: { pending: boolean; limit: number },
): Promise<Alert[]> {
  const { pending, limit } = query;
  const wanted = new Set(selection.stories.map((story) => story.id));
  // Alerts of every story share one index; filtering for one story must not stop at the first page of others.
  const everyStory = selection.stories.length === selection.known.length;
  const fetched = pending
    ? await store.listPendingAlerts(everyStory ? limit : undefined)
    : await store.listAlerts(everyStory ? { limit } : {});
  return fetched.filter((alert) => everyStory || wanted.has(alert.storyId)).slice(0, limit);
}

/** The alerts as a table, with a STORY column when they come from more than one story or could. */
function alertTable(alerts: Alert[], selection: StorySelection): string {
  const withStory = new Set(alerts.map((alert) => alert.storyId)).size > 1 || selection.stories.length > 1;
  const rows = alerts.map((alert) => [...(withStory ? [alert.storyId] : []), ...alertCells(alert)]);
  const header = ['CREATED (UTC)', 'SEVERITY', 'PARTY', 'CHANGE', 'STATUS', 'ID'];
  return renderTable([...(withStory ? ['STORY'] : []), ...header], rows);
}

function alertCells(alert: Alert): string[] {
  return [
    shortTime(alert.createdAt),
    alert.severity,
    alert.party,
    alert.kind === 'stance_change'
      ? `${stanceName(alert.from)} -> ${stanceName(alert.to)}`
      : [...alert.conditionsAdded.map((c) => `+${c}`), ...alert.conditionsDropped.map((c) => `-${c}`)].join(' '),
    alertStatus(alert),
    alert.id,
  ];
}

function alertStatus(alert: Alert): string {
  if (alert.status === 'sent') return `sent ${shortTime(alert.sentAt)}`;
  // The reason is an SNS error message: the table shows its start, the row keeps it whole.
  const reason = clipText(alert.parked?.reason ?? '', 60);
  if (alert.status === 'parked') return `parked ${shortTime(alert.parked?.at ?? null)}: ${reason}`;
  return 'pending';
}
