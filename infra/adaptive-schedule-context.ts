import {
  type AdaptiveScheduleConfig,
  DEFAULT_ADAPTIVE_SCHEDULE,
  resolveAdaptiveSchedule,
} from '../src/ingestion/adaptive-schedule';

/**
 * The `adaptiveSchedule` context key: an object (or its JSON text) of overrides on the adaptive schedule's
 * documented defaults (src/ingestion/adaptive-schedule.ts), e.g. `-c adaptiveSchedule='{"minIntervalSec":180}'`.
 * Unknown keys and bad values are problems for loadConfig's list, so `cdk synth` stops before deploying a guess.
 */
export function readAdaptiveScheduleContext(raw: unknown, problems: string[]): AdaptiveScheduleConfig {
  const value = typeof raw === 'string' && raw.trim() !== '' ? parseJson(raw) : raw;
  if (value === undefined || value === null || value === '') return { ...DEFAULT_ADAPTIVE_SCHEDULE };
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`adaptiveSchedule must be an object of thresholds, got ${JSON.stringify(raw)}`);
    return { ...DEFAULT_ADAPTIVE_SCHEDULE };
  }
  const unknown = Object.keys(value).filter((key) => !(key in DEFAULT_ADAPTIVE_SCHEDULE));
  if (unknown.length > 0) {
    problems.push(`adaptiveSchedule has unknown thresholds: ${unknown.join(', ')}`);
    return { ...DEFAULT_ADAPTIVE_SCHEDULE };
  }
  try {
    return resolveAdaptiveSchedule(value as Partial<AdaptiveScheduleConfig>);
  } catch (error) {
    problems.push((error as Error).message);
    return { ...DEFAULT_ADAPTIVE_SCHEDULE };
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
