import type { InvocationContext, SqsEvent, SqsRecord } from '../../functions/lib/events';
import type { Log, MetricsSink } from '../../functions/lib/observability';
import type { MetricName } from '../../src/config/metrics';
import type { FeedDefinition, FeedItem } from '../../src/core/feed';
import type { FeedQueue, ItemQueue } from '../../src/core/ports/queues';

/**
 * SQS stand-ins. The handlers take their queue sender as a port (ItemQueue / FeedQueue); emulating the SQS
 * wire protocol on loopback is out of proportion for what these tests check, so the messages land in memory.
 * The bodies go through JSON exactly as with SQS, so they can be fed back as the next handler's event.
 */
export function memoryItemQueue(): ItemQueue & { bodies: string[]; items(): FeedItem[] } {
  const bodies: string[] = [];
  return {
    bodies,
    async sendItems(items, feedId) {
      for (const item of items) bodies.push(JSON.stringify(feedId === undefined ? item : { ...item, feedId }));
    },
    items: () => bodies.map((body) => JSON.parse(body) as FeedItem),
  };
}

export function memoryFeedQueue(): FeedQueue & { bodies: string[]; feeds(): FeedDefinition[] } {
  const bodies: string[] = [];
  return {
    bodies,
    async sendFeeds(feeds) {
      for (const feed of feeds) bodies.push(JSON.stringify(feed));
    },
    feeds: () => bodies.map((body) => JSON.parse(body) as FeedDefinition),
  };
}

export function recordingMetrics(): MetricsSink & {
  totals: Partial<Record<MetricName, number>>;
  /** The dimensioned counts, keyed like `ReaderRejections{reason=unknown_party}`. */
  split: Record<string, number>;
  flushes: number;
} {
  const sink = {
    totals: {} as Partial<Record<MetricName, number>>,
    split: {} as Record<string, number>,
    flushes: 0,
    count(name: MetricName, value: number, dimensions?: Readonly<Record<string, string>>) {
      sink.totals[name] = (sink.totals[name] ?? 0) + value;
      if (!dimensions) return;
      const key = `${name}{${Object.entries(dimensions)
        .sort()
        .map(([dimension, of]) => `${dimension}=${of}`)
        .join(',')}}`;
      sink.split[key] = (sink.split[key] ?? 0) + value;
    },
    flush() {
      sink.flushes += 1;
    },
  };
  return sink;
}

export function recordingLog(): Log & { entries: { level: string; message: string; attributes?: unknown }[] } {
  const entries: { level: string; message: string; attributes?: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, attributes?: Record<string, unknown>): void => {
      entries.push({ level, message, attributes });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
}

let messageCounter = 0;

/** An SQS event as Lambda delivers it, one record per body. */
export function sqsEvent(bodies: string[], queueName = 'storywatch-test'): SqsEvent {
  return {
    Records: bodies.map((body): SqsRecord => {
      messageCounter += 1;
      return {
        messageId: `00000000-0000-4000-8000-${String(messageCounter).padStart(12, '0')}`,
        receiptHandle: `receipt-${messageCounter}`,
        body,
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '1741940000000',
          SenderId: 'AIDAEXAMPLE',
          ApproximateFirstReceiveTimestamp: '1741940000001',
        },
        messageAttributes: {},
        md5OfBody: 'not-checked-by-the-handlers',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queueName}`,
        awsRegion: 'eu-west-1',
      };
    }),
  };
}

/** The input the stack gives each EventBridge Scheduler target. */
export const scheduledEvent = (task: 'dispatch' | 'publish' | 'digest') => ({ source: 'storywatch.schedule', task });

export const lambdaContext = (functionName: string): InvocationContext => ({
  functionName,
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 60_000,
});

export const fixedClock = (iso: string) => ({ now: () => new Date(iso) });
