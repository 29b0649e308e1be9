import type { Stack } from 'aws-cdk-lib';
import { type ITableV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

/**
 * What the services stack needs of the data stack. It travels through SSM parameters instead of CloudFormation
 * exports: an export in use can never change, so a strong reference would forbid replacing the table, a topic
 * or the key. A parameter is read when the services stack deploys (CDK never skips a stack with SSM-backed
 * parameters), so `cdk deploy --all` carries a replaced resource over in the same run.
 */
export interface DataReferences {
  tableName: string;
  alertTopicArn: string;
  opsTopicArn: string;
  topicKeyArn: string;
  /** Only when some SNS subscriber takes the daily digest. */
  dailyTopicArn?: string;
}

const PARAMETER_KEYS: Record<keyof DataReferences, string> = {
  tableName: 'table-name',
  alertTopicArn: 'alert-topic-arn',
  opsTopicArn: 'ops-topic-arn',
  topicKeyArn: 'topic-key-arn',
  dailyTopicArn: 'daily-topic-arn',
};

/** Under the data stack's own name, so two installations in one account and region keep apart. */
export function parameterName(dataStackName: string, key: keyof DataReferences): string {
  return `/${dataStackName}/${PARAMETER_KEYS[key]}`;
}

/** Writes one parameter per reference, from inside the data stack. */
export function publishDataReferences(stack: Stack, references: DataReferences): void {
  for (const key of Object.keys(PARAMETER_KEYS) as (keyof DataReferences)[]) {
    const value = references[key];
    if (value === undefined) continue;
    new StringParameter(stack, `${PARAMETER_KEYS[key]}-parameter`, {
      parameterName: parameterName(stack.stackName, key),
      stringValue: value,
      description: `storywatch: ${PARAMETER_KEYS[key]} of ${stack.stackName}, read by the services stack at deploy`,
    });
  }
}

export interface ImportedData {
  table: ITableV2;
  alertTopic: ITopic;
  opsTopic: ITopic;
  /** Present when asked for: the data stack then has daily SNS subscribers, so it wrote the parameter. */
  dailyTopic?: ITopic;
}

/**
 * The data stack's resources as the services stack sees them: names and ARNs resolved at deploy time. Both stacks
 * are built from one config, so `dailyTopic` is asked for exactly when the data stack made the topic.
 */
export function importDataReferences(
  scope: Construct,
  dataStackName: string,
  options: { dailyTopic?: boolean } = {},
): ImportedData {
  const read = (key: keyof DataReferences) =>
    StringParameter.valueForStringParameter(scope, parameterName(dataStackName, key));
  return {
    // The store queries the table's secondary indexes, so grants must cover them too.
    table: TableV2.fromTableAttributes(scope, 'Table', { tableName: read('tableName'), grantIndexPermissions: true }),
    alertTopic: Topic.fromTopicAttributes(scope, 'AlertTopic', {
      topicArn: read('alertTopicArn'),
      keyArn: read('topicKeyArn'),
    }),
    opsTopic: Topic.fromTopicArn(scope, 'OpsTopic', read('opsTopicArn')),
    // With the key, grantPublish also grants the KMS use that publishing to an encrypted topic needs.
    ...(options.dailyTopic
      ? {
          dailyTopic: Topic.fromTopicAttributes(scope, 'DailyTopic', {
            topicArn: read('dailyTopicArn'),
            keyArn: read('topicKeyArn'),
          }),
        }
      : {}),
  };
}
