/**
 * The S3 site publisher when one document fails while another is still on its way. The loopback S3 cannot order
 * that deterministically (which answer the client reads first is up to the sockets), so a stub client answers
 * each request when the test says.
 */
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createS3SitePublisher } from '../../../src/adapters/s3/site-publisher';
import type { SiteDocument } from '../../../src/core/ports/site';

interface PendingRequest {
  command: string;
  key: string;
  metadata: Record<string, string> | undefined;
  answer(outcome: { value?: unknown; error?: Error }): void;
}

/** An S3 client whose every request waits in `pending` until the test answers it. */
function heldClient() {
  const pending: PendingRequest[] = [];
  const client = {
    send(command: HeadObjectCommand | PutObjectCommand) {
      return new Promise((resolve, reject) => {
        pending.push({
          command: command instanceof HeadObjectCommand ? 'HEAD' : 'PUT',
          key: String(command.input.Key),
          metadata: command instanceof PutObjectCommand ? command.input.Metadata : undefined,
          answer: ({ value, error }) => (error ? reject(error) : resolve(value)),
        });
      });
    },
  } as unknown as S3Client;
  const take = (command: string, key: string): PendingRequest => {
    const index = pending.findIndex((request) => request.command === command && request.key === key);
    if (index < 0) throw new Error(`no ${command} ${key} waiting; waiting: ${pending.map((r) => r.key).join(', ')}`);
    return pending.splice(index, 1)[0] as PendingRequest;
  };
  return { client, pending, take };
}

const documents: SiteDocument[] = [
  { path: 'story.html', kind: 'page', body: '<!doctype html><title>story</title>' },
  { path: 'story.atom', kind: 'feed', body: '<feed xmlns="http://www.w3.org/2005/Atom"/>' },
];
const notFound = Object.assign(new Error('NotFound'), { $metadata: { httpStatusCode: 404 } });
/** Lets every queued promise callback run, so a publish that can answer has answered. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the S3 site publisher when one document fails', () => {
  it('answers only once every other document is done, with the first failure', async () => {
    const s3 = heldClient();
    const publishing = createS3SitePublisher({ client: s3.client, bucket: 'site', prefix: '' }).publish(documents);
    let answered = false;
    publishing.then(
      () => (answered = true),
      () => (answered = true),
    );
    await settle();

    s3.take('HEAD', 'story.html').answer({ error: new Error('SlowDown: reduce your request rate') });
    await settle();
    // The feed is still being written: answering now would leave its requests running behind the failure.
    expect(answered).toBe(false);
    s3.take('HEAD', 'story.atom').answer({ error: notFound });
    await settle();
    expect(answered).toBe(false);
    s3.take('PUT', 'story.atom').answer({ value: {} });

    await expect(publishing).rejects.toThrow(/SlowDown/);
    expect(s3.pending).toEqual([]);
  });

  it('reports what it wrote and what it found stored already when every document goes through', async () => {
    const s3 = heldClient();
    const publisher = createS3SitePublisher({ client: s3.client, bucket: 'site', prefix: 'p/' });
    const first = publisher.publish(documents);
    await settle();
    for (const document of documents) s3.take('HEAD', `p/${document.path}`).answer({ error: notFound });
    await settle();
    const pageWrite = s3.take('PUT', 'p/story.html');
    pageWrite.answer({ value: {} });
    s3.take('PUT', 'p/story.atom').answer({ value: {} });
    expect(await first).toEqual({ written: ['story.html', 'story.atom'], unchanged: [] });

    const second = publisher.publish(documents);
    await settle();
    s3.take('HEAD', 'p/story.html').answer({ value: { Metadata: pageWrite.metadata } });
    s3.take('HEAD', 'p/story.atom').answer({ value: { Metadata: { 'content-sha256': 'an older version' } } });
    await settle();
    s3.take('PUT', 'p/story.atom').answer({ value: {} });

    expect(await second).toEqual({ written: ['story.atom'], unchanged: ['story.html'] });
    expect(s3.pending).toEqual([]);
  });
});
