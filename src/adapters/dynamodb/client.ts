import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface DynamoClientOptions {
  /** e.g. http://127.0.0.1:8000 for dynalite or DynamoDB Local; omit for AWS. */
  endpoint?: string;
  region?: string;
  /** SDK retries with exponential backoff for throttling and 5xx; conditional failures are never retried. */
  maxAttempts?: number;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(endpoint).hostname);
  } catch {
    return false;
  }
}

/**
 * A DynamoDB client for AWS or a local emulator. Placeholder credentials are used only for a loopback endpoint
 * (emulators demand a signature but ignore it), so a typo can never send dummy keys to a real AWS endpoint.
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const local = options.endpoint !== undefined && isLoopbackEndpoint(options.endpoint);
  return new DynamoDBClient({
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.region || local ? { region: options.region ?? 'us-east-1' } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
