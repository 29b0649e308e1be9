import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/handlers';
import { ENV } from '../../src/config/env';
import { EMITTED_METRICS, METRIC, METRICS_NAMESPACE } from '../../src/config/metrics';
import { REPORT_CSP_HEADER } from '../../src/report/render-report';
import { buildApp, FIXTURE_CONTEXT } from '../support/infra-build';

const PREFIX = '0123456789abcdef0123';
let stateless: Template;

beforeAll(() => {
  stateless = buildApp({ sitePathPrefix: PREFIX }).stateless;
}, 180_000);

type Statement = { Effect: string; Principal?: unknown; Action: string | string[]; Condition?: unknown };

describe('the hosted story site', () => {
  it('keeps both buckets private: public access blocked, encrypted, TLS only, the site bucket logged', () => {
    const buckets = stateless.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(
        bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault,
      ).toEqual({ SSEAlgorithm: 'AES256' });
    }
    stateless.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
    });
  });

  it('lets no one but the distribution read, and nobody at all over plain HTTP', () => {
    const policies = Object.values(stateless.findResources('AWS::S3::BucketPolicy'));
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
      expect(statement.Principal).not.toEqual('*');
      expect(statement.Principal).not.toEqual({ AWS: '*' });
      expect(JSON.stringify(statement.Principal)).toMatch(/cloudfront\.amazonaws\.com|logging\.s3\.amazonaws\.com/);
      expect(statement.Condition).toBeDefined();
    }
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toHaveLength(2);
    for (const deny of denies) expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('serves through CloudFront with origin access control, HTTPS only, GET and HEAD only', () => {
    stateless.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    stateless.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    stateless.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
        }),
        Origins: [
          Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } }),
        ],
      }),
    });
  });

  it("sends the report's own policy and the security headers on every response", () => {
    const [policy] = Object.values(stateless.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const headers = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: REPORT_CSP_HEADER, Override: true });
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 31_536_000, Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(headers.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
  });

  it('gives the analyzer and publisher, and only them, the bucket and the site URL with its prefix', () => {
    const functions = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.[ENV.siteUrl],
    );
    expect(functions).toHaveLength(2);
    for (const fn of functions) {
      expect(fn.Properties.Description).toMatch(/publishes|pending/);
      expect(JSON.stringify(fn.Properties.Environment.Variables[ENV.siteUrl])).toContain(`/${PREFIX}/`);
      expect(fn.Properties.Environment.Variables[ENV.siteBucket]).toBeDefined();
    }
    const s3Statements = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as (Statement & { Resource: unknown })[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    expect(s3Statements.length).toBeGreaterThan(0);
    for (const statement of s3Statements) {
      expect([statement.Action].flat()).not.toContain('s3:DeleteObject*');
      const objects = [statement.Resource].flat().filter((resource) => JSON.stringify(resource).includes('/'));
      for (const resource of objects) expect(JSON.stringify(resource)).toContain(`/${PREFIX}/*`);
    }
  });

  it('outputs the site root and each story page and feed URL', () => {
    const outputs = stateless.findOutputs('*');
    for (const name of ['SiteUrl', 'InfraSamplePageUrl', 'InfraSampleChangesFeedUrl', 'InfraSampleFollowUpsFeedUrl']) {
      expect(Object.keys(outputs)).toContain(name);
    }
    expect(JSON.stringify(outputs.InfraSampleChangesFeedUrl?.Value)).toContain(`/${PREFIX}/infra-sample.changes.atom`);
  });

  it('alarms when publishing fails in two sweep periods running (standard level; not at minimal)', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.MetricName === METRIC.sitePublishFailed,
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: 'storywatch' }],
      Statistic: 'Sum',
      Period: 15 * 60, // the default publisher sweep
      Threshold: 1,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(EMITTED_METRICS.standard).toContain(METRIC.sitePublishFailed);
    expect(EMITTED_METRICS.minimal).not.toContain(METRIC.sitePublishFailed);
  });

  it('refuses a path prefix short enough to guess or with a slash in it', () => {
    for (const bad of ['short', 'has/a/slash-0123456789', 'spaces are not ok 0123']) {
      const context = { ...FIXTURE_CONTEXT, sitePathPrefix: bad };
      expect(() => loadConfig((key) => context[key as keyof typeof context], PROJECT_ROOT)).toThrow(ConfigError);
    }
  });
});
