import { type MessageAttributeValue, PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type AlertNotifier, UndeliverableError } from '../../core/ports';
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
 * Errors propagate, so the alert stays pending in the outbox; the SDK already retried throttling and 5xx. An error
 * SNS gives for this message itself (see PERMANENT_SNS_ERRORS) becomes an UndeliverableError: the alert is parked.
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
      try {
        await options.client.send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: message.subject,
            MessageStructure: 'json',
            Message: message.body,
            MessageAttributes: attributes,
          }),
        );
      } catch (error) {
        throw asUndeliverable(error) ?? error;
      }
    },
  };
}

/**
 * The SNS error codes that say this Publish can never succeed as it is (the message, subject or an attribute is
 * refused, e.g. "Message too long"), whatever the retry. The SDK names some by code and some by exception class.
 * Not NotFound, AuthorizationError or KMS errors: those are the topic's or the role's, refuse every alert alike, and
 * are fixed by a deploy, after which the pending alerts go out.
 */
const PERMANENT_SNS_ERRORS = new Set([
  'InvalidParameter',
  'InvalidParameterException',
  'InvalidParameterValue',
  'InvalidParameterValueException',
  'ParameterValueInvalid',
]);

/** Whether SNS refused this Publish for the message itself (see PERMANENT_SNS_ERRORS). */
export function isPermanentSnsError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as { Code?: unknown }).Code;
  return PERMANENT_SNS_ERRORS.has(error.name) || (typeof code === 'string' && PERMANENT_SNS_ERRORS.has(code));
}

function asUndeliverable(error: unknown): UndeliverableError | null {
  return isPermanentSnsError(error)
    ? new UndeliverableError(`SNS refused the alert: ${error.name}: ${error.message}`, { cause: error })
    : null;
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
