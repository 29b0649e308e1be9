import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SNSClient } from '@aws-sdk/client-sns';

export interface RecordedPublish {
  topicArn: string | null;
  subject: string | null;
  message: string;
  messageStructure: string | null;
  attributes: Record<string, { dataType: string; value: string }>;
  messageId: string;
}

export interface SnsEndpoint {
  endpoint: string;
  /** Publish requests answered with success, in arrival order. */
  published: RecordedPublish[];
  /** Every request received, successful or not. */
  requestCount(): number;
  /** The next `count` Publish calls fail with this HTTP status and SNS error code. */
  failNextPublishes(count: number, failure?: { status: number; code: string }): void;
  /**
   * Every Publish `refuse` picks is answered with this error (default 400 InvalidParameter, as SNS answers a message
   * it will never take), until cleared with `refusePublishes(null)`. Injected failures come first.
   */
  refusePublishes(
    refuse: ((publish: RecordedPublish) => boolean) | null,
    failure?: { status: number; code: string },
  ): void;
  close(): Promise<void>;
}

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/**
 * Just enough of the SNS Query API (form-encoded POST, XML answers) for the real SDK client to Publish against
 * 127.0.0.1: records what arrived and can fail on demand like SNS does.
 */
export async function startSnsEndpoint(): Promise<SnsEndpoint> {
  const published: RecordedPublish[] = [];
  let requests = 0;
  const failures: { status: number; code: string }[] = [];
  let refusal: { refuse: (publish: RecordedPublish) => boolean; failure: { status: number; code: string } } | null =
    null;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests += 1;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const requestId = randomUUID();
      if (form.get('Action') !== 'Publish') {
        return sendXml(response, 400, errorXml('InvalidAction', `unsupported action ${form.get('Action')}`, requestId));
      }
      const failure = failures.shift();
      if (failure) return sendXml(response, failure.status, errorXml(failure.code, 'injected failure', requestId));
      if (publishBytes(form) > MAX_PUBLISH_BYTES) {
        return sendXml(response, 400, errorXml('InvalidParameter', 'Invalid parameter: Message too long', requestId));
      }
      const publish: RecordedPublish = {
        topicArn: form.get('TopicArn'),
        subject: form.get('Subject'),
        message: form.get('Message') ?? '',
        messageStructure: form.get('MessageStructure'),
        attributes: parseAttributes(form),
        messageId: randomUUID(),
      };
      if (refusal?.refuse(publish)) {
        const { status, code } = refusal.failure;
        return sendXml(response, status, errorXml(code, 'Invalid parameter: refused by this test', requestId));
      }
      const { messageId } = publish;
      published.push(publish);
      sendXml(
        response,
        200,
        `<PublishResponse xmlns="${NAMESPACE}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    requestCount: () => requests,
    failNextPublishes(count, failure = { status: 500, code: 'InternalError' }) {
      for (let index = 0; index < count; index += 1) failures.push(failure);
    },
    refusePublishes(refuse, failure = { status: 400, code: 'InvalidParameter' }) {
      refusal = refuse ? { refuse, failure } : null;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** SNS refuses a Publish whose message and attribute names and values together pass 256 KB. */
const MAX_PUBLISH_BYTES = 256 * 1024;

function publishBytes(form: URLSearchParams): number {
  let bytes = Buffer.byteLength(form.get('Message') ?? '');
  for (const [name, value] of form) {
    if (/^MessageAttributes\.entry\.\d+\.(Name|Value\.StringValue|Value\.DataType)$/.test(name)) {
      bytes += Buffer.byteLength(value);
    }
  }
  return bytes;
}

function parseAttributes(form: URLSearchParams): RecordedPublish['attributes'] {
  const attributes: RecordedPublish['attributes'] = {};
  for (let index = 1; form.has(`MessageAttributes.entry.${index}.Name`); index += 1) {
    const prefix = `MessageAttributes.entry.${index}`;
    attributes[form.get(`${prefix}.Name`) ?? ''] = {
      dataType: form.get(`${prefix}.Value.DataType`) ?? '',
      value: form.get(`${prefix}.Value.StringValue`) ?? '',
    };
  }
  return attributes;
}

function errorXml(code: string, message: string, requestId: string): string {
  const type = code === 'InternalError' ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code>` +
    `<Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/xml' });
  response.end(body);
}

/** A real SNS SDK client aimed at a loopback endpoint; `maxAttempts` 1 lets each injected failure show. */
export function loopbackSnsClient(endpoint: string, maxAttempts: number): SNSClient {
  return new SNSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'loopback', secretAccessKey: 'loopback' },
    maxAttempts,
  });
}
