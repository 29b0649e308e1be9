import { type CfnElement, Duration } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertTimeoutOrder,
  FUNCTION_TIMEOUT,
  MAX_RECEIVE_COUNT,
  POLL_DEADLINE,
  QUEUE_VISIBILITY_TIMEOUT,
} from '../../infra/stateless-stack';
import { GLOBAL_SECONDARY_INDEXES, TTL_ATTRIBUTE } from '../../src/adapters/dynamodb/schema';
import { type BuiltApp, buildApp } from '../support/infra-build';

const CONTEXT = {
  alertEmails: ['desk@example.org', { address: 'kyiv-desk@example.org', filter: { parties: ['ukraine'] } }],
  alertPhoneNumbers: ['+14155550100'],
  alertFilter: { severities: ['high'] },
  opsEmail: 'ops@example.org',
  pollRateMinutes: 7,
  adaptiveSchedule: '{"minIntervalSec":90}',
  heartbeatPeriodMinutes: 20,
  publisherSweepMinutes: 20,
  logRetentionDays: 14,
  // Today's alarms and dashboard; test/infra/monitoring.test.ts compares the levels.
  monitoring: 'full',
};

let built: BuiltApp;
let stateful: Template;
let stateless: Template;

beforeAll(() => {
  built = buildApp(CONTEXT);
  stateful = built.stateful;
  stateless = built.stateless;
}, 180_000);

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.findResources(type)) as [string, Resource][];

describe('stateful stack', () => {
  it('creates an on-demand table with point-in-time recovery, TTL on expiresAt and the adapter’s indexes', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('retains the table and the topic key when the stack is deleted', () => {
    stateful.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    stateful.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts both topics with the customer key and denies publishing over plain HTTP', () => {
    const topics = resourcesOf(stateful, 'AWS::SNS::Topic');
    expect(topics).toHaveLength(2);
    for (const [, topic] of topics) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    }
    const policies = resourcesOf(stateful, 'AWS::SNS::TopicPolicy');
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('lets only this account’s CloudWatch alarms publish to the ops topic and use the topic key', () => {
    const cloudWatchStatement = {
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    };
    stateful.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ ...cloudWatchStatement, Action: 'sns:Publish' })]),
      },
      Topics: [{ Ref: Match.stringLikeRegexp('^OpsTopic') }],
    });
    stateful.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ ...cloudWatchStatement, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
  });

  it('subscribes every configured email and phone number, with per-subscription or default filter policies', () => {
    const subscriptions = resourcesOf(stateful, 'AWS::SNS::Subscription').map(([, s]) => s.Properties);
    const byEndpoint = new Map(subscriptions.map((s) => [s.Endpoint, s]));
    expect([...byEndpoint.keys()].sort()).toEqual(
      ['+14155550100', 'desk@example.org', 'kyiv-desk@example.org', 'ops@example.org'].sort(),
    );
    expect(byEndpoint.get('desk@example.org')).toMatchObject({
      Protocol: 'email',
      FilterPolicy: { severity: ['high'] },
    });
    expect(byEndpoint.get('kyiv-desk@example.org')).toMatchObject({ FilterPolicy: { party: ['ukraine'] } });
    expect(byEndpoint.get('+14155550100')).toMatchObject({ Protocol: 'sms', FilterPolicy: { severity: ['high'] } });
    // The ops subscriber gets every alarm.
    expect(byEndpoint.get('ops@example.org')?.FilterPolicy).toBeUndefined();
  });

  it('outputs the table name and key ARN a redeploy after destroy needs, and the topic ARNs', () => {
    for (const name of ['TableName', 'TopicKeyArn', 'AlertTopicArn', 'OpsTopicArn']) {
      stateful.hasOutput(name, { Export: Match.absent() });
    }
  });
});

