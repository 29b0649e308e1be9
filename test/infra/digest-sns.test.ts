import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_DAILY_DIGEST_FILTERS } from '../../infra/alert-subscriptions';
import { ConfigError } from '../../infra/config';
import { parameterName } from '../../infra/data-references';
import { digestFilterKey } from '../../src/channels/digest-filter';
import { digestTopicFilters } from '../../src/config/env';
import { type BuiltApp, buildApp, loadFixtureConfig } from '../support/infra-build';

/** One immediate email subscriber, daily ones with and without filters, and a daily phone: no channels at all. */
const SUBSCRIBERS = {
  alertEmails: [
    'now@example.org',
    { address: 'daily@example.org', digest: 'daily' },
    { address: 'kyiv@example.org', digest: 'daily', filter: { parties: ['ukraine'] } },
    { address: 'desk@example.org', digest: 'daily', filter: { severities: ['high'], parties: ['us', 'russia'] } },
  ],
  alertPhoneNumbers: [
    { address: '+14155550100', digest: 'daily', filter: { parties: ['russia', 'us'], severities: ['high'] } },
  ],
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
    expect(subscriptionsOf(dailyTopicId())).toEqual([
      'email:daily@example.org',
      'email:desk@example.org',
      'email:kyiv@example.org',
      'sms:+14155550100',
    ]);
    const alertTopicId = statefulId(built.stacks.stateful.alertTopic.node.defaultChild);
    expect(subscriptionsOf(alertTopicId)).toEqual(['email:now@example.org']);
  });

  it('gives every daily subscription the policy of its own filter, and the function each filter once', () => {
    const policies: Record<string, Record<string, string[]>> = Object.fromEntries(
      Object.values(built.stateful.findResources('AWS::SNS::Subscription'))
        .filter((resource) => JSON.stringify(resource.Properties.TopicArn) === JSON.stringify({ Ref: dailyTopicId() }))
        .map((resource) => [
          resource.Properties.Endpoint,
          resource.Properties.FilterPolicy as Record<string, string[]>,
        ]),
    );
    // Unfiltered subscribers need a policy too: without one SNS would send them every filter's message.
    expect(policies).toEqual({
      'daily@example.org': { digestFilter: ['all'] },
      'kyiv@example.org': { digestFilter: ['parties=ukraine'] },
      'desk@example.org': { digestFilter: ['parties=russia,us;severities=high'] },
      '+14155550100': { digestFilter: ['parties=russia,us;severities=high'] },
    });
    const fn = digestFunction();
    const id = built.stacks.stateless.getLogicalId(fn.function.node.defaultChild as CfnElement);
    const variables = built.stateless.findResources('AWS::Lambda::Function')[id]?.Properties.Environment.Variables;
    // The same filters the function's env parser reads back: desk and the phone share one message.
    expect(digestTopicFilters(variables)).toEqual([
      {},
      { parties: ['russia', 'us'], severities: ['high'] },
      { parties: ['ukraine'] },
    ]);
    expect(digestTopicFilters(variables).map(digestFilterKey)).toEqual(
      [...new Set(Object.values(policies).flatMap((policy) => policy.digestFilter))].sort(),
    );
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

  it('refuses a cadence other than immediate or daily, and checks a daily filter like an immediate one', () => {
    expect(problemsOf({ alertEmails: [{ address: 'a@example.org', digest: 'weekly' }] })).toEqual([
      'alertEmails[0].digest must be "immediate" or "daily", got "weekly"',
    ]);
    expect(
      problemsOf({ alertPhoneNumbers: [{ address: '+14155550100', digest: 'daily', filter: { parties: ['mars'] } }] }),
    ).toEqual(['alertPhoneNumbers[0].filter.parties has unknown values mars; allowed: russia, ukraine, us, europe']);
  });

  it('refuses more distinct daily filters than the digest function is told of', () => {
    const parties = ['russia', 'ukraine', 'us', 'europe'];
    // Every non-empty set of parties, with each severity: far more than the limit.
    const filters = Array.from({ length: 15 }, (_, mask) => parties.filter((_, bit) => ((mask + 1) >> bit) & 1))
      .flatMap((set) => [
        { parties: set, severities: ['high'] },
        { parties: set, severities: ['low'] },
      ])
      .slice(0, MAX_DAILY_DIGEST_FILTERS + 1);
    const entries = (count: number) =>
      filters.slice(0, count).map((filter, index) => ({ address: `d${index}@example.org`, digest: 'daily', filter }));
    expect(problemsOf({ alertEmails: entries(MAX_DAILY_DIGEST_FILTERS) })).toEqual([]);
    expect(problemsOf({ alertEmails: entries(MAX_DAILY_DIGEST_FILTERS + 1) })).toEqual([
      `the daily email/SMS subscribers have ${MAX_DAILY_DIGEST_FILTERS + 1} different filters; at most ` +
        `${MAX_DAILY_DIGEST_FILTERS} (each is one digest message a day): give some of them the same filter`,
    ]);
  });

  it('gives alertFilter to every subscriber that names no filter, daily ones too', () => {
    const config = loadFixtureConfig({
      ...SUBSCRIBERS,
      alertFilter: { severities: ['high'] },
    });
    expect(config.alertEmails.map((s) => [s.address, s.digest, s.filter])).toEqual([
      ['now@example.org', 'immediate', { severities: ['high'] }],
      ['daily@example.org', 'daily', { severities: ['high'] }],
      ['kyiv@example.org', 'daily', { parties: ['ukraine'] }],
      ['desk@example.org', 'daily', { severities: ['high'], parties: ['us', 'russia'] }],
    ]);
  });
});
