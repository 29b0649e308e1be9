import type { AlertChannel } from '../core/ports/channels';
import type { Clock } from '../core/ports/clock';
import type { Alert } from '../core/stance-state';
import { type AlertDescriber, createAlertDescriber } from '../tracking/describe';
import { alertText } from './alert-text';
import type { ChannelSpec } from './config';
import { matchesFilter } from './filter';
import type { JsonPoster } from './http-post';
import { slackMessage } from './slack';
import { teamsMessage } from './teams';
import { webhookBody, webhookHeaders } from './webhook';

export interface ChannelDeps {
  post: JsonPoster;
  clock: Clock;
  describe?: AlertDescriber;
}

function requestFor(
  spec: ChannelSpec,
  alert: Alert,
  deps: ChannelDeps,
): { body: string; headers: Record<string, string> } {
  const description = (deps.describe ?? createAlertDescriber())(alert);
  if (spec.type === 'slack') return { body: JSON.stringify(slackMessage(alertText(alert, description))), headers: {} };
  if (spec.type === 'teams') return { body: JSON.stringify(teamsMessage(alertText(alert, description))), headers: {} };
  const body = webhookBody(alert, description);
  return { body, headers: webhookHeaders(alert.id, spec.secret ?? '', deps.clock.now(), body) };
}

/** A configured channel as the publisher sees it: its filter and one POST per delivery. */
export function createChannel(spec: ChannelSpec, deps: ChannelDeps): AlertChannel {
  if (spec.type === 'webhook' && !spec.secret) throw new Error(`channel "${spec.id}": a webhook needs its secret`);
  return {
    id: spec.id,
    accepts: (alert) => matchesFilter(spec.filter, alert),
    async deliver(alert) {
      const { body, headers } = requestFor(spec, alert, deps);
      await deps.post(spec.url, body, headers);
    },
  };
}
