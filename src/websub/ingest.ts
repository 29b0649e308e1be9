/**
 * A pushed document takes the same path as a polled one: size cap, decoding, preflight, parsing and normalization
 * (parseFeedDocument), then dedup keys claimed in one store call (claimItems). An item pushed first and polled
 * later, or the other way round, is claimed once and analyzed once.
 */
import type { FeedDefinition, FeedItem } from '../core/feed';
import type { ItemClaims } from '../core/ports/item-claims';
import { FeedError } from '../ingestion/errors';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions } from '../ingestion/options';
import { parseFeedDocument } from '../ingestion/parse';
import { type AnalysisOutcome, type AnalyzeDeps, analyzeBatch } from '../pipeline/analyze-batch';
import { claimItems } from '../pipeline/poll-feeds';
import { type PublishDeps, type PublishReport, publishPendingAlerts } from '../pipeline/publish-alerts';

export interface PushedDocumentResult {
  /** Items never stored before: hand them to analysis. */
  toAnalyze: FeedItem[];
  duplicates: number;
  skippedItems: number;
}

export async function ingestPushedDocument(
  store: ItemClaims,
  feed: FeedDefinition,
  body: Uint8Array,
  contentType: string | null,
  options: Pick<FetchOptions, 'maxBytes' | 'maxNestingDepth' | 'maxContentChars'> = DEFAULT_FETCH_OPTIONS,
): Promise<PushedDocumentResult> {
  if (body.byteLength > options.maxBytes) {
    throw new FeedError('too_large', `pushed body of ${body.byteLength} bytes exceeds ${options.maxBytes}`);
  }
  let parsed: Awaited<ReturnType<typeof parseFeedDocument>>;
  try {
    // Items keep the registry URL as their source, exactly as a poll of the feed would give them.
    parsed = await parseFeedDocument(body, contentType, feed.url, options);
  } catch (error) {
    if (error instanceof FeedError) throw error;
    throw new FeedError('parse', `pushed document could not be read: ${(error as Error).message}`);
  }
  const { toAnalyze, duplicates } = await claimItems(store, parsed.items);
  return { toAnalyze, duplicates, skippedItems: parsed.skippedItems };
}

export interface PushReport extends PushedDocumentResult {
  analysis: AnalysisOutcome;
  published: PublishReport;
}

/**
 * A push handled as a one-feed cycle: claim (above), analyze the new items oldest first and mark them, then send
 * the outbox. Once this returns, a poll of the same entries finds them analyzed and hands nothing on again.
 */
export async function handlePushedDocument(
  deps: AnalyzeDeps & PublishDeps,
  feed: FeedDefinition,
  body: Uint8Array,
  contentType: string | null,
  options?: Pick<FetchOptions, 'maxBytes' | 'maxNestingDepth' | 'maxContentChars'>,
): Promise<PushReport> {
  const ingested = await ingestPushedDocument(deps.store, feed, body, contentType, options);
  const analysis = await analyzeBatch(deps, ingested.toAnalyze);
  const published = await publishPendingAlerts(deps);
  return { ...ingested, analysis, published };
}
