import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { InvocationContext, SqsBatchResponse, SqsEvent, SqsRecord } from './events';
import type { Log } from './observability';

/**
 * Runs one record handler per SQS message and reports the failed ones, so SQS redelivers only those.
 * When every record fails Powertools throws, which makes Lambda retry the whole batch: same effect, one log line.
 */
export async function processSqsBatch(
  event: SqsEvent,
  context: InvocationContext | undefined,
  handleRecord: (record: SqsRecord) => Promise<void>,
  options: { inParallel: boolean; log: Log },
): Promise<SqsBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  // Logged here because Powertools only keeps the cause of a failed record when the whole batch fails.
  const handleAndReport = async (record: SqsRecord) => {
    try {
      await handleRecord(record);
    } catch (error) {
      options.log.error('record failed; SQS will redeliver it', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      throw error;
    }
  };
  // Powertools' own types come from @types/aws-lambda, which this project does not install; the shapes match.
  const response = await processPartialResponse(event as never, handleAndReport as never, processor, {
    ...(context ? { context: context as never } : {}),
    processInParallel: options.inParallel,
  });
  return { batchItemFailures: response.batchItemFailures.map(({ itemIdentifier }) => ({ itemIdentifier })) };
}

/** Thrown for a message no retry can fix; it still fails its record so the DLQ keeps it for a person. */
export class MalformedMessageError extends Error {
  override name = 'MalformedMessageError';
}

export function parseJsonBody(record: SqsRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    throw new MalformedMessageError(`message ${record.messageId} is not JSON`);
  }
}

/** Records whose body parsed, with the parsed value, and the records that did not (logged, to fail them). */
export function parseRecords<T>(
  records: SqsRecord[],
  parse: (body: unknown) => T,
  log: Log,
): { parsed: { record: SqsRecord; value: T }[]; malformed: SqsRecord[] } {
  const parsed: { record: SqsRecord; value: T }[] = [];
  const malformed: SqsRecord[] = [];
  for (const record of records) {
    try {
      parsed.push({ record, value: parse(parseJsonBody(record)) });
    } catch (error) {
      log.error('record failed; SQS will redeliver it', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error,
      });
      malformed.push(record);
    }
  }
  return { parsed, malformed };
}

/** The partial batch response failing exactly these records. */
export function failuresOf(records: SqsRecord[]): SqsBatchResponse {
  return { batchItemFailures: records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
}
