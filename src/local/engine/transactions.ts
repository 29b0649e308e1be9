import { runPutOnlyTransaction } from './put-only';

export type AttributeMap = Record<string, unknown>;
export interface EngineReply {
  status: number;
  body: string;
}

/** One request to the engine: an operation name and its JSON payload. */
export type EngineCall = (operation: string, payload: unknown) => Promise<EngineReply>;

export interface TransactOperation {
  kind: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  tableName: string;
  key: AttributeMap;
  request: AttributeMap;
}

/**
 * Key attribute names per table, asked once and kept: the front forgets them when a CreateTable or DeleteTable
 * passes through it or a transaction meets a missing table, since a table may be recreated with another key.
 */
export class KeyNameCache {
  private readonly known = new Map<string, Promise<string[]>>();

  lookup(call: EngineCall, tableName: string): Promise<string[]> {
    let names = this.known.get(tableName);
    if (!names) {
      names = call('DescribeTable', { TableName: tableName }).then((reply) => {
        if (reply.status !== 200) throw new EngineError(reply);
        const schema = JSON.parse(reply.body).Table.KeySchema as { AttributeName: string }[];
        return schema.map((entry) => entry.AttributeName);
      });
      // A failed lookup must not stick: the table may exist on the next try.
      names.catch(() => this.known.delete(tableName));
      this.known.set(tableName, names);
    }
    return names;
  }

  forgetAll(): void {
    this.known.clear();
  }
}

class EngineError extends Error {
  constructor(readonly reply: EngineReply) {
    super(reply.body);
  }
}

export function errorReply(type: string, message: string, extra: AttributeMap = {}): EngineReply {
  return {
    status: 400,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra }),
  };
}

export function errorType(reply: EngineReply): string {
  try {
    return String(JSON.parse(reply.body).__type ?? '').split('#')[1] ?? '';
  } catch {
    return '';
  }
}

async function parseOperations(
  call: EngineCall,
  keyNames: KeyNameCache,
  transactItems: AttributeMap[],
): Promise<TransactOperation[]> {
  const operations: TransactOperation[] = [];
  for (const entry of transactItems) {
    const kind = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((name) => name in entry);
    if (!kind) throw new Error('each transact item needs Put, Update, Delete or ConditionCheck');
    const request = entry[kind] as AttributeMap;
    const tableName = String(request.TableName);
    let key = request.Key as AttributeMap | undefined;
    if (kind === 'Put') {
      const item = request.Item as AttributeMap;
      const names = await keyNames.lookup(call, tableName);
      key = Object.fromEntries(names.map((name) => [name, item[name]]));
    }
    operations.push({ kind, tableName, key: key ?? {}, request });
  }
  return operations;
}

export async function runTransaction(
  call: EngineCall,
  keyNames: KeyNameCache,
  input: { TransactItems?: AttributeMap[] },
): Promise<EngineReply> {
  const transactItems = input.TransactItems ?? [];
  if (transactItems.length === 0 || transactItems.length > 100) {
    return errorReply('ValidationException', 'TransactItems must hold between 1 and 100 operations');
  }
  let operations: TransactOperation[];
  try {
    operations = await parseOperations(call, keyNames, transactItems);
  } catch (error) {
    if (error instanceof EngineError) return error.reply;
    return errorReply('ValidationException', (error as Error).message);
  }
  const identities = operations.map((operation) => itemIdentity(operation.tableName, operation.key));
  if (new Set(identities).size !== identities.length) {
    return errorReply('ValidationException', 'Transaction request cannot include multiple operations on one item');
  }

  const snapshots = await readSnapshots(call, keyNames, operations);
  if (!Array.isArray(snapshots)) return snapshots;

  const fast = await runPutOnlyTransaction(call, operations, snapshots);
  if (fast) return fast;

  const applied: number[] = [];
  for (const [index, operation] of operations.entries()) {
    const reply = await applyOperation(call, operation, snapshots[index]);
    if (reply.status === 200) {
      applied.push(index);
      continue;
    }
    await rollback(call, operations, snapshots, applied);
    if (errorType(reply) !== 'ConditionalCheckFailedException') return reply;
    return cancellation(operations, snapshots, (position) => position === index);
  }
  return { status: 200, body: '{}' };
}

