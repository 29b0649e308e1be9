import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { AnyPrincipal, Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../src/adapters/dynamodb/schema';
import { digestFilterPolicy } from '../src/channels/digest-filter';
import type { MonitoringLevel } from '../src/config/metrics';
import type { AlertFilter, AlertSubscription } from './config';
import { SmsSettings } from './constructs/sms-settings';
import { publishDataReferences } from './data-references';

export interface StatefulStackProps extends StackProps {
  alertEmails: AlertSubscription[];
  alertPhoneNumbers: AlertSubscription[];
  opsEmail: string | null;
  /** A table retained by an earlier `cdk destroy`, reused instead of creating an empty one. */
  existingTableName: string | null;
  /** The topic key retained by an earlier `cdk destroy`, reused instead of creating (and paying for) another. */
  existingKeyArn: string | null;
  smsMonthlySpendLimitUsd: number;
  logRetention: RetentionDays;
  /** The region the deploy targets, when known at synth; only for the SMS region warning. */
  regionHint: string | null;
  /** At `minimal` the SMS settings and logs stay, their two alarms do not. */
  monitoring: MonitoringLevel;
}

/**
 * Data that must outlive any redeploy of the functions: the table and the topics' key, both retained on delete
 * and reusable after it, and the two topics. The topics are removed with the stack: SNS keeps no messages, the
 * subscriber lists come from cdk.json and are re-created on deploy, and a retained topic could not be adopted by
 * the next deploy, so it would live on as an orphan that still mails its subscribers nothing.
 */
export class StatefulStack extends Stack {
  readonly table: ITableV2;
  readonly topicKey: IKey;
  readonly alertTopic: Topic;
  readonly opsTopic: Topic;
  /** Present only when some email or SMS subscriber takes the daily digest: the digest function publishes to it. */
  readonly dailyTopic: Topic | null;
  /** Present only when phone numbers subscribe: the account's SMS preferences and their alarms. */
  readonly sms: SmsSettings | null;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.table = props.existingTableName
      ? TableV2.fromTableAttributes(this, 'Table', { tableName: props.existingTableName, grantIndexPermissions: true })
      : this.createTable();
    // One customer-managed key for both topics: the AWS-managed SNS key cannot grant CloudWatch alarms publish rights.
    this.topicKey = props.existingKeyArn ? Key.fromKeyArn(this, 'TopicKey', props.existingKeyArn) : this.createKey();

    this.alertTopic = this.createAlertTopic(props);
    this.opsTopic = this.createOpsTopic(props.opsEmail);
    this.dailyTopic = this.createDailyTopic(props);
    for (const topic of [this.alertTopic, this.opsTopic, this.dailyTopic]) {
      topic?.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
    this.sms =
      props.alertPhoneNumbers.length > 0
        ? new SmsSettings(this, 'Sms', {
            monthlySpendLimitUsd: props.smsMonthlySpendLimitUsd,
            logRetention: props.logRetention,
            opsTopic: this.opsTopic,
            regionHint: props.regionHint,
            alarms: props.monitoring !== 'minimal',
          })
        : null;

    publishDataReferences(this, {
      tableName: this.table.tableName,
      alertTopicArn: this.alertTopic.topicArn,
      opsTopicArn: this.opsTopic.topicArn,
      topicKeyArn: this.topicKey.keyArn,
      ...(this.dailyTopic ? { dailyTopicArn: this.dailyTopic.topicArn } : {}),
    });
    this.outputNames();
  }

  /** The alert topic, with each immediate subscriber's filter as an SNS filter policy. */
  private createAlertTopic(props: StatefulStackProps): Topic {
    const topic = new Topic(this, 'AlertTopic', {
      displayName: 'Storywatch stance alerts',
      enforceSSL: true,
      masterKey: this.topicKey,
    });
    subscribe(topic, props, 'immediate');
    return topic;
  }

  /** The daily subscribers' topic: one digest message a day, published by the digest function, no filters. */
  private createDailyTopic(props: StatefulStackProps): Topic | null {
    const daily = [...props.alertEmails, ...props.alertPhoneNumbers].some((s) => s.digest === 'daily');
    if (!daily) return null;
    const topic = new Topic(this, 'DailyDigestTopic', {
      displayName: 'Storywatch daily digest',
      enforceSSL: true,
      masterKey: this.topicKey,
    });
    subscribe(topic, props, 'daily');
    return topic;
  }

  /** The ops topic the alarms publish to, and the ops address when one is given. */
  private createOpsTopic(opsEmail: string | null): Topic {
    const topic = new Topic(this, 'OpsTopic', {
      displayName: 'Storywatch operations alarms',
      enforceSSL: true,
      masterKey: this.topicKey,
    });
    // enforceSSL gives the topic an explicit policy, which replaces SNS's default one; alarms need their own allow.
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: this.fromThisAccount(),
      }),
    );
    if (opsEmail) topic.addSubscription(new EmailSubscription(opsEmail));
    return topic;
  }

  private outputNames(): void {
    // Plain outputs, no exports: note the first two before a `cdk destroy` to redeploy onto the same data.
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB table (retained)' });
    new CfnOutput(this, 'TopicKeyArn', {
      value: this.topicKey.keyArn,
      description: 'KMS key of the topics (retained)',
    });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alertTopic.topicArn,
      description: 'SNS topic of stance alerts',
    });
    if (this.dailyTopic) {
      new CfnOutput(this, 'DailyTopicArn', {
        value: this.dailyTopic.topicArn,
        description: 'SNS topic of the daily digest',
      });
    }
    new CfnOutput(this, 'OpsTopicArn', { value: this.opsTopic.topicArn, description: 'SNS topic of ops alarms' });
  }

  private createTable(): TableV2 {
    return new TableV2(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The storage adapter owns the key layout; sharing its constants keeps AWS and local tables identical.
      globalSecondaryIndexes: GLOBAL_SECONDARY_INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
  }

  /** Its policy is what a reused key (existingKeyArn) brings along, so the reused one works the same. */
  private createKey(): Key {
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the storywatch alert and ops topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: this.fromThisAccount(),
      }),
    );
    // Grants let a holder use the key without the key policy saying so; only AWS services acting for a resource
    // (SNS, for instance) may create them.
    key.addToResourcePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
        },
      }),
    );
    return key;
  }

  /** Only this account's resources: keeps another account's alarms from using the key or topic (confused deputy). */
  private fromThisAccount() {
    return { StringEquals: { 'aws:SourceAccount': this.account } };
  }
}

