import { existsSync, statSync } from 'node:fs';
import { ChannelConfigError } from '../src/channels/config';
import { type DeclaredChannel, parseDeclaredChannels } from '../src/channels/declared';
import type { MonitoringLevel } from '../src/config/metrics';
import { readStoryCatalog } from '../src/detection/story';
import type { AdaptiveScheduleConfig } from '../src/ingestion/adaptive-schedule';
import { loadFeedRegistry } from '../src/ingestion/registry';
import { readAdaptiveScheduleContext } from './adaptive-schedule-context';
import {
  type AlertSubscription,
  checkDailyDigestFilters,
  readFilter,
  readOpsEmail,
  readSubscriptions,
} from './alert-subscriptions';
import { parseMaybeJson, readInteger, readOptionalMatch, readPath } from './context-values';
import { readMonitoringLevel } from './monitoring-level';
import { readReaderContext } from './reader-context';
import { readSitePathPrefix } from './site-context';

export type { AlertFilter, AlertSubscription } from './alert-subscriptions';

export interface StorywatchConfig {
  alertEmails: AlertSubscription[];
  alertPhoneNumbers: AlertSubscription[];
  /** Null only when allowSilentAlarms was given: then alarms reach nobody until someone subscribes by hand. */
  opsEmail: string | null;
  /** Redeploy after `cdk destroy` onto the retained table and key instead of new empty ones. */
  existingTableName: string | null;
  existingKeyArn: string | null;
  /** Account-wide SNS SMS budget in whole USD; new accounts are capped at 1 until AWS raises their quota. */
  smsMonthlySpendLimitUsd: number;
  /** The dispatcher's tick (default 1): each tick polls the feeds whose adaptive due time has come. */
  pollRateMinutes: number;
  /** Thresholds of the adaptive poll schedule; the defaults are documented in src/ingestion/adaptive-schedule.ts. */
  adaptiveSchedule: AdaptiveScheduleConfig;
  /** Length of one heartbeat period; the heartbeat alarm fires after three without a successful poll. */
  heartbeatPeriodMinutes: number;
  publisherSweepMinutes: number;
  logRetentionDays: number;
  pollerMaxConcurrency: number;
  analyzerMaxConcurrency: number;
  /** Absolute paths on the synth machine; the files are copied into every function bundle. */
  feedRegistryPath: string;
  storiesDir: string;
  /** Who reads items in the analyzer: `rules` (default, no model access needed) or `bedrock`. */
  reader: 'rules' | 'bedrock';
  /** Foundation model or system inference profile id; set when reader is bedrock. */
  bedrockModelId: string | null;
  /** Daily budget per story for the bedrock reader; null means no limit of that kind. */
  readerItemsPerDay: number | null;
  readerTokensPerDay: number | null;
  /** Which alarms, dashboard and custom metrics the deploy pays for (src/config/metrics.ts). */
  monitoring: MonitoringLevel;
  /** Slack, Teams and webhook channels: where their values are kept in AWS, never the values. */
  channels: DeclaredChannel[];
  /** First path segment of the hosted pages, hard to guess (obscurity, not access control); null: none. */
  sitePathPrefix: string | null;
}

/** Retention values CloudWatch Logs accepts; anything else is rejected by the service at deploy time. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid storywatch context in cdk.json / -c:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type ContextReader = (key: string) => unknown;

const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

/**
 * The defaults of the context keys loadConfig reads with a fallback, in one place; cdk.json sets none of them, so
 * these are what a deploy gets. Bounds and documentation of each key: README.md, "Configuration".
 */
export const CONFIG_DEFAULTS = {
  smsMonthlySpendLimitUsd: 1,
  pollRateMinutes: 1,
  // A feed polled every 15 minutes (the ingestion default) is due only on every third or fourth tick of a
  // 5-minute schedule, so a period of one tick would report silence that is normal.
  minHeartbeatPeriodMinutes: 15,
  publisherSweepMinutes: 15,
  pollerMaxConcurrency: 5,
  analyzerMaxConcurrency: 2,
  logRetentionDays: 30,
  feedRegistry: 'feeds/registry.json',
  storiesDir: 'stories',
} as const;

/**
 * Reads and validates every context value at once so a bad cdk.json reports all its problems together,
 * before anything is synthesized. `-c key=value` overrides arrive as strings, hence the JSON fallback.
 */
