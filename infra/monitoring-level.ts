import {
  DEFAULT_MONITORING_LEVEL,
  isMonitoringLevel,
  MONITORING_LEVELS,
  type MonitoringLevel,
} from '../src/config/metrics';

/**
 * The `monitoring` context key: `full`, `standard` (default) or `minimal`. Anything else is a problem for
 * loadConfig's list, so `cdk synth` stops and names the allowed values instead of deploying a guess.
 */
export function readMonitoringLevel(raw: unknown, problems: string[]): MonitoringLevel {
  const value = typeof raw === 'string' ? raw.trim().replace(/^"(.*)"$/, '$1') : raw;
  if (value === undefined || value === null || value === '') return DEFAULT_MONITORING_LEVEL;
  if (isMonitoringLevel(value)) return value;
  problems.push(
    `monitoring must be one of ${MONITORING_LEVELS.join(', ')} (default ${DEFAULT_MONITORING_LEVEL}), ` +
      `got ${JSON.stringify(raw)}`,
  );
  return DEFAULT_MONITORING_LEVEL;
}
