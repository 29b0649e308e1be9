import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

/**
 * Regions where SNS sends SMS, from the "Supported countries and regions" page of the SNS developer guide. A
 * region missing here gets a synth warning, not an error: AWS adds regions, and the list may be behind.
 */
export const SNS_SMS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-gov-west-1',
] as const;

export interface SmsSettingsProps {
  /** Account-wide SMS budget; SNS stops sending for the rest of the month once it is spent. */
  monthlySpendLimitUsd: number;
  logRetention: RetentionDays;
  /** Where the SMS delivery-failure alarm goes. */
  opsTopic: ITopic;
  /** The region the deploy will target, when the synth knows it (CDK_DEFAULT_REGION from the CLI's profile). */
  regionHint: string | null;
  /** False at the `minimal` monitoring level: the delivery logs stay, the two alarms are left out. */
  alarms: boolean;
}

/**
 * The account's SNS text-messaging preferences, which CloudFormation has no resource for: an AWS SDK call
 * (SetSMSAttributes) on create and update. Alerts are sent as transactional SMS (delivered ahead of
 * promotional traffic, and to numbers on do-not-disturb lists where the law allows), within a spend limit, and
 * every delivery (all successes, all failures) is logged to two log groups, with an alarm on failures.
 * These are account settings: another application of the same account and region shares them.
 */
export class SmsSettings extends Construct {
  readonly deliveryStatusRole: Role;
  readonly successLogs: LogGroup;
  readonly failureLogs: LogGroup;
  readonly failureAlarm: Alarm | null = null;
  readonly spendAlarm: Alarm | null = null;
  readonly setAttributes: AwsCustomResource;

  constructor(scope: Construct, id: string, props: SmsSettingsProps) {
    super(scope, id);
    warnOutsideSmsRegions(this, props.regionHint);
    const stack = Stack.of(this);

    // SNS picks these names itself; creating the groups first gives them a retention and a removal policy.
    const base = `sns/${stack.region}/${stack.account}/DirectPublishToPhoneNumber`;
    this.successLogs = new LogGroup(this, 'DeliveredLogs', {
      logGroupName: base,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.failureLogs = new LogGroup(this, 'FailedLogs', {
      logGroupName: `${base}/Failure`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deliveryStatusRole = new Role(this, 'DeliveryStatusRole', {
      description: 'Lets SNS write SMS delivery status to the storywatch SMS log groups',
      assumedBy: new ServicePrincipal('sns.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    for (const group of [this.successLogs, this.failureLogs]) {
      group.grantWrite(this.deliveryStatusRole);
      // SNS asks to create its group before writing; the group exists, so this only keeps the call from failing.
      group.grant(this.deliveryStatusRole, 'logs:CreateLogGroup');
    }

    const attributes = {
      DefaultSMSType: 'Transactional',
      MonthlySpendLimit: String(props.monthlySpendLimitUsd),
      DeliveryStatusIAMRole: this.deliveryStatusRole.roleArn,
      DeliveryStatusSuccessSamplingRate: '100',
    };
    const call = {
      service: 'SNS',
      action: 'setSMSAttributes',
      parameters: { attributes },
      // One physical id: a changed limit updates the same settings instead of replacing them.
      physicalResourceId: PhysicalResourceId.of('storywatch-sms-attributes'),
    };
    this.setAttributes = new AwsCustomResource(this, 'SetSmsAttributes', {
      onCreate: call,
      onUpdate: call,
      // SetSMSAttributes acts on the account, not on a resource, so IAM cannot narrow it to one.
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    this.deliveryStatusRole.grantPassRole(this.setAttributes.grantPrincipal);

    if (props.alarms) [this.failureAlarm, this.spendAlarm] = this.createAlarms(props);
  }

  /** Both alarms read SNS's own account-wide SMS metrics (no dimension), so they work for any topic or sender. */
  private createAlarms(props: SmsSettingsProps): [Alarm, Alarm] {
    // SMSSuccessRate: the share of SMS that reached the phone, in each period with any SMS; AWS documents Sum,
    // Average and SampleCount for it, so "below 1 on average" is "at least one SMS failed".
    const failureAlarm = new Alarm(this, 'SmsDeliveryFailureAlarm', {
      alarmDescription:
        'An SMS alert did not reach its phone in the last hour: see the DirectPublishToPhoneNumber/Failure log group',
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSSuccessRate',
        statistic: 'Average',
        period: Duration.hours(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No SMS sent in an hour is the normal case, not a failure.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // Past the limit SNS drops every SMS until the month ends; warn while some budget is left.
    const spendAlarm = new Alarm(this, 'SmsSpendAlarm', {
      alarmDescription: `SMS spending this month reached 80% of the ${props.monthlySpendLimitUsd} USD limit`,
      metric: new Metric({
        namespace: 'AWS/SNS',
        metricName: 'SMSMonthToDateSpentUSD',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      threshold: props.monthlySpendLimitUsd * 0.8,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const opsAction = new SnsAction(props.opsTopic);
    for (const alarm of [failureAlarm, spendAlarm]) alarm.addAlarmAction(opsAction);
    return [failureAlarm, spendAlarm];
  }
}

function warnOutsideSmsRegions(scope: Construct, regionHint: string | null): void {
  const stackRegion = Stack.of(scope).region;
  const region = Token.isUnresolved(stackRegion) ? regionHint : stackRegion;
  const known = SNS_SMS_REGIONS as readonly string[];
  if (region && known.includes(region)) return;
  const where = region ? `region ${region} is not one of them` : 'the target region is unknown at synth';
  Annotations.of(scope).addWarningV2(
    'storywatch:smsRegion',
    `alertPhoneNumbers are set, but SNS sends SMS only in some regions and ${where}. ` +
      `Known SMS regions: ${known.join(', ')}. Deploy to one of them, or SMS alerts will not be sent.`,
  );
}
