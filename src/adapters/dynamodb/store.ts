import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mapWithConcurrency } from '../../core/concurrency';
import type { FeedItem, FeedState } from '../../core/feed';
import {
  type Clock,
  type PartyArticle,
  type RecordItemResult,
  type StanceCommit,
  type StanceHistoryEntry,
  type StoryStore,
  systemClock,
} from '../../core/ports';
import type { Alert, StanceEvidence, StanceState } from '../../core/stance-state';
import type { FollowUpSummary } from '../../core/story';
import { GSI1, PENDING_INDEX, TTL_ATTRIBUTE } from './schema';

type Item = Record<string, AttributeValue>;

export interface DynamoStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
  /** How long an item's dedup claims live before TTL removes them. Feeds rarely repeat items older than this. */
  dedupRetentionDays?: number;
}

/** Keeps every item far below DynamoDB's 400 KB limit: long feed text is cut, the link keeps the full article. */
export const TEXT_LIMITS = { title: 500, summary: 2000, quote: 500, listEntries: 20, keyTerms: 40 } as const;

const PENDING_PARTITION = 'PENDING';
const ALERTS_PARTITION = 'ALERTS';
const FEEDS_PARTITION = 'FEEDS';

export const keys = {
  feed: (feedId: string) => ({ pk: `FEED#${feedId}`, sk: 'STATE' }),
  dedup: (dedupKey: string) => ({ pk: `DEDUP#${dedupKey}`, sk: 'DEDUP' }),
  item: (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' }),
  profile: (storyId: string) => ({ pk: `STORY#${storyId}`, sk: 'PROFILE' }),
  stance: (storyId: string, party: string) => ({ pk: `STORY#${storyId}`, sk: `STANCE#${party}` }),
  followUp: (storyId: string, published: string | null, itemId: string) => ({
    pk: `STORY#${storyId}`,
    sk: `FOLLOWUP#${published ?? ''}#${itemId}`,
  }),
  partyPartition: (storyId: string, party: string) => `STORY#${storyId}#PARTY#${party}`,
  history: (storyId: string, party: string, version: number, causeItemId: string) => ({
    pk: `STORY#${storyId}#PARTY#${party}`,
    sk: `HISTORY#${String(version).padStart(8, '0')}#${causeItemId}`,
  }),
  article: (storyId: string, party: string, published: string | null, itemId: string) => ({
    pk: `STORY#${storyId}#PARTY#${party}`,
    sk: `ARTICLE#${published ?? ''}#${itemId}`,
  }),
  alert: (alertId: string) => ({ pk: `ALERT#${alertId}`, sk: 'ALERT' }),
};

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const keyOf = (key: { pk: string; sk: string }): Item => ({ pk: s(key.pk), sk: s(key.sk) });
const text = (item: Item | undefined, name: string): string | undefined => item?.[name]?.S;
const data = <T>(item: Item): T => JSON.parse(item.data?.S ?? 'null') as T;

function cut(value: string, limit: number): string {
  return value.length <= limit ? value : `${value.slice(0, limit - 1)}…`;
}

function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException'
  );
}

