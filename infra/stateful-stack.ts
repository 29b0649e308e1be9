import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { GLOBAL_SECONDARY_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../src/adapters/dynamodb/schema';
import type { AlertFilter, AlertSubscription } from './config';

export interface StatefulStackProps extends StackProps {
  alertEmails: AlertSubscription[];
  alertPhoneNumbers: AlertSubscription[];
  opsEmail: string | null;
}

/** Data that must outlive any redeploy of the functions: the table, the topics and their key. */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly alertTopic: Topic;
  readonly opsTopic: Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.table = new TableV2(this, 'Table', {
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

    // One customer-managed key for both topics: the AWS-managed SNS key cannot grant CloudWatch alarms publish rights.
    const topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the storywatch alert and ops topics',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    // Alarms of this account only: the condition keeps another account's alarms from using the key (confused deputy).
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromThisAccount,
      }),
    );

    this.alertTopic = new Topic(this, 'AlertTopic', {
      displayName: 'Storywatch stance alerts',
      enforceSSL: true,
      masterKey: topicKey,
    });
    for (const subscription of props.alertEmails) {
      this.alertTopic.addSubscription(
        new EmailSubscription(subscription.address, { filterPolicy: toFilterPolicy(subscription.filter) }),
      );
    }
    for (const subscription of props.alertPhoneNumbers) {
      this.alertTopic.addSubscription(
        new SmsSubscription(subscription.address, { filterPolicy: toFilterPolicy(subscription.filter) }),
      );
    }

    this.opsTopic = new Topic(this, 'OpsTopic', {
      displayName: 'Storywatch operations alarms',
      enforceSSL: true,
      masterKey: topicKey,
    });
    // enforceSSL gives the topic an explicit policy, which replaces SNS's default one; alarms need their own allow.
    this.opsTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.opsTopic.topicArn],
        conditions: fromThisAccount,
      }),
    );
    if (props.opsEmail) this.opsTopic.addSubscription(new EmailSubscription(props.opsEmail));

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB table of storywatch' });
    new CfnOutput(this, 'AlertTopicArn', {
      value: this.alertTopic.topicArn,
      description: 'SNS topic of stance alerts',
    });
    new CfnOutput(this, 'OpsTopicArn', { value: this.opsTopic.topicArn, description: 'SNS topic of ops alarms' });
  }
}

/** Matches the message attributes `party` and `severity` that the SNS notifier sets on every alert. */
function toFilterPolicy(filter: AlertFilter | null): Record<string, SubscriptionFilter> | undefined {
  if (!filter) return undefined;
  const policy: Record<string, SubscriptionFilter> = {};
  if (filter.parties) policy.party = SubscriptionFilter.stringFilter({ allowlist: filter.parties });
  if (filter.severities) policy.severity = SubscriptionFilter.stringFilter({ allowlist: filter.severities });
  return policy;
}
