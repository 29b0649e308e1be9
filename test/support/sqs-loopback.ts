import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface SentMessage {
  queueUrl: string;
  body: string;
}

/**
 * Just enough of the SQS JSON protocol (SendMessageBatch) for the real SDK client to talk to 127.0.0.1, with
 * the body checksums the SDK verifies. `refuseOnce` makes SQS report entries as failed, the way throttling does.
 */
export async function startSqsLoopback() {
  const messages: SentMessage[] = [];
  const batchSizes: number[] = [];
  const refuseOnce = new Set<string>();
  const server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      raw += chunk;
    });
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AmazonSQS.SendMessageBatch') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InvalidAction', message: `unsupported ${target}` }));
        return;
      }
      const input = JSON.parse(raw) as { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] };
      batchSizes.push(input.Entries.length);
      const successful = [];
      const failed = [];
      for (const entry of input.Entries) {
        if (refuseOnce.delete(entry.MessageBody)) {
          failed.push({ Id: entry.Id, Code: 'ThrottlingException', SenderFault: false, Message: 'slow down' });
          continue;
        }
        messages.push({ queueUrl: input.QueueUrl, body: entry.MessageBody });
        successful.push({
          Id: entry.Id,
          MessageId: randomUUID(),
          MD5OfMessageBody: createHash('md5').update(entry.MessageBody).digest('hex'),
        });
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ Successful: successful, Failed: failed }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'loopback', secretAccessKey: 'loopback' },
    maxAttempts: 1,
  });
  return {
    client,
    queueUrl: (name: string) => `${endpoint}/123456789012/${name}`,
    messages,
    batchSizes,
    refuseOnce,
    async close() {
      client.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