describe('stateless stack: functions', () => {
  it('runs every function on Node.js 22 on arm64 with the index.handler entry and Powertools settings', () => {
    const functions = resourcesOf(stateless, 'AWS::Lambda::Function');
    // The four pipeline functions and the WebSub callback.
    expect(functions).toHaveLength(5);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: 'storywatch',
            POWERTOOLS_METRICS_NAMESPACE: 'Storywatch',
            STORYWATCH_STORIES_DIR: 'stories',
            STORYWATCH_FEED_REGISTRY: 'feeds/registry.json',
            TABLE_NAME: expect.anything(),
          }),
        },
      });
    }
  });

  it('gives each function its own log group with the configured retention', () => {
    const logGroups = resourcesOf(stateless, 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(5);
    for (const [, group] of logGroups) expect(group.Properties.RetentionInDays).toBe(14);
    for (const [, fn] of resourcesOf(stateless, 'AWS::Lambda::Function')) {
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogGroup: { Ref: expect.any(String) } });
    }
  });

  it('passes each function exactly the queue and topic settings it uses', () => {
    const envOf = (description: string) => {
      const match = resourcesOf(stateless, 'AWS::Lambda::Function').find(([, fn]) =>
        String(fn.Properties.Description).startsWith(description),
      );
      if (!match) throw new Error(`no function described as "${description}…"`);
      return (match[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    expect(Object.keys(envOf('Enqueues'))).toContain('FEED_QUEUE_URL');
    expect(envOf('Polls')).toMatchObject({ ITEM_QUEUE_URL: expect.anything(), STORYWATCH_POLL_DEADLINE_MS: '20000' });
    // The poller times each feed's next poll with the deploy's thresholds over the documented defaults.
    expect(JSON.parse(String(envOf('Polls').STORYWATCH_ADAPTIVE_SCHEDULE))).toMatchObject({
      minIntervalSec: 90,
      hotIntervalSec: 240,
    });
    expect(envOf('Classifies')).toHaveProperty('TOPIC_ARN');
    expect(envOf('Sends')).toHaveProperty('TOPIC_ARN');
    expect(envOf('Enqueues')).not.toHaveProperty('TOPIC_ARN');
  });

  it('keeps poll deadline < function timeout < queue visibility timeout', () => {
    expect(POLL_DEADLINE.toSeconds()).toBeLessThan(FUNCTION_TIMEOUT.toSeconds());
    for (const [, fn] of resourcesOf(stateless, 'AWS::Lambda::Function')) {
      expect(fn.Properties.Timeout).toBe(FUNCTION_TIMEOUT.toSeconds());
    }
    const sourceQueues = resourcesOf(stateless, 'AWS::SQS::Queue').filter(([, q]) => q.Properties.RedrivePolicy);
    for (const [, queue] of sourceQueues) {
      expect(queue.Properties.VisibilityTimeout).toBe(QUEUE_VISIBILITY_TIMEOUT.toSeconds());
      expect(queue.Properties.VisibilityTimeout as number).toBeGreaterThan(FUNCTION_TIMEOUT.toSeconds());
    }
  });

  it('rejects a timeout order in which a slow poll or batch could outlive its function or visibility', () => {
    expect(() => assertTimeoutOrder(Duration.seconds(60), Duration.seconds(60), Duration.seconds(360))).toThrow(
      /poll deadline \(60s\) < function timeout \(60s\)/,
    );
    expect(() => assertTimeoutOrder(Duration.seconds(20), Duration.seconds(60), Duration.seconds(30))).toThrow(
      /queue visibility \(30s\)/,
    );
    expect(() => assertTimeoutOrder(Duration.seconds(20), Duration.seconds(60), Duration.seconds(360))).not.toThrow();
  });
});

describe('stateless stack: event flow', () => {
  it('starts the dispatcher on the configured rate and sweeps the outbox on its own rate', () => {
    const schedules = resourcesOf(stateless, 'AWS::Scheduler::Schedule').map(([, s]) => s.Properties);
    expect(schedules.map((s) => s.ScheduleExpression).sort()).toEqual(['rate(20 minutes)', 'rate(7 minutes)']);
    for (const schedule of schedules) {
      expect(schedule).toMatchObject({
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 2 },
        },
      });
    }
  });

  it('parks a tick whose function threw in the schedule DLQ too, after the same retries, within one rate', () => {
    const dlqId = built.stacks.stateless.getLogicalId(
      built.stacks.stateless.scheduleDlq.node.defaultChild as CfnElement,
    );
    const configs = resourcesOf(stateless, 'AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties);
    expect(configs).toHaveLength(2);
    const ages = configs.map((config) => {
      expect(config).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
      });
      return config.MaximumEventAgeInSeconds;
    });
    expect(ages.sort()).toEqual([7 * 60, 20 * 60].sort());
    const scheduledFunctions = [
      built.stacks.stateless.functions.dispatcher,
      built.stacks.stateless.functions.publisher,
    ];
    const functionIds = scheduledFunctions.map((fn) =>
      built.stacks.stateless.getLogicalId(fn.function.node.defaultChild as CfnElement),
    );
    expect(configs.map((config) => (config.FunctionName as { Ref: string }).Ref).sort()).toEqual(functionIds.sort());
  });

  it('sends every work queue to its own DLQ after three receives', () => {
    const queues = resourcesOf(stateless, 'AWS::SQS::Queue');
    const workQueues = queues.filter(([, q]) => q.Properties.RedrivePolicy);
    expect(workQueues).toHaveLength(2);
    const dlqTargets = new Set<string>();
    for (const [, queue] of workQueues) {
      const redrive = queue.Properties.RedrivePolicy as { maxReceiveCount: number; deadLetterTargetArn: unknown };
      expect(redrive.maxReceiveCount).toBe(MAX_RECEIVE_COUNT);
      expect(MAX_RECEIVE_COUNT).toBe(3);
      const [dlqId] = (redrive.deadLetterTargetArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      dlqTargets.add(dlqId);
      expect(queues.some(([id]) => id === dlqId)).toBe(true);
    }
    expect(dlqTargets.size).toBe(2);
  });

  it('encrypts every queue with SQS-managed keys and denies non-TLS access to each', () => {
    const queues = resourcesOf(stateless, 'AWS::SQS::Queue');
    for (const [, queue] of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    const policies = resourcesOf(stateless, 'AWS::SQS::QueuePolicy').map(([, p]) => JSON.stringify(p.Properties));
    for (const [id] of queues) {
      expect(policies.some((p) => p.includes(`"Ref":"${id}"`) && p.includes('"aws:SecureTransport":"false"'))).toBe(
        true,
      );
    }
  });

  it('feeds the poller and the analyzer from their queues with partial batch responses and bounded concurrency', () => {
    const mappings = resourcesOf(stateless, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) {
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.ScalingConfig).toMatchObject({ MaximumConcurrency: expect.any(Number) });
    }
    expect(mappings.map((m) => (m.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency).sort()).toEqual([
      2, 5,
    ]);
  });
});