/** Table and key, whatever order the key's attributes were written in. */
function itemIdentity(tableName: string, key: AttributeMap): string {
  const ordered = Object.keys(key)
    .sort()
    .map((name) => [name, key[name]]);
  return `${tableName}|${JSON.stringify(ordered)}`;
}

/**
 * The items as they were before the transaction, for rollback and ConditionCheck: one BatchGetItem for all of them
 * (keys are unique, checked above, and a transaction holds at most 100, BatchGetItem's limit).
 */
async function readSnapshots(
  call: EngineCall,
  keyNames: KeyNameCache,
  operations: TransactOperation[],
): Promise<(AttributeMap | undefined)[] | EngineReply> {
  const keysByTable = new Map<string, AttributeMap[]>();
  for (const operation of operations) {
    keysByTable.set(operation.tableName, [...(keysByTable.get(operation.tableName) ?? []), operation.key]);
  }
  const requestItems = Object.fromEntries(
    [...keysByTable].map(([tableName, keys]) => [tableName, { Keys: keys, ConsistentRead: true }]),
  );
  const reply = await call('BatchGetItem', { RequestItems: requestItems });
  if (reply.status !== 200) return reply;
  const found = JSON.parse(reply.body) as {
    Responses?: Record<string, AttributeMap[]>;
    UnprocessedKeys?: Record<string, unknown>;
  };
  if (Object.keys(found.UnprocessedKeys ?? {}).length > 0) {
    return errorReply('InternalServerError', 'the engine left transaction snapshot keys unprocessed');
  }
  const byIdentity = new Map<string, AttributeMap>();
  for (const [tableName, items] of Object.entries(found.Responses ?? {})) {
    const names = await keyNames.lookup(call, tableName);
    for (const item of items) {
      const key = Object.fromEntries(names.map((name) => [name, item[name]]));
      byIdentity.set(itemIdentity(tableName, key), item);
    }
  }
  return operations.map((operation) => byIdentity.get(itemIdentity(operation.tableName, operation.key)));
}

export function cancellation(
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
  isFailed: (index: number) => boolean,
): EngineReply {
  const reasons = operations.map((candidate, position) => {
    if (!isFailed(position)) return { Code: 'None' };
    const returnOld = candidate.request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    const old = snapshots[position];
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(returnOld && old ? { Item: old } : {}),
    };
  });
  return errorReply(
    'TransactionCanceledException',
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
    { CancellationReasons: reasons },
  );
}

function conditionFields(request: AttributeMap): AttributeMap {
  return {
    ConditionExpression: request.ConditionExpression,
    ExpressionAttributeNames: request.ExpressionAttributeNames,
    ExpressionAttributeValues: request.ExpressionAttributeValues,
  };
}

async function applyOperation(
  call: EngineCall,
  operation: TransactOperation,
  snapshot: AttributeMap | undefined,
): Promise<EngineReply> {
  const { request, tableName, key } = operation;
  switch (operation.kind) {
    case 'Put':
      return call('PutItem', { TableName: tableName, Item: request.Item, ...conditionFields(request) });
    case 'Update':
      return call('UpdateItem', {
        TableName: tableName,
        Key: key,
        UpdateExpression: request.UpdateExpression,
        ...conditionFields(request),
      });
    case 'Delete':
      return call('DeleteItem', { TableName: tableName, Key: key, ...conditionFields(request) });
    case 'ConditionCheck': {
      // Rewriting the item as it is evaluates the condition without changing anything.
      const check = await call('PutItem', { TableName: tableName, Item: snapshot ?? key, ...conditionFields(request) });
      if (check.status === 200 && !snapshot) await call('DeleteItem', { TableName: tableName, Key: key });
      return check;
    }
  }
}

export async function rollback(
  call: EngineCall,
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
  applied: number[],
): Promise<void> {
  for (const index of [...applied].reverse()) {
    const operation = operations[index] as TransactOperation;
    const snapshot = snapshots[index];
    if (snapshot) await call('PutItem', { TableName: operation.tableName, Item: snapshot });
    else await call('DeleteItem', { TableName: operation.tableName, Key: operation.key });
  }
}
