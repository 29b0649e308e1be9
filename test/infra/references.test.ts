import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parameterName } from '../../infra/data-references';
import { buildApp } from '../support/infra-build';

// Synth is slow on a loaded machine; the plain app is built once and shared.
let plain: ReturnType<typeof buildApp>;
beforeAll(() => {
  plain = buildApp({});
}, 180_000);

const parametersOf = (template: ReturnType<typeof buildApp>['stateful']) =>
  Object.values(template.findResources('AWS::SSM::Parameter')).map(
    (resource) => resource.Properties as { Name: string; Value: unknown },
  );

describe('references between the data and the services stack', () => {
  it('shares the table, the topics and the key through SSM parameters, with no CloudFormation export', () => {
    const { stateful, stateless } = plain;
    expect(JSON.stringify(stateful.toJSON().Outputs)).not.toContain('Export');
    expect(JSON.stringify(stateless.toJSON())).not.toContain('Fn::ImportValue');
    expect(
      parametersOf(stateful)
        .map((parameter) => parameter.Name)
        .sort(),
    ).toEqual(
      (['alertTopicArn', 'opsTopicArn', 'tableName', 'topicKeyArn'] as const)
        .map((key) => parameterName('StorywatchData', key))
        .sort(),
    );
    const ssmParameters = Object.entries(stateless.toJSON().Parameters as Record<string, { Type: string }>).filter(
      ([id, parameter]) =>
        id.startsWith('SsmParameterValue') && parameter.Type === 'AWS::SSM::Parameter::Value<String>',
    );
    expect(ssmParameters).toHaveLength(4);
  });

  it('lets the data stack replace the alert topic without touching anything the services stack reads', {
    timeout: 120_000,
  }, () => {
    const before = plain;
    const after = buildApp(
      {},
      {
        // A new logical id is how CloudFormation sees a replaced resource: a new topic, a new ARN.
        beforeSynth: (stacks) =>
          (stacks.stateful.alertTopic.node.defaultChild as CfnResource).overrideLogicalId('AlertTopicReplacement'),
      },
    );
    expect(after.stateful.toJSON().Resources.AlertTopicReplacement).toBeDefined();
    expect(after.stateless.toJSON()).toEqual(before.stateless.toJSON());
    // The parameter the services stack reads now carries the new topic's ARN.
    const alertParameter = parametersOf(after.stateful).find(
      (parameter) => parameter.Name === parameterName('StorywatchData', 'alertTopicArn'),
    );
    expect(alertParameter?.Value).toEqual({ Ref: 'AlertTopicReplacement' });
  });
});

describe('redeploy after cdk destroy', () => {
  const tableName = 'StorywatchData-TableCD117FA1-1Q2W3E4R5T6Y';
  const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('retains the table and the key; removes the topics, whose subscribers come from cdk.json', () => {
    const { stateful } = plain;
    stateful.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    stateful.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const topics = Object.values(stateful.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(2);
    for (const topic of topics)
      expect(topic).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  it('reuses the retained table and key given by existingTableName and existingKeyArn instead of new ones', {
    timeout: 120_000,
  }, () => {
    const { stateful, stateless } = buildApp({ existingTableName: tableName, existingKeyArn: keyArn });
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    stateful.resourceCountIs('AWS::KMS::Key', 0);
    for (const topic of Object.values(stateful.findResources('AWS::SNS::Topic'))) {
      expect(topic.Properties.KmsMasterKeyId).toBe(keyArn);
    }
    const values = Object.fromEntries(parametersOf(stateful).map((parameter) => [parameter.Name, parameter.Value]));
    expect(values[parameterName('StorywatchData', 'tableName')]).toBe(tableName);
    expect(values[parameterName('StorywatchData', 'topicKeyArn')]).toBe(keyArn);
    stateful.hasOutput('TableName', { Value: tableName });
    // The services stack is the same either way: it reads whatever the parameters name.
    expect(stateless.toJSON()).toEqual(plain.stateless.toJSON());
    stateless.hasParameter('*', {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: Match.stringLikeRegexp('table-name$'),
    });
  });
});
