/**
 * The slices of the Lambda event shapes the handlers read. Declared here rather than pulling in @types/aws-lambda
 * for four interfaces.
 */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string | undefined>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What EventBridge Scheduler passes: the target input set in the stack, verbatim. */
export interface ScheduledInvocation {
  source?: string;
  task?: string;
}

/** The part of the Lambda context the handlers and Powertools use; tests pass a minimal one. */
export interface InvocationContext {
  functionName: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}
