import { READER_METRIC } from '../../src/config/metrics';
import { ANSWER_REJECTIONS, type ReaderLogEntry } from '../../src/reader/llm-reader';
import type { Log, MetricsSink } from './observability';

/**
 * What the LLM reader reports as it reads, in the analyzer's log and metrics: every fallback is logged with its
 * reason and items; a model answer refused for a reason of its own (an unknown party, an invented quote, a label
 * outside the story's set, a malformed or missing entry) is also counted by that reason, and stranger refs are
 * counted. The fallbacks as a whole are counted from the batch's readings (the handler's countReadings).
 */
export function readerEvents(log: Log, metrics: MetricsSink): (entry: ReaderLogEntry) => void {
  return (entry) => {
    const count = entry.count ?? entry.itemIds?.length ?? 1;
    switch (entry.event) {
      case 'reader_fallback': {
        const rejected = entry.reason !== undefined && ANSWER_REJECTIONS.includes(entry.reason);
        if (rejected) metrics.count(READER_METRIC.rejections, count, { reason: entry.reason as string });
        log.warn(rejected ? 'model reading rejected; the rules reading stands' : 'reader fell back to the rules', {
          ...entry,
        });
        return;
      }
      case 'reader_strangers':
        metrics.count(READER_METRIC.strangerRefs, count);
        log.warn('model answered about items it was not asked about; ignored', { ...entry });
        return;
      case 'reader_budget_unsettled':
        log.warn('reading budget not settled; the reservation stands', { ...entry });
        return;
    }
  };
}
