import {
  type AttributeMap,
  cancellation,
  type EngineCall,
  type EngineReply,
  errorReply,
  rollback,
  type TransactOperation,
} from './transactions';

const ABSENCE_CONDITION = /^\s*attribute_not_exists\s*\(\s*(#?[A-Za-z0-9_]+)\s*\)\s*$/;

/**
 * For a Put that is unconditional ('') or conditioned only on one attribute being absent, that attribute; null for
 * anything else. Such conditions can be judged from the snapshot alone, without asking the engine per item.
 */
function absenceCheckedAttribute(operation: TransactOperation): string | '' | null {
  if (operation.kind !== 'Put') return null;
  const {
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  } = operation.request;
  if (condition === undefined) return names === undefined && values === undefined ? '' : null;
  if (typeof condition !== 'string' || values !== undefined) return null;
  const attribute = ABSENCE_CONDITION.exec(condition)?.[1];
  if (attribute === undefined) return null;
  if (!attribute.startsWith('#')) return names === undefined ? attribute : null;
  // DynamoDB rejects names the expression does not use, so anything but exactly this one goes the general way.
  const mapping = (names ?? {}) as Record<string, unknown>;
  const resolved = mapping[attribute];
  return typeof resolved === 'string' && Object.keys(mapping).length === 1 ? resolved : null;
}

/**
 * Fast path for transactions of Puts with absence conditions (the store's claims): the conditions are judged on
 * the snapshots in-process, every failing one is reported as DynamoDB does, and the Puts go to the engine as
 * BatchWriteItem calls of 25. Still run inside the write queue, so nothing changes between snapshot and write.
 * Null when the transaction holds anything else: it then goes the general way.
 */
export async function runPutOnlyTransaction(
  call: EngineCall,
  operations: TransactOperation[],
  snapshots: (AttributeMap | undefined)[],
): Promise<EngineReply | null> {
  const absenceChecks = operations.map(absenceCheckedAttribute);
  if (!absenceChecks.every((attribute) => attribute !== null)) return null;
  const failed = operations.map((_, index) => {
    const attribute = absenceChecks[index];
    const snapshot = snapshots[index];
    return typeof attribute === 'string' && attribute !== '' && snapshot?.[attribute] !== undefined;
  });
  if (failed.some(Boolean)) {
    return cancellation(operations, snapshots, (index) => failed[index] === true);
  }
  const written: number[] = [];
  for (let start = 0; start < operations.length; start += 25) {
    const indexes = operations.slice(start, start + 25).map((_, offset) => start + offset);
    const reply = await writeBatch(call, operations, indexes);
    if (reply.status !== 200) {
      await rollback(call, operations, snapshots, written);
      return reply;
    }
    written.push(...indexes);
  }
  return { status: 200, body: '{}' };
}

async function writeBatch(call: EngineCall, operations: TransactOperation[], indexes: number[]): Promise<EngineReply> {
  let pending: { tableName: string; item: unknown }[] = indexes.map((index) => {
    const operation = operations[index] as TransactOperation;
    return { tableName: operation.tableName, item: operation.request.Item };
  });
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > 8) return errorReply('InternalServerError', 'the engine kept transaction writes unprocessed');
    const requestItems: Record<string, { PutRequest: { Item: unknown } }[]> = {};
    for (const { tableName, item } of pending) {
      requestItems[tableName] = [...(requestItems[tableName] ?? []), { PutRequest: { Item: item } }];
    }
    const reply = await call('BatchWriteItem', { RequestItems: requestItems });
    if (reply.status !== 200) return reply;
    const unprocessed = (JSON.parse(reply.body) as { UnprocessedItems?: Record<string, AttributeMap[]> })
      .UnprocessedItems;
    pending = Object.entries(unprocessed ?? {}).flatMap(([tableName, requests]) =>
      requests.map((request) => ({ tableName, item: (request.PutRequest as AttributeMap).Item })),
    );
  }
  return { status: 200, body: '{}' };
}
