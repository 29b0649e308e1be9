import { renderTable, shortTime } from '../../adapters/local/text-table';
import { terminalJson } from '../../core/plain-text';
import type { PartyArticle } from '../../core/ports';
import type { FollowUpSummary } from '../../core/story';
import { booleanOption, type Command, type CommandContext, numberOption, stringOption, UsageError } from '../command';
import { explainEmptyResult } from '../empty-result';
import { type OpenedStore, openStoreFromOptions, STORE_OPTIONS } from '../store-options';
import { resolvePartyInStories, type StorySelection, selectStories } from '../stories';

export const articlesCommand: Command = {
  name: 'articles',
  summary: 'List follow-up articles of the story, newest first, or those carrying one party’s stance',
  usage: 'storywatch articles [--party <id or name>] [--since <date>] [--limit <n>] [--json] [store options]',
  options: {
    party: { type: 'string', description: 'Only articles that carry this party’s stance (id or name)' },
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
    const selection = selectStories(context);
    const rawParty = stringOption(context, 'party');
    const targets = rawParty === undefined ? null : resolvePartyInStories(selection, rawParty);
    const opened = await openStoreFromOptions(context);
    try {
      const query = since ? { since } : {};
      if (targets) {
        const articles: PartyArticle[] = [];
        for (const [story, party] of targets) {
          articles.push(...(await opened.store.listArticlesByParty(story.id, party, query)));
        }
        printArticles(context, newestFirst(articles).slice(0, limit), { opened, selection, party: rawParty ?? '' });
        return 0;
      }
      const followUps: FollowUpSummary[] = [];
      for (const story of selection.stories) {
        followUps.push(...(await opened.store.listFollowUps(story.id, { ...query, limit })));
      }
      printFollowUps(context, newestFirst(followUps).slice(0, limit), { opened, selection });
      return 0;
    } finally {
      await opened.close();
    }
  },
};

interface Shown {
  opened: OpenedStore;
  selection: StorySelection;
}

function printArticles(context: CommandContext, articles: PartyArticle[], shown: Shown & { party: string }): void {
  if (booleanOption(context, 'json')) {
    context.io.stdout.write(`${terminalJson(articles)}\n`);
    return;
  }
  if (articles.length === 0) {
    const what = `articles carrying the stance of ${shown.party}`;
    explainEmptyResult(context, { what, ...shown, retry: `articles --party ${shown.party}` });
    return;
  }
  const withStory = shown.selection.stories.length > 1;
  const rows = articles.map((article) => [
    ...(withStory ? [article.storyId] : []),
    shortTime(article.published),
    `${article.label}${article.direct ? ' (own words)' : ''}`,
    article.title,
    article.quote,
    article.link ?? '-',
  ]);
  const header = ['PUBLISHED (UTC)', 'STANCE', 'TITLE', 'QUOTE', 'LINK'];
  context.io.stdout.write(renderTable([...(withStory ? ['STORY'] : []), ...header], rows, 50));
}

function printFollowUps(context: CommandContext, followUps: FollowUpSummary[], shown: Shown): void {
  if (booleanOption(context, 'json')) {
    context.io.stdout.write(`${terminalJson(followUps)}\n`);
    return;
  }
  if (followUps.length === 0) {
    explainEmptyResult(context, { what: 'follow-ups stored', ...shown, retry: 'articles' });
    return;
  }
  const withStory = shown.selection.stories.length > 1;
  const rows = followUps.map((summary) => [
    ...(withStory ? [summary.storyId] : []),
    shortTime(summary.published),
    summary.score.toFixed(2),
    summary.stances.map((stance) => `${stance.party}:${stance.label}`).join(' ') || '-',
    summary.title,
    summary.link ?? '-',
  ]);
  const header = ['PUBLISHED (UTC)', 'SCORE', 'STANCES', 'TITLE', 'LINK'];
  context.io.stdout.write(renderTable([...(withStory ? ['STORY'] : []), ...header], rows, 70));
}

function newestFirst<T extends { published: string | null }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (b.published ?? '').localeCompare(a.published ?? ''));
}

function parseSince(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--since must be a date such as 2025-03-14, got "${raw}"`);
  return new Date(ms).toISOString();
}
