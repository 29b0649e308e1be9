import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertNotifier } from '../../core/ports';
import type { Alert } from '../../core/stance-state';
import { formatAlertMessages } from '../../tracking/alert-messages';
import { type AlertDescriber, createAlertDescriber } from '../../tracking/describe';

export interface SnsNotifierOptions {
  client: SNSClient;
  topicArn: string;
  /** Human names for the party and story; defaults to capitalized ids. */
  describe?: AlertDescriber;
}

/**
 * One Publish per alert with a message per protocol (email subscribers get the full text, SMS subscribers one
 * segment) and attributes subscription filter policies can match on, e.g. {"severity": ["high"]}.
 * Errors propagate, so the alert stays pending in the outbox; the SDK already retried throttling and 5xx.
 */
export function createSnsNotifier(options: SnsNotifierOptions): AlertNotifier {
  const describe = options.describe ?? createAlertDescriber();
  return {
    async publish(alert) {
      const { partyName, storyTitle } = describe(alert);
      const messages = formatAlertMessages(alert, partyName, storyTitle);
      await options.client.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: messages.subject,
          MessageStructure: 'json',
          Message: JSON.stringify({ default: messages.email, email: messages.email, sms: messages.sms }),
          MessageAttributes: alertAttributes(alert),
        }),
      );
    },
  };
}

export function alertAttributes(alert: Alert): Record<string, MessageAttributeValue> {
  const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });
  return {
    story: text(alert.storyId),
    party: text(alert.party),
    // SNS refuses empty attribute values; "none" marks the first known position.
    from: text(alert.from ?? 'none'),
    to: text(alert.to ?? 'none'),
    severity: text(alert.severity),
    kind: text(alert.kind),
    alertId: text(alert.id),
  };
}
