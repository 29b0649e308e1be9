import { isAbsolute, resolve } from 'node:path';
import { ChannelConfigError } from '../channels/config';
import { type DeclaredChannel, parseDeclaredChannels } from '../channels/declared';
import { type DigestFilter, distinctDigestFilters } from '../channels/digest-filter';
import type { ChannelFilter } from '../channels/filter';
import { type AdaptiveScheduleConfig, resolveAdaptiveSchedule } from '../ingestion/adaptive-schedule';
import { isMonitoringLevel, MONITORING_LEVELS, type MonitoringLevel } from './metrics';

/** The environment contract between the CDK stacks (infra/) and the Lambda handlers (functions/). */
export const ENV = {
  tableName: 'TABLE_NAME',
  topicArn: 'TOPIC_ARN',
  feedQueueUrl: 'FEED_QUEUE_URL',
  itemQueueUrl: 'ITEM_QUEUE_URL',
  storiesDir: 'STORYWATCH_STORIES_DIR',
  feedRegistry: 'STORYWATCH_FEED_REGISTRY',
  pollDeadlineMs: 'STORYWATCH_POLL_DEADLINE_MS',
  monitoring: 'STORYWATCH_MONITORING',
  adaptiveSchedule: 'STORYWATCH_ADAPTIVE_SCHEDULE',
  /** The declared channels as JSON (names of where their secrets are kept, never the secrets). */
  channels: 'STORYWATCH_CHANNELS',
  /** `publisher` when the publisher's sweep delivers to channels, so the analyzer sends to SNS only; else `none`. */
  channelDelivery: 'STORYWATCH_CHANNEL_DELIVERY',
  /** Base of the WebSub callback URLs (`<function URL>websub`): the poller and the dispatcher subscribe with it. */
  websubCallbackBase: 'STORYWATCH_WEBSUB_CALLBACK_BASE',
  /** The daily digest topic of the SNS email/SMS subscribers; set on the digest function only when it exists. */
  digestTopicArn: 'DIGEST_TOPIC_ARN',
  /** The distinct filters of the daily topic's subscribers as JSON: one digest message a day each. */
  digestTopicFilters: 'STORYWATCH_DIGEST_FILTERS',
  siteBucket: 'SITE_BUCKET',
  siteUrl: 'STORYWATCH_SITE_URL',
} as const;

export class MissingEnvError extends Error {
  constructor(readonly variable: string) {
    super(`Environment variable ${variable} is not set; the stack must pass it to this function`);
    this.name = 'MissingEnvError';
  }
}

type Env = Record<string, string | undefined>;

export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name]?.trim();
  if (!value) throw new MissingEnvError(name);
  return value;
}

/** Bundled paths are relative to the function's root (/var/task in Lambda, the cwd elsewhere). */
export function requirePathEnv(name: string, env: Env = process.env): string {
  const value = requireEnv(name, env);
  return isAbsolute(value) ? value : resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), value);
}

export function requirePositiveIntegerEnv(name: string, env: Env = process.env): number {
  const raw = requireEnv(name, env);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`Environment variable ${name} must be a positive whole number, got "${raw}"`);
  }
  return value;
}

export const tableName = (env: Env = process.env) => requireEnv(ENV.tableName, env);
export const topicArn = (env: Env = process.env) => requireEnv(ENV.topicArn, env);
export const feedQueueUrl = (env: Env = process.env) => requireEnv(ENV.feedQueueUrl, env);
export const itemQueueUrl = (env: Env = process.env) => requireEnv(ENV.itemQueueUrl, env);
export const storiesDir = (env: Env = process.env) => requirePathEnv(ENV.storiesDir, env);
export const feedRegistryPath = (env: Env = process.env) => requirePathEnv(ENV.feedRegistry, env);
export const pollDeadlineMs = (env: Env = process.env) => requirePositiveIntegerEnv(ENV.pollDeadlineMs, env);

/** Null when no email or SMS subscriber takes the daily digest: the stack then makes no daily topic. */
export function optionalDigestTopicArn(env: Env = process.env): string | null {
  return env[ENV.digestTopicArn]?.trim() || null;
}

const isStringList = (value: unknown) => Array.isArray(value) && value.every((entry) => typeof entry === 'string');
const isDigestFilter = (value: unknown): value is DigestFilter =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.entries(value).every(
    ([field, values]) =>
      (field === 'parties' && isStringList(values)) ||
      (field === 'severities' && isStringList(values) && values.every((v: string) => v === 'high' || v === 'low')),
  );

