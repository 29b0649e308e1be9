import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertNotifier } from '../../core/ports';
import { formatAlertMessages } from '../../tracking/alert-messages';
import { type AlertDescriber, createAlertDescriber } from '../../tracking/describe';

export interface LocalNotifierOptions {
  /** JSON Lines file every alert is appended to (created with its directory). */
  file: string;
  /** Where the readable block goes, usually stdout. */
  out: NodeJS.WritableStream;
  describe?: AlertDescriber;
}

/** The local stand-in for SNS: a readable block for the person at the terminal and a JSON line for scripts. */
export function createLocalNotifier(options: LocalNotifierOptions): AlertNotifier {
  const describe = options.describe ?? createAlertDescriber();
  return {
    async publish(alert) {
      const { partyName, storyTitle } = describe(alert);
      const messages = formatAlertMessages(alert, partyName, storyTitle);
      // The file is the durable record: write it first, so a failure leaves the alert pending and retried.
      await mkdir(dirname(options.file), { recursive: true });
      await appendFile(
        options.file,
        `${JSON.stringify({ alertId: alert.id, subject: messages.subject, sms: messages.sms, alert })}\n`,
        'utf8',
      );
      const rule = '─'.repeat(72);
      options.out.write(`${rule}\n${alert.severity.toUpperCase()}  ${messages.subject}\n${rule}\n${messages.email}\n`);
    },
  };
}
