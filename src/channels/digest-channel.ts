import type { DigestChannel } from '../core/ports/channels';
import type { Clock } from '../core/ports/clock';
import type { SecretValues } from '../core/ports/secret-values';
import type { ChannelSpec } from './config';
import type { DeclaredChannel } from './declared';
import { resolveDeclaredChannel } from './deployed';
import { slackDigestMessage, teamsDigestMessage, webhookDigestBody } from './digest-messages';
import type { JsonPoster } from './http-post';
import { webhookHeaders } from './webhook';

export interface DigestChannelDeps {
  post: JsonPoster;
  clock: Clock;
}

/** The same senders as alerts (one POST, the same address guard, the same signature), with the digest's body. */
export function createDigestChannel(spec: ChannelSpec, deps: DigestChannelDeps): DigestChannel {
  if (spec.type === 'webhook' && !spec.secret) throw new Error(`channel "${spec.id}": a webhook needs its secret`);
  return {
    id: spec.id,
    filter: spec.filter,
    async deliverDigest(digest) {
      if (spec.type === 'slack') return void (await deps.post(spec.url, JSON.stringify(slackDigestMessage(digest))));
      if (spec.type === 'teams') return void (await deps.post(spec.url, JSON.stringify(teamsDigestMessage(digest))));
      const body = webhookDigestBody(digest);
      await deps.post(spec.url, body, webhookHeaders(digest.id, spec.secret ?? '', deps.clock.now(), body));
    },
  };
}

/** A declared channel's digest sender, its values read on first use like the alert channels'. */
export function createDeployedDigestChannel(
  declared: DeclaredChannel,
  deps: DigestChannelDeps & { secrets: SecretValues },
): DigestChannel {
  return {
    id: declared.id,
    filter: declared.filter,
    async deliverDigest(digest) {
      const spec = await resolveDeclaredChannel(declared, deps.secrets);
      await createDigestChannel(spec, deps).deliverDigest(digest);
    },
  };
}