describe('stateless stack: permissions', () => {
  const statementsOf = (template: Template) =>
    resourcesOf(template, 'AWS::IAM::Policy').flatMap(
      ([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] })
          .Statement,
    );

  it('never grants an action on every resource', () => {
    for (const statement of statementsOf(stateless)) {
      const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
      expect(resources).not.toContain('*');
    }
  });

  it('scopes table actions to the table and its indexes, topic actions to the alert topic', () => {
    const statements = statementsOf(stateless);
    const dynamo = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBeGreaterThanOrEqual(4);
    for (const statement of dynamo) {
      expect(JSON.stringify(statement.Resource)).toMatch(/:table\/",\{"Ref":"SsmParameterValueStorywatchDatatablename/);
    }
    const publishes = statements.filter((s) => [s.Action].flat().includes('sns:Publish'));
    expect(publishes).toHaveLength(2);
    for (const statement of publishes) {
      expect(statement.Resource).toEqual({
        Ref: expect.stringMatching(/^SsmParameterValueStorywatchDataalerttopicarn/),
      });
    }
  });

  it('lets only Scheduler, on behalf of this account, assume the schedule roles', () => {
    const scheduleRoles = resourcesOf(stateless, 'AWS::IAM::Role').filter(([id]) => id.includes('ScheduleRole'));
    expect(scheduleRoles).toHaveLength(2);
    for (const [, role] of scheduleRoles) {
      expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      });
    }
  });
});

describe('operations', () => {
  it('alarms on every DLQ, every function’s errors, the poll heartbeat, the feed failure ratio, the site', () => {
    const alarms = resourcesOf(stateless, 'AWS::CloudWatch::Alarm');
    const dlqAlarms = alarms.filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(3);
    expect(alarms.filter(([, a]) => a.Properties.MetricName === 'Errors')).toHaveLength(5);
    // DLQs, functions (the WebSub callback among them), heartbeat and failure ratio, story pages not published,
    // something parked.
    expect(alarms).toHaveLength(3 + 5 + 2 + 1 + 1);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([
        { Ref: expect.stringMatching(/^SsmParameterValueStorywatchDataopstopicarn/) },
      ]);
    }
  });

  it('treats a missing poll heartbeat over three heartbeat periods as breaching', () => {
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Storywatch',
      MetricName: 'FeedsPolled',
      Dimensions: [{ Name: 'service', Value: 'storywatch' }],
      Period: 20 * 60,
      EvaluationPeriods: 3,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('computes the feed failure ratio with metric math over failed and successful polls', () => {
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: Match.stringLikeRegexp('failed / \\(polled \\+ failed\\)') }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'FeedsPolled' }) }) }),
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'FeedsFailed' }) }) }),
      ]),
      Threshold: 0.5,
    });
  });

  it('builds a dashboard and exports its name', () => {
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    stateless.hasOutput('DashboardName', {});
  });
});
