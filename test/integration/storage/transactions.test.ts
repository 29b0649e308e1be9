import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { describe, expect } from 'vitest';
import { storageTest } from '../../support/storage';

// dynalite has no transactions; the embedded engine adds them. The same tests run against DynamoDB Local
// (scripts/dynamodb-local.mjs), so any difference from AWS's own emulator shows up as a failure here.

/** Raw requests on the test's fresh table: these tests check the engine, not the store, so they speak SDK. */
interface ScratchTable {
  name: string;
  client: DynamoDBClient;
  send: DynamoDBClient['send'];
  read(pk: string): Promise<Record<string, AttributeValue> | undefined>;
  put(pk: string, value: string): Promise<unknown>;
  /** A transaction operation putting `value` at `pk` only where no row has that key (or the caller's condition). */
  absentPut(pk: string, value: string, condition?: Record<string, unknown>): TransactWriteItem;
}

const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });

const it = storageTest.extend<{ table: ScratchTable }>({
  table: async ({ dynamo, tableName }, use) => {
    const send = dynamo.client.send.bind(dynamo.client) as DynamoDBClient['send'];
    await use({
      name: tableName,
      client: dynamo.client,
      send,
      read: async (pk) =>
        (await send(new GetItemCommand({ TableName: tableName, Key: key(pk), ConsistentRead: true }))).Item,
      put: (pk, value) => send(new PutItemCommand({ TableName: tableName, Item: { ...key(pk), value: { S: value } } })),
      absentPut: (pk, value, condition = {}) => ({
        Put: {
          TableName: tableName,
          Item: { ...key(pk), value: { S: value } },
          ConditionExpression: 'attribute_not_exists(pk)',
          ...condition,
        },
      }),
    });
  },
});

async function cancellation(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? '');
    }
    throw error;
  }
  throw new Error('the transaction was expected to be cancelled');
}

