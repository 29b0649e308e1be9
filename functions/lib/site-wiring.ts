import { S3Client } from '@aws-sdk/client-s3';
import { createDynamoClient } from '../../src/adapters/dynamodb/client';
import { createTableRequests } from '../../src/adapters/dynamodb/requests';
import { createDynamoStaleSites } from '../../src/adapters/dynamodb/stale-sites';
import { createS3SitePublisher } from '../../src/adapters/s3/site-publisher';
import { siteBucket, siteUrl, tableName } from '../../src/config/env';
import { type StaleSites, systemClock } from '../../src/core/ports';
import { createStorySiteRefresher, type StorySiteRefresher } from '../../src/pipeline/publish-site';
import type { ReportSource, ReportStory } from '../../src/report/collect';

/**
 * The hosted site for the functions that commit or send (analyzer, publisher); its own file so no other bundle
 * imports the S3 client. Both getters throw when the stack did not pass the bucket or URL.
 */
export function productionSite(store: ReportSource, stories: readonly ReportStory[]): StorySiteRefresher {
  const { url, keyPrefix } = siteUrl();
  return createStorySiteRefresher(
    {
      source: store,
      site: createS3SitePublisher({ client: new S3Client({}), bucket: siteBucket(), prefix: keyPrefix }),
      clock: systemClock,
      siteUrl: url,
    },
    stories,
  );
}

/** The stories a failed publish left stale, on the store's table: the analyzer notes them, the sweep retries. */
export function productionStaleSites(): StaleSites {
  return createDynamoStaleSites(createTableRequests(createDynamoClient(), tableName()));
}