/**
 * The filters of the daily topic's subscribers, one digest message each, canonical and distinct. Without the
 * variable (a stack from before filters), the one unfiltered digest.
 */
export function digestTopicFilters(env: Env = process.env): ChannelFilter[] {
  const raw = env[ENV.digestTopicFilters]?.trim();
  if (!raw) return [{}];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isDigestFilter)) {
    throw new Error(
      `Environment variable ${ENV.digestTopicFilters} must be a JSON list of filters such as [{}, {"parties": ["ukraine"]}], got ${JSON.stringify(raw)}`,
    );
  }
  return distinctDigestFilters(parsed);
}

export const siteBucket = (env: Env = process.env) => requireEnv(ENV.siteBucket, env);

/** Where hubs reach our callback: an https URL (the callback's function URL and path), never a local address. */
export function websubCallbackBase(env: Env = process.env): string {
  const raw = requireEnv(ENV.websubCallbackBase, env);
  if (!/^https:\/\/[^/?#]+\/[^?#]*$/.test(raw)) {
    throw new Error(`Environment variable ${ENV.websubCallbackBase} must be an https URL with a path, got "${raw}"`);
  }
  return raw;
}

/**
 * The hosted site's root as readers reach it: https, ending in "/". Its path is also the objects' key prefix in
 * the bucket (the unguessable path, when one is configured), so the two can never disagree.
 */
export function siteUrl(env: Env = process.env): { url: string; keyPrefix: string } {
  const raw = requireEnv(ENV.siteUrl, env);
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = null;
  }
  if (parsed?.protocol !== 'https:' || !raw.endsWith('/') || parsed.search || parsed.hash) {
    throw new Error(`Environment variable ${ENV.siteUrl} must be an https URL ending in "/", got "${raw}"`);
  }
  return { url: parsed.href, keyPrefix: decodeURIComponent(parsed.pathname.slice(1)) };
}

/** Which metrics the function writes (see EMITTED_METRICS); the stack sets it from the `monitoring` context key. */
export function monitoringLevel(env: Env = process.env): MonitoringLevel {
  const raw = requireEnv(ENV.monitoring, env);
  if (!isMonitoringLevel(raw)) {
    throw new Error(
      `Environment variable ${ENV.monitoring} must be one of ${MONITORING_LEVELS.join(', ')}, got "${raw}"`,
    );
  }
  return raw;
}

/** Adaptive schedule thresholds: a JSON object of overrides on the documented defaults (adaptive-schedule.ts). */
export function adaptiveSchedule(env: Env = process.env): AdaptiveScheduleConfig {
  return parseAdaptiveSchedule(requireEnv(ENV.adaptiveSchedule, env));
}

/** The same for the CLI, where the variable may be left unset: the defaults then. */
export function optionalAdaptiveSchedule(env: Env = process.env): AdaptiveScheduleConfig {
  const raw = env[ENV.adaptiveSchedule]?.trim();
  return parseAdaptiveSchedule(raw ? raw : '{}');
}

function parseAdaptiveSchedule(raw: string): AdaptiveScheduleConfig {
  let overrides: unknown;
  try {
    overrides = JSON.parse(raw);
  } catch {
    throw new Error(`Environment variable ${ENV.adaptiveSchedule} must be a JSON object, got "${raw}"`);
  }
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
    throw new Error(`Environment variable ${ENV.adaptiveSchedule} must be a JSON object, got "${raw}"`);
  return resolveAdaptiveSchedule(overrides as Partial<AdaptiveScheduleConfig>);
}

/** The channels the publisher delivers to; the stack always sets the variable (`[]` without channels). */
export function declaredChannels(env: Env = process.env): DeclaredChannel[] {
  const raw = requireEnv(ENV.channels, env);
  try {
    return parseDeclaredChannels(JSON.parse(raw), ENV.channels);
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error(`Environment variable ${ENV.channels} must be a JSON list`);
    if (error instanceof ChannelConfigError) throw new Error(`Environment variable ${error.message}`);
    throw error;
  }
}

/** Whether channels exist that the publisher's sweep delivers to (the analyzer then leaves alerts pending for it). */
export function channelsByPublisher(env: Env = process.env): boolean {
  const raw = requireEnv(ENV.channelDelivery, env);
  if (raw !== 'publisher' && raw !== 'none') {
    throw new Error(`Environment variable ${ENV.channelDelivery} must be "publisher" or "none", got "${raw}"`);
  }
  return raw === 'publisher';
}
