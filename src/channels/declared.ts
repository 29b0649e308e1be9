import type { SecretSource } from '../core/ports/secret-values';
import {
  assignIds,
  CHANNEL_ID,
  CHANNEL_TYPES,
  ChannelConfigError,
  type ChannelType,
  type DigestMode,
  optionalString,
  parseFilter,
} from './config';
import type { ChannelFilter } from './filter';

/**
 * A channel as the deploy declares it (the `channels` context key): where its URL and signing secret are kept in
 * AWS, never the values. The stack grants the publisher read on exactly these sources and passes the declarations
 * to it as JSON; the publisher reads the values at run time.
 */
export interface DeclaredChannel {
  id: string;
  type: ChannelType;
  /** A generic webhook's destination, when it is not secret itself. */
  url?: string;
  /** Where the URL is kept: required for Slack and Teams, whose webhook URL is the credential. */
  urlFrom?: SecretSource;
  /** Where a generic webhook's HMAC secret is kept. */
  secretFrom?: SecretSource;
  filter: ChannelFilter;
  digest: DigestMode;
}

const KNOWN_KEYS = new Set(['id', 'type', 'url', 'urlFrom', 'secretFrom', 'parties', 'severities', 'digest']);
// Secrets Manager names: letters, digits and /_+=.@-; SSM names: letters, digits and _.-/ (a path or a plain name).
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const PARAMETER_NAME = /^[A-Za-z0-9/_.-]{1,1011}$/;

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseSource(raw: unknown, where: string): SecretSource {
  const shape = `give {"secret": "<Secrets Manager secret name>"} or {"parameter": "<SSM SecureString parameter name>"}`;
  if (!isObject(raw) || Object.keys(raw).length !== 1) throw new ChannelConfigError(`${where}: ${shape}`);
  const [kind, name] = Object.entries(raw)[0] as [string, unknown];
  if (kind !== 'secret' && kind !== 'parameter') throw new ChannelConfigError(`${where}: ${shape}`);
  if (typeof name === 'string' && /:\/\//.test(name)) {
    throw new ChannelConfigError(`${where}.${kind}: that is the value itself; store it in AWS and give its name here`);
  }
  if (typeof name === 'string' && name.startsWith('arn:')) {
    throw new ChannelConfigError(`${where}.${kind}: give the name, not the ARN`);
  }
  const pattern = kind === 'secret' ? SECRET_NAME : PARAMETER_NAME;
  if (typeof name !== 'string' || !pattern.test(name)) {
    throw new ChannelConfigError(`${where}.${kind}: not a valid name: ${JSON.stringify(name)?.slice(0, 80)}`);
  }
  return kind === 'secret' ? { secret: name } : { parameter: name };
}

function checkKeys(raw: Raw, where: string): void {
  for (const key of Object.keys(raw)) {
    if (KNOWN_KEYS.has(key)) continue;
    const hint =
      key === 'urlEnv' || key === 'secretEnv'
        ? ` (in the deploy, name where the value is kept: "${key.replace('Env', 'From')}")`
        : /secret|token|password|signing/i.test(key)
          ? ' (secrets never go in the context: name where one is kept in "secretFrom")'
          : '';
    throw new ChannelConfigError(`${where}.${key}: unknown key${hint}`);
  }
}

function checkWebhookUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ChannelConfigError(`${where}.url: not a URL`);
  }
  if (parsed.protocol !== 'https:') throw new ChannelConfigError(`${where}.url: must be https`);
  if (parsed.username || parsed.password)
    throw new ChannelConfigError(`${where}.url: credentials in the URL are secrets; use "urlFrom"`);
}

function parseDestination(entry: Raw, type: ChannelType, where: string): Pick<DeclaredChannel, 'url' | 'urlFrom'> {
  const url = optionalString(entry, 'url', where);
  const urlFrom = entry.urlFrom === undefined ? undefined : parseSource(entry.urlFrom, `${where}.urlFrom`);
  if (type !== 'webhook' && url !== undefined) {
    throw new ChannelConfigError(`${where}.url: a ${type} webhook URL is a secret; name where it is kept in "urlFrom"`);
  }
  if ((url === undefined) === (urlFrom === undefined)) {
    throw new ChannelConfigError(
      type === 'webhook' ? `${where}: give one of "url" or "urlFrom"` : `${where}.urlFrom: missing`,
    );
  }
  if (url !== undefined) checkWebhookUrl(url, where);
  return url !== undefined ? { url } : { urlFrom: urlFrom as SecretSource };
}

function parseDeclared(raw: unknown, where: string): Omit<DeclaredChannel, 'id'> & { id?: string } {
  if (!isObject(raw)) throw new ChannelConfigError(`${where}: not an object`);
  checkKeys(raw, where);
  const type = raw.type as ChannelType;
  if (!CHANNEL_TYPES.includes(type)) {
    throw new ChannelConfigError(`${where}.type: must be one of ${CHANNEL_TYPES.join(', ')}`);
  }
  const destination = parseDestination(raw, type, where);
  const secretFrom = raw.secretFrom === undefined ? undefined : parseSource(raw.secretFrom, `${where}.secretFrom`);
  if (type === 'webhook' && !secretFrom) throw new ChannelConfigError(`${where}.secretFrom: a webhook is signed`);
  if (type !== 'webhook' && secretFrom) throw new ChannelConfigError(`${where}.secretFrom: only a webhook is signed`);
  const digest = optionalString(raw, 'digest', `${where}.digest`, /^(immediate|daily)$/) ?? 'immediate';
  const id = optionalString(raw, 'id', `${where}.id`, CHANNEL_ID);
  return {
    type,
    ...destination,
    ...(secretFrom ? { secretFrom } : {}),
    filter: parseFilter(raw, where),
    digest: digest as DigestMode,
    ...(id ? { id } : {}),
  };
}

/**
 * Checks the `channels` context value (or the JSON the publisher gets in its environment): a list of declared
 * channels. Errors name the entry and the field, e.g. `channels[1].urlFrom: missing`.
 */
export function parseDeclaredChannels(raw: unknown, label = 'channels'): DeclaredChannel[] {
  if (raw === undefined || raw === null || raw === '') return [];
  if (!Array.isArray(raw)) throw new ChannelConfigError(`${label}: must be a list of channels`);
  return assignIds(raw.map((entry, index) => parseDeclared(entry, `${label}[${index}]`)));
}

/** Every distinct place a value is read from, for the grants. */
export function secretSourcesOf(channels: readonly DeclaredChannel[]): SecretSource[] {
  const all = channels.flatMap((channel) => [channel.urlFrom, channel.secretFrom]);
  const unique = new Map<string, SecretSource>();
  for (const source of all) if (source) unique.set(JSON.stringify(source), source);
  return [...unique.values()];
}
