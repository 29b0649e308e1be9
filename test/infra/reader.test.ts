import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../infra/config';
import { READER_ENV } from '../../src/reader/config';
import { type BuiltApp, buildApp } from '../support/infra-build';

type Statement = { Action: string | string[]; Resource: unknown };

function bedrockStatements(built: BuiltApp): Statement[] {
  return Object.values(built.stateless.findResources('AWS::IAM::Policy'))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
    .filter((statement) => JSON.stringify(statement.Action).includes('bedrock:'));
}

function analyzerEnvironment(built: BuiltApp): Record<string, unknown> {
  const fn = built.stacks.stateless.analysis.analyzer.function;
  const id = built.stacks.stateless.getLogicalId(fn.node.defaultChild as CfnElement);
  return built.stateless.toJSON().Resources[id].Properties.Environment.Variables;
}

function alarmIds(built: BuiltApp): string[] {
  return Object.keys(built.stateless.findResources('AWS::CloudWatch::Alarm'));
}

// Synthesizing is slow on a loaded machine: each app is built once, in a hook with its own timeout.
let byDefault: BuiltApp;
let withModel: BuiltApp;
let withProfile: BuiltApp;
beforeAll(() => {
  byDefault = buildApp({});
  withModel = buildApp({ reader: 'bedrock', bedrockModelId: 'amazon.nova-lite-v1:0', readerItemsPerDay: '3000' });
  withProfile = buildApp({ reader: 'bedrock', bedrockModelId: 'us.amazon.nova-lite-v1:0' });
}, 300_000);

describe('the reader in the deployed stack', () => {
  it('reads with the rules by default: no Bedrock permission, no reader variables, no reader alarms', () => {
    const built = byDefault;
    expect(bedrockStatements(built)).toEqual([]);
    expect(analyzerEnvironment(built)[READER_ENV.reader]).toBeUndefined();
    expect(alarmIds(built).some((id) => id.includes('Reader'))).toBe(false);
  });

  it('with reader=bedrock grants InvokeModel on exactly that foundation model to the analyzer only', () => {
    const built = withModel;
    const statements = bedrockStatements(built);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('bedrock:InvokeModel');
    expect(JSON.stringify(statements[0]?.Resource)).toContain(':bedrock:');
    expect(JSON.stringify(statements[0]?.Resource)).toContain('::foundation-model/amazon.nova-lite-v1:0');
    expect(JSON.stringify(statements[0]?.Resource)).not.toContain('*"');
    expect(analyzerEnvironment(built)).toMatchObject({
      [READER_ENV.reader]: 'bedrock',
      [READER_ENV.bedrockModelId]: 'amazon.nova-lite-v1:0',
      [READER_ENV.itemsPerDay]: '3000',
    });
    expect(alarmIds(built).filter((id) => id.includes('Reader')).length).toBe(2);
  });

  it('for an inference profile grants the profile, and the model in the regions it routes to only through it', () => {
    const built = withProfile;
    const statements = bedrockStatements(built) as (Statement & { Condition?: unknown })[];
    expect(statements).toHaveLength(2);
    const [profile, routed] = statements;
    expect(JSON.stringify(profile?.Resource)).toContain(':inference-profile/us.amazon.nova-lite-v1:0');
    expect(JSON.stringify(profile?.Resource)).not.toContain('foundation-model');
    expect(profile?.Condition).toBeUndefined();
    // The model in every region of the geography, but only when the request comes through that profile.
    expect(JSON.stringify(routed?.Resource)).toContain(':bedrock:*::foundation-model/amazon.nova-lite-v1:0');
    const condition = JSON.stringify(routed?.Condition);
    expect(condition).toContain('"StringEquals":{"bedrock:InferenceProfileArn"');
    expect(condition).toContain(':inference-profile/us.amazon.nova-lite-v1:0');
  });

  it('refuses reader=bedrock without a model id, and a model id that is not one', () => {
    expect(() => buildApp({ reader: 'bedrock' })).toThrow(ConfigError);
    expect(() => buildApp({ reader: 'bedrock', bedrockModelId: 'arn:aws:iam::*' })).toThrow(/bedrockModelId/);
    expect(() => buildApp({ reader: 'oracle' })).toThrow(/reader must be/);
  });
});
