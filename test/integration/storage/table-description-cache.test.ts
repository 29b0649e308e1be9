import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient } from '../../../src/adapters/dynamodb/client';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../../src/adapters/dynamodb/embedded';

// The embedded engine keeps table descriptions in memory for item reads and writes; these tests change tables
// under it and check that items always follow the table as it is now.
let engine: EmbeddedDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  engine = await startEmbeddedDynamo({ dataDir: null });
  client = createDynamoClient({ endpoint: engine.endpoint, region: 'us-east-1', maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await engine?.close();
});

const createTable = (name: string, keyName: string) =>
  client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
    }),
  );

describe('the embedded engine after a table changes', () => {
  it('writes and reads items with the key of a table deleted and created again under the same name', async () => {
    await createTable('recreated', 'first');
    await client.send(new PutItemCommand({ TableName: 'recreated', Item: { first: { S: 'a' } } }));
    await client.send(new DeleteTableCommand({ TableName: 'recreated' }));
    await createTable('recreated', 'second');

    await expect(
      client.send(new PutItemCommand({ TableName: 'recreated', Item: { first: { S: 'b' } } })),
    ).rejects.toThrow(/key/i);
    await client.send(new PutItemCommand({ TableName: 'recreated', Item: { second: { S: 'b' }, note: { S: 'new' } } }));
    const read = await client.send(new GetItemCommand({ TableName: 'recreated', Key: { second: { S: 'b' } } }));
    expect(read.Item?.note?.S).toBe('new');
    const described = await client.send(new DescribeTableCommand({ TableName: 'recreated' }));
    expect(described.Table?.KeySchema?.[0]?.AttributeName).toBe('second');
  });

  it('refuses item writes to a table once it is deleted', async () => {
    await createTable('dropped', 'pk');
    await client.send(new PutItemCommand({ TableName: 'dropped', Item: { pk: { S: 'a' } } }));
    await client.send(new DeleteTableCommand({ TableName: 'dropped' }));
    await expect(
      client.send(new PutItemCommand({ TableName: 'dropped', Item: { pk: { S: 'b' } } })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
