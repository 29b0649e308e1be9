import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ChannelConfigError } from '../src/channels/config';
import { type DeclaredChannel, parseDeclaredChannels } from '../src/channels/declared';
import type { MonitoringLevel } from '../src/config/metrics';
import { readStoryCatalog } from '../src/detection/story';
import type { AdaptiveScheduleConfig } from '../src/ingestion/adaptive-schedule';
import { loadFeedRegistry } from '../src/ingestion/registry';
import { readAdaptiveScheduleContext } from './adaptive-schedule-context';
import { readMonitoringLevel } from './monitoring-level';
import { readSitePathPrefix } from './site-context';

export const PARTIES = ['russia', 'ukraine', 'us', 'europe'] as const;
export const SEVERITIES = ['high', 'low'] as const;

/** Limits which alerts one subscriber receives; enforced by SNS on the message attributes `party` and `severity`. */
export interface AlertFilter {
  parties?: string[];
  severities?: string[];
}

export interface AlertSubscription {
  address: string;
  /** null: the subscriber receives every alert. */
  filter: AlertFilter | null;
}

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

// Deliberately simple: SNS validates deliverability; this only catches typos before a deploy.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164_PATTERN = /^\+[1-9]\d{7,14}$/;
const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;
const KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;

/**
 * Reads and validates every context value at once so a bad cdk.json reports all its problems together,
 * before anything is synthesized. `-c key=value` overrides arrive as strings, hence the JSON fallback.
 */
export function loadConfig(readContext: ContextReader, projectRoot: string): StorywatchConfig {
  const problems: string[] = [];

  const alertEmails = readSubscriptions(readContext('alertEmails'), 'alertEmails', 'email', problems);
  const alertPhoneNumbers = readSubscriptions(readContext('alertPhoneNumbers'), 'alertPhoneNumbers', 'phone', problems);
  const defaultFilter = readFilter(readContext('alertFilter'), 'alertFilter', problems);
  for (const subscription of [...alertEmails, ...alertPhoneNumbers]) {
    subscription.filter ??= defaultFilter;
  }

  const opsEmail = readOpsEmail(readContext, problems);
  const existingTableName = readOptionalMatch(
    readContext('existingTableName'),
    'existingTableName',
    TABLE_NAME_PATTERN,
    'a DynamoDB table name (3-255 letters, digits, _ . -)',
    problems,
  );
  const existingKeyArn = readOptionalMatch(
    readContext('existingKeyArn'),
    'existingKeyArn',
    KEY_ARN_PATTERN,
    'a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/<key id>',
    problems,
  );

  const smsMonthlySpendLimitUsd = readInteger(
    readContext('smsMonthlySpendLimitUsd'),
    'smsMonthlySpendLimitUsd',
    1,
    1,
    100_000,
    problems,
  );
  const pollRateMinutes = readInteger(readContext('pollRateMinutes'), 'pollRateMinutes', 1, 1, 1440, problems);
  const adaptiveSchedule = readAdaptiveScheduleContext(readContext('adaptiveSchedule'), problems);
  // A feed polled every 15 minutes (the ingestion default) is due only on every third or fourth tick of a 5-minute
  // schedule, so a period of one tick would report silence that is normal.
  const heartbeatPeriodMinutes = readInteger(
    readContext('heartbeatPeriodMinutes'),
    'heartbeatPeriodMinutes',
    Math.max(pollRateMinutes, 15),
    1,
    1440,
    problems,
  );
  if (heartbeatPeriodMinutes < pollRateMinutes) {
    problems.push(
      `heartbeatPeriodMinutes (${heartbeatPeriodMinutes}) must not be shorter than pollRateMinutes (${pollRateMinutes})`,
    );
  }
  const publisherSweepMinutes = readInteger(
    readContext('publisherSweepMinutes'),
    'publisherSweepMinutes',
    15,
    1,
    1440,
    problems,
  );
  const pollerMaxConcurrency = readInteger(
    readContext('pollerMaxConcurrency'),
    'pollerMaxConcurrency',
    5,
    2,
    1000,
    problems,
  );
  const analyzerMaxConcurrency = readInteger(
    readContext('analyzerMaxConcurrency'),
    'analyzerMaxConcurrency',
    2,
    2,
    1000,
    problems,
  );
  const logRetentionDays = readInteger(readContext('logRetentionDays'), 'logRetentionDays', 30, 1, 3653, problems);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    problems.push(`logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(', ')}, got ${logRetentionDays}`);
  }

  const feedRegistryPath = readPath(readContext('feedRegistry'), 'feedRegistry', 'feeds/registry.json', 'file');
  const storiesDir = readPath(readContext('storiesDir'), 'storiesDir', 'stories', 'directory');
  // Both are bundled into the Lambdas as they are: a mistake found here is one the functions never meet at run time.
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

  const reader = readReaderContext(readContext, problems);
  const monitoring = readMonitoringLevel(readContext('monitoring'), problems);
  const channels = readChannels(readContext('channels'), problems);
  const sitePathPrefix = readSitePathPrefix(readContext('sitePathPrefix'), problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...reader,
    alertEmails,
    alertPhoneNumbers,
    opsEmail,
    existingTableName,
    existingKeyArn,
    smsMonthlySpendLimitUsd,
    pollRateMinutes,
    adaptiveSchedule,
    heartbeatPeriodMinutes,
    publisherSweepMinutes,
    logRetentionDays,
    pollerMaxConcurrency,
    analyzerMaxConcurrency,
    feedRegistryPath,
    storiesDir,
    monitoring,
    channels,
    sitePathPrefix,
  };

  function readPath(raw: unknown, key: string, fallback: string, kind: 'file' | 'directory'): string {
    const value = parseMaybeJson(raw) ?? fallback;
    if (typeof value !== 'string' || value === '') {
      problems.push(`${key} must be a path, got ${JSON.stringify(value)}`);
      return '';
    }
    const absolute = isAbsolute(value) ? value : resolve(projectRoot, value);
    if (!existsSync(absolute)) {
      problems.push(`${key} points to ${absolute}, which does not exist`);
    } else if (kind === 'directory' ? !statSync(absolute).isDirectory() : !statSync(absolute).isFile()) {
      problems.push(`${key} must be a ${kind}: ${absolute}`);
    }
    return absolute;
  }
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

