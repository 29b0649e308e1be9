import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Site } from '../../infra/constructs/site';

/**
 * The response headers the site's CloudFront policy adds, read from the template the real Site construct
 * synthesizes (the construct alone: nothing else decides them, and no function has to be bundled for it).
 */
export function siteResponseHeaders(): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), 'storywatch-site-headers-'));
  let policies: PolicyConfig[];
  try {
    const stack = new Stack(new App({ outdir }), 'SiteHeadersOnly');
    new Site(stack, 'Site', { pathPrefix: null, storyIds: [], logRetentionDays: 1 });
    const found = Template.fromStack(stack).findResources('AWS::CloudFront::ResponseHeadersPolicy');
    policies = Object.values(found).map((policy) => policy.Properties.ResponseHeadersPolicyConfig as PolicyConfig);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  if (policies.length !== 1) throw new Error(`expected one response headers policy, found ${policies.length}`);
  return headersOfPolicy(policies[0] as PolicyConfig);
}

type PolicyConfig = {
  SecurityHeadersConfig?: Record<string, Record<string, unknown>>;
  CustomHeadersConfig?: { Items: { Header: string; Value: string }[] };
  [other: string]: unknown;
};

/**
 * The headers a response gets from a ResponseHeadersPolicyConfig, written as CloudFront writes them. A setting this
 * does not know fails loudly, so a header added to the policy cannot slip past the browser test unserved.
 */
export function headersOfPolicy(config: PolicyConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const key of Object.keys(config)) {
    if (!['Name', 'Comment', 'SecurityHeadersConfig', 'CustomHeadersConfig'].includes(key))
      throw new Error(`response headers policy setting not modelled by the test edge: ${key}`);
  }
  for (const [name, setting] of Object.entries(config.SecurityHeadersConfig ?? {})) {
    const [header, value] = securityHeader(name, setting);
    headers[header] = value;
  }
  for (const item of config.CustomHeadersConfig?.Items ?? []) headers[item.Header.toLowerCase()] = item.Value;
  return headers;
}

function securityHeader(name: string, setting: Record<string, unknown>): [string, string] {
  switch (name) {
    case 'ContentSecurityPolicy':
      return ['content-security-policy', String(setting.ContentSecurityPolicy)];
    case 'ContentTypeOptions':
      return ['x-content-type-options', 'nosniff'];
    case 'FrameOptions':
      return ['x-frame-options', String(setting.FrameOption)];
    case 'ReferrerPolicy':
      return ['referrer-policy', String(setting.ReferrerPolicy)];
    case 'StrictTransportSecurity': {
      const parts = [`max-age=${setting.AccessControlMaxAgeSec}`];
      if (setting.IncludeSubdomains) parts.push('includeSubDomains');
      if (setting.Preload) parts.push('preload');
      return ['strict-transport-security', parts.join('; ')];
    }
    default:
      throw new Error(`security header not modelled by the test edge: ${name}`);
  }
}

export interface SiteEdge {
  /** The site root as readers reach it, ending in "/". */
  url: string;
  close(): Promise<void>;
}

/**
 * What CloudFront does for the site, on 127.0.0.1: GET and HEAD only, each path read from the private bucket
 * with the SDK (as origin access control reads it, signed), the object's own type and caching passed on, and the
 * policy's headers added to every response, errors included.
 */
export async function startSiteEdge(options: {
  client: S3Client;
  bucket: string;
  headers: Record<string, string>;
}): Promise<SiteEdge> {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const send = (status: number, headers: Record<string, string>, body: Buffer) => {
      response.writeHead(status, { ...headers, ...options.headers, 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const text = { 'content-type': 'text/plain; charset=utf-8' };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(403, text, Buffer.from('GET only'));
    const key = decodeURIComponent(new URL(request.url ?? '/', 'http://edge').pathname.slice(1));
    try {
      const object = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
      const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      const headers: Record<string, string> = {};
      if (object.ContentType) headers['content-type'] = object.ContentType;
      if (object.CacheControl) headers['cache-control'] = object.CacheControl;
      send(200, headers, body);
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 502;
      send(status, text, Buffer.from(`origin said ${status}`));
    }
  }
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
