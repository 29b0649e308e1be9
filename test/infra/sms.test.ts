import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltApp, buildApp } from '../support/infra-build';

let withPhones: BuiltApp;
let stateful: Template;

beforeAll(() => {
  withPhones = buildApp(
    { alertPhoneNumbers: ['+14155550100'], smsMonthlySpendLimitUsd: 5, logRetentionDays: 14 },
    { regionHint: 'us-east-1' },
  );
  stateful = withPhones.stateful;
}, 180_000);

const idOf = (template: Template, type: string, pathPart: string) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(pathPart));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
};

describe('SMS settings, when phone numbers subscribe', () => {
  it('sets transactional SMS, the spend limit and full delivery-status logging through SetSMSAttributes', () => {
    const calls = Object.values(stateful.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties));
    expect(calls).toHaveLength(1);
    const call = calls[0] as string;
    for (const part of [
      '\\"action\\":\\"setSMSAttributes\\"',
      '\\"DefaultSMSType\\":\\"Transactional\\"',
      '\\"MonthlySpendLimit\\":\\"5\\"',
      '\\"DeliveryStatusSuccessSamplingRate\\":\\"100\\"',
    ]) {
      expect(call).toContain(part);
    }
    // Both on create and on update, so a changed limit reaches the account.
    expect(call).toMatch(/"Create":/);
    expect(call).toMatch(/"Update":/);
    const roleId = idOf(stateful, 'AWS::IAM::Role', 'DeliveryStatusRole');
    expect(call).toContain(`"Fn::GetAtt":["${roleId}","Arn"]`);
  });

  it('lets only SNS of this account assume the delivery-status role, which writes only to the two SMS log groups', () => {
    const roleId = idOf(stateful, 'AWS::IAM::Role', 'DeliveryStatusRole');
    stateful.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    const policy = Object.values(stateful.findResources('AWS::IAM::Policy')).find(
      (p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]),
    );
    const groupIds = [
      idOf(stateful, 'AWS::Logs::LogGroup', 'DeliveredLogs'),
      idOf(stateful, 'AWS::Logs::LogGroup', 'FailedLogs'),
    ];
    const statements = policy?.Properties.PolicyDocument.Statement as { Resource: unknown }[];
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
      for (const resource of resources) {
        // A log group's ARN, with or without the trailing ":*" CDK's grant adds for CreateLogGroup.
        expect(
          groupIds.some((id) => resource.includes(`"${id}"`)),
          resource,
        ).toBe(true);
      }
    }
  });

  it('creates the log groups SNS writes SMS delivery status to, with the configured retention', () => {
    const groups = Object.values(stateful.findResources('AWS::Logs::LogGroup')).map((g) => g.Properties);
    const names = groups.map((g) => JSON.stringify(g.LogGroupName));
    expect(names.some((n) => n.endsWith('/DirectPublishToPhoneNumber"]]}'))).toBe(true);
    expect(names.some((n) => n.endsWith('/DirectPublishToPhoneNumber/Failure"]]}'))).toBe(true);
    for (const group of groups.filter((g) => JSON.stringify(g.LogGroupName).includes('DirectPublish'))) {
      expect(group.RetentionInDays).toBe(14);
    }
  });

  it('alarms the ops topic when an SMS fails and when 80% of the monthly SMS budget is spent', () => {
    const opsTopic = { Ref: idOf(stateful, 'AWS::SNS::Topic', 'OpsTopic') };
    stateful.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'SMSSuccessRate',
      // AWS documents Sum, Average and SampleCount for this metric; an average below 1 is a failed SMS.
      Statistic: 'Average',
      Dimensions: Match.absent(),
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [opsTopic],
    });
    stateful.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SNS',
      MetricName: 'SMSMonthToDateSpentUSD',
      Threshold: 4,
      AlarmActions: [opsTopic],
    });
  });

  it('stays silent about regions that send SMS and warns when the region does not, or is unknown', () => {
    Annotations.fromStack(withPhones.stacks.stateful).hasNoWarning('*', Match.stringLikeRegexp('SMS'));
    for (const regionHint of ['eu-south-2', null]) {
      const built = buildApp({ alertPhoneNumbers: ['+14155550100'] }, { regionHint });
      Annotations.fromStack(built.stacks.stateful).hasWarning(
        '/StorywatchData/Sms',
        Match.stringLikeRegexp(regionHint ? 'region eu-south-2 is not one of them' : 'unknown at synth'),
      );
    }
  }, 120_000);
});

describe('without phone numbers', () => {
  it('leaves the account SMS settings alone and adds no SMS alarm', () => {
    const { stateful: noPhones } = buildApp({ alertPhoneNumbers: [] });
    noPhones.resourceCountIs('Custom::AWS', 0);
    noPhones.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    noPhones.resourceCountIs('AWS::Lambda::Function', 0);
  }, 120_000);
});
