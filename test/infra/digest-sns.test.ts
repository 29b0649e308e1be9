import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../infra/config';
import { parameterName } from '../../infra/data-references';
import { type BuiltApp, buildApp, loadFixtureConfig } from './build';

/** One immediate email subscriber, a daily one and a daily phone: no channels at all. */
const SUBSCRIBERS = {
  alertEmails: ['now@example.org', { address: 'daily@example.org', digest: 'daily' }],
  alertPhoneNumbers: [{ address: '+14155550100', digest: 'daily' }],
};

type Statement = { Action: string | string[]; Resource: unknown };

let built: BuiltApp;
beforeAll(() => {
  // With the rule packs: the new topic must pass them like the alert topic.
  built = buildApp(SUBSCRIBERS, { ruleChecks: true });
}, 180_000);

const statefulId = (element: unknown) => built.stacks.stateful.getLogicalId(element as CfnElement);

function dailyTopicId(): string {
  const topic = built.stacks.stateful.dailyTopic;
  if (!topic) throw new Error('no daily topic although subscribers are daily');
  return statefulId(topic.node.defaultChild);
}

function subscriptionsOf(topicId: string): string[] {
  return Object.values(built.stateful.findResources('AWS::SNS::Subscription'))
    .filter((resource) => JSON.stringify(resource.Properties.TopicArn) === JSON.stringify({ Ref: topicId }))
    .map((resource) => `${resource.Properties.Protocol}:${resource.Properties.Endpoint}`)
    .sort();
}

function digestFunction() {
  const digest = built.stacks.stateless.digest;
  if (!digest) throw new Error('no digest function although SNS subscribers are daily');
  return digest.function;
}

describe('daily SNS subscribers in the deployed stack', () => {
  it('puts the daily subscribers on their own topic, encrypted with the topics’ key, and only them', () => {
    const topic = built.stateful.findResources('AWS::SNS::Topic')[dailyTopicId()];
    expect(topic?.Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [statefulId(built.stacks.stateful.topicKey.node.defaultChild), 'Arn'],
    });
    expect(subscriptionsOf(dailyTopicId())).toEqual(['email:daily@example.org', 'sms:+14155550100']);
    const alertTopicId = statefulId(built.stacks.stateful.alertTopic.node.defaultChild);
    expect(subscriptionsOf(alertTopicId)).toEqual(['email:now@example.org']);
  });

  it('names the daily topic in an SSM parameter for the services stack', () => {
    built.stateful.hasResourceProperties('AWS::SSM::Parameter', {
      Name: parameterName(built.stacks.stateful.stackName, 'dailyTopicArn'),
      Value: { Ref: dailyTopicId() },
    });
  });

  it('lets the digest function publish to that topic, and gives it the ARN by the env contract', () => {
    const fn = digestFunction();
    const id = built.stacks.stateless.getLogicalId(fn.function.node.defaultChild as CfnElement);
    const variables = built.stateless.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables;
    expect(variables.DIGEST_TOPIC_ARN).toBeDefined();
    expect(JSON.parse(variables.STORYWATCH_CHANNELS)).toEqual([]);
    const roleId = built.stacks.stateless.getLogicalId(fn.role.node.defaultChild as CfnElement);
    const statements = Object.values(built.stateless.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const publish = statements.filter((statement) => [statement.Action].flat().includes('sns:Publish'));
    expect(publish).toHaveLength(1);
    expect(publish[0]?.Resource).toEqual(variables.DIGEST_TOPIC_ARN);
    // The topic is encrypted: publishing needs the key too.
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('kms:'))).toContain(
      'kms:GenerateDataKey*',
    );
  });

  it('makes no daily topic and no digest function when every subscriber is immediate', () => {
    const immediate = buildApp({ alertEmails: ['now@example.org'] });
    expect(immediate.stacks.stateful.dailyTopic).toBeNull();
    expect(immediate.stacks.stateless.digest).toBeUndefined();
    immediate.stateful.resourceCountIs('AWS::SNS::Topic', 2);
  });
});

describe('the digest field of a subscriber', () => {
  const problemsOf = (context: Record<string, unknown>): string[] => {
    try {
      loadFixtureConfig(context);
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it('refuses a cadence other than immediate or daily, and a filter on a daily subscriber', () => {
    expect(problemsOf({ alertEmails: [{ address: 'a@example.org', digest: 'weekly' }] })).toEqual([
      'alertEmails[0].digest must be "immediate" or "daily", got "weekly"',
    ]);
    expect(
      problemsOf({ alertPhoneNumbers: [{ address: '+14155550100', digest: 'daily', filter: { parties: ['us'] } }] }),
    ).toEqual(['alertPhoneNumbers[0]: a daily subscriber gets the whole digest, so it takes no filter']);
  });

  it('leaves alertFilter to the immediate subscribers', () => {
    const config = loadFixtureConfig({
      ...SUBSCRIBERS,
      alertFilter: { severities: ['high'] },
    });
    expect(config.alertEmails.map((s) => [s.address, s.digest, s.filter])).toEqual([
      ['now@example.org', 'immediate', { severities: ['high'] }],
      ['daily@example.org', 'daily', null],
    ]);
  });
});
