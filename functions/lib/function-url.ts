/**
 * The slices of the Lambda function URL payload (format 2.0) the WebSub callback reads and answers, and their
 * mapping onto the framework-free CallbackRequest / CallbackResponse of src/websub/callback.ts.
 */
import type { CallbackRequest, CallbackResponse } from '../../src/websub/callback';

export interface FunctionUrlEvent {
  rawPath: string;
  rawQueryString: string;
  /** Lower-case names; repeated headers arrive joined with commas. */
  headers: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: { http: { method: string } };
}

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function callbackRequestOf(event: FunctionUrlEvent): CallbackRequest {
  const body = event.body ?? '';
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString),
    headers: Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    // The signature is over the bytes the hub sent: a text body is those bytes in UTF-8, a binary one is base64.
    body: event.isBase64Encoded ? new Uint8Array(Buffer.from(body, 'base64')) : new TextEncoder().encode(body),
  };
}

export function functionUrlResultOf(response: CallbackResponse): FunctionUrlResult {
  return {
    statusCode: response.status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: response.body,
  };
}
