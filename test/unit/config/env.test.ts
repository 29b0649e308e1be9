import { describe, expect, it } from 'vitest';
import {
  adaptiveSchedule,
  feedRegistryPath,
  MissingEnvError,
  monitoringLevel,
  optionalAdaptiveSchedule,
  pollDeadlineMs,
  storiesDir,
  tableName,
} from '../../../src/config/env';

describe('handler environment getters', () => {
  it('return the value the stack set', () => {
    expect(tableName({ TABLE_NAME: 'StorywatchData-Table-1ABC' })).toBe('StorywatchData-Table-1ABC');
  });

  it('fail loudly, naming the variable, when it is missing or blank', () => {
    expect(() => tableName({})).toThrow(MissingEnvError);
    expect(() => tableName({ TABLE_NAME: '  ' })).toThrow('Environment variable TABLE_NAME is not set');
  });

  it('resolve bundled relative paths against the Lambda task root', () => {
    const env = { LAMBDA_TASK_ROOT: '/var/task', STORYWATCH_STORIES_DIR: 'stories' };
    expect(storiesDir(env)).toBe('/var/task/stories');
    expect(feedRegistryPath({ STORYWATCH_FEED_REGISTRY: '/opt/feeds/registry.json' })).toBe('/opt/feeds/registry.json');
  });

  it('reject a poll deadline that is not a positive whole number of milliseconds', () => {
    expect(pollDeadlineMs({ STORYWATCH_POLL_DEADLINE_MS: '20000' })).toBe(20_000);
    expect(() => pollDeadlineMs({ STORYWATCH_POLL_DEADLINE_MS: '20s' })).toThrow(/positive whole number, got "20s"/);
  });

  it('read the monitoring level the stack set, and refuse one that is missing or unknown', () => {
    expect(monitoringLevel({ STORYWATCH_MONITORING: 'minimal' })).toBe('minimal');
    expect(() => monitoringLevel({})).toThrow(MissingEnvError);
    expect(() => monitoringLevel({ STORYWATCH_MONITORING: 'verbose' })).toThrow(
      /STORYWATCH_MONITORING must be one of full, standard, minimal, got "verbose"/,
    );
  });

  it('read the adaptive schedule as JSON overrides, loudly when it is missing or malformed', () => {
    const env = { STORYWATCH_ADAPTIVE_SCHEDULE: '{"hotIntervalSec":300}' };
    expect(adaptiveSchedule(env)).toMatchObject({ hotIntervalSec: 300, minIntervalSec: 120 });
    expect(() => adaptiveSchedule({})).toThrow(MissingEnvError);
    expect(() => adaptiveSchedule({ STORYWATCH_ADAPTIVE_SCHEDULE: 'fast' })).toThrow(/must be a JSON object/);
    expect(() => adaptiveSchedule({ STORYWATCH_ADAPTIVE_SCHEDULE: '{"maxIntervalSec":-1}' })).toThrow(RangeError);
    expect(optionalAdaptiveSchedule({}).hotIntervalSec).toBe(240);
  });
});
