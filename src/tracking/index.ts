export {
  type AlertMessages,
  fitsOneSms,
  formatAlertMessages,
  safeLink,
  sanitizeText,
  smsLength,
} from './alert-messages';
export {
  DEFAULT_STANCE_MACHINE_CONFIG,
  resolveStanceConfig,
  StanceConfigError,
  type StanceMachineConfig,
} from './config';
export { historyRecord, stanceCommit } from './stance-commit';
export {
  alertId,
  applyObservation,
  baselineState,
  type ObservedItem,
  type StanceTransition,
  siteOf,
} from './stance-machine';
