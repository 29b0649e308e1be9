import { CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ScheduledInvoke } from './constructs/scheduled-invoke';
import { StorywatchFunction } from './constructs/storywatch-function';
import type { StatefulStack } from './stateful-stack';
import type { StatelessStack } from './stateless-stack';

/**
 * Every cdk-nag (AwsSolutions) finding this project accepts, each with the reason it is acceptable.
 * cdk-nag 3 wants each finding acknowledged by its full id, so a new wildcard elsewhere still fails synth.
 */
export function suppressAcceptedFindings(stateful: StatefulStack, stateless: StatelessStack): void {
  // cdk-nag names the table ARN by its logical id when it checks the construct tree, and by the cross-stack
  // export when it runs as a synth plugin (after references are resolved): acknowledge both spellings.
  const tableArnSpellings = [`<${logicalIdOf(stateful.table)}.Arn>`, exportNameOf(stateful, stateful.table.tableArn)];

  for (const fn of StorywatchFunction.allIn(stateless)) {
    acknowledge(fn.function, {
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to Node.js 22 on purpose: the project supports Node 20 and 22 and tests on them; ' +
        'moving to a newer runtime is a tested upgrade, not a synth-time default.',
    });
    for (const tableArn of tableArnSpellings) {
      acknowledge(fn.role, {
        id: `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        reason:
          "Granted by table.grant*Data: the wildcard covers only this table's own secondary indexes, which the " +
          'store queries (feed states, pending alerts).',
      });
    }
  }
  const publishers = StorywatchFunction.allIn(stateless).filter((fn) => fn.bindings.some((b) => b.kind === 'topic'));
  for (const fn of publishers) {
    acknowledge(fn.role, {
      id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      reason:
        'Publishing to the KMS-encrypted alert topic needs kms:GenerateDataKey*; topic.grantPublish limits it ' +
        "to the topic's one key.",
    });
  }
  for (const { role, target } of ScheduledInvoke.allIn(stateless)) {
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::<${logicalIdOf(target.function)}.Arn>:*]`,
      reason:
        'The Scheduler target role may invoke the one target function and its versions/aliases (the :* suffix); ' +
        'no other function.',
    });
  }
  const crossRegionModel = stateless.modelAccess?.crossRegionModelId;
  if (crossRegionModel) {
    acknowledge(stateless.analysis.analyzer.role, {
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:bedrock:*::foundation-model/${crossRegionModel}]`,
      reason:
        'A cross-region inference profile serves a request from any region of its geography, so InvokeModel is ' +
        'granted on the one model in every region; the model id itself is exact.',
    });
  }
  acknowledge(stateless.scheduleDlq, {
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is the dead-letter queue of the EventBridge Scheduler targets; cdk-nag only recognises ' +
      'DLQs attached to other SQS queues.',
  });
}

function acknowledge(scope: IConstruct, rule: { id: string; reason: string }): void {
  Validations.of(scope).acknowledge(rule);
}

/**
 * The export CDK creates for a cross-stack reference to this attribute. exportValue() without a name reuses the
 * automatic reference's export, so this adds nothing to the template.
 */
function exportNameOf(producer: Stack, attribute: string): string {
  const resolved = producer.resolve(producer.exportValue(attribute)) as { 'Fn::ImportValue'?: string };
  const name = resolved['Fn::ImportValue'];
  if (typeof name !== 'string') throw new Error(`${producer.stackName} did not export ${JSON.stringify(resolved)}`);
  return name;
}

/** The CloudFormation logical id of an L2 construct's resource, as cdk-nag prints it in finding ids. */
function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(resource).getLogicalId(resource);
}