/** Model ids look like `amazon.nova-lite-v1:0`, optionally behind a profile geography (`us.`, `eu.`, `global.`). */
const MODEL_ID_PATTERN = /^(?:(?:us|eu|apac|us-gov|global)\.)?[a-z0-9-]+\.[a-z0-9.:-]+$/;

function readReaderContext(
  readContext: ContextReader,
  problems: string[],
): Pick<StorywatchConfig, 'reader' | 'bedrockModelId' | 'readerItemsPerDay' | 'readerTokensPerDay'> {
  const rawReader = parseMaybeJson(readContext('reader')) ?? 'rules';
  const reader = rawReader === 'bedrock' ? 'bedrock' : 'rules';
  if (rawReader !== 'rules' && rawReader !== 'bedrock') {
    problems.push(`reader must be "rules" or "bedrock", got ${JSON.stringify(rawReader)}`);
  }
  const rawModel = parseMaybeJson(readContext('bedrockModelId'));
  let bedrockModelId: string | null = null;
  if (rawModel !== undefined && rawModel !== null && rawModel !== '') {
    if (typeof rawModel === 'string' && MODEL_ID_PATTERN.test(rawModel)) bedrockModelId = rawModel;
    else
      problems.push(`bedrockModelId must be a Bedrock model or inference profile id, got ${JSON.stringify(rawModel)}`);
  }
  if (reader === 'bedrock' && bedrockModelId === null) {
    problems.push('reader=bedrock needs bedrockModelId (e.g. -c bedrockModelId=amazon.nova-lite-v1:0)');
  }
  const budget = (key: string) => {
    const raw = readContext(key);
    return raw === undefined || raw === null || raw === '' ? null : readInteger(raw, key, 0, 1, 100_000_000, problems);
  };
  return {
    reader,
    bedrockModelId,
    readerItemsPerDay: budget('readerItemsPerDay'),
    readerTokensPerDay: budget('readerTokensPerDay'),
  };
}

/**
 * Alarms without a subscriber fire into the void, so a deploy must name one, or say out loud that it does not
 * want one (a test deploy, or a subscriber added outside CDK).
 */
