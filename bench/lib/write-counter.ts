import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * What the store costs in writes. `storedWrites` counts items actually written (a Put/Update/Delete that
 * succeeded, each item of a successful batch or transaction). `rejectedConditionalWrites` counts writes
 * refused by their condition: DynamoDB still bills a write unit for them, but nothing was stored.
 */
export interface WriteCounts {
  storedWrites: number;
  rejectedConditionalWrites: number;
  reads: number;
  byOperation: Record<string, number>;
}

export interface WriteCounter {
  snapshot(): WriteCounts;
  reset(): void;
}

const SINGLE_WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);
const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand']);

/** Counts the writes of every command sent through the client from now on. */
export function attachWriteCounter(client: DynamoDBClient): WriteCounter {
  let counts = emptyCounts();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      const input = args.input as Record<string, unknown>;
      try {
        const result = await next(args);
        const stored = storedItems(command, input, result.output as unknown as Record<string, unknown>);
        if (stored > 0) {
          counts.storedWrites += stored;
          counts.byOperation[command] = (counts.byOperation[command] ?? 0) + stored;
        }
        if (READS.has(command)) counts.reads += 1;
        return result;
      } catch (error) {
        counts.rejectedConditionalWrites += conditionRefusals(error);
        throw error;
      }
    },
    { step: 'initialize', name: 'storywatchWriteCounter' },
  );
  return {
    snapshot: () => ({ ...counts, byOperation: { ...counts.byOperation } }),
    reset: () => {
      counts = emptyCounts();
    },
  };
}

/** How many writes of a failed command their condition refused: one, or each refused operation of a transaction. */
function conditionRefusals(error: unknown): number {
  const name = (error as Error).name;
  if (name === 'ConditionalCheckFailedException') return 1;
  if (name !== 'TransactionCanceledException') return 0;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.filter((reason) => reason.Code === 'ConditionalCheckFailed').length;
}

function emptyCounts(): WriteCounts {
  return { storedWrites: 0, rejectedConditionalWrites: 0, reads: 0, byOperation: {} };
}

function storedItems(command: string, input: Record<string, unknown>, output: Record<string, unknown>): number {
  if (SINGLE_WRITES.has(command)) return 1;
  if (command === 'TransactWriteItemsCommand') {
    return ((input.TransactItems as { ConditionCheck?: unknown }[]) ?? []).filter((item) => !item.ConditionCheck)
      .length;
  }
  if (command === 'BatchWriteItemCommand') {
    const requested = Object.values((input.RequestItems as Record<string, unknown[]>) ?? {}).flat().length;
    const unprocessed = Object.values((output?.UnprocessedItems as Record<string, unknown[]>) ?? {}).flat().length;
    return requested - unprocessed;
  }
  return 0;
}
