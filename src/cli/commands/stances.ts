import { renderTable, shortTime } from '../../adapters/local/text-table';
import { stanceName } from '../../core/story';
import { booleanOption, type Command, UsageError } from '../command';
import { explainEmptyResult } from '../empty-result';
import { openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { selectStories } from '../stories';

export const stancesCommand: Command = {
  name: 'stances',
  summary: "Show each party's current stance on the story, with its conditions and evidence",
  usage: 'storywatch stances [--story <id>] [--json] [store options]',
  options: {
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError(`unexpected arguments: ${context.positionals.join(' ')}`);
    const selection = selectStories(context);
    const opened = await openStoreFromOptions(context);
    try {
      const states = [];
      for (const story of selection.stories) {
        const order = story.parties.map((party) => party.id);
        const found = await opened.store.getStanceStates(story.id);
        states.push(...found.sort((a, b) => order.indexOf(a.party) - order.indexOf(b.party)));
      }
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
        return 0;
      }
      if (states.length === 0) {
        explainEmptyResult(context, { what: 'stances recorded yet', opened, selection, retry: 'stances' });
        return 0;
      }
      const withStory = selection.stories.length > 1;
      const rows = states.map((state) => [
        ...(withStory ? [state.storyId] : []),
        state.party,
        stanceName(state.label),
        state.confidence.toFixed(2),
        shortTime(state.since),
        state.conditions.join(', ') || '-',
        String(state.pending.length),
        state.evidence[0]?.quote ?? '-',
      ]);
      const header = ['PARTY', 'STANCE', 'CONF', 'SINCE (UTC)', 'CONDITIONS', 'PENDING', 'LATEST EVIDENCE'];
      context.io.stdout.write(renderTable([...(withStory ? ['STORY'] : []), ...header], rows));
      return 0;
    } finally {
      await opened.close();
    }
  },
};
