import { renderTable, shortTime } from '../../adapters/local/text-table';
import { terminalJson } from '../../core/plain-text';
import type { StanceHistoryEntry } from '../../core/ports';
import { stanceName } from '../../core/story';
import { booleanOption, type Command, UsageError } from '../command';
import { explainEmptyResult } from '../empty-result';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { resolvePartyInStories, selectStories } from '../stories';

export const historyCommand: Command = {
  name: 'history',
  summary: "List every change of one party's stance, oldest first, with the item that caused it",
  usage: 'storywatch history <party id or name> [--story <id>] [--json] [store options]',
  options: {
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    const [raw, ...extra] = context.positionals;
    if (!raw) throw new UsageError('name the party, e.g. "storywatch history russia"');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const selection = selectStories(context);
    const targets = resolvePartyInStories(selection, raw);
    const opened = await openStoreFromOptions(context);
    try {
      const history: StanceHistoryEntry[] = [];
      for (const [story, party] of targets) history.push(...(await opened.store.getStanceHistory(story.id, party)));
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${terminalJson(history)}\n`);
        return 0;
      }
      if (history.length === 0) {
        const parties = [...new Set(targets.map(([, party]) => party))].join(', ');
        const what = `stance change recorded for ${parties}`;
        explainEmptyResult(context, { what, opened, selection, retry: `history ${parties}` });
        return 0;
      }
      const withStory = selection.stories.length > 1;
      const rows = history.map((entry) => [
        ...(withStory ? [entry.storyId] : []),
        String(entry.version),
        shortTime(entry.evidence?.published ?? entry.committedAt),
        `${stanceName(entry.from)} -> ${stanceName(entry.to)}`,
        entry.conditions.join(', ') || '-',
        entry.evidence?.quote ?? '-',
        entry.evidence?.link ?? '-',
      ]);
      const header = ['VERSION', 'PUBLISHED (UTC)', 'CHANGE', 'CONDITIONS', 'EVIDENCE', 'LINK'];
      context.io.stdout.write(renderTable([...(withStory ? ['STORY'] : []), ...header], rows));
      return 0;
    } finally {
      await opened.close();
    }
  },
};
