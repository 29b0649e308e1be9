import type { AlertSeverity } from '../core/stance-state';
import type { ChannelFilter } from './filter';

export const CHANNEL_TYPES = ['slack', 'teams', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export type DigestMode = 'immediate' | 'daily';

/** A channel as configured, its secrets already looked up (from env locally, from a secret store in AWS). */
export interface ChannelSpec {
  id: string;
  type: ChannelType;
  url: string;
  /** The webhook's HMAC secret; only the generic webhook has one. */
  secret: string | null;
  filter: ChannelFilter;
  digest: DigestMode;
}

/** A channel in a channels file: names where its secrets are, never the secrets. */
export interface ChannelEntry {
  id: string;
  type: ChannelType;
  url?: string;
  urlEnv?: string;
  secretEnv?: string;
  filter: ChannelFilter;
  digest: DigestMode;
}

export class ChannelConfigError extends Error {}

/** The primary notifier's delivery state is kept under this id, so no channel may take it. */
export const PRIMARY_TARGET_ID = 'notifier';

export const CHANNEL_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const KNOWN_KEYS = new Set(['id', 'type', 'url', 'urlEnv', 'secretEnv', 'parties', 'severities', 'digest']);
const SEVERITIES: readonly AlertSeverity[] = ['high', 'low'];

type Raw = Record<string, unknown>;

function stringList(raw: Raw, key: string, where: string): string[] | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string' && entry.length > 0)) {
    throw new ChannelConfigError(`${where}: "${key}" must be a list of names`);
  }
  return value as string[];
}

export function optionalString(raw: Raw, key: string, where: string, pattern?: RegExp): string | undefined {
  const value = raw[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
    throw new ChannelConfigError(`${where}: "${key}" is not valid: ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  return value;
}

export function parseFilter(raw: Raw, where: string): ChannelFilter {
  const parties = stringList(raw, 'parties', where);
  const severities = stringList(raw, 'severities', where);
  const unknown = severities?.find((severity) => !SEVERITIES.includes(severity as AlertSeverity));
  if (unknown !== undefined) throw new ChannelConfigError(`${where}: unknown severity "${unknown}" (high, low)`);
  return {
    ...(parties ? { parties } : {}),
    ...(severities ? { severities: severities as AlertSeverity[] } : {}),
  };
}

function checkKeys(raw: Raw, where: string): void {
  for (const key of Object.keys(raw)) {
    if (KNOWN_KEYS.has(key)) continue;
    const hint = /secret|token|password/i.test(key)
      ? ' (secrets never go in the file: name an env var in secretEnv)'
      : '';
    throw new ChannelConfigError(`${where}: unknown key "${key}"${hint}`);
  }
}

function parseEntry(raw: unknown, index: number): Omit<ChannelEntry, 'id'> & { id?: string } {
  const where = `channel ${index + 1}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ChannelConfigError(`${where}: not an object`);
  const entry = raw as Raw;
  checkKeys(entry, where);
  const type = entry.type;
  if (!CHANNEL_TYPES.includes(type as ChannelType)) {
    throw new ChannelConfigError(`${where}: "type" must be one of ${CHANNEL_TYPES.join(', ')}`);
  }
  const url = optionalString(entry, 'url', where);
  const urlEnv = optionalString(entry, 'urlEnv', where, ENV_NAME);
  const secretEnv = optionalString(entry, 'secretEnv', where, ENV_NAME);
  if ((url === undefined) === (urlEnv === undefined))
    throw new ChannelConfigError(`${where}: give one of "url" or "urlEnv"`);
  // Slack's and Teams' webhook URLs are the credential itself.
  if (type !== 'webhook' && url !== undefined) {
    throw new ChannelConfigError(`${where}: a ${type} webhook URL is a secret; name its env var in "urlEnv"`);
  }
  if (type === 'webhook' && secretEnv === undefined)
    throw new ChannelConfigError(`${where}: a webhook needs "secretEnv"`);
  if (type !== 'webhook' && secretEnv !== undefined) throw new ChannelConfigError(`${where}: only a webhook is signed`);
  const digest = optionalString(entry, 'digest', where, /^(immediate|daily)$/) ?? 'immediate';
  const id = optionalString(entry, 'id', where, CHANNEL_ID);
  return {
    type: type as ChannelType,
    filter: parseFilter(entry, where),
    digest: digest as DigestMode,
    ...(id ? { id } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(urlEnv ? { urlEnv } : {}),
    ...(secretEnv ? { secretEnv } : {}),
  };
}

/** Ids default to the type, numbered when a type repeats; ids key delivery state, so they must stay unique. */
export function assignIds<T extends { id?: string; type: ChannelType }>(entries: T[]): (T & { id: string })[] {
  const counts = new Map<string, number>();
  const withIds = entries.map((entry) => {
    if (entry.id) return entry as T & { id: string };
    const seen = (counts.get(entry.type) ?? 0) + 1;
    counts.set(entry.type, seen);
    return { ...entry, id: seen === 1 ? entry.type : `${entry.type}-${seen}` };
  });
  const ids = new Set<string>();
  for (const entry of withIds) {
    if (entry.id === PRIMARY_TARGET_ID) throw new ChannelConfigError(`channel id "${PRIMARY_TARGET_ID}" is reserved`);
    if (ids.has(entry.id))
      throw new ChannelConfigError(`two channels have the id "${entry.id}"; give each its own "id"`);
    ids.add(entry.id);
  }
  return withIds;
}

/** Parses and checks a channels file: a JSON array of channel entries. */
export function parseChannelsFile(text: string): ChannelEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ChannelConfigError(`not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ChannelConfigError('must be a JSON array of channels');
  return assignIds(parsed.map(parseEntry));
}

/** Looks the entry's secrets up in the environment; a named variable that is unset or empty is an error. */
export function resolveChannelEntry(entry: ChannelEntry, env: NodeJS.ProcessEnv): ChannelSpec {
  const fromEnv = (name: string) => {
    const value = env[name];
    if (!value) throw new ChannelConfigError(`channel "${entry.id}": environment variable ${name} is not set`);
    return value;
  };
  const url = entry.urlEnv ? fromEnv(entry.urlEnv) : (entry.url as string);
  return {
    id: entry.id,
    type: entry.type,
    url,
    secret: entry.secretEnv ? fromEnv(entry.secretEnv) : null,
    filter: entry.filter,
    digest: entry.digest,
  };
}
