import { renderTable, shortTime } from '../../adapters/local/text-table';
import { booleanOption, type Command, UsageError } from '../command';
import { openStoreFromOptions, STORE_OPTIONS, storyIdFromOptions } from '../store-options';

export const historyCommand: Command = {
  name: 'history',
  summary: "List every change of one party's stance, oldest first, with the item that caused it",
  usage: 'storywatch history <party> [--json] [store options]',
  options: {
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    const [party, ...extra] = context.positionals;
    if (!party) throw new UsageError('name the party, e.g. "storywatch history russia"');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const storyId = storyIdFromOptions(context);
    const opened = await openStoreFromOptions(context);
    try {
      const history = await opened.store.getStanceHistory(storyId, party);
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(history, null, 2)}\n`);
        return 0;
      }
      if (history.length === 0) {
        context.io.stdout.write(`no stance change recorded for ${party} in ${storyId}\n`);
        return 0;
      }
      const rows = history.map((entry) => [
        String(entry.version),
        shortTime(entry.evidence?.published ?? entry.committedAt),
        `${entry.from ?? 'none'} -> ${entry.to ?? 'none'}`,
        entry.conditions.join(', ') || '-',
        entry.evidence?.quote ?? '-',
        entry.evidence?.link ?? '-',
      ]);
      context.io.stdout.write(
        renderTable(['VERSION', 'PUBLISHED (UTC)', 'CHANGE', 'CONDITIONS', 'EVIDENCE', 'LINK'], rows),
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
