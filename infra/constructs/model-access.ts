import { Stack } from 'aws-cdk-lib';
import { FoundationModel, FoundationModelIdentifier } from 'aws-cdk-lib/aws-bedrock';
import { Grant, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { READER_ENV } from '../../src/reader/config';
import type { StorywatchFunction } from './storywatch-function';

/** A system inference profile id is a model id behind a geography prefix: `us.amazon.nova-lite-v1:0`. */
const PROFILE_PREFIX = /^(us|eu|apac|us-gov|global)\.(?=[a-z0-9-]+\.)/;

export interface ModelAccessProps {
  /** Foundation model id or system inference profile id. */
  modelId: string;
  itemsPerDay: number | null;
  tokensPerDay: number | null;
}

/**
 * What the bedrock reader needs in AWS: `bedrock:InvokeModel` on exactly its model (and, for an inference profile,
 * on the profile, and on that model in the regions it routes to only when called through it), and the env
 * variables the reader's config getter reads at cold start. The default deploy has none of this and reads with
 * the rules.
 */
export class ModelAccess extends Construct {
  /** What the function invokes: the foundation model, or the inference profile. */
  readonly modelArns: string[];
  /** For an inference profile: the model in the regions it routes to, usable only through that profile. */
  readonly routedModelArns: string[];
  /** For an inference profile: the model id whose ARN names every region (`*`), for the nag acknowledgement. */
  readonly crossRegionModelId: string | null;
  private readonly props: ModelAccessProps;

  constructor(scope: Construct, id: string, props: ModelAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const profile = PROFILE_PREFIX.exec(props.modelId);
    const baseModelId = props.modelId.replace(PROFILE_PREFIX, '');
    const model = FoundationModel.fromFoundationModelId(this, 'Model', new FoundationModelIdentifier(baseModelId));
    this.modelArns = profile
      ? [stack.formatArn({ service: 'bedrock', resource: 'inference-profile', resourceName: props.modelId })]
      : [model.modelArn];
    // A cross-region profile serves the request from any region of its geography; the list changes as AWS adds
    // regions, so the model is granted in every region, but only for requests made through this profile.
    this.routedModelArns = profile
      ? [
          stack.formatArn({
            service: 'bedrock',
            region: '*',
            account: '',
            resource: 'foundation-model',
            resourceName: baseModelId,
          }),
        ]
      : [];
    this.crossRegionModelId = profile ? baseModelId : null;
    this.props = props;
  }

  /** Grants the function InvokeModel on the model's ARNs and tells it which reader and budget to use. */
  grantRead(fn: StorywatchFunction): void {
    Grant.addToPrincipal({ grantee: fn.function, actions: ['bedrock:InvokeModel'], resourceArns: this.modelArns });
    if (this.routedModelArns.length > 0) {
      fn.function.addToRolePolicy(
        new PolicyStatement({
          actions: ['bedrock:InvokeModel'],
          resources: this.routedModelArns,
          conditions: { StringEquals: { 'bedrock:InferenceProfileArn': this.modelArns[0] } },
        }),
      );
    }
    fn.function.addEnvironment(READER_ENV.reader, 'bedrock');
    fn.function.addEnvironment(READER_ENV.bedrockModelId, this.props.modelId);
    if (this.props.itemsPerDay !== null)
      fn.function.addEnvironment(READER_ENV.itemsPerDay, String(this.props.itemsPerDay));
    if (this.props.tokensPerDay !== null) {
      fn.function.addEnvironment(READER_ENV.tokensPerDay, String(this.props.tokensPerDay));
    }
  }
}
