import { DEFAULT_FETCH_OPTIONS, fetchFeedDocument } from '../../ingestion/index';
import { booleanOption, type Command, numberOption, UsageError } from '../command';

export const fetchCommand: Command = {
  name: 'fetch',
  summary: 'Fetch one RSS/Atom feed and print its normalized items as JSON',
  usage: 'storywatch fetch <url> [options]',
  options: {
    'allow-private-network': {
      type: 'boolean',
      description: 'Allow loopback and private addresses (local test servers); refused by default',
    },
    'timeout-ms': {
      type: 'string',
      description: 'Deadline for the whole fetch, redirects included',
      defaultText: String(DEFAULT_FETCH_OPTIONS.timeoutMs),
    },
    'max-bytes': {
      type: 'string',
      description: 'Largest body accepted, measured after decompression',
      defaultText: String(DEFAULT_FETCH_OPTIONS.maxBytes),
    },
  },
  async run(context) {
    const [url, ...extra] = context.positionals;
    if (url === undefined) throw new UsageError('missing <url>');
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const timeoutMs = numberOption(context, 'timeout-ms', DEFAULT_FETCH_OPTIONS.timeoutMs);
    const maxBytes = numberOption(context, 'max-bytes', DEFAULT_FETCH_OPTIONS.maxBytes);
    if (timeoutMs <= 0) throw new UsageError('--timeout-ms must be positive');
    if (maxBytes <= 0) throw new UsageError('--max-bytes must be positive');
    const result = await fetchFeedDocument(url, {
      allowPrivateNetwork: booleanOption(context, 'allow-private-network'),
      timeoutMs,
      maxBytes,
    });
    if (!result.ok) {
      // A truncated document is an error, shown with the items before the cut.
      const partial = result.partial ? { items: result.partial.items, skippedItems: result.partial.skippedItems } : {};
      context.io.stdout.write(`${JSON.stringify({ error: result.error, ...partial }, null, 2)}\n`);
      return 1;
    }
    const output = {
      feed: { title: result.feed.title, language: result.feed.language, url: result.feed.url },
      items: result.items,
      skippedItems: result.skippedItems,
    };
    context.io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  },
};
