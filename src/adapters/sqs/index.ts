export {
  chunk,
  createSqsFeedQueue,
  createSqsItemQueue,
  type SendBatch,
  SQS_BATCH_LIMIT,
  sendAsMessages,
} from './queues';