function isTransactionConflict(error: unknown): error is TransactionCanceledException {
  if (!(error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException')) {
    return false;
  }
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  // Only conditional failures mean "someone else won"; throttling or validation inside a transaction must surface.
  return reasons.every((reason) => reason.Code === 'None' || reason.Code === 'ConditionalCheckFailed');
}

/** The StoryStore on one DynamoDB table (layout in docs/data-model.md). */
export function createDynamoStoryStore(options: DynamoStoreOptions): StoryStore {
  const { client, tableName } = options;
  const clock = options.clock ?? systemClock;
  const retentionSeconds = (options.dedupRetentionDays ?? 45) * 86_400;

  const expiresAt = () => n(Math.floor(clock.now().getTime() / 1000) + retentionSeconds);

  /**
   * Item rows this store claimed (or found unfinished) and has not marked yet, so the mark can put them back
   * without reading them first. Bounded: a poller claims and never marks, so the oldest are forgotten past the cap.
   */
  const unmarkedRows = new Map<string, Item>();
  const rememberUnmarked = (itemId: string, row: Item) => {
    unmarkedRows.delete(itemId);
    unmarkedRows.set(itemId, row);
    if (unmarkedRows.size > MAX_REMEMBERED_ROWS) {
      const oldest = unmarkedRows.keys().next().value;
      if (oldest !== undefined) unmarkedRows.delete(oldest);
    }
  };

  async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }),
    );
    return result.Item;
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          ...input,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          ...(limit !== undefined ? { Limit: limit - items.length } : {}),
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey && (limit === undefined || items.length < limit));
    return items;
  }

  /** Reads many rows, 100 keys per request and a few requests at a time. */
  async function batchGet(wanted: { pk: string; sk: string }[]): Promise<Item[]> {
    const chunks: Item[][] = [];
    for (let start = 0; start < wanted.length; start += 100) chunks.push(wanted.slice(start, start + 100).map(keyOf));
    return (await inParallel(chunks, getChunk)).flat();
  }

  async function getChunk(chunk: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending = chunk;
    let stalls = 0;
    while (pending.length > 0) {
      const result = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(result.Responses?.[tableName] ?? []));
      pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (pending.length > 0) {
        if (stalls > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
        await pause(50 * 2 ** stalls);
        stalls += 1;
      }
    }
    return found;
  }

  /** Writes many rows, 25 per request and a few requests at a time. */
  async function batchPut(items: Item[]): Promise<void> {
    // DynamoDB refuses a batch that names one key twice; the last row for a key is the one a put sequence leaves.
    const byKey = new Map(items.map((item) => [`${text(item, 'pk')}\u0000${text(item, 'sk')}`, item]));
    const requests: WriteRequest[] = [...byKey.values()].map((item) => ({ PutRequest: { Item: item } }));
    const chunks: WriteRequest[][] = [];
    for (let start = 0; start < requests.length; start += 25) chunks.push(requests.slice(start, start + 25));
    await inParallel(chunks, putChunk);
  }

  async function putChunk(chunk: WriteRequest[]): Promise<void> {
    let pending = chunk;
    let stalls = 0;
    while (pending.length > 0) {
      const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = result.UnprocessedItems?.[tableName] ?? [];
      if (pending.length > 0) {
        if (stalls > 8) throw new Error('BatchWriteItem kept returning unprocessed items');
        await pause(50 * 2 ** stalls);
        stalls += 1;
      }
    }
  }

  async function putIfAbsent(item: Item): Promise<boolean> {
    try {
      await client.send(
        new PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (error) {
      if (isConditionalFailure(error)) return false;
      throw error;
    }
  }

  /** Reads the claims of an item; a re-seen item costs reads only. */
  async function lookupClaims(item: FeedItem, dedupKeys: string[]) {
    const found = await batchGet([keys.item(item.id), ...dedupKeys.map(keys.dedup)]);
    const byPk = new Map(found.map((entry) => [text(entry, 'pk'), entry]));
    const own = byPk.get(keys.item(item.id).pk);
    const marker = dedupKeys.map((dedupKey) => byPk.get(keys.dedup(dedupKey).pk)).find((entry) => entry !== undefined);
    return { own, canonicalId: text(marker, 'canonicalId') };
  }

  function classifyOwn(own: Item): RecordItemResult {
    const canonicalId = text(own, 'canonicalId') ?? '';
    if (canonicalId !== text(own, 'itemId')) return { status: 'duplicate', canonicalId };
    return own.analyzedAt ? { status: 'duplicate', canonicalId } : { status: 'unfinished' };
  }

  /**
   * A duplicate from another source gets a small alias row: it links the source, and makes its next poll free. The
   * aliases of an item are listed by gsi1 under SOURCES#<canonicalId>.
   */
  function aliasRow(item: FeedItem, canonicalId: string): Item {
    return {
      ...keyOf(keys.item(item.id)),
      itemId: s(item.id),
      canonicalId: s(canonicalId),
      source: s(item.source),
      ...(item.link ? { link: s(item.link) } : {}),
      gsi1pk: s(`SOURCES#${canonicalId}`),
      gsi1sk: s(`${item.source}#${item.id}`),
      [TTL_ATTRIBUTE]: expiresAt(),
    };
  }

  async function linkDuplicate(item: FeedItem, canonicalId: string): Promise<RecordItemResult> {
    await putIfAbsent(aliasRow(item, canonicalId));
    return { status: 'duplicate', canonicalId };
  }

  const putIfAbsentOperation = (row: Item): TransactWriteItem => ({
    Put: { TableName: tableName, Item: row, ConditionExpression: 'attribute_not_exists(pk)' },
  });

  /**
   * The claim of one item: its row plus one marker per key, all or nothing. The row carries no index keys: the
   * first copy is read by its own key, and only its aliases sit in gsi1 under SOURCES#<id>, so a new item pays no
   * index write, neither for its claim nor for its mark.
   */
  function claimOperations(item: FeedItem, uniqueKeys: string[]): TransactWriteItem[] {
    const itemRow: Item = {
      ...keyOf(keys.item(item.id)),
      itemId: s(item.id),
      canonicalId: s(item.id),
      source: s(item.source),
      title: s(cut(item.title, TEXT_LIMITS.title)),
      ...(item.link ? { link: s(item.link) } : {}),
      ...(item.published ? { published: s(item.published) } : {}),
      claimedAt: s(clock.now().toISOString()),
      [TTL_ATTRIBUTE]: expiresAt(),
    };
    const markers = uniqueKeys.map((dedupKey) =>
      putIfAbsentOperation({ ...keyOf(keys.dedup(dedupKey)), canonicalId: s(item.id), [TTL_ATTRIBUTE]: expiresAt() }),
    );
    return [putIfAbsentOperation(itemRow), ...markers];
  }

  /** The item row is the first operation of a claim. */
  function rememberClaim(item: FeedItem, operations: TransactWriteItem[]): void {
    const row = operations[0]?.Put?.Item;
    if (row) rememberUnmarked(item.id, row);
  }

  /** Claims one item already looked up as unseen. A refusal means another writer won between our read and write. */
  async function claimAlone(item: FeedItem, uniqueKeys: string[]): Promise<RecordItemResult> {
    try {
      const operations = claimOperations(item, uniqueKeys);
      await client.send(new TransactWriteItemsCommand({ TransactItems: operations }));
      rememberClaim(item, operations);
      return { status: 'new' };
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
    }
    // Whoever won owns the item, even when the winner was this same item polled elsewhere.
    const after = await lookupClaims(item, uniqueKeys);
    if (after.own) return { status: 'duplicate', canonicalId: text(after.own, 'canonicalId') ?? item.id };
    if (after.canonicalId) return linkDuplicate(item, after.canonicalId);
    throw new Error(`recordItem(${item.id}): claim refused but no claim found`);
  }

  interface PlannedWrite {
    index: number;
    operations: TransactWriteItem[];
    /** Set for an alias row; claims have none. */
    alias?: Item;
  }

  /**
   * Batched claims: one BatchGetItem pass for every key of every entry, then the claims of all unseen items
   * (and the alias rows of duplicates) packed into transactions of at most 100 rows. A transaction refused
   * because another writer got there first is replayed item by item, so exactly one claimant wins each key.
   */
  async function recordMany(entries: { item: FeedItem; dedupKeys: string[] }[]): Promise<RecordItemResult[]> {
    const prepared = entries.map(({ item, dedupKeys }) => {
      const uniqueKeys = [...new Set(dedupKeys)];
      // One claim must fit one transaction: the item row plus one marker per key, within DynamoDB's 100 operations.
      if (uniqueKeys.length > 99)
        throw new Error(`recordItem(${item.id}): ${uniqueKeys.length} dedup keys, at most 99`);
      const rowKeys = [keys.item(item.id), ...uniqueKeys.map(keys.dedup)];
      return { item, uniqueKeys, rowKeys };
    });
    const wanted = new Map(prepared.flatMap((entry) => entry.rowKeys.map((key) => [key.pk, key] as const)));
    const found = await batchGet([...wanted.values()]);
    const byPk = new Map(found.map((entry) => [text(entry, 'pk'), entry]));

    const results: (RecordItemResult | undefined)[] = entries.map(() => undefined);
    const planned: PlannedWrite[] = [];
    const heldBy = new Map<string, number>();
    const losers: { index: number; winner: number }[] = [];
    for (const [index, { item, uniqueKeys, rowKeys }] of prepared.entries()) {
      const own = byPk.get(keys.item(item.id).pk);
      if (own) {
        results[index] = classifyOwn(own);
        if (results[index]?.status === 'unfinished') rememberUnmarked(item.id, own);
        continue;
      }
      const winner = rowKeys.map((key) => heldBy.get(key.pk)).find((held) => held !== undefined);
      if (winner !== undefined) {
        losers.push({ index, winner });
        continue;
      }
      const marker = uniqueKeys.map((dedupKey) => byPk.get(keys.dedup(dedupKey).pk)).find((row) => row !== undefined);
      const canonicalId = text(marker, 'canonicalId');
      if (canonicalId) {
        const alias = aliasRow(item, canonicalId);
        results[index] = { status: 'duplicate', canonicalId };
        heldBy.set(keys.item(item.id).pk, index);
        planned.push({ index, operations: [putIfAbsentOperation(alias)], alias });
        continue;
      }
      for (const key of rowKeys) heldBy.set(key.pk, index);
      planned.push({ index, operations: claimOperations(item, uniqueKeys) });
    }

    // The planned writes share no key, so their transactions can go out together.
    await inParallel(packTransactions(planned), async (chunk) => {
      try {
        await client.send(new TransactWriteItemsCommand({ TransactItems: chunk.flatMap((write) => write.operations) }));
        for (const write of chunk) {
          if (write.alias) continue;
          results[write.index] = { status: 'new' };
          rememberClaim((prepared[write.index] as (typeof prepared)[number]).item, write.operations);
        }
        return;
      } catch (error) {
        if (!isTransactionConflict(error)) throw error;
      }
      for (const write of chunk) {
        const entry = prepared[write.index] as (typeof prepared)[number];
        if (write.alias) await putIfAbsent(write.alias);
        else results[write.index] = await claimAlone(entry.item, entry.uniqueKeys);
      }
    });

    for (const { index, winner } of losers) {
      const { item, uniqueKeys } = prepared[index] as (typeof prepared)[number];
      const winnerId = (prepared[winner] as (typeof prepared)[number]).item.id;
      const won = results[winner];
      if (won?.status === 'new') {
        results[index] =
          item.id === winnerId ? { status: 'duplicate', canonicalId: winnerId } : await linkDuplicate(item, winnerId);
      } else if (won?.status === 'duplicate' && item.id === winnerId) {
        results[index] = won;
      } else {
        // The winner lost its claim to another writer. This entry was unseen at our lookup, so it tries its own
        // claim; a refusal resolves to whoever holds the keys now, as for any claim that lost a race.
        results[index] = await claimAlone(item, uniqueKeys);
      }
    }
    return results.map((result, index) => {
      if (!result) throw new Error(`recordItems: no result for entry ${index}`);
      return result;
    });
  }

  /**
   * Marks in bulk: the rows this store claimed are known, the others are read (one BatchGetItem per 100 ids); the
   * unmarked rows are written back with analyzedAt, 25 per BatchWriteItem. Item rows never change after their claim
   * except for this mark, so writing back the row read loses nothing. No condition: two writers marking one item
   * at once both leave it marked, with the later time, and a plain put costs half a transactional one.
   */
  async function markMany(itemIds: string[]): Promise<void> {
    const unique = [...new Set(itemIds)];
    if (unique.length === 0) return;
    const remembered = unique.flatMap((id) => {
      const row = unmarkedRows.get(id);
      return row ? [row] : [];
    });
    const toRead = unique.filter((id) => !unmarkedRows.has(id));
    const rows = [...remembered, ...(toRead.length > 0 ? await batchGet(toRead.map(keys.item)) : [])];
    for (const id of unique) unmarkedRows.delete(id);
    const now = s(clock.now().toISOString());
    await batchPut(rows.filter((row) => !row.analyzedAt).map((row) => ({ ...row, analyzedAt: now })));
  }

  async function markOne(itemId: string): Promise<void> {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(keys.item(itemId)),
          UpdateExpression: 'SET analyzedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(analyzedAt)',
          ExpressionAttributeValues: { ':now': s(clock.now().toISOString()) },
        }),
      );
    } catch (error) {
      // Already marked, or an item analyzed without a claim (a replay): nothing to record.
      if (!isConditionalFailure(error)) throw error;
    }
  }

  /** The history row and pending alerts of one change; a change without alerts writes only the state. */
  function stanceChangeRows(change: StanceCommit, committedAt: string): TransactWriteItem[] {
    const { next, causeItemId, alerts } = change;
    if (alerts.length === 0) return [];
    const last = alerts.find((alert) => alert.kind === 'stance_change') ?? alerts[0];
    const entry: StanceHistoryEntry = {
      storyId: next.storyId,
      party: next.party,
      version: next.version,
      causeItemId,
      from: last?.from ?? null,
      to: next.label,
      conditions: next.conditions,
      confidence: next.confidence,
      evidence: last ? boundedEvidence(last.evidence) : null,
      alertIds: alerts.map((alert) => alert.id),
      committedAt,
    };
    const historyKey = keys.history(next.storyId, next.party, next.version, causeItemId);
    return [
      { ...keyOf(historyKey), data: s(JSON.stringify(entry)) },
      ...alerts.map((alert) => alertRow({ ...alert, status: 'pending', sentAt: null })),
    ].map((row) => putIfAbsentOperation(row));
  }

  /**
   * Commits consecutive changes of one party's stance, as many per transaction as fit DynamoDB's 100 rows: each
   * transaction puts the state of its last change, conditioned on the version its first change expects, with the
   * history rows and alerts of all its changes. Only the latest state matters, so the states in between are
   * never written. Returns how many changes, from the first, are stored.
   */
  async function commitStanceRun(changes: StanceCommit[]): Promise<number> {
    checkStanceRun(changes);
    const committedAt = clock.now().toISOString();
    let committed = 0;
    while (committed < changes.length) {
      const first = changes[committed] as StanceCommit;
      const rows: TransactWriteItem[] = [];
      let end = committed;
      for (; end < changes.length; end += 1) {
        const more = stanceChangeRows(changes[end] as StanceCommit, committedAt);
        // One row stays free for the state itself.
        if (end > committed && rows.length + more.length > 99) break;
        rows.push(...more);
      }
      const { next } = changes[end - 1] as StanceCommit;
      const stateRow: TransactWriteItem = {
        Put: {
          TableName: tableName,
          Item: {
            ...keyOf(keys.stance(next.storyId, next.party)),
            party: s(next.party),
            label: s(next.label ?? 'unknown'),
            version: n(next.version),
            data: s(JSON.stringify(boundedState(next))),
          },
          ...versionCondition(first.expectedVersion),
        },
      };
      if (!(await commitStanceTransaction([stateRow, ...rows]))) break;
      committed = end;
    }
    return committed;
  }

  /** True when the transaction went through, or had gone through before (a replay finds all its own rows). */
  async function commitStanceTransaction(operations: TransactWriteItem[]): Promise<boolean> {
    try {
      await client.send(new TransactWriteItemsCommand({ TransactItems: operations }));
      return true;
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
    }
    // The rows after the state are history rows and alerts, keyed by the change that made them.
    const ownRows = operations.slice(1).flatMap((operation) => {
      const row = operation.Put?.Item;
      return row ? [{ pk: text(row, 'pk') ?? '', sk: text(row, 'sk') ?? '' }] : [];
    });
    if (ownRows.length === 0) return false;
    return (await batchGet(ownRows)).length === ownRows.length;
  }

  const store: StoryStore = {
    async getFeedState(feedId) {
      const item = await getItem(keys.feed(feedId));
      return item ? data<FeedState>(item) : null;
    },

    async getFeedStates(feedIds) {
      const rows = await batchGet([...new Set(feedIds)].map(keys.feed));
      return rows.map((row) => data<FeedState>(row));
    },

    async listFeedStates() {
      const items = await queryAll({
        IndexName: GSI1.name,
        KeyConditionExpression: 'gsi1pk = :feeds',
        ExpressionAttributeValues: { ':feeds': s(FEEDS_PARTITION) },
      });
      return items.map((item) => data<FeedState>(item));
    },

    async putFeedStates(states) {
      await batchPut(
        states.map((state) => ({
          ...keyOf(keys.feed(state.feedId)),
          gsi1pk: s(FEEDS_PARTITION),
          gsi1sk: s(state.feedId),
          data: s(JSON.stringify(state)),
        })),
      );
    },

    async recordItem(item, dedupKeys) {
      const [result] = await recordMany([{ item, dedupKeys }]);
      if (!result) throw new Error(`recordItem(${item.id}): no result`);
      return result;
    },

    recordItems: recordMany,

    markItemAnalyzed: markOne,

    markItemsAnalyzed: markMany,

    async saveFollowUps(summaries) {
      await batchPut(summaries.flatMap(followUpRows));
    },

    async getStoryProfile(storyId) {
      const item = await getItem(keys.profile(storyId));
      if (!item) return null;
      return { profile: data<unknown>(item), version: Number(item.version?.N ?? 0) };
    },

    async saveStoryProfile(storyId, profile, expectedVersion) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(keys.profile(storyId)),
              version: n(expectedVersion + 1),
              data: s(JSON.stringify(profile)),
            },
            ...versionCondition(expectedVersion),
          }),
        );
        return 'ok';
      } catch (error) {
        if (isConditionalFailure(error)) return 'conflict';
        throw error;
      }
    },

    async getStanceStates(storyId) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :story AND begins_with(sk, :stance)',
        ExpressionAttributeValues: { ':story': s(`STORY#${storyId}`), ':stance': s('STANCE#') },
        ConsistentRead: true,
      });
      return items.map((item) => data<StanceState>(item));
    },

    async commitStanceChange(change) {
      return (await commitStanceRun([change])) === 1 ? 'ok' : 'conflict';
    },

    commitStanceChanges: commitStanceRun,

    async listPendingAlerts(limit) {
      const items = await queryAll(
        {
          IndexName: PENDING_INDEX.name,
          KeyConditionExpression: 'gsi2pk = :pending',
          ExpressionAttributeValues: { ':pending': s(PENDING_PARTITION) },
        },
        limit,
      );
      return items.map(alertFromRow);
    },

    async markAlertSent(alertId, sentAt) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(keys.alert(alertId)),
            UpdateExpression: 'SET #status = :sent, sentAt = :sentAt REMOVE gsi2pk, gsi2sk',
            ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sent': s('sent'), ':pending': s('pending'), ':sentAt': s(sentAt) },
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw error;
        // Already sent (a second sweep after a crash): keep the first sentAt. A missing alert is a bug upstream.
        if (!(await getItem(keys.alert(alertId)))) throw new Error(`markAlertSent: no alert ${alertId}`);
      }
    },

    async listFollowUps(storyId, query = {}) {
      const items = await queryAll(
        {
          KeyConditionExpression: 'pk = :story AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':story': s(`STORY#${storyId}`),
            ':from': s(`FOLLOWUP#${query.since ?? ''}`),
            ':to': s('FOLLOWUP#\uffff'),
          },
          ScanIndexForward: false,
        },
        query.limit,
      );
      return items.map((item) => data<FollowUpSummary>(item));
    },

    async getStanceHistory(storyId, party) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :party AND begins_with(sk, :history)',
        ExpressionAttributeValues: { ':party': s(keys.partyPartition(storyId, party)), ':history': s('HISTORY#') },
      });
      return items.map((item) => data<StanceHistoryEntry>(item));
    },

    async listAlerts(query = {}) {
      const items = await queryAll(
        {
          IndexName: GSI1.name,
          KeyConditionExpression: 'gsi1pk = :alerts',
          ExpressionAttributeValues: { ':alerts': s(ALERTS_PARTITION) },
          ScanIndexForward: false,
        },
        query.limit,
      );
      return items.map(alertFromRow);
    },

    async listArticlesByParty(storyId, party, query = {}) {
      const items = await queryAll({
        KeyConditionExpression: 'pk = :party AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':party': s(keys.partyPartition(storyId, party)),
          ':from': s(`ARTICLE#${query.since ?? ''}`),
          ':to': s('ARTICLE#\uffff'),
        },
        ScanIndexForward: false,
      });
      return items.map((item) => data<PartyArticle>(item));
    },
  };
  return store;
}

