import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  type QueryCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mapWithConcurrency } from '../../core/concurrency';
import { TooLargeError } from '../../core/text-limits';
import { type AttributeValue, keyOf, type Row, type RowKey, rowIdentity, s } from './attributes';

/** DynamoDB's own limits on one request. */
export const LIMITS = { batchGetKeys: 100, batchWriteRows: 25, transactionRows: 100 } as const;

const ABSENT = 'attribute_not_exists(pk)';

/** How many batch requests of one call are in flight at once: enough to overlap our work with the table's. */
const PARALLEL_REQUESTS = 4;

/** How often a batch request is sent again for the part DynamoDB left unprocessed, with growing pauses. */
const MAX_STALLS = 8;

/**
 * The request mechanics of one table, written once: batching, unprocessed-item retries and the handling of
 * refused conditions. Each port of the adapter builds its rows and calls these; none talks to the client itself.
 */
export interface TableRequests {
  readonly tableName: string;
  getRow(key: RowKey): Promise<Row | undefined>;
  /** Every row of a query, page after page, stopping once `limit` rows were read. */
  queryAll(input: Omit<QueryCommandInput, 'TableName'>, limit?: number): Promise<Row[]>;
  /** One page of a query, at most `limit` rows, with the read units it consumed (ReturnConsumedCapacity TOTAL). */
  queryCounted(input: Omit<QueryCommandInput, 'TableName'>, limit: number): Promise<{ rows: Row[]; readUnits: number }>;
  /** Consistent reads of many rows, 100 keys per request, a few requests at a time; absent rows are left out. */
  batchGet(wanted: RowKey[]): Promise<Row[]>;
  /** Puts many rows, 25 per request, a few requests at a time; of two rows with one key the last is kept. */
  batchPut(rows: Row[]): Promise<void>;
  /** A put or update with a condition: false when the condition refused it. */
  conditionalPut(input: Omit<PutItemCommandInput, 'TableName'>): Promise<boolean>;
  conditionalUpdate(input: Omit<UpdateItemCommandInput, 'TableName'>): Promise<boolean>;
  /** One transaction: false when a condition refused it (someone else got there first); other failures throw. */
  transact(operations: TransactWriteItem[]): Promise<boolean>;
  /** Puts `row` only where no row has its key yet: false when one had. */
  insertRow(row: Row): Promise<boolean>;
  /** A transaction operation putting `row` only where no row has its key yet. */
  ifAbsentOperation(row: Row): TransactWriteItem;
  /** A transaction operation putting `row` with a condition of the caller's. */
  conditionedOperation(
    row: Row,
    condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeValues'>,
  ): TransactWriteItem;
}

export function createTableRequests(dynamo: DynamoDBClient, tableName: string): TableRequests {
  const table: Table = { send: sizeRefusalsAsTooLarge(dynamo), tableName };
  const { send } = table;
  return {
    tableName,
    async getRow(key) {
      const result = await send(new GetItemCommand({ TableName: tableName, Key: keyOf(key), ConsistentRead: true }));
      return result.Item;
    },
    queryAll: (input, limit) => queryAll(table, input, limit),
    async queryCounted(input, limit) {
      const page = await send(
        new QueryCommand({ TableName: tableName, ...input, Limit: limit, ReturnConsumedCapacity: 'TOTAL' }),
      );
      return { rows: page.Items ?? [], readUnits: page.ConsumedCapacity?.CapacityUnits ?? 0 };
    },
    async batchGet(wanted) {
      const chunks = chunked(wanted.map(keyOf), LIMITS.batchGetKeys);
      return (await inParallel(chunks, (chunk) => getChunk(table, chunk))).flat();
    },
    async batchPut(rows) {
      // DynamoDB refuses a batch that names one key twice; the last row for a key is the one a put sequence leaves.
      const byKey = new Map(rows.map((row) => [rowIdentity(row), row]));
      const requests: WriteRequest[] = [...byKey.values()].map((row) => ({ PutRequest: { Item: row } }));
      await inParallel(chunked(requests, LIMITS.batchWriteRows), (chunk) => putChunk(table, chunk));
    },
    conditionalPut: (input) => unlessConditionFails(() => send(new PutItemCommand({ TableName: tableName, ...input }))),
    conditionalUpdate: (input) =>
      unlessConditionFails(() => send(new UpdateItemCommand({ TableName: tableName, ...input }))),
    transact: (operations) => transact(table, operations),
    insertRow: (row) =>
      unlessConditionFails(() =>
        send(new PutItemCommand({ TableName: tableName, Item: row, ConditionExpression: ABSENT })),
      ),
    ifAbsentOperation: (row) => ({ Put: { TableName: tableName, Item: row, ConditionExpression: ABSENT } }),
    conditionedOperation: (row, condition) => ({ Put: { TableName: tableName, Item: row, ...condition } }),
  };
}

/** The client's send (size refusals already turned into TooLargeError) and the table every request names. */
interface Table {
  send: DynamoDBClient['send'];
  tableName: string;
}

async function queryAll({ send, tableName }: Table, input: Omit<QueryCommandInput, 'TableName'>, limit?: number) {
  const rows: Row[] = [];
  let startKey: Row | undefined;
  do {
    const page = await send(
      new QueryCommand({
        TableName: tableName,
        ...input,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        ...(limit !== undefined ? { Limit: limit - rows.length } : {}),
      }),
    );
    rows.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (limit === undefined || rows.length < limit));
  return rows;
}

