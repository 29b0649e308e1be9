import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLog, createPowertoolsMetrics } from '../../../functions/lib/observability';

let written: string[];
let originalWrite: typeof process.stdout.write;

// Powertools writes one JSON document per line to stdout; CloudWatch reads logs and EMF metrics from there.
beforeEach(() => {
  written = [];
  originalWrite = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
});
afterEach(() => {
  process.stdout.write = originalWrite;
});

const documents = () =>
  written
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('createLog', () => {
  it('writes structured JSON with the service name and masks addresses and feed bodies', () => {
    const log = createLog();

    log.info('subscription for ops@example.org', {
      feedId: 'wire',
      endpoints: ['+14155550100'],
      response: { status: 200, body: '<rss><item>long feed text</item></rss>' },
    });

    const [entry] = documents();
    expect(entry).toMatchObject({
      level: 'INFO',
      service: 'storywatch',
      message: 'subscription for [email]',
      feedId: 'wire',
      endpoints: ['[phone]'],
      response: { status: 200, body: '[redacted]' },
    });
    expect(written.join('')).not.toMatch(/ops@example\.org|4155550100|long feed text/);
  });
});

describe('createPowertoolsMetrics', () => {
  it('emits EMF in the Storywatch namespace with the service dimension the alarms select on', () => {
    const metrics = createPowertoolsMetrics('full');

    metrics.count('FeedsPolled', 2);
    metrics.count('FeedsPolled', 1);
    metrics.count('ItemsNew', 5);
    metrics.flush();

    const emf = documents().find((document) => '_aws' in document);
    if (!emf) throw new Error('no EMF document was written');
    expect(emf).toMatchObject({ service: 'storywatch', ItemsNew: 5 });
    expect([emf.FeedsPolled].flat().reduce((sum: number, value) => sum + Number(value), 0)).toBe(3);
    const [directive] = (emf._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] })
      .CloudWatchMetrics;
    expect(directive).toMatchObject({ Namespace: 'Storywatch', Dimensions: [['service']] });
  });

  it('writes at the standard level only the metrics its alarms read, and at minimal none at all', () => {
    const standard = createPowertoolsMetrics('standard');
    standard.count('FeedsPolled', 1);
    standard.count('FeedsFailed', 2);
    standard.count('ItemsNew', 5);
    standard.count('AlertsSent', 1);
    standard.flush();
    const emf = documents().filter((document) => '_aws' in document);
    expect(emf).toHaveLength(1);
    const emitted = emf[0] as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } };
    const names = emitted._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((metric) => metric.Name));
    expect(names.sort()).toEqual(['FeedsFailed', 'FeedsPolled']);

    const minimal = createPowertoolsMetrics('minimal');
    minimal.count('FeedsPolled', 1);
    minimal.flush();
    expect(documents().filter((document) => '_aws' in document)).toHaveLength(1);
  });

  it('writes a dimensioned count on its own, summed per dimension value, with the service dimension kept', () => {
    const metrics = createPowertoolsMetrics('standard');
    metrics.count('ReaderFallbacks', 3);
    metrics.count('ReaderRejections', 1, { reason: 'unknown_party' });
    metrics.count('ReaderRejections', 2, { reason: 'unknown_party' });
    metrics.count('ReaderRejections', 1, { reason: 'ungrounded_quote' });
    metrics.flush();

    const emf = documents().filter((document) => '_aws' in document);
    type Emf = { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } } & Record<
      string,
      unknown
    >;
    const rejections = (emf as Emf[]).filter((document) => 'ReaderRejections' in document);
    expect(rejections.map((document) => [document.reason, document.ReaderRejections])).toEqual([
      ['unknown_party', 3],
      ['ungrounded_quote', 1],
    ]);
    for (const document of rejections) {
      expect(document.service).toBe('storywatch');
      expect(document._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Storywatch' });
      expect(document._aws.CloudWatchMetrics[0]?.Dimensions.flat().sort()).toEqual(['reason', 'service']);
      expect(document).not.toHaveProperty('ReaderFallbacks');
    }
    expect(emf.filter((document) => 'ReaderFallbacks' in document)).toHaveLength(1);

    // Flushed once: the next invocation starts from nothing.
    metrics.flush();
    expect(documents().filter((document) => '_aws' in document)).toHaveLength(3);
  });

  it('writes nothing when the invocation counted nothing', () => {
    const metrics = createPowertoolsMetrics('full');

    metrics.flush();

    expect(documents().filter((document) => '_aws' in document)).toEqual([]);
  });
});
