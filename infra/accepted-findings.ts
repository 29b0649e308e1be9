import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import { acknowledgeSiteFindings } from './accepted-site-findings';
import { ScheduledInvoke } from './constructs/scheduled-invoke';
import type { SmsSettings } from './constructs/sms-settings';
import { StorywatchFunction } from './constructs/storywatch-function';
import type { WebSubCallback } from './constructs/websub-callback';
import type { StatelessStack } from './stateless-stack';

/**
 * Every finding of the two rule packs this project accepts, each with the reason it is acceptable: cdk-nag's
 * AwsSolutions and the AWS Control Tower Guard rules (cdk-validator-cfnguard). Each is acknowledged on the
 * construct it concerns and by its full id, so the same finding anywhere else still fails `cdk synth`.
 */
export function acknowledgeAcceptedFindings(stateless: StatelessStack, sms: SmsSettings | null): void {
  if (sms) acknowledgeSmsSettings(sms);
  for (const fn of StorywatchFunction.allIn(stateless)) acknowledgeFunction(fn);
  acknowledgeSiteFindings(stateless.site);
  acknowledgeWebSubCallback(stateless.websub);
  for (const { role, target } of ScheduledInvoke.allIn(stateless)) {
    acknowledge(role, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdOf(target.function)}.Arn>:*]`,
      reason:
        'The Scheduler target role may invoke the one target function and its versions/aliases (the :* suffix); ' +
        'no other function.',
    });
  }
  const crossRegionModel = stateless.modelAccess?.crossRegionModelId;
  if (crossRegionModel) {
    acknowledge(stateless.analysis.analyzer.role, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${crossRegionModel}]`,
      reason:
        'A cross-region inference profile serves a request from any region of its geography, so InvokeModel is ' +
        'granted on the one model in every region, only for requests through that profile ' +
        '(bedrock:InferenceProfileArn); the model id itself is exact.',
    });
  }
  acknowledge(stateless.scheduleDlq, {
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason:
      'This queue is the dead-letter queue of the EventBridge Scheduler targets and their Lambda on-failure ' +
      'destinations; cdk-nag only recognises DLQs attached to other SQS queues.',
  });
  const { feedQueue, itemQueue } = stateless.ingestion;
  for (const dlq of [stateless.scheduleDlq, feedQueue.dlq, itemQueue.dlq]) {
    acknowledge(dlq, {
      id: 'cdk-validator-cfnguard::sqs_dlq_check',
      reason:
        'A dead-letter queue has no DLQ of its own. Naming its sources (redrive "byQueue") would make it and its ' +
        'source queue refer to each other, a cycle CloudFormation refuses; "allowAll" would let any queue of the ' +
        'account park messages here. The schedule DLQ has no SQS source at all.',
    });
  }
}

function acknowledgeSmsSettings(sms: SmsSettings): void {
  for (const group of [sms.successLogs, sms.failureLogs]) {
    acknowledge(group, {
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
      reason:
        'SMS delivery logs say whether an alert reached a phone and what it cost; logRetentionDays (30 by ' +
        'default) covers every monthly SMS bill, and longer would only grow storage.',
    });
    acknowledge(group, {
      id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
      reason:
        'CloudWatch Logs encrypts the group at rest with service keys; SNS writes these groups itself, and a ' +
        'customer key would need a key policy for the logs service and cost $1/month more.',
    });
  }
  acknowledge(sms.setAttributes, {
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'sns:SetSMSAttributes sets account-level SMS preferences and supports no resource in IAM, so "*" is the ' +
      'only resource it can be granted on; the policy holds that one action.',
  });
  // The provider function AwsCustomResource runs the SDK call in: one per stack, under a fixed id.
  const provider = Stack.of(sms).node.findChild(`AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`);
  acknowledge(provider, {
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's AwsCustomResource provider brings its own role with the basic execution policy; it runs only " +
      'during deploys, to make the one SetSMSAttributes call.',
  });
  acknowledge(provider, {
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason:
      "CDK's AwsCustomResource provider calls the SNS API during deploys only; it reaches nothing private, and " +
      'a VPC would need a NAT gateway or an SNS endpoint for that one call.',
  });
}

