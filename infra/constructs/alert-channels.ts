import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type IParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { DeclaredChannel } from '../../src/channels/declared';
import { secretSourcesOf } from '../../src/channels/declared';
import { ENV } from '../../src/config/env';
import type { SecretSource } from '../../src/core/ports/secret-values';
import type { StorywatchFunction } from './storywatch-function';

export interface AlertChannelsProps {
  /** The `channels` context key, checked by infra/config.ts. */
  channels: readonly DeclaredChannel[];
  /** Delivers alerts to the immediate channels from the outbox; reads their values. */
  publisher: StorywatchFunction;
  /** Sends to SNS right after a commit; told to leave the channels to the publisher. */
  analyzer: StorywatchFunction;
}

/**
 * Slack, Teams and signed-webhook channels in AWS. Their URLs and signing secrets stay in Secrets Manager or SSM
 * (created by whoever deploys, named in the context); this construct only imports them by name, grants read on
 * exactly the ones a function's channels use, and passes that function its channels' declarations.
 */
export class AlertChannels extends Construct {
  readonly immediate: readonly DeclaredChannel[];
  private readonly sources = new Map<string, ISecret | IParameter>();

  constructor(scope: Construct, id: string, props: AlertChannelsProps) {
    super(scope, id);
    this.immediate = props.channels.filter((channel) => channel.digest === 'immediate');
    this.bindChannels(props.publisher, this.immediate);
    props.analyzer.function.addEnvironment(ENV.channelDelivery, this.immediate.length > 0 ? 'publisher' : 'none');
  }

  /** Grants read on the values of these channels and passes their declarations as STORYWATCH_CHANNELS. */
  bindChannels(fn: StorywatchFunction, channels: readonly DeclaredChannel[]): void {
    fn.bindSecretSources(ENV.channels, JSON.stringify(channels), secretSourcesOf(channels).map(this.imported, this));
  }

  private imported(source: SecretSource): ISecret | IParameter {
    const key = JSON.stringify(source);
    let found = this.sources.get(key);
    if (!found) {
      const id = `Source${this.sources.size + 1}`;
      found =
        'secret' in source
          ? Secret.fromSecretNameV2(this, id, source.secret)
          : StringParameter.fromSecureStringParameterAttributes(this, id, { parameterName: source.parameter });
      this.sources.set(key, found);
    }
    return found;
  }
}
