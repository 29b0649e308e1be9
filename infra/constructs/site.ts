import { Duration } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/env';
import { sitePaths } from '../../src/pipeline/publish-site';
import { REPORT_CSP_HEADER } from '../../src/report/render-report';
import type { StorywatchFunction } from './storywatch-function';

export interface SiteProps {
  /** The unguessable first path segment (obscurity, not access control); null: the pages sit at the root. */
  pathPrefix: string | null;
  /** Stories whose page and feed URLs the stack outputs. */
  storyIds: readonly string[];
  /** How long the origin's access logs are kept. */
  logRetentionDays: number;
}

/** A story's three public addresses. */
export interface StoryUrls {
  storyId: string;
  page: string;
  changes: string;
  followUps: string;
}

/**
 * The hosted story pages and feeds: a private bucket that only this distribution reads (origin access control),
 * served over HTTPS only with the report's own Content-Security-Policy and the usual security headers.
 * Functions given `grantPublish` write the objects; nobody else can.
 */
export class Site extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** The site's root as readers reach it, ending in "/"; a token until deploy. */
  readonly url: string;
  readonly stories: StoryUrls[];
  private readonly keyPattern: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const prefix = props.pathPrefix ? `${props.pathPrefix}/` : '';
    this.keyPattern = `${prefix}*`;

    // S3 delivers access logs under a bucket policy instead of an ACL (buckets here keep ACLs disabled); CDK
    // does so only behind this feature flag, set here for this construct alone.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    // The bucket's own access log: every request CloudFront forwards on a cache miss, and every write.
    this.logBucket = new Bucket(this, 'AccessLogs', {
      ...PRIVATE_BUCKET,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      serverAccessLogsBucket: this.logBucket,
      // Whole objects are put in one request; this only clears a multipart upload someone left behind.
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });

    this.headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'storywatch story pages: the report CSP and the usual security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: REPORT_CSP_HEADER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'storywatch story pages and feeds',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        // Honours the objects' short Cache-Control max-age; query strings and cookies are not part of the key.
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headers,
        compress: true,
      },
      // North America and Europe edges only: the cheapest class, and no price difference at this traffic.
      priceClass: PriceClass.PRICE_CLASS_100,
      httpVersion: HttpVersion.HTTP2_AND_3,
    });

    this.url = `https://${this.distribution.distributionDomainName}/${prefix}`;
    this.stories = props.storyIds.map((storyId) => {
      const paths = sitePaths(storyId);
      return {
        storyId,
        page: `${this.url}${paths.page}`,
        changes: `${this.url}${paths.changes}`,
        followUps: `${this.url}${paths.followUps}`,
      };
    });
  }

  /** Lets the function compare and write the site's objects (under the prefix only) and tells it the site URL. */
  grantPublish(fn: StorywatchFunction): void {
    fn.bindBucket(this.bucket, this.keyPattern);
    fn.function.addEnvironment(ENV.siteUrl, this.url);
  }
}

const PRIVATE_BUCKET = {
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  enforceSSL: true,
  encryption: BucketEncryption.S3_MANAGED,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
} as const;
