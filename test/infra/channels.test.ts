import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';
import type { StorywatchFunction } from '../../infra/constructs/storywatch-function';
import { PROJECT_ROOT } from '../../infra/handlers';
import { TABLE_ACCESS } from '../../infra/permissions';
import { type BuiltApp, buildApp, FIXTURE_CONTEXT } from '../support/infra-build';

const CHANNELS = [
  { id: 'ops-slack', type: 'slack', urlFrom: { secret: 'storywatch/slack-url' }, severities: ['high'] },
  { id: 'teams', type: 'teams', urlFrom: { parameter: '/storywatch/teams-url' } },
  { id: 'hook', type: 'webhook', url: 'https://hooks.example.com/in', secretFrom: { parameter: 'storywatch-hook' } },
];

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let built: BuiltApp;
let bare: BuiltApp;
beforeAll(() => {
  built = buildApp({ channels: CHANNELS });
  bare = buildApp({});
}, 180_000);

const idOf = (app: BuiltApp, construct: IConstruct) =>
  app.stacks.stateless.getLogicalId(construct.node.defaultChild as CfnElement);

function statementsOf(app: BuiltApp, fn: StorywatchFunction): Statement[] {
  const roleId = idOf(app, fn.role);
  return Object.values(app.stateless.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const forService = (statements: Statement[], service: string) =>
  statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith(`${service}:`)));

function environmentOf(template: Template, app: BuiltApp, fn: StorywatchFunction): Record<string, string> {
  const resource = template.findResources('AWS::Lambda::Function')[idOf(app, fn.function)];
  return resource?.Properties.Environment.Variables;
}

describe('channels in the deployed stack', () => {
  it('grants the publisher read on exactly the named secret and parameters, and nobody else', () => {
    const { functions } = built.stacks.stateless;
    const secrets = forService(statementsOf(built, functions.publisher), 'secretsmanager');
    expect(secrets).toHaveLength(1);
    expect([secrets[0]?.Action].flat().sort()).toEqual([
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
    ]);
    // A name-only import: the grant covers the name and the six random characters Secrets Manager appends.
    expect(JSON.stringify(secrets[0]?.Resource)).toContain(':secret:storywatch/slack-url-??????');
    const parameters = forService(statementsOf(built, functions.publisher), 'ssm');
    const resources = JSON.stringify(parameters.map((statement) => statement.Resource));
    expect(resources).toContain(':parameter/storywatch/teams-url"');
    expect(resources).toContain(':parameter/storywatch-hook"');
    expect(resources.match(/:parameter\//g)).toHaveLength(2);
    for (const statement of [...secrets, ...parameters]) expect(statement.Effect).toBe('Allow');
    for (const fn of [functions.analyzer, functions.poller, functions.dispatcher]) {
      expect(forService(statementsOf(built, fn), 'secretsmanager')).toEqual([]);
      expect(forService(statementsOf(built, fn), 'ssm')).toEqual([]);
    }
    expect(functions.publisher.bindings.filter((b) => b.variable === 'STORYWATCH_CHANNELS').map((b) => b.kind)).toEqual(
      ['secret', 'parameter', 'parameter'],
    );
  });

  it('creates no secret or parameter and puts no value in the template: only the names', () => {
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::SSM::Parameter']) {
      built.stateless.resourceCountIs(type, 0);
    }
    const { functions } = built.stacks.stateless;
    const declared = JSON.parse(environmentOf(built.stateless, built, functions.publisher).STORYWATCH_CHANNELS ?? '');
    expect(declared).toEqual([
      expect.objectContaining({ id: 'ops-slack', urlFrom: { secret: 'storywatch/slack-url' } }),
      expect.objectContaining({ id: 'teams', urlFrom: { parameter: '/storywatch/teams-url' } }),
      expect.objectContaining({ id: 'hook', url: 'https://hooks.example.com/in' }),
    ]);
    const template = JSON.stringify(built.stateless.toJSON());
    expect(template).not.toMatch(/hooks\.slack\.com|webhook\.office\.com|logic\.azure\.com/);
  });

  it('tells the analyzer to leave channels to the publisher, and lets the publisher write delivery rows', () => {
    const { functions } = built.stacks.stateless;
    expect(environmentOf(built.stateless, built, functions.analyzer).STORYWATCH_CHANNEL_DELIVERY).toBe('publisher');
    const table = forService(statementsOf(built, functions.publisher), 'dynamodb').flatMap((s) => [s.Action].flat());
    expect(table.sort()).toEqual(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('without channels: an empty declaration, no grant, the publisher’s table access as before', () => {
    const { functions } = bare.stacks.stateless;
    expect(environmentOf(bare.stateless, bare, functions.publisher).STORYWATCH_CHANNELS).toBe('[]');
    expect(environmentOf(bare.stateless, bare, functions.analyzer).STORYWATCH_CHANNEL_DELIVERY).toBe('none');
    expect(forService(statementsOf(bare, functions.publisher), 'secretsmanager')).toEqual([]);
    expect(forService(statementsOf(bare, functions.publisher), 'ssm')).toEqual([]);
    const table = forService(statementsOf(bare, functions.publisher), 'dynamodb').flatMap((s) => [s.Action].flat());
    expect(table.sort()).toEqual(TABLE_ACCESS.publisher.map((action) => `dynamodb:${action}`).sort());
  });

  it('stops the synth on a bad declaration with a message naming the entry and field', () => {
    const problemsOf = (channels: unknown) => {
      try {
        loadConfig((key) => ({ ...FIXTURE_CONTEXT, channels })[key as 'channels'], PROJECT_ROOT);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    expect(problemsOf([{ type: 'slack', url: 'https://hooks.slack.com/services/T/B/x' }])).toEqual([
      'channels[0].url: a slack webhook URL is a secret; name where it is kept in "urlFrom"',
    ]);
    // `-c channels='[…]'` arrives as a string.
    expect(problemsOf(JSON.stringify([CHANNELS[0], { type: 'teams' }]))).toEqual(['channels[1].urlFrom: missing']);
    expect(problemsOf(JSON.stringify(CHANNELS))).toEqual([]);
    // A daily channel is deployed too: the digest function sends it (test/infra/digest.test.ts).
    expect(problemsOf([CHANNELS[1], { ...CHANNELS[1], id: 'teams-daily', digest: 'daily' }])).toEqual([]);
    expect(problemsOf([{ ...CHANNELS[1], digest: 'weekly' }])).toEqual([
      'channels[0].digest: "digest" is not valid: "weekly"',
    ]);
  });
});
