import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StorywatchFunction } from '../../infra/constructs/storywatch-function';
import { DIGEST_TABLE_ACCESS } from '../../infra/permissions';
import { type BuiltApp, buildApp } from '../support/infra-build';

/** One channel with each alert, two with a daily digest, each value kept in its own place. */
const CHANNELS = [
  { id: 'ops-slack', type: 'slack', urlFrom: { secret: 'storywatch/slack-url' } },
  { id: 'morning', type: 'teams', urlFrom: { parameter: '/storywatch/teams-daily' }, digest: 'daily' },
  {
    id: 'daily-hook',
    type: 'webhook',
    url: 'https://hooks.example.com/daily',
    secretFrom: { secret: 'storywatch/daily-hook-key' },
    digest: 'daily',
  },
];

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let built: BuiltApp;
beforeAll(() => {
  built = buildApp({ channels: CHANNELS, monitoring: 'full' });
}, 180_000);

const idOf = (construct: IConstruct) => built.stacks.stateless.getLogicalId(construct.node.defaultChild as CfnElement);

function digestFunction(): StorywatchFunction {
  const digest = built.stacks.stateless.digest;
  if (!digest) throw new Error('no digest function although channels are daily');
  return digest.function;
}

function statementsOf(fn: StorywatchFunction): Statement[] {
  return Object.values(built.stateless.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: idOf(fn.role) }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (fn: StorywatchFunction, service: string) =>
  statementsOf(fn)
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith(`${service}:`))
    .sort();

const channelsEnv = (fn: StorywatchFunction) =>
  JSON.parse(
    built.stateless.findResources('AWS::Lambda::Function')[idOf(fn.function)]?.Properties.Environment.Variables
      .STORYWATCH_CHANNELS,
  ) as { id: string }[];

describe('the daily digest in the deployed stack', () => {
  it('gives the digest function the daily channels and the publisher the others', () => {
    expect(channelsEnv(digestFunction()).map((channel) => channel.id)).toEqual(['morning', 'daily-hook']);
    expect(channelsEnv(built.stacks.stateless.functions.publisher).map((channel) => channel.id)).toEqual(['ops-slack']);
  });

  it('grants the digest function read on its channels’ values only, and no topic or queue', () => {
    const fn = digestFunction();
    const reads = JSON.stringify(
      statementsOf(fn)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:') || a.startsWith('ssm:')))
        .map((s) => s.Resource),
    );
    expect(reads).toContain(':secret:storywatch/daily-hook-key-??????');
    expect(reads).toContain(':parameter/storywatch/teams-daily"');
    expect(reads).not.toContain('storywatch/slack-url');
    const publisherReads = JSON.stringify(statementsOf(built.stacks.stateless.functions.publisher));
    expect(publisherReads).not.toMatch(/daily-hook-key|teams-daily/);
    expect(actionsOf(fn, 'sns')).toEqual([]);
    // Parking a failed tick is the only queue access, as for every scheduled function.
    expect(actionsOf(fn, 'sqs')).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('may send exactly the table operations the digest sends', () => {
    expect(actionsOf(digestFunction(), 'dynamodb')).toEqual(DIGEST_TABLE_ACCESS.map((a) => `dynamodb:${a}`).sort());
  });

  it('runs it every hour from a schedule whose lost ticks land in the schedule DLQ', () => {
    const fnId = idOf(digestFunction().function);
    const dlqId = idOf(built.stacks.stateless.scheduleDlq);
    const schedules = Object.values(built.stateless.findResources('AWS::Scheduler::Schedule'))
      .map((schedule) => schedule.Properties)
      .filter((properties) => JSON.stringify(properties.Target.Arn).includes(fnId));
    expect(schedules).toEqual([
      expect.objectContaining({
        ScheduleExpression: 'rate(1 hour)',
        Target: expect.objectContaining({
          Input: JSON.stringify({ source: 'storywatch.schedule', task: 'digest' }),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      }),
    ]);
    const invokeConfigs = Object.values(built.stateless.findResources('AWS::Lambda::EventInvokeConfig'))
      .map((config) => config.Properties)
      .filter((properties) => JSON.stringify(properties.FunctionName).includes(fnId));
    expect(invokeConfigs).toEqual([
      expect.objectContaining({ DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } } }),
    ]);
  });

  it('alarms on its errors at the full level and on parked deliveries', () => {
    const alarms = Object.keys(built.stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.some((id) => id.includes('DigestErrorsAlarm'))).toBe(true);
    expect(alarms.some((id) => id.includes('DeliveriesParkedAlarm'))).toBe(true);
  });
});
