import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeEach, describe, expect } from 'vitest';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy';
import { loopbackSnsClient, type SnsEndpoint, startSnsEndpoint } from '../support/sns-endpoint';
import { storageTest as it } from '../support/storage';

let sns: SnsEndpoint;
let dynamoProxy: FaultProxy;
let snsProxy: FaultProxy;
let dynamoClient: DynamoDBClient;
let snsClient: SNSClient;

it.beforeAll(async ({ dynamo }) => {
  sns = await startSnsEndpoint();
  [dynamoProxy, snsProxy] = await Promise.all([
    startFaultProxy({ target: dynamo.endpoint, service: 'dynamodb' }),
    startFaultProxy({ target: sns.endpoint, service: 'sns' }),
  ]);
  // One attempt, so each call shows exactly what the proxy answered.
  dynamoClient = createDynamoClient({ endpoint: dynamoProxy.endpoint, region: 'us-east-1', maxAttempts: 1 });
  snsClient = loopbackSnsClient(snsProxy.endpoint, 1);
});
afterAll(async () => {
  dynamoClient?.destroy();
  snsClient?.destroy();
  await Promise.all([dynamoProxy?.close(), snsProxy?.close()]);
  await sns?.close();
});
beforeEach(() => {
  dynamoProxy.clear();
  snsProxy.clear();
});

const listTables = () => dynamoClient.send(new ListTablesCommand({}));
const publish = () => snsClient.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:1:t', Message: 'm' }));

/** What each call did: 'ok' or the SDK's error name. */
async function outcomes(count: number, call: () => Promise<unknown>): Promise<string[]> {
  const results: string[] = [];
  for (let index = 0; index < count; index += 1) {
    results.push(
      await call().then(
        () => 'ok',
        (error: Error) => error.name,
      ),
    );
  }
  return results;
}

describe('fault proxy', () => {
  it('answers DynamoDB throttling in the wire format the SDK classifies as throttling', async () => {
    dynamoProxy.inject({ fault: { kind: 'throttle' }, next: 1 });
    dynamoProxy.inject({ fault: { kind: 'throttle', code: 'ThrottlingException' }, next: 1 });

    const errors = await Promise.allSettled([listTables(), listTables()]);

    const reasons = errors.map((result) => (result.status === 'rejected' ? (result.reason as Error) : null));
    expect(reasons.map((error) => error?.name).sort()).toEqual([
      'ProvisionedThroughputExceededException',
      'ThrottlingException',
    ]);
    for (const error of reasons) {
      expect((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(400);
    }
    expect(await outcomes(1, listTables)).toEqual(['ok']);
  });

  it('answers SNS throttling and outages with the Query API XML errors', async () => {
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'throttle' }, next: 1 });
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'status', status: 500 }, next: 1 });
    const before = sns.published.length;

    // The SDK names the modeled InternalError code InternalErrorException.
    expect(await outcomes(3, publish)).toEqual(['Throttling', 'InternalErrorException', 'ok']);
    expect(sns.published.length).toBe(before + 1);
  });

  it('fails every k-th matching request and only the operations named', async () => {
    dynamoProxy.inject({ operations: ['ListTables'], fault: { kind: 'status', status: 500 }, every: 3 });

    expect(await outcomes(7, listTables)).toEqual([
      'ok',
      'ok',
      'InternalServerError',
      'ok',
      'ok',
      'InternalServerError',
      'ok',
    ]);
    expect(await outcomes(2, publish)).toEqual(['ok', 'ok']);
  });

  it('fails every matching request during a window and none after it', async () => {
    dynamoProxy.inject({ fault: { kind: 'throttle' }, forMs: 300 });
    const during = await outcomes(2, listTables);
    await new Promise((resolve) => setTimeout(resolve, 350));

    expect(during).toEqual(['ProvisionedThroughputExceededException', 'ProvisionedThroughputExceededException']);
    expect(await outcomes(1, listTables)).toEqual(['ok']);
  });

  it('lets a lost-response request take effect while the caller sees a network error', async () => {
    snsProxy.inject({ operations: ['Publish'], fault: { kind: 'lose-response' }, next: 1 });
    const before = sns.published.length;

    const [result] = await outcomes(1, publish);

    expect(result).not.toBe('ok');
    expect(sns.published.length).toBe(before + 1);
    expect(snsProxy.count('lose-response', 'Publish')).toBe(1);
  });

  it('applies one fault per request and counts the others toward their own schedule', async () => {
    dynamoProxy.inject({ fault: { kind: 'status', status: 500 }, next: 2 });
    dynamoProxy.inject({ fault: { kind: 'drop' }, next: 1 });

    await outcomes(4, listTables);

    expect(dynamoProxy.events.map((event) => event.outcome)).toEqual(['status', 'status', 'drop', 'forwarded']);
  });
});
