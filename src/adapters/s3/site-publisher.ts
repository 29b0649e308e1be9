import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SiteDocument, SitePublisher, SitePublishReport } from '../../core/ports/site';

/**
 * How each kind of document is served. A minute of caching keeps CloudFront from asking S3 on every view while a
 * new stance change still shows within a minute of being published; feed readers poll far less often anyway.
 */
export const SITE_OBJECT_HEADERS = {
  page: { contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=60' },
  feed: { contentType: 'application/atom+xml; charset=utf-8', cacheControl: 'public, max-age=60' },
} as const satisfies Record<SiteDocument['kind'], { contentType: string; cacheControl: string }>;

/** User metadata (x-amz-meta-content-sha256) holding the digest of what the object was written with. */
export const DIGEST_METADATA = 'content-sha256';

export interface S3SitePublisherOptions {
  client: S3Client;
  bucket: string;
  /** Key prefix of the site, "" or ending in "/" (the unguessable path, when one is configured). */
  prefix: string;
}

/**
 * Writes the story's documents to S3, each only when its content changed. The object's own ETag is an MD5 of
 * the body only for some encryption modes, so the adapter stores its own digest of body, type and caching in
 * the object's metadata and compares that: one HEAD per document, and a PUT only for what changed.
 */
export function createS3SitePublisher(options: S3SitePublisherOptions): SitePublisher {
  if (options.prefix !== '' && !options.prefix.endsWith('/')) {
    throw new Error(`site prefix must be empty or end in "/", got "${options.prefix}"`);
  }
  return {
    async publish(documents) {
      const report: SitePublishReport = { written: [], unchanged: [] };
      // Every document settles before the publish answers: a failure must not leave the others' requests and SDK
      // retries running behind it, writing after the caller noted the story stale (or the Lambda froze).
      const results = await Promise.allSettled(documents.map((document) => publishOne(options, document)));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      documents.forEach((document, index) => {
        const result = results[index];
        (result?.status === 'fulfilled' && result.value ? report.written : report.unchanged).push(document.path);
      });
      return report;
    },
  };
}

function digestOf(document: SiteDocument): string {
  const headers = SITE_OBJECT_HEADERS[document.kind];
  return createHash('sha256')
    .update(`${headers.contentType}\n${headers.cacheControl}\n`)
    .update(document.body)
    .digest('hex');
}

/** True when the document was written, false when the stored object already held it. */
async function publishOne(options: S3SitePublisherOptions, document: SiteDocument): Promise<boolean> {
  const key = `${options.prefix}${document.path}`;
  const digest = digestOf(document);
  if ((await storedDigest(options, key)) === digest) return false;
  const headers = SITE_OBJECT_HEADERS[document.kind];
  await options.client.send(
    new PutObjectCommand({
      Bucket: options.bucket,
      Key: key,
      Body: document.body,
      ContentType: headers.contentType,
      CacheControl: headers.cacheControl,
      Metadata: { [DIGEST_METADATA]: digest },
    }),
  );
  return true;
}

async function storedDigest(options: S3SitePublisherOptions, key: string): Promise<string | undefined> {
  try {
    const head = await options.client.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
    return head.Metadata?.[DIGEST_METADATA];
  } catch (error) {
    // A missing object is the first publish. (S3 says 404 only to a caller allowed to list the bucket, which the
    // stack grants; without it, a missing key is a 403 and surfaces here as the error it is.)
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}