/**
 * WebSub hubs call the callback from anywhere, unsigned by AWS: the function URL must take anyone. Every delivery
 * is authenticated by its X-Hub-Signature instead (an HMAC with the subscription's own secret, checked before the
 * body is parsed), a verification is answered only for the topic and mode we asked for, and reserved concurrency
 * caps what a flood of forged requests can cost.
 */
function acknowledgeWebSubCallback(websub: WebSubCallback): void {
  const reason =
    'WebSub hubs cannot sign AWS requests, so the callback URL is public (auth NONE, as WebSub requires); each ' +
    'push is authenticated by its X-Hub-Signature HMAC under the subscription secret before anything is parsed, ' +
    'and reserved concurrency caps the cost of forged requests.';
  acknowledge(websub.url, { id: 'cdk-validator-cfnguard::lambda_function_url_auth_check', reason });
  // The two permissions addFunctionUrl grants: InvokeFunctionUrl, and InvokeFunction through the URL only.
  for (const permission of websub.callback.function.node.children.filter((c) => c instanceof CfnPermission)) {
    acknowledge(permission, { id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check', reason });
  }
}

function acknowledgeFunction(fn: StorywatchFunction): void {
  acknowledge(fn.function, {
    id: 'AwsSolutions::AwsSolutions-L1',
    reason:
      'Pinned to Node.js 22 on purpose: the project supports Node 20 and 22 and tests on them; ' +
      'moving to a newer runtime is a tested upgrade, not a synth-time default.',
  });
  acknowledge(fn.function, {
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason:
      'The functions fetch public feeds and call AWS APIs only; nothing private to reach. A VPC would need a NAT ' +
      'gateway (about $32/month, four times the whole bill) or one interface endpoint per service.',
  });
  acknowledge(fn.logGroup, {
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
    reason:
      'Function logs are diagnostics, not records (alerts and stance history live in the table); retention is ' +
      'the logRetentionDays setting, 30 days by default, so storage does not grow without end.',
  });
  acknowledge(fn.logGroup, {
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check',
    reason:
      'CloudWatch Logs encrypts every log group at rest with service keys; the logs mask email addresses and ' +
      'phone numbers and never hold feed bodies, so a customer key ($1/month) would protect nothing more.',
  });
  for (const binding of fn.bindings.filter((b) => b.kind === 'table')) {
    acknowledge(fn.role, {
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagSpelling(fn, binding.arn)}/index/*]`,
      reason:
        "Granted by table.grant: the wildcard covers only this table's own secondary indexes, which the store " +
        'queries (feed states, pending alerts).',
    });
  }
  if (fn.bindings.some((b) => b.kind === 'topic')) {
    acknowledge(fn.role, {
      id: 'AwsSolutions::AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to the KMS-encrypted alert topic needs kms:GenerateDataKey*; topic.grantPublish limits it ' +
        "to the topic's one key.",
    });
  }
}

function acknowledge(scope: IConstruct, rule: { id: string; reason: string }): void {
  Validations.of(scope).acknowledge(rule);
}

/**
 * An ARN as cdk-nag prints it in a finding id: literal parts as they are, `<Id>` for a Ref and `<Id.Attr>` for a
 * GetAtt, after CDK resolved the token in the consuming stack.
 */
function nagSpelling(scope: IConstruct, arn: string): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  const part = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `<${ref}>`;
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    throw new Error(`no cdk-nag spelling for ${JSON.stringify(value)}`);
  };
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join ? join[1].map(part).join(join[0]) : part(resolved);
}

/** The CloudFormation logical id of an L2 construct's resource, as cdk-nag prints it in finding ids. */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource);
}
