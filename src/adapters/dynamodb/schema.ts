import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The single-table layout. The CDK stack imports these names, so the table it creates in AWS and the one
 * ensureTable creates locally never drift apart. See docs/data-model.md for every access pattern.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Overloaded index: feed states, alerts by time, sources linked to an item. */
export const GSI1 = { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' } as const;

/** Sparse index: only alerts still waiting to be published carry its keys (the outbox sweep). */
export const PENDING_INDEX = { name: 'gsi2-pending', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' } as const;

export const GLOBAL_SECONDARY_INDEXES = [GSI1, PENDING_INDEX] as const;

/** Epoch seconds; DynamoDB deletes dedup markers some time after it passes. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const DEFAULT_TABLE_NAME = 'storywatch';

/**
 * Creates the table with its indexes and TTL when it does not exist yet (local runs and tests; in AWS the CDK
 * stack owns the table). Returns true when it created the table.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return false;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const keyAttributes = [TABLE_KEYS, ...GLOBAL_SECONDARY_INDEXES].flatMap((keys) => [keys.partitionKey, keys.sortKey]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (error) {
    // Two processes starting against the same fresh endpoint may race to create it.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite has no TTL API; expiry only matters for storage cost, never for correctness.
    if ((error as Error).name !== 'UnknownOperationException') throw error;
  }
  return true;
}

/** Deletes the table and waits until it is gone, so a store can start over empty. */
export async function dropTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DeleteTableCommand({ TableName: tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  // Deletion finishes after the call returns; a table still 'DELETING' would pass for the new one and then vanish.
  await waitUntilTableNotExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}
