import { App, type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { StorywatchFunction } from '../../infra/constructs/storywatch-function';
import { TABLE_ACCESS } from '../../infra/permissions';
import { type BuiltApp, buildApp, FIXTURE_CONTEXT } from '../support/infra-build';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let built: BuiltApp;
let stateless: Template;

beforeAll(() => {
  built = buildApp({ opsEmail: 'ops@example.org' });
  stateless = built.stateless;
}, 180_000);

/** The logical id of an L2 construct's CloudFormation resource in the services stack. */
const idOf = (construct: IConstruct) => built.stacks.stateless.getLogicalId(construct.node.defaultChild as CfnElement);

/** Every statement of the policies attached to the function's own role. */
function statementsOf(fn: StorywatchFunction): Statement[] {
  const roleId = idOf(fn.role);
  return Object.values(stateless.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[], service: string) =>
  statements
    .flatMap((statement) => [statement.Action].flat())
    .filter((action) => action.startsWith(`${service}:`))
    .sort();

/** The logical ids of the queues the statements allow sqs:SendMessage on. */
function sendTargets(statements: Statement[]): string[] {
  return statements
    .filter((statement) => [statement.Action].flat().includes('sqs:SendMessage'))
    .map((statement) => (statement.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])
    .sort();
}

const queueId = (queue: IQueue) => idOf(queue);

describe.each(Object.keys(TABLE_ACCESS) as (keyof typeof TABLE_ACCESS)[])('the %s function', (name) => {
  const fn = () => built.stacks.stateless.functions[name];

  it('may send exactly the table operations its code sends, on the table and its indexes only', () => {
    const statements = statementsOf(fn()).filter((s) => actionsOf([s], 'dynamodb').length > 0);
    expect(actionsOf(statements, 'dynamodb')).toEqual(TABLE_ACCESS[name].map((action) => `dynamodb:${action}`).sort());
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      const resources = JSON.stringify(statement.Resource);
      expect(resources).toMatch(/:table\/",\{"Ref":"SsmParameterValueStorywatchDatatablename/);
      expect(resources).not.toMatch(/stream/);
    }
  });

  it('writes only to its own log group', () => {
    const logStatements = statementsOf(fn()).filter((s) => actionsOf([s], 'logs').length > 0);
    expect(logStatements).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [idOf(fn().logGroup), 'Arn'] },
      }),
    ]);
  });
});

describe('queue, topic and key access per function', () => {
  it('lets the dispatcher send feeds, the poller items, and the scheduled functions park a failed tick', () => {
    const { functions, ingestion, scheduleDlq } = built.stacks.stateless;
    expect(sendTargets(statementsOf(functions.dispatcher))).toEqual(
      [queueId(ingestion.feedQueue.queue), queueId(scheduleDlq)].sort(),
    );
    expect(sendTargets(statementsOf(functions.poller))).toEqual([queueId(ingestion.itemQueue.queue)]);
    expect(sendTargets(statementsOf(functions.analyzer))).toEqual([]);
    expect(sendTargets(statementsOf(functions.publisher))).toEqual([queueId(scheduleDlq)]);
    // A push's items go where a poll's go.
    expect(sendTargets(statementsOf(functions.websub))).toEqual([queueId(ingestion.itemQueue.queue)]);
  });

  it('lets only the analyzer and the publisher publish alerts and use the topic key for it', () => {
    const { functions } = built.stacks.stateless;
    for (const fn of [functions.analyzer, functions.publisher]) {
      const statements = statementsOf(fn);
      expect(actionsOf(statements, 'sns')).toEqual(['sns:Publish']);
      // SNS asks a publisher to an encrypted topic for both: a data key to encrypt, and Decrypt to check it.
      expect(actionsOf(statements, 'kms')).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    }
    for (const fn of [functions.dispatcher, functions.poller, functions.websub]) {
      expect(actionsOf(statementsOf(fn), 'sns')).toEqual([]);
      expect(actionsOf(statementsOf(fn), 'kms')).toEqual([]);
    }
  });

  it('lets the poller consume the feed queue and the analyzer the item queue, nobody else', () => {
    const { functions, ingestion } = built.stacks.stateless;
    const receives = (fn: StorywatchFunction) =>
      statementsOf(fn)
        .filter((s) => [s.Action].flat().includes('sqs:ReceiveMessage'))
        .map((s) => (s.Resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0]);
    expect(receives(functions.poller)).toEqual([queueId(ingestion.feedQueue.queue)]);
    expect(receives(functions.analyzer)).toEqual([queueId(ingestion.itemQueue.queue)]);
    expect(receives(functions.dispatcher)).toEqual([]);
    expect(receives(functions.publisher)).toEqual([]);
    expect(receives(functions.websub)).toEqual([]);
  });
});

describe('StorywatchFunction.bind*', () => {
  function bareFunction() {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'BindTest');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    const fn = new StorywatchFunction(stack, 'Fn', {
      handler: 'publisher',
      description: 'bind test',
      timeout: Duration.seconds(10),
      memorySize: 128,
      logRetention: RetentionDays.ONE_DAY,
      storiesDir: FIXTURE_CONTEXT.storiesDir,
      feedRegistryPath: FIXTURE_CONTEXT.feedRegistry,
      monitoring: 'standard',
    });
    return { fn, table };
  }

  it('grants and names the resource in one call, and refuses to bind one variable twice', () => {
    const { fn, table } = bareFunction();
    fn.bindTable(table, ['Query']);
    expect(fn.bindings).toEqual([
      expect.objectContaining({ variable: 'TABLE_NAME', kind: 'table', access: ['Query'] }),
    ]);
    expect(() => fn.bindTable(table, ['GetItem'])).toThrow(/TABLE_NAME is bound twice/);
    expect(() => fn.bindTable(table, [], 'OTHER_TABLE')).toThrow(/needs at least one action/);
  });
});