/** Subscribes the email and SMS subscribers of one cadence, each with the filter policy of its filter. */
function subscribe(topic: Topic, props: StatefulStackProps, digest: AlertSubscription['digest']): void {
  const policyOf = digest === 'daily' ? toDigestFilterPolicy : toFilterPolicy;
  for (const subscription of props.alertEmails.filter((s) => s.digest === digest)) {
    topic.addSubscription(new EmailSubscription(subscription.address, { filterPolicy: policyOf(subscription.filter) }));
  }
  for (const subscription of props.alertPhoneNumbers.filter((s) => s.digest === digest)) {
    topic.addSubscription(new SmsSubscription(subscription.address, { filterPolicy: policyOf(subscription.filter) }));
  }
}

/**
 * On the daily topic every subscription, filtered or not, takes only the digest cut to its own filter (the
 * `digestFilter` attribute the digest function sets): without a policy it would get every filter's message.
 */
function toDigestFilterPolicy(filter: AlertFilter | null): Record<string, SubscriptionFilter> {
  return Object.fromEntries(
    Object.entries(digestFilterPolicy(filter ?? {})).map(([name, allowlist]) => [
      name,
      SubscriptionFilter.stringFilter({ allowlist }),
    ]),
  );
}

/** Matches the message attributes `party` and `severity` that the SNS notifier sets on every alert. */
function toFilterPolicy(filter: AlertFilter | null): Record<string, SubscriptionFilter> | undefined {
  if (!filter) return undefined;
  const policy: Record<string, SubscriptionFilter> = {};
  if (filter.parties) policy.party = SubscriptionFilter.stringFilter({ allowlist: filter.parties });
  if (filter.severities) policy.severity = SubscriptionFilter.stringFilter({ allowlist: filter.severities });
  return policy;
}