function readOpsEmail(readContext: ContextReader, problems: string[]): string | null {
  const raw = parseMaybeJson(readContext('opsEmail'));
  const allowSilent = readBoolean(readContext('allowSilentAlarms'), 'allowSilentAlarms', problems);
  if (raw === undefined || raw === null || raw === '') {
    if (!allowSilent) {
      problems.push(
        'opsEmail is not set, so every alarm would reach nobody: deploy with -c opsEmail=you@example.org ' +
          '(or -c allowSilentAlarms=true to deploy without an ops subscriber on purpose)',
      );
    }
    return null;
  }
  if (typeof raw === 'string' && EMAIL_PATTERN.test(raw)) return raw;
  problems.push(`opsEmail must be an email address, got ${JSON.stringify(raw)}`);
  return null;
}

function readBoolean(raw: unknown, key: string, problems: string[]): boolean {
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return true;
  problems.push(`${key} must be true or false, got ${JSON.stringify(raw)}`);
  return false;
}

function readOptionalMatch(
  raw: unknown,
  key: string,
  pattern: RegExp,
  expected: string,
  problems: string[],
): string | null {
  const value = parseMaybeJson(raw);
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && pattern.test(value)) return value;
  problems.push(`${key} must be ${expected}, got ${JSON.stringify(value)}`);
  return null;
}

function parseMaybeJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const trimmed = raw.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{') || trimmed.startsWith('"')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

function readInteger(
  raw: unknown,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

function readSubscriptions(
  raw: unknown,
  key: string,
  kind: 'email' | 'phone',
  problems: string[],
): AlertSubscription[] {
  const parsed = parseMaybeJson(raw);
  if (parsed === undefined || parsed === null || parsed === '') return [];
  // A single comma-separated string is the convenient form for `-c alertEmails=a@x.org,b@y.org`.
  const entries = typeof parsed === 'string' ? parsed.split(',').map((entry) => entry.trim()) : parsed;
  if (!Array.isArray(entries)) {
    problems.push(`${key} must be a list, got ${JSON.stringify(parsed)}`);
    return [];
  }
  const subscriptions: AlertSubscription[] = [];
  entries.forEach((entry: unknown, index) => {
    const label = `${key}[${index}]`;
    const address = typeof entry === 'string' ? entry : isRecord(entry) ? entry.address : undefined;
    if (typeof address !== 'string') {
      problems.push(`${label} must be a string or { "address": ..., "filter": ... }, got ${JSON.stringify(entry)}`);
      return;
    }
    if (kind === 'email' && !EMAIL_PATTERN.test(address)) {
      problems.push(`${label} is not a valid email address: ${JSON.stringify(address)}`);
      return;
    }
    if (kind === 'phone' && !E164_PATTERN.test(address)) {
      problems.push(`${label} must be an E.164 phone number such as +14155550100, got ${JSON.stringify(address)}`);
      return;
    }
    const filter =
      isRecord(entry) && entry.filter !== undefined ? readFilter(entry.filter, `${label}.filter`, problems) : null;
    subscriptions.push({ address, filter });
  });
  const seen = new Set<string>();
  for (const { address } of subscriptions) {
    if (seen.has(address)) problems.push(`${key} lists ${address} twice`);
    seen.add(address);
  }
  return subscriptions;
}

function readFilter(raw: unknown, label: string, problems: string[]): AlertFilter | null {
  const parsed = parseMaybeJson(raw);
  if (parsed === undefined || parsed === null) return null;
  if (!isRecord(parsed)) {
    problems.push(`${label} must be an object like { "parties": ["russia"], "severities": ["high"] }`);
    return null;
  }
  const filter: AlertFilter = {};
  for (const [field, allowed] of [
    ['parties', PARTIES],
    ['severities', SEVERITIES],
  ] as const) {
    const values = parsed[field];
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.length === 0 || !values.every((value) => typeof value === 'string')) {
      problems.push(`${label}.${field} must be a non-empty list of strings`);
      continue;
    }
    const unknown = values.filter((value) => !(allowed as readonly string[]).includes(value));
    if (unknown.length > 0) {
      problems.push(`${label}.${field} has unknown values ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
      continue;
    }
    filter[field] = values;
  }
  const extra = Object.keys(parsed).filter((field) => field !== 'parties' && field !== 'severities');
  if (extra.length > 0) problems.push(`${label} has unknown fields ${extra.join(', ')}`);
  return filter.parties || filter.severities ? filter : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