describe('TransactWriteItems', () => {
  it('applies put, update and delete together', async ({ table }) => {
    await table.put('b', 'old');
    await table.put('c', 'doomed');
    await table.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: table.name, Item: { ...key('a'), value: { S: 'new' } } } },
          {
            Update: {
              TableName: table.name,
              Key: key('b'),
              UpdateExpression: 'SET #v = :v',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':v': { S: 'updated' } },
            },
          },
          { Delete: { TableName: table.name, Key: key('c') } },
        ],
      }),
    );
    expect((await table.read('a'))?.value?.S).toBe('new');
    expect((await table.read('b'))?.value?.S).toBe('updated');
    expect(await table.read('c')).toBeUndefined();
  });

  it('writes nothing when a later condition fails, and names the failing operation', async ({ table }) => {
    await table.put('taken', 'first');
    const reasons = await cancellation(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table.name, Item: { ...key('fresh'), value: { S: 'x' } } } },
            {
              Put: {
                TableName: table.name,
                Item: { ...key('taken'), value: { S: 'second' } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    expect(await table.read('fresh')).toBeUndefined();
    expect((await table.read('taken'))?.value?.S).toBe('first');
  });

  it('cancels on a failed condition check without changing the checked item', async ({ table }) => {
    await table.put('guard', 'closed');
    const reasons = await cancellation(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: table.name,
                Key: key('guard'),
                ConditionExpression: '#v = :open',
                ExpressionAttributeNames: { '#v': 'value' },
                ExpressionAttributeValues: { ':open': { S: 'open' } },
              },
            },
            { Put: { TableName: table.name, Item: { ...key('after'), value: { S: 'x' } } } },
          ],
        }),
      ),
    );
    expect(reasons[0]).toBe('ConditionalCheckFailed');
    expect((await table.read('guard'))?.value?.S).toBe('closed');
    expect(await table.read('after')).toBeUndefined();
  });

  it('passes a condition check on a missing item without creating it', async ({ table }) => {
    await table.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table.name,
              Key: key('absent'),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: table.name, Item: { ...key('written'), value: { S: 'x' } } } },
        ],
      }),
    );
    expect(await table.read('absent')).toBeUndefined();
    expect(await table.read('written')).toBeDefined();
  });

  it('rejects two operations on the same item', async ({ table }) => {
    await expect(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: table.name, Item: { ...key('twice'), value: { S: '1' } } } },
            { Delete: { TableName: table.name, Key: key('twice') } },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('TransactWriteItems of puts with absence conditions', () => {
  it('names every put whose item already exists and writes none of the others', async ({ table }) => {
    await table.put('taken-1', 'first');
    await table.put('taken-2', 'first');
    const reasons = await cancellation(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            table.absentPut('free-1', 'x'),
            table.absentPut('taken-1', 'x'),
            table.absentPut('free-2', 'x'),
            table.absentPut('taken-2', 'x'),
          ],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed']);
    expect(await table.read('free-1')).toBeUndefined();
    expect(await table.read('free-2')).toBeUndefined();
    expect((await table.read('taken-1'))?.value?.S).toBe('first');
  });

  it('judges a condition written with an attribute name placeholder like the plain name', async ({ table }) => {
    await table.put('taken', 'first');
    const named = { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'pk' } };
    const reasons = await cancellation(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [table.absentPut('fresh', 'x', named), table.absentPut('taken', 'x', named)],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    await table.send(new TransactWriteItemsCommand({ TransactItems: [table.absentPut('fresh', 'x', named)] }));
    expect((await table.read('fresh'))?.value?.S).toBe('x');
  });

  it('lets a put replace an item that lacks the attribute its condition names, and refuses one that has it', async ({
    table,
  }) => {
    await table.put('unmarked', 'before');
    await table.send(
      new PutItemCommand({
        TableName: table.name,
        Item: { ...key('marked'), value: { S: 'before' }, mark: { S: 'done' } },
      }),
    );
    const onlyUnmarked = { ConditionExpression: 'attribute_not_exists(mark)' };
    await table.send(
      new TransactWriteItemsCommand({ TransactItems: [table.absentPut('unmarked', 'after', onlyUnmarked)] }),
    );
    expect((await table.read('unmarked'))?.value?.S).toBe('after');
    const reasons = await cancellation(
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            table.absentPut('unmarked', 'again', onlyUnmarked),
            table.absentPut('marked', 'after', onlyUnmarked),
          ],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    expect((await table.read('unmarked'))?.value?.S).toBe('after');
    expect((await table.read('marked'))?.value?.S).toBe('before');
  });

  it('writes all 60 puts of a transaction, or none of them when the last one is refused', async ({ table }) => {
    const pks = (prefix: string) => Array.from({ length: 60 }, (_, index) => `${prefix}-${index}`);
    await table.send(
      new TransactWriteItemsCommand({ TransactItems: pks('all').map((pk) => table.absentPut(pk, 'x')) }),
    );
    const written = await Promise.all(pks('all').map(table.read));
    expect(written.filter((item) => item?.value?.S === 'x')).toHaveLength(60);

    await table.put('none-59', 'first');
    const reasons = await cancellation(
      table.send(new TransactWriteItemsCommand({ TransactItems: pks('none').map((pk) => table.absentPut(pk, 'x')) })),
    );
    expect(reasons.filter((reason) => reason === 'ConditionalCheckFailed')).toHaveLength(1);
    expect(reasons[59]).toBe('ConditionalCheckFailed');
    const untouched = await Promise.all(pks('none').slice(0, 59).map(table.read));
    expect(untouched.every((item) => item === undefined)).toBe(true);
  });

  it('returns the item that made a put fail when the put asks for ALL_OLD', async ({ table }) => {
    await table.put('taken', 'first');
    try {
      await table.send(
        new TransactWriteItemsCommand({
          TransactItems: [table.absentPut('taken', 'second', { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })],
        }),
      );
      expect.unreachable('the transaction was expected to be cancelled');
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      expect(error.CancellationReasons?.[0]?.Item?.value?.S).toBe('first');
    }
  });

  it('writes to a table deleted and created again under the same name with another key', async ({ table }) => {
    const name = `rekeyed-${table.name}`;
    const create = (keyName: string) =>
      table.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    const claimIn = (keyName: string, value: string) =>
      table.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: name,
                Item: { [keyName]: { S: value } },
                ConditionExpression: `attribute_not_exists(${keyName})`,
              },
            },
          ],
        }),
      );
    await create('legacyId');
    await waitUntilTableExists({ client: table.client, maxWaitTime: 30 }, { TableName: name });
    await claimIn('legacyId', 'a');
    await table.send(new DeleteTableCommand({ TableName: name }));
    await waitUntilTableNotExists({ client: table.client, maxWaitTime: 30 }, { TableName: name });
    await create('currentId');
    await waitUntilTableExists({ client: table.client, maxWaitTime: 30 }, { TableName: name });
    await claimIn('currentId', 'b');
    const stored = await table.send(
      new GetItemCommand({ TableName: name, Key: { currentId: { S: 'b' } }, ConsistentRead: true }),
    );
    expect(stored.Item?.currentId?.S).toBe('b');
    await table.send(new DeleteTableCommand({ TableName: name }));
  });
});
