import type { Alert } from '../stance-state';

/** Where alerts go: SNS in AWS, the console and a JSON Lines file locally. */
export interface AlertNotifier {
  /** Must throw when delivery failed, so the alert stays pending. */
  publish(alert: Alert): Promise<void>;
}
