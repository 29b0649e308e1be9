import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FeedQueue, ItemQueue } from '../../core/ports/queues';

/** SQS caps SendMessageBatch at ten entries. */
export const SQS_BATCH_LIMIT = 10;

export function chunk<T>(values: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}

/** One SendMessageBatch call: entries in, ids of the entries SQS refused out. */
export type SendBatch = (entries: { Id: string; MessageBody: string }[]) => Promise<{ failedIds: string[] }>;

/**
 * Sends each value as its own message, ten per call. Entries SQS refuses are retried once (they are
 * usually throttling); whatever still fails raises, so the caller's record fails and SQS redelivers it.
 */
export async function sendAsMessages<T>(values: readonly T[], sendBatch: SendBatch): Promise<void> {
  for (const group of chunk(values, SQS_BATCH_LIMIT)) {
    let entries = group.map((value, index) => ({ Id: String(index), MessageBody: JSON.stringify(value) }));
    for (let attempt = 1; entries.length > 0; attempt += 1) {
      const { failedIds } = await sendBatch(entries);
      const failed = new Set(failedIds);
      entries = entries.filter((entry) => failed.has(entry.Id));
      if (entries.length > 0 && attempt >= 2) {
        throw new Error(`SQS refused ${entries.length} of ${group.length} messages twice`);
      }
    }
  }
}

function sqsBatchSender(client: SQSClient, queueUrl: string): SendBatch {
  return async (entries) => {
    const response = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { failedIds: (response.Failed ?? []).flatMap((failure) => (failure.Id ? [failure.Id] : [])) };
  };
}

export function createSqsItemQueue(client: SQSClient, queueUrl: string): ItemQueue {
  const send = sqsBatchSender(client, queueUrl);
  // The feed id rides beside the item's fields: a message without one (sent before it existed) still parses.
  return {
    sendItems: (items, feedId) =>
      sendAsMessages(feedId === undefined ? items : items.map((item) => ({ ...item, feedId })), send),
  };
}

export function createSqsFeedQueue(client: SQSClient, queueUrl: string): FeedQueue {
  const send = sqsBatchSender(client, queueUrl);
  return { sendFeeds: (feeds) => sendAsMessages(feeds, send) };
}
