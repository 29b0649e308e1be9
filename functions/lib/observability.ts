import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  EMITTED_METRICS,
  METRICS_NAMESPACE,
  type MetricName,
  type MonitoringLevel,
  SERVICE_NAME,
} from '../../src/config/metrics';
import { redact } from '../../src/config/redact';

/** Counters the handlers emit; Powertools EMF in Lambda, a plain record in tests. */
export interface MetricsSink {
  /**
   * Adds to a count. `dimensions` beyond `service` split it (a reader rejection by its reason): each value seen is
   * its own custom metric, so they are kept to a few known values.
   */
  count(name: MetricName, value: number, dimensions?: Readonly<Record<string, string>>): void;
  /** Writes what was counted during the invocation. */
  flush(): void;
}

export interface Log {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

/** Powertools' layout with every extra attribute passed through redact(): no addresses, no feed bodies. */
class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(
    attributes: Parameters<LogFormatter['formatAttributes']>[0],
    additional: Parameters<LogFormatter['formatAttributes']>[1],
  ): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: redact(attributes.message) as string,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
      },
    }).addAttributes(redact(additional) as Record<string, unknown>);
  }
}

export function createLog(): Log {
  const logger = new Logger({ serviceName: SERVICE_NAME, logFormatter: new RedactingLogFormatter() });
  return {
    info: (message, attributes = {}) => logger.info(message, attributes),
    warn: (message, attributes = {}) => logger.warn(message, attributes),
    error: (message, attributes = {}) => logger.error(message, attributes),
  };
}

/**
 * EMF through Powertools, limited to the metrics the deploy's monitoring level pays for: each other count is
 * dropped here (the handlers still log it), so no custom metric exists that no alarm or dashboard reads.
 */
export function createPowertoolsMetrics(level: MonitoringLevel): MetricsSink {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const emitted = new Set<MetricName>(EMITTED_METRICS[level]);
  // EMF gives one document one set of dimensions: each dimensioned count is summed here and written on its own.
  const split = new Map<string, { name: MetricName; dimensions: Record<string, string>; value: number }>();
  return {
    count: (name, value, dimensions) => {
      if (!emitted.has(name)) return;
      if (!dimensions) {
        metrics.addMetric(name, MetricUnit.Count, value);
        return;
      }
      const key = JSON.stringify([name, Object.entries(dimensions).sort()]);
      const entry = split.get(key) ?? { name, dimensions: { ...dimensions }, value: 0 };
      entry.value += value;
      split.set(key, entry);
    },
    flush: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      for (const { name, dimensions, value } of split.values()) {
        metrics.singleMetric().addDimensions(dimensions).addMetric(name, MetricUnit.Count, value);
      }
      split.clear();
    },
  };
}
