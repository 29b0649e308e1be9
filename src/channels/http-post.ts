import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  type HostResolver,
  type ResolvedAddress,
  resolveAllowedAddress,
  systemResolver,
} from '../ingestion/address-guard';

/** A failed delivery. `permanent`: retrying cannot help (the receiver refused the request as such). */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}

export interface PostOptions {
  /** Lets destinations on loopback or private addresses (and plain http) through: local receivers only. */
  allowPrivateNetwork: boolean;
  timeoutMs?: number;
  resolver?: HostResolver;
  userAgent?: string;
}

/** POSTs a JSON body; resolves with the status on 2xx, throws a ChannelError otherwise. */
export type JsonPoster = (url: string, body: string, headers?: Record<string, string>) => Promise<number>;

const RESPONSE_LIMIT = 16 * 1024;

/** Webhook URLs are secrets (Slack's and Teams' carry the credential in the path): errors name the host only. */
function hostOf(url: URL): string {
  return url.host;
}

export function checkDestination(raw: string, allowPrivateNetwork: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ChannelError('the destination is not a valid URL', true);
  }
  const secure = url.protocol === 'https:';
  if (!secure && !(url.protocol === 'http:' && allowPrivateNetwork)) {
    throw new ChannelError(`destinations must be https (${url.protocol} given)`, true);
  }
  if (url.username || url.password) throw new ChannelError('destinations with credentials are refused', true);
  return url;
}

function pinned(address: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) {
      (callback as (error: null, all: ResolvedAddress[]) => void)(null, [address]);
    } else {
      callback(null, address.address, address.family);
    }
  };
}

/**
 * The transport of every channel. The destination passes the same address guard as feeds (no cloud metadata,
 * no private network unless allowed), the connection is pinned to the checked address, redirects are not
 * followed, and one deadline covers the whole exchange.
 */
export function createJsonPoster(options: PostOptions): JsonPoster {
  const resolver = options.resolver ?? systemResolver;
  return async (raw, body, headers = {}) => {
    const url = checkDestination(raw, options.allowPrivateNetwork);
    let address: ResolvedAddress;
    try {
      address = await resolveAllowedAddress(url, options.allowPrivateNetwork, resolver);
    } catch (error) {
      throw new ChannelError(`${hostOf(url)}: ${(error as Error).message}`, true);
    }
    const response = await send(
      url,
      address,
      body,
      { ...headers, 'user-agent': options.userAgent ?? 'storywatch' },
      options.timeoutMs ?? 10_000,
    );
    return statusOrThrow(url, response);
  };
}

function statusOrThrow(url: URL, response: { status: number; text: string }): number {
  const { status } = response;
  if (status >= 200 && status < 300) return status;
  const said = response.text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const detail = `${hostOf(url)} answered HTTP ${status}${said ? `: ${said}` : ''}`;
  // 408, 425, 429 and 5xx can pass; any other answer (a revoked webhook's 404, a 3xx) will not change by itself.
  const retryable = status >= 500 || status === 408 || status === 425 || status === 429;
  throw new ChannelError(detail, !retryable);
}

function send(
  url: URL,
  address: ResolvedAddress,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      agent: false,
      lookup: pinned(address),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    });
    const timer = setTimeout(
      () => request.destroy(new ChannelError(`${hostOf(url)}: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error instanceof ChannelError ? error : new ChannelError(`${hostOf(url)}: ${error.message}`));
    });
    request.on('response', (response) => {
      readSome(response).then((text) => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, text });
      }, request.destroy.bind(request));
    });
    request.end(body);
  });
}

async function readSome(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    if (size < RESPONSE_LIMIT) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_LIMIT);
}
