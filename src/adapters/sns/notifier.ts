import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertNotifier } from '../../core/ports';
import type { Alert } from '../../core/stance-state';
import { formatAlertMessages } from '../../tracking/alert-messages';
import { type AlertDescriber, createAlertDescriber } from '../../tracking/describe';
import { alertFittingMessage, SNS_MESSAGE_MAX_BYTES } from '../../tracking/message-size';

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
      const attributes = alertAttributes(alert);
      const attributeBytes = Object.entries(attributes).reduce(
        (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(value.StringValue ?? '') + 6,
        0,
      );
      const messageOf = (candidate: Alert) => {
        const messages = formatAlertMessages(candidate, partyName, storyTitle);
        // The email text goes twice: as the default and for email subscribers.
        const body = JSON.stringify({ default: messages.email, email: messages.email, sms: messages.sms });
        return { subject: messages.subject, body };
      };
      // An alert whose quotes and links would push the message past SNS's limit is sent with less of them.
      const fitting = alertFittingMessage(
        alert,
        (candidate) => Buffer.byteLength(messageOf(candidate).body) + attributeBytes,
        SNS_MESSAGE_MAX_BYTES,
      );
      const message = messageOf(fitting);
      await options.client.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: message.subject,
          MessageStructure: 'json',
          Message: message.body,
          MessageAttributes: attributes,
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
