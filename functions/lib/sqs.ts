import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FeedQueue, ItemQueue, SendBatch } from './queues';
import { sendAsMessages } from './queues';

function sqsBatchSender(client: SQSClient, queueUrl: string): SendBatch {
  return async (entries) => {
    const response = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { failedIds: (response.Failed ?? []).flatMap((failure) => (failure.Id ? [failure.Id] : [])) };
  };
}

export function createSqsItemQueue(client: SQSClient, queueUrl: string): ItemQueue {
  const send = sqsBatchSender(client, queueUrl);
  return { sendItems: (items) => sendAsMessages(items, send) };
}

export function createSqsFeedQueue(client: SQSClient, queueUrl: string): FeedQueue {
  const send = sqsBatchSender(client, queueUrl);
  return { sendFeeds: (feeds) => sendAsMessages(feeds, send) };
}