/** A follow-up's row plus one row per party it carries a stance of, for the by-party article query. */
function followUpRows(summary: FollowUpSummary): Item[] {
  const stored = boundedSummary(summary);
  const rows: Item[] = [
    {
      ...keyOf(keys.followUp(stored.storyId, stored.published, stored.itemId)),
      itemId: s(stored.itemId),
      data: s(JSON.stringify(stored)),
    },
  ];
  const seenParties = new Set<string>();
  for (const stance of stored.stances) {
    if (seenParties.has(stance.party)) continue;
    seenParties.add(stance.party);
    const article: PartyArticle = {
      storyId: stored.storyId,
      party: stance.party,
      itemId: stored.itemId,
      title: stored.title,
      link: stored.link,
      source: stored.source,
      published: stored.published,
      label: stance.label,
      confidence: stance.confidence,
      direct: stance.direct,
      quote: stance.evidence,
      conditions: stance.conditions,
    };
    rows.push({
      ...keyOf(keys.article(stored.storyId, stance.party, stored.published, stored.itemId)),
      data: s(JSON.stringify(article)),
    });
  }
  return rows;
}

/** A run of stance changes must be one party's, each expecting the version the change before it stored. */
function checkStanceRun(changes: StanceCommit[]): void {
  for (const [index, change] of changes.entries()) {
    const before = changes[index - 1];
    if (!before) continue;
    const sameParty = change.next.storyId === before.next.storyId && change.next.party === before.next.party;
    if (!sameParty || change.expectedVersion !== before.next.version) {
      throw new Error(
        `stance changes out of sequence: ${change.next.party} expects version ${change.expectedVersion} after ${before.next.party} version ${before.next.version}`,
      );
    }
  }
}

