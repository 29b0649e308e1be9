import { renderTable, shortTime } from '../../adapters/local/text-table';
import { booleanOption, type Command, numberOption, stringOption, UsageError } from '../command';
import { openStoreFromOptions, STORE_OPTIONS, storyIdFromOptions } from '../store-options';

export const articlesCommand: Command = {
  name: 'articles',
  summary: 'List follow-up articles of the story, newest first, or those carrying one party’s stance',
  usage: 'storywatch articles [--party <id>] [--since <date>] [--limit <n>] [--json] [store options]',
  options: {
    party: { type: 'string', description: 'Only articles that carry this party’s stance' },
    since: { type: 'string', description: 'Only articles published at or after this date (ISO 8601)' },
    limit: { type: 'string', description: 'At most this many articles', defaultText: '50' },
    json: { type: 'boolean', description: 'Print JSON for scripts instead of a table' },
    ...STORE_OPTIONS,
  },
  async run(context) {
    if (context.positionals.length > 0) throw new UsageError(`unexpected arguments: ${context.positionals.join(' ')}`);
    const since = parseSince(stringOption(context, 'since'));
    const limit = numberOption(context, 'limit', 50);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number of at least 1');
    const party = stringOption(context, 'party');
    const storyId = storyIdFromOptions(context);
    const opened = await openStoreFromOptions(context);
    try {
      const query = since ? { since } : {};
      if (party) {
        const articles = (await opened.store.listArticlesByParty(storyId, party, query)).slice(0, limit);
        if (booleanOption(context, 'json')) {
          context.io.stdout.write(`${JSON.stringify(articles, null, 2)}\n`);
          return 0;
        }
        const rows = articles.map((article) => [
          shortTime(article.published),
          `${article.label}${article.direct ? ' (own words)' : ''}`,
          article.title,
          article.quote,
          article.link ?? '-',
        ]);
        context.io.stdout.write(
          rows.length === 0
            ? `no articles carrying ${party}'s stance in ${storyId}\n`
            : renderTable(['PUBLISHED (UTC)', 'STANCE', 'TITLE', 'QUOTE', 'LINK'], rows, 50),
        );
        return 0;
      }
      const followUps = await opened.store.listFollowUps(storyId, { ...query, limit });
      if (booleanOption(context, 'json')) {
        context.io.stdout.write(`${JSON.stringify(followUps, null, 2)}\n`);
        return 0;
      }
      const rows = followUps.map((summary) => [
        shortTime(summary.published),
        summary.score.toFixed(2),
        summary.stances.map((stance) => `${stance.party}:${stance.label}`).join(' ') || '-',
        summary.title,
        summary.link ?? '-',
      ]);
      context.io.stdout.write(
        rows.length === 0
          ? `no follow-ups stored for ${storyId}\n`
          : renderTable(['PUBLISHED (UTC)', 'SCORE', 'STANCES', 'TITLE', 'LINK'], rows, 70),
      );
      return 0;
    } finally {
      await opened.close();
    }
  },
};

function parseSince(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--since must be a date such as 2025-03-14, got "${raw}"`);
  return new Date(ms).toISOString();
}