export function loadConfig(readContext: ContextReader, projectRoot: string): StorywatchConfig {
  const problems: string[] = [];
  const config: StorywatchConfig = {
    ...readAlerting(readContext, problems),
    ...readRetainedData(readContext, problems),
    smsMonthlySpendLimitUsd: readInteger(
      readContext('smsMonthlySpendLimitUsd'),
      'smsMonthlySpendLimitUsd',
      CONFIG_DEFAULTS.smsMonthlySpendLimitUsd,
      1,
      100_000,
      problems,
    ),
    ...readCadence(readContext, problems),
    ...readBundledFiles(readContext, projectRoot, problems),
    ...readReaderContext(readContext, problems),
    monitoring: readMonitoringLevel(readContext('monitoring'), problems),
    channels: readChannels(readContext('channels'), problems),
    sitePathPrefix: readSitePathPrefix(readContext('sitePathPrefix'), problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Who hears alerts and alarms. */
function readAlerting(
  readContext: ContextReader,
  problems: string[],
): Pick<StorywatchConfig, 'alertEmails' | 'alertPhoneNumbers' | 'opsEmail'> {
  const alertEmails = readSubscriptions(readContext('alertEmails'), 'alertEmails', 'email', problems);
  const alertPhoneNumbers = readSubscriptions(readContext('alertPhoneNumbers'), 'alertPhoneNumbers', 'phone', problems);
  const defaultFilter = readFilter(readContext('alertFilter'), 'alertFilter', problems);
  // The default of every subscriber that names no filter, immediate or daily.
  for (const subscription of [...alertEmails, ...alertPhoneNumbers]) subscription.filter ??= defaultFilter;
  checkDailyDigestFilters([...alertEmails, ...alertPhoneNumbers], problems);
  return {
    alertEmails,
    alertPhoneNumbers,
    opsEmail: readOpsEmail(readContext, problems),
  };
}

/** The table and key a redeploy after `cdk destroy` takes over. */
function readRetainedData(
  readContext: ContextReader,
  problems: string[],
): Pick<StorywatchConfig, 'existingTableName' | 'existingKeyArn'> {
  return {
    existingTableName: readOptionalMatch(
      readContext('existingTableName'),
      'existingTableName',
      TABLE_NAME_PATTERN,
      'a DynamoDB table name (3-255 letters, digits, _ . -)',
      problems,
    ),
    existingKeyArn: readOptionalMatch(
      readContext('existingKeyArn'),
      'existingKeyArn',
      KEY_ARN_PATTERN,
      'a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key id>',
      problems,
    ),
  };
}

type Cadence = Pick<
  StorywatchConfig,
  | 'pollRateMinutes'
  | 'adaptiveSchedule'
  | 'heartbeatPeriodMinutes'
  | 'publisherSweepMinutes'
  | 'pollerMaxConcurrency'
  | 'analyzerMaxConcurrency'
  | 'logRetentionDays'
>;

/** How often the functions run, how many at once, and how long their logs are kept. */
function readCadence(readContext: ContextReader, problems: string[]): Cadence {
  const integer = (key: keyof typeof CONFIG_DEFAULTS & keyof Cadence, min: number, max: number) =>
    readInteger(readContext(key), key, CONFIG_DEFAULTS[key], min, max, problems);
  const pollRateMinutes = integer('pollRateMinutes', 1, 1440);
  const adaptiveSchedule = readAdaptiveScheduleContext(readContext('adaptiveSchedule'), problems);
  const heartbeatPeriodMinutes = readInteger(
    readContext('heartbeatPeriodMinutes'),
    'heartbeatPeriodMinutes',
    Math.max(pollRateMinutes, CONFIG_DEFAULTS.minHeartbeatPeriodMinutes),
    1,
    1440,
    problems,
  );
  if (heartbeatPeriodMinutes < pollRateMinutes) {
    problems.push(
      `heartbeatPeriodMinutes (${heartbeatPeriodMinutes}) must not be shorter than pollRateMinutes (${pollRateMinutes})`,
    );
  }
  const publisherSweepMinutes = integer('publisherSweepMinutes', 1, 1440);
  const pollerMaxConcurrency = integer('pollerMaxConcurrency', 2, 1000);
  const analyzerMaxConcurrency = integer('analyzerMaxConcurrency', 2, 1000);
  const logRetentionDays = integer('logRetentionDays', 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${logRetentionDays}`);
  }
  return {
    pollRateMinutes,
    adaptiveSchedule,
    heartbeatPeriodMinutes,
    publisherSweepMinutes,
    pollerMaxConcurrency,
    analyzerMaxConcurrency,
    logRetentionDays,
  };
}

/**
 * The feed registry and the stories, bundled into the Lambdas as they are: a mistake found here is one the
 * functions never meet at run time.
 */
function readBundledFiles(
  readContext: ContextReader,
  projectRoot: string,
  problems: string[],
): Pick<StorywatchConfig, 'feedRegistryPath' | 'storiesDir'> {
  const feedRegistryPath = readPath(
    readContext('feedRegistry'),
    'feedRegistry',
    { fallback: CONFIG_DEFAULTS.feedRegistry, kind: 'file', projectRoot },
    problems,
  );
  const storiesDir = readPath(
    readContext('storiesDir'),
    'storiesDir',
    { fallback: CONFIG_DEFAULTS.storiesDir, kind: 'directory', projectRoot },
    problems,
  );
  if (storiesDir && existsSync(storiesDir) && statSync(storiesDir).isDirectory()) {
    for (const broken of readStoryCatalog(storiesDir).broken) problems.push(`storiesDir: ${broken.message}`);
  }
  if (feedRegistryPath && existsSync(feedRegistryPath) && statSync(feedRegistryPath).isFile()) {
    try {
      loadFeedRegistry(feedRegistryPath);
    } catch (error) {
      problems.push(`feedRegistry: ${(error as Error).message}`);
    }
  }
  return { feedRegistryPath, storiesDir };
}

function readChannels(raw: unknown, problems: string[]): DeclaredChannel[] {
  try {
    return parseDeclaredChannels(parseMaybeJson(raw));
  } catch (error) {
    if (!(error instanceof ChannelConfigError)) throw error;
    problems.push(error.message);
    return [];
  }
}