function versionCondition(expectedVersion: number) {
  return expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': n(expectedVersion) },
      };
}

function alertRow(alert: Alert): Item {
  const bounded: Alert = {
    ...alert,
    evidence: boundedEvidence(alert.evidence),
    previousEvidence: alert.previousEvidence ? boundedEvidence(alert.previousEvidence) : null,
    recentStatements: alert.recentStatements.slice(0, 5).map(boundedEvidence),
  };
  const timeKey = `${alert.createdAt}#${alert.id}`;
  return {
    ...keyOf(keys.alert(alert.id)),
    storyId: s(alert.storyId),
    party: s(alert.party),
    kind: s(alert.kind),
    severity: s(alert.severity),
    status: s(alert.status),
    createdAt: s(alert.createdAt),
    gsi1pk: s(ALERTS_PARTITION),
    gsi1sk: s(timeKey),
    ...(alert.status === 'pending' ? { gsi2pk: s(PENDING_PARTITION), gsi2sk: s(timeKey) } : {}),
    data: s(JSON.stringify(bounded)),
  };
}

/** The status lives outside the JSON body so marking an alert sent is one small update. */
function alertFromRow(item: Item): Alert {
  const alert = data<Alert>(item);
  const status = item.status?.S === 'sent' ? 'sent' : 'pending';
  return { ...alert, status, sentAt: item.sentAt?.S ?? null };
}