async function getChunk({ send, tableName }: Table, chunk: Row[]): Promise<Row[]> {
  const found: Row[] = [];
  let pending = chunk;
  for (let stalls = 0; pending.length > 0; stalls += 1) {
    if (stalls > 0) await backOff(stalls, 'BatchGetItem kept returning unprocessed keys');
    const result = await send(
      new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    found.push(...(result.Responses?.[tableName] ?? []));
    pending = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}

async function putChunk({ send, tableName }: Table, chunk: WriteRequest[]): Promise<void> {
  let pending = chunk;
  for (let stalls = 0; pending.length > 0; stalls += 1) {
    if (stalls > 0) await backOff(stalls, 'BatchWriteItem kept returning unprocessed items');
    const result = await send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = result.UnprocessedItems?.[tableName] ?? [];
  }
}

async function transact({ send }: Table, operations: TransactWriteItem[]): Promise<boolean> {
  try {
    await send(new TransactWriteItemsCommand({ TransactItems: operations }));
    return true;
  } catch (error) {
    if (isTransactionConflict(error)) return false;
    throw error;
  }
}

/** A query of one partition of a secondary index: how every listing by kind (feeds, alerts, pending…) reads. */
export function indexPartition(
  index: { readonly name: string; readonly partitionKey: string },
  partition: string,
  order: { newestFirst?: boolean } = {},
): Omit<QueryCommandInput, 'TableName'> {
  return {
    IndexName: index.name,
    KeyConditionExpression: `${index.partitionKey} = :partition`,
    ExpressionAttributeValues: { ':partition': s(partition) },
    ...(order.newestFirst ? { ScanIndexForward: false } : {}),
  };
}

/**
 * The client's send, with DynamoDB's refusals of a key or row for its size turned into TooLargeError: the one
 * failure no retry fixes, which the pipeline pins on the item carrying it. Other validation errors stay as they are.
 */
function sizeRefusalsAsTooLarge(client: DynamoDBClient): DynamoDBClient['send'] {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  return (async (command: unknown) => {
    try {
      return await send(command);
    } catch (error) {
      if (isSizeRefusal(error)) throw new TooLargeError(`DynamoDB refused a write: ${(error as Error).message}`);
      throw error;
    }
  }) as DynamoDBClient['send'];
}

function isSizeRefusal(error: unknown): boolean {
  const { name, message } = error as Error;
  if (name === 'ValidationException') return /size|exceeded/i.test(message ?? '');
  if (name !== 'TransactionCanceledException') return false;
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ValidationError' && /size|exceeded/i.test(reason.Message ?? ''));
}

/**
 * An update that writes `row` as a put would, except that each `kept` attribute keeps the value a stored row already
 * has (if_not_exists): keeping a first value this way costs no read. Unlike a put it leaves in place what a stored
 * row has and `row` lacks, so it suits rows that always carry the same attributes.
 */
export function keepingUpdate(row: Row, kept: readonly string[]): Omit<UpdateItemCommandInput, 'TableName'> {
  const names: Record<string, string> = {};
  const values: Row = {};
  const assignments = Object.entries(row)
    .filter(([name]) => name !== 'pk' && name !== 'sk')
    .map(([name, value], index) => {
      // Placeholders throughout: `data`, the name most rows keep their body in, is a reserved word.
      names[`#a${index}`] = name;
      values[`:a${index}`] = value;
      return kept.includes(name) ? `#a${index} = if_not_exists(#a${index}, :a${index})` : `#a${index} = :a${index}`;
    });
  if (assignments.length === 0) throw new Error('keepingUpdate needs a row with attributes beside its key');
  return {
    Key: { pk: row.pk as AttributeValue, sk: row.sk as AttributeValue },
    UpdateExpression: `SET ${assignments.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The condition of a row that moves by version: absent for version 0, else still at `expectedVersion`. */
export function versionCondition(expectedVersion: number) {
  return expectedVersion === 0
    ? { ConditionExpression: ABSENT }
    : {
        ConditionExpression: 'version = :expected',
        ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
      };
}

async function unlessConditionFails(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error).name === 'ConditionalCheckFailedException'
    ) {
      return false;
    }
    throw error;
  }
}

function isTransactionConflict(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException || (error as Error).name === 'TransactionCanceledException')) {
    return false;
  }
  const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
  // Only conditional failures mean "someone else won"; throttling or validation inside a transaction must surface.
  return reasons.every((reason) => reason.Code === 'None' || reason.Code === 'ConditionalCheckFailed');
}

function chunked<T>(values: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

/** Runs `work` over every part, a few at a time; fails with the first failure once all have settled. */
export async function inParallel<T, R>(parts: T[], work: (part: T) => Promise<R>): Promise<R[]> {
  const settled = await mapWithConcurrency(parts, PARALLEL_REQUESTS, work);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}

function backOff(stalls: number, message: string): Promise<void> {
  if (stalls > MAX_STALLS + 1) throw new Error(message);
  return new Promise((resolve) => setTimeout(resolve, 50 * 2 ** (stalls - 1)));
}

/** The first pause after a lost condition race; it doubles with each further loss (capped at 32 times). */
const CONFLICT_PAUSE_MS = 10;

/**
 * Waits before retrying a read-modify-write that lost a condition race to another writer: a random pause up to a
 * ceiling that grows with the attempt (full jitter). Without it, writers that collided once read and write again in
 * lockstep, so with N of them the last needs N tries and a fixed try budget fails under ordinary concurrency.
 */
export function pauseAfterConflict(attempt: number): Promise<void> {
  const ceiling = CONFLICT_PAUSE_MS * 2 ** Math.min(attempt, 5);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
