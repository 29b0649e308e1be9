import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Site } from './constructs/site';
import { StorywatchFunction } from './constructs/storywatch-function';

/**
 * The findings of both rule packs on the hosted story site that this project accepts, each with its reason
 * (see accepted-findings.ts for the rest). The site serves public, read-only documents that the next commit
 * regenerates from the table, so protections meant for records or private data buy nothing here.
 */
export function acknowledgeSiteFindings(site: Site): void {
  const scope = Stack.of(site);
  for (const fn of StorywatchFunction.allIn(scope)) {
    for (const binding of fn.bindings.filter((b) => b.kind === 'bucket')) acknowledgeWriter(fn, binding.arn);
  }
  for (const bucket of [site.bucket, site.logBucket]) acknowledgeBucket(bucket.node.defaultChild as IConstruct);
  acknowledge(site.logBucket, {
    id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
    reason: 'This is the access-log bucket of the site bucket; logging it into itself would log its own log writes.',
  });
  acknowledgeDistribution(site.distribution);
}

function acknowledgeWriter(fn: StorywatchFunction, objectsArn: string): void {
  const reason =
    'Granted by bucket.grantRead and grantPut on the site bucket only, its object keys limited to the site ' +
    'prefix: the function HEADs each page and feed to compare its digest (reading includes ListBucket, so a ' +
    'missing page answers 404, not 403) and puts the ones that changed.';
  for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:Abort*']) {
    acknowledge(fn.role, { id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`, reason });
  }
  acknowledge(fn.role, { id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagArn(fn, objectsArn)}]`, reason });
}

function acknowledgeBucket(bucket: IConstruct): void {
  acknowledge(bucket, {
    id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    reason:
      'Encrypted with S3-managed keys. The pages are public through CloudFront anyway; a KMS key would cost ' +
      '$1/month and need a key policy letting CloudFront decrypt, protecting nothing more.',
  });
  acknowledge(bucket, {
    id: 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check',
    reason:
      'Every object is regenerated from the table after each commit (or is an access log); old versions would ' +
      'only grow storage with every rewrite.',
  });
  acknowledge(bucket, {
    id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
    reason: 'The pages and feeds are rewritten on purpose after each change; object lock would forbid exactly that.',
  });
  acknowledge(bucket, {
    id: 'cdk-validator-cfnguard::s3_event_notifications_enabled_check',
    reason: 'Nothing reacts to a page or log being written; the writer itself logs what it published.',
  });
}

function acknowledgeDistribution(distribution: IConstruct): void {
  const defaultCertificate =
    "The site uses the distribution's own *.cloudfront.net name and certificate (no custom domain is " +
    'configured), whose TLS settings AWS fixes; a custom domain needs a registered name and an ACM ' +
    'certificate in us-east-1, which a deploy from an empty account does not have.';
  const reasons: Record<string, string> = {
    'AwsSolutions::AwsSolutions-CFR1':
      'The story page is for readers anywhere; nothing in it is restricted by country.',
    'AwsSolutions::AwsSolutions-CFR2':
      'Static, read-only documents with no forms or scripts, behind CloudFront (with Shield Standard); a web ACL ' +
      'costs $5/month plus rules, more than the rest of the deploy.',
    'AwsSolutions::AwsSolutions-CFR3':
      "The origin bucket's server access logs record every request CloudFront forwards and every write; viewer " +
      "logs of a public read-only page would need a log bucket with ACLs enabled and hold only readers' addresses.",
    'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check':
      "The origin bucket's server access logs record every request CloudFront forwards and every write; viewer " +
      'logs would need a log bucket with ACLs enabled, which these buckets keep disabled.',
    'AwsSolutions::AwsSolutions-CFR4': defaultCertificate,
    'cdk-validator-cfnguard::cloudfront_custom_ssl_certificate_check': defaultCertificate,
    'cdk-validator-cfnguard::cloudfront_sni_enabled_check': defaultCertificate,
    'cdk-validator-cfnguard::cloudfront_security_policy_check': defaultCertificate,
    'cdk-validator-cfnguard::cloudfront_default_root_object_configured_check':
      'Pages live under their story names (behind the path prefix, when set); a root object would either give ' +
      'the prefix away or point at nothing. A request for the root gets 403 from S3 and lists nothing, as ' +
      'CloudFront is not allowed to list the bucket.',
    'cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check':
      'One origin: a replica bucket in a second region would double storage and writes for pages the next ' +
      'commit regenerates anyway; while S3 is down the alerts still go out by SNS.',
  };
  for (const [id, reason] of Object.entries(reasons)) acknowledge(distribution, { id, reason });
}

function acknowledge(scope: IConstruct, rule: { id: string; reason: string }): void {
  Validations.of(scope).acknowledge(rule);
}

/** An object ARN as cdk-nag prints it: `<Bucket.Arn>/prefix*` for the Fn::Join CDK builds. */
function nagArn(scope: IConstruct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as { 'Fn::Join'?: [string, unknown[]] };
  const join = resolved['Fn::Join'];
  if (!join) throw new Error(`no cdk-nag spelling for ${JSON.stringify(resolved)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const getAtt = (part as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
      throw new Error(`no cdk-nag spelling for ${JSON.stringify(part)}`);
    })
    .join(join[0]);
}
