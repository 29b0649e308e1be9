import { renderTable, shortTime } from '../../adapters/local/text-table';
import { booleanOption, type Command } from '../command';
import { openStoreFromOptions, STORE_OPTIONS, storyIdFromOptions } from '../store-options';

export const stancesCommand: Command = {
  name: 'stances',
  summary: "Show each party's current stance on the story, with its conditions and evidence",
  usage: 'storywatch stances [--json] [store options]',
  options: {
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    const storyId = storyIdFromOptions(context);
    const opened = await openStoreFromOptions(context);
    try {
      const states = (await opened.store.getStanceStates(storyId)).sort((a, b) => a.party.localeCompare(b.party));
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
        return 0;
      }
      if (states.length === 0) {
        context.io.stdout.write(`no stance recorded yet for ${storyId} in ${opened.describe}\n`);
        return 0;
      }
      const rows = states.map((state) => [
        state.party,
        state.label ?? 'unknown',
        state.confidence.toFixed(2),
        shortTime(state.since),
        state.conditions.join(', ') || '-',
        String(state.pending.length),
        state.evidence[0]?.quote ?? '-',
      ]);
      context.io.stdout.write(
        renderTable(['PARTY', 'STANCE', 'CONF', 'SINCE (UTC)', 'CONDITIONS', 'PENDING', 'LATEST EVIDENCE'], rows),
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};
