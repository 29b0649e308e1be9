import {
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
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
