import {
  CreateTableCommand,
  DeleteTableCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestDynamo, type TestDynamo } from '../../support/dynamo';

// dynalite has no transactions; the embedded engine adds them. The same tests run against DynamoDB Local
// (scripts/dynamodb-local.mjs), so any difference from AWS's own emulator shows up as a failure here.
let dynamo: TestDynamo;
let tableName: string;

beforeAll(async () => {
  dynamo = await startTestDynamo();
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  tableName = await dynamo.freshTable();
});

const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });
const read = async (pk: string) =>
  (await dynamo.client.send(new GetItemCommand({ TableName: tableName, Key: key(pk), ConsistentRead: true }))).Item;
const put = (pk: string, value: string) =>
  dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: { ...key(pk), value: { S: value } } }));

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
  it('applies put, update and delete together', async () => {
    await put('b', 'old');
    await put('c', 'doomed');
    await dynamo.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { ...key('a'), value: { S: 'new' } } } },
          {
            Update: {
              TableName: tableName,
              Key: key('b'),
              UpdateExpression: 'SET #v = :v',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':v': { S: 'updated' } },
            },
          },
          { Delete: { TableName: tableName, Key: key('c') } },
        ],
      }),
    );
    expect((await read('a'))?.value?.S).toBe('new');
    expect((await read('b'))?.value?.S).toBe('updated');
    expect(await read('c')).toBeUndefined();
  });

  it('writes nothing when a later condition fails, and names the failing operation', async () => {
    await put('taken', 'first');
    const reasons = await cancellation(
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...key('fresh'), value: { S: 'x' } } } },
            {
              Put: {
                TableName: tableName,
                Item: { ...key('taken'), value: { S: 'second' } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    expect(await read('fresh')).toBeUndefined();
    expect((await read('taken'))?.value?.S).toBe('first');
  });

  it('cancels on a failed condition check without changing the checked item', async () => {
    await put('guard', 'closed');
    const reasons = await cancellation(
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: tableName,
                Key: key('guard'),
                ConditionExpression: '#v = :open',
                ExpressionAttributeNames: { '#v': 'value' },
                ExpressionAttributeValues: { ':open': { S: 'open' } },
              },
            },
            { Put: { TableName: tableName, Item: { ...key('after'), value: { S: 'x' } } } },
          ],
        }),
      ),
    );
    expect(reasons[0]).toBe('ConditionalCheckFailed');
    expect((await read('guard'))?.value?.S).toBe('closed');
    expect(await read('after')).toBeUndefined();
  });

  it('passes a condition check on a missing item without creating it', async () => {
    await dynamo.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: key('absent'),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          { Put: { TableName: tableName, Item: { ...key('written'), value: { S: 'x' } } } },
        ],
      }),
    );
    expect(await read('absent')).toBeUndefined();
    expect(await read('written')).toBeDefined();
  });

  it('rejects two operations on the same item', async () => {
    await expect(
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...key('twice'), value: { S: '1' } } } },
            { Delete: { TableName: tableName, Key: key('twice') } },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('TransactWriteItems of puts with absence conditions', () => {
  const claim = (pk: string, value: string, condition: Record<string, unknown> = {}) => ({
    Put: {
      TableName: tableName,
      Item: { ...key(pk), value: { S: value } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ...condition,
    },
  });

  it('names every put whose item already exists and writes none of the others', async () => {
    await put('taken-1', 'first');
    await put('taken-2', 'first');
    const reasons = await cancellation(
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [claim('free-1', 'x'), claim('taken-1', 'x'), claim('free-2', 'x'), claim('taken-2', 'x')],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed']);
    expect(await read('free-1')).toBeUndefined();
    expect(await read('free-2')).toBeUndefined();
    expect((await read('taken-1'))?.value?.S).toBe('first');
  });

  it('judges a condition written with an attribute name placeholder like the plain name', async () => {
    await put('taken', 'first');
    const named = { ConditionExpression: 'attribute_not_exists(#key)', ExpressionAttributeNames: { '#key': 'pk' } };
    const reasons = await cancellation(
      dynamo.client.send(
        new TransactWriteItemsCommand({ TransactItems: [claim('fresh', 'x', named), claim('taken', 'x', named)] }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    await dynamo.client.send(new TransactWriteItemsCommand({ TransactItems: [claim('fresh', 'x', named)] }));
    expect((await read('fresh'))?.value?.S).toBe('x');
  });

  it('lets a put replace an item that lacks the attribute its condition names, and refuses one that has it', async () => {
    await put('unmarked', 'before');
    await dynamo.client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { ...key('marked'), value: { S: 'before' }, mark: { S: 'done' } },
      }),
    );
    const onlyUnmarked = { ConditionExpression: 'attribute_not_exists(mark)' };
    await dynamo.client.send(
      new TransactWriteItemsCommand({ TransactItems: [claim('unmarked', 'after', onlyUnmarked)] }),
    );
    expect((await read('unmarked'))?.value?.S).toBe('after');
    const reasons = await cancellation(
      dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [claim('unmarked', 'again', onlyUnmarked), claim('marked', 'after', onlyUnmarked)],
        }),
      ),
    );
    expect(reasons).toEqual(['None', 'ConditionalCheckFailed']);
    expect((await read('unmarked'))?.value?.S).toBe('after');
    expect((await read('marked'))?.value?.S).toBe('before');
  });

  it('writes all 60 puts of a transaction, or none of them when the last one is refused', async () => {
    const pks = (prefix: string) => Array.from({ length: 60 }, (_, index) => `${prefix}-${index}`);
    await dynamo.client.send(new TransactWriteItemsCommand({ TransactItems: pks('all').map((pk) => claim(pk, 'x')) }));
    const written = await Promise.all(pks('all').map(read));
    expect(written.filter((item) => item?.value?.S === 'x')).toHaveLength(60);

    await put('none-59', 'first');
    const reasons = await cancellation(
      dynamo.client.send(new TransactWriteItemsCommand({ TransactItems: pks('none').map((pk) => claim(pk, 'x')) })),
    );
    expect(reasons.filter((reason) => reason === 'ConditionalCheckFailed')).toHaveLength(1);
    expect(reasons[59]).toBe('ConditionalCheckFailed');
    const untouched = await Promise.all(pks('none').slice(0, 59).map(read));
    expect(untouched.every((item) => item === undefined)).toBe(true);
  });

  it('returns the item that made a put fail when the put asks for ALL_OLD', async () => {
    await put('taken', 'first');
    try {
      await dynamo.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [claim('taken', 'second', { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })],
        }),
      );
      expect.unreachable('the transaction was expected to be cancelled');
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      expect(error.CancellationReasons?.[0]?.Item?.value?.S).toBe('first');
    }
  });

  it('writes to a table deleted and created again under the same name with another key', async () => {
    const name = `rekeyed-${tableName}`;
    const create = (keyName: string) =>
      dynamo.client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    const claimIn = (keyName: string, value: string) =>
      dynamo.client.send(
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
    await waitUntilTableExists({ client: dynamo.client, maxWaitTime: 30 }, { TableName: name });
    await claimIn('legacyId', 'a');
    await dynamo.client.send(new DeleteTableCommand({ TableName: name }));
    await waitUntilTableNotExists({ client: dynamo.client, maxWaitTime: 30 }, { TableName: name });
    await create('currentId');
    await waitUntilTableExists({ client: dynamo.client, maxWaitTime: 30 }, { TableName: name });
    await claimIn('currentId', 'b');
    const stored = await dynamo.client.send(
      new GetItemCommand({ TableName: name, Key: { currentId: { S: 'b' } }, ConsistentRead: true }),
    );
    expect(stored.Item?.currentId?.S).toBe('b');
    await dynamo.client.send(new DeleteTableCommand({ TableName: name }));
  });
});