function boundedEvidence(evidence: StanceEvidence): StanceEvidence {
  return { ...evidence, quote: cut(evidence.quote, TEXT_LIMITS.quote) };
}

function boundedState(state: StanceState): StanceState {
  return {
    ...state,
    evidence: state.evidence.map(boundedEvidence),
    pending: state.pending.map((entry) => ({ ...entry, quote: cut(entry.quote, TEXT_LIMITS.quote) })),
  };
}

function boundedSummary(summary: FollowUpSummary): FollowUpSummary {
  const list = (values: string[], limit: number) =>
    values.slice(0, TEXT_LIMITS.listEntries).map((value) => cut(value, limit));
  return {
    ...summary,
    title: cut(summary.title, TEXT_LIMITS.title),
    summary: cut(summary.summary, TEXT_LIMITS.summary),
    quotes: list(summary.quotes, TEXT_LIMITS.quote),
    reasons: list(summary.reasons, TEXT_LIMITS.quote),
    keyTerms: summary.keyTerms.slice(0, TEXT_LIMITS.keyTerms),
    conditions: list(summary.conditions, TEXT_LIMITS.title),
    stances: summary.stances.map((stance) => ({ ...stance, evidence: cut(stance.evidence, TEXT_LIMITS.quote) })),
  };
}

/** Whole claims per transaction, as many as fit DynamoDB's 100 operations. */
function packTransactions<T extends { operations: unknown[] }>(writes: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const write of writes) {
    if (size + write.operations.length > 100 && current.length > 0) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(write);
    size += write.operations.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** How many claimed, not yet marked item rows a store keeps in memory (a few hundred bytes each). */
const MAX_REMEMBERED_ROWS = 5_000;

/** How many batch requests of one call are in flight at once: enough to overlap our work with the table's. */
const PARALLEL_REQUESTS = 4;

/** Runs `work` over every part, a few at a time; fails with the first failure once all have settled. */
async function inParallel<T, R>(parts: T[], work: (part: T) => Promise<R>): Promise<R[]> {
  const settled = await mapWithConcurrency(parts, PARALLEL_REQUESTS, work);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
