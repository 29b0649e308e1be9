import { type DigestFilter, distinctDigestFilters } from '../src/channels/digest-filter';
import { isRecord, parseMaybeJson, readBoolean } from './context-values';

export const PARTIES = ['russia', 'ukraine', 'us', 'europe'] as const;
export const SEVERITIES = ['high', 'low'] as const;

/** Limits which alerts one subscriber receives; enforced by SNS on the message attributes `party` and `severity`. */
export interface AlertFilter {
  parties?: string[];
  severities?: string[];
}

export interface AlertSubscription {
  address: string;
  /** null: the subscriber receives every alert, or (daily) the whole digest; else only what passes the filter. */
  filter: AlertFilter | null;
  /** `immediate` (the default): each alert as it happens; `daily`: one digest a day, on the daily topic. */
  digest: 'immediate' | 'daily';
}

// Deliberately simple: SNS validates deliverability; this only catches typos before a deploy.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const E164_PATTERN = /^\+[1-9]\d{7,14}$/;

/** The `alertEmails` or `alertPhoneNumbers` list: addresses, each with an optional filter or cadence of its own. */
export function readSubscriptions(
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
  const subscriptions = entries.flatMap((entry: unknown, index) => {
    const subscription = readSubscription(entry, `${key}[${index}]`, kind, problems);
    return subscription ? [subscription] : [];
  });
  const seen = new Set<string>();
  for (const { address } of subscriptions) {
    if (seen.has(address)) problems.push(`${key} lists ${address} twice`);
    seen.add(address);
  }
  return subscriptions;
}

/** One entry of the list: an address, or an object with its address, filter and cadence; null when invalid. */
function readSubscription(
  entry: unknown,
  label: string,
  kind: 'email' | 'phone',
  problems: string[],
): AlertSubscription | null {
  const address = typeof entry === 'string' ? entry : isRecord(entry) ? entry.address : undefined;
  if (typeof address !== 'string') {
    problems.push(
      `${label} must be a string or { "address": ..., "filter": ..., "digest": ... }, got ${JSON.stringify(entry)}`,
    );
    return null;
  }
  if (kind === 'email' && !EMAIL_PATTERN.test(address)) {
    problems.push(`${label} is not a valid email address: ${JSON.stringify(address)}`);
    return null;
  }
  if (kind === 'phone' && !E164_PATTERN.test(address)) {
    problems.push(`${label} must be an E.164 phone number such as +14155550100, got ${JSON.stringify(address)}`);
    return null;
  }
  const filter =
    isRecord(entry) && entry.filter !== undefined ? readFilter(entry.filter, `${label}.filter`, problems) : null;
  const digest = readCadence(isRecord(entry) ? entry.digest : undefined, label, problems);
  return { address, filter, digest };
}

/**
 * Each distinct filter of the daily subscribers is one digest message a day, and the digest function is told them
 * in its environment (4 KB for all its variables): a deploy needing more is refused at synth.
 */
export const MAX_DAILY_DIGEST_FILTERS = 16;

/** The distinct filters of the daily subscribers (none: the whole digest), one digest message a day each. */
export function dailyDigestFilters(subscriptions: readonly AlertSubscription[]): DigestFilter[] {
  return distinctDigestFilters(
    subscriptions.filter((subscription) => subscription.digest === 'daily').map((s) => s.filter ?? {}),
  );
}

/** Refuses more distinct daily filters than one digest function is told of. */
export function checkDailyDigestFilters(subscriptions: readonly AlertSubscription[], problems: string[]): void {
  const count = dailyDigestFilters(subscriptions).length;
  if (count <= MAX_DAILY_DIGEST_FILTERS) return;
  problems.push(
    `the daily email/SMS subscribers have ${count} different filters; at most ${MAX_DAILY_DIGEST_FILTERS} ` +
      '(each is one digest message a day): give some of them the same filter',
  );
}

function readCadence(raw: unknown, label: string, problems: string[]): AlertSubscription['digest'] {
  if (raw === undefined || raw === 'immediate') return 'immediate';
  if (raw === 'daily') return 'daily';
  problems.push(`${label}.digest must be "immediate" or "daily", got ${JSON.stringify(raw)}`);
  return 'immediate';
}

/** An alert filter; `alertFilter` is the one of every subscriber that names none. */
export function readFilter(raw: unknown, label: string, problems: string[]): AlertFilter | null {
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

/**
 * Alarms without a subscriber fire into the void, so a deploy must name one, or say out loud that it does not
 * want one (a test deploy, or a subscriber added outside CDK).
 */
export function readOpsEmail(readContext: (key: string) => unknown, problems: string[]): string | null {
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
