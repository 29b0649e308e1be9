import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLBACK_PATH, CALLBACK_RESERVED_CONCURRENCY } from '../../infra/constructs/websub-callback';
import { ENV } from '../../src/config/env';
import { type BuiltApp, buildApp } from '../support/infra-build';

let built: BuiltApp;
let stateless: Template;

beforeAll(() => {
  built = buildApp({});
  stateless = built.stateless;
}, 180_000);

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (type: string) => Object.entries(stateless.findResources(type)) as [string, Resource][];
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  built.stacks.stateless.getLogicalId(construct.node.defaultChild as CfnElement);

describe('WebSub callback function URL', () => {
  it('gives the callback, and only the callback, a public function URL', () => {
    const urls = resourcesOf('AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]?.[1].Properties).toMatchObject({
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [idOf(built.stacks.stateless.websub.callback.function), 'Arn'] },
    });
  });

  it('lets anyone invoke the callback through its URL only, never directly', () => {
    const callbackId = idOf(built.stacks.stateless.websub.callback.function);
    const permissions = resourcesOf('AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((properties) => properties.Principal === '*');
    expect(permissions).toHaveLength(2);
    for (const properties of permissions) {
      expect(properties.FunctionName).toEqual({ 'Fn::GetAtt': [callbackId, 'Arn'] });
    }
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true }),
      ]),
    );
  });

  it('reserves (and so caps) the callback’s concurrency, and no other function’s', () => {
    const reserved = resourcesOf('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.ReservedConcurrentExecutions !== undefined)
      .map(([id, fn]) => [id, fn.Properties.ReservedConcurrentExecutions]);
    expect(reserved).toEqual([[idOf(built.stacks.stateless.websub.callback.function), CALLBACK_RESERVED_CONCURRENCY]]);
  });

  it('names the table and the item queue to the callback, and no topic or feed queue', () => {
    const callback = stateless.findResources('AWS::Lambda::Function')[
      idOf(built.stacks.stateless.websub.callback.function)
    ] as Resource;
    const variables = (callback.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      ITEM_QUEUE_URL: { Ref: idOf(built.stacks.stateless.ingestion.itemQueue.queue) },
    });
    expect(variables).not.toHaveProperty('TOPIC_ARN');
    expect(variables).not.toHaveProperty('FEED_QUEUE_URL');
  });

  it('names the callback base to the poller and the dispatcher, which ask hubs for subscriptions', () => {
    const urlId = idOf(built.stacks.stateless.websub.url);
    const { poller, dispatcher } = built.stacks.stateless.ingestion;
    const variablesOf = (fn: { function: { node: { defaultChild?: unknown } } }) =>
      (
        (stateless.findResources('AWS::Lambda::Function')[idOf(fn.function)] as Resource).Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
    for (const fn of [poller, dispatcher]) {
      expect(variablesOf(fn)[ENV.websubCallbackBase]).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, CALLBACK_PATH]],
      });
    }
    expect(variablesOf(built.stacks.stateless.analysis.analyzer)).not.toHaveProperty(ENV.websubCallbackBase);
  });

  it('outputs the callback base: the function URL followed by the callback path', () => {
    const urlId = idOf(built.stacks.stateless.websub.url);
    stateless.hasOutput('WebSubCallbackBase', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [urlId, 'FunctionUrl'] }, CALLBACK_PATH]] },
    });
  });
});
