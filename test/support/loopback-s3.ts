import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';

export interface StoredObject {
  body: Buffer;
  contentType: string | null;
  cacheControl: string | null;
  /** User metadata, x-amz-meta-* without the prefix, as S3 keeps it (lower-case names). */
  metadata: Record<string, string>;
  etag: string;
}

export interface S3Request {
  method: string;
  bucket: string;
  key: string;
}

export interface S3Fault {
  status: number;
  code: string;
}

export interface LoopbackS3 {
  endpoint: string;
  objects: Map<string, StoredObject>;
  /** Every request in arrival order. */
  requests: S3Request[];
  /**
   * While set, every request is answered with this S3 error (e.g. 503 SlowDown, 500 InternalError) as S3 sends it,
   * so the SDK's own retries run and give up as they would against an outage. null restores normal service.
   */
  failWith(fault: S3Fault | null): void;
  /** A real SDK client pointed at this server, path-style as S3-compatible servers need. */
  client(): S3Client;
  close(): Promise<void>;
}

/**
 * Just enough of S3's REST API (path-style PUT, GET and HEAD of objects, XML errors) for the real
 * @aws-sdk/client-s3 to store and read objects on 127.0.0.1. Requests must be SigV4-signed; signatures are not
 * checked. Bodies the SDK sends aws-chunked (with a trailing checksum) are decoded as S3 does.
 */
export async function startLoopbackS3(buckets: string[]): Promise<LoopbackS3> {
  const objects = new Map<string, StoredObject>();
  const requests: S3Request[] = [];
  let fault: S3Fault | null = null;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });

  /** The error S3 answers before it looks for an object, or null when the request may go ahead. */
  function refusal(request: IncomingMessage, bucket: string): (S3Fault & { message: string }) | null {
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return { status: 403, code: 'AccessDenied', message: 'request is not signed' };
    }
    if (fault) return { status: fault.status, code: fault.code, message: 'injected by the test' };
    if (!buckets.includes(bucket)) return { status: 404, code: 'NoSuchBucket', message: bucket };
    return null;
  }

  function handle(request: IncomingMessage, response: ServerResponse, raw: Buffer) {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const [, bucket = '', ...rest] = path.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const method = request.method ?? 'GET';
    requests.push({ method, bucket, key });
    const refused = refusal(request, bucket);
    if (refused) return sendError(response, method, refused.status, refused.code, refused.message);
    if (method === 'PUT' && key) return putObject(request, response, `${bucket}/${key}`, raw);
    if ((method === 'GET' || method === 'HEAD') && key) return getObject(response, method, bucket, key);
    sendError(response, method, 501, 'NotImplemented', `${method} ${path}`);
  }

  function getObject(response: ServerResponse, method: string, bucket: string, key: string) {
    const stored = objects.get(`${bucket}/${key}`);
    if (!stored) return sendError(response, method, 404, 'NoSuchKey', key);
    response.writeHead(200, objectHeaders(stored));
    response.end(method === 'HEAD' ? undefined : stored.body);
  }

  function putObject(request: IncomingMessage, response: ServerResponse, id: string, raw: Buffer) {
    const chunked = String(request.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
    const body = chunked ? decodeAwsChunked(raw) : raw;
    const declared = request.headers['x-amz-decoded-content-length'];
    if (declared !== undefined && Number(declared) !== body.length) {
      return sendError(response, 'PUT', 400, 'IncompleteBody', `declared ${declared}, got ${body.length}`);
    }
    const metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice(11)] = value;
    }
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;
    objects.set(id, {
      body,
      contentType: (request.headers['content-type'] as string | undefined) ?? null,
      cacheControl: (request.headers['cache-control'] as string | undefined) ?? null,
      metadata,
      etag,
    });
    response.writeHead(200, { etag, 'content-length': 0 });
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    objects,
    requests,
    failWith: (next) => {
      fault = next;
    },
    client: () =>
      new S3Client({
        endpoint,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function objectHeaders(stored: StoredObject): Record<string, string | number> {
  const headers: Record<string, string | number> = {
    etag: stored.etag,
    'content-length': stored.body.length,
    'last-modified': new Date().toUTCString(),
  };
  if (stored.contentType) headers['content-type'] = stored.contentType;
  if (stored.cacheControl) headers['cache-control'] = stored.cacheControl;
  for (const [name, value] of Object.entries(stored.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

/** aws-chunked: `<hex size>[;chunk-signature=…]\r\n<data>\r\n` repeated, a zero-size chunk, then trailers. */
function decodeAwsChunked(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new Error('aws-chunked body ends inside a chunk header');
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size)) throw new Error('aws-chunked chunk header has no size');
    if (size === 0) return Buffer.concat(parts);
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

function sendError(response: ServerResponse, method: string, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  response.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  response.end(method === 'HEAD' ? undefined : body);
}
