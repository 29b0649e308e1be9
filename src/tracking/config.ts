/** Tuning of the stance machine. A story's JSON may override any of it in its `tracking` object. */
export interface StanceMachineConfig {
  /** Observations below this confidence never move a stance. */
  confidenceThreshold: number;
  /** Distinct source sites that must report the same new label (unless the party itself said it clearly). */
  confirmations: number;
  /**
   * A direct statement of the party changes its label by itself only at or above this confidence. Below it the
   * extraction may have misread a hedge or a quote as a position, so the statement counts as one source toward
   * `confirmations` like any report. Also the bar for a direct statement to replace the party's conditions.
   */
  directConfidenceThreshold: number;
  /** How close in publication time the confirming reports must be. */
  confirmationWindowHours: number;
  /** An item published this much before the newest applied one is still accepted (feeds publish out of order). */
  staleToleranceMinutes: number;
  /** A flip straight back to the previous label within this time needs `coolDownConfirmations` sources. */
  coolDownHours: number;
  coolDownConfirmations: number;
  /** Statements kept as evidence per party (newest first). */
  maxEvidence: number;
  /** Unconfirmed observations kept per party. */
  maxPending: number;
}

export const DEFAULT_STANCE_MACHINE_CONFIG: Readonly<StanceMachineConfig> = Object.freeze({
  confidenceThreshold: 0.6,
  confirmations: 2,
  directConfidenceThreshold: 0.75,
  confirmationWindowHours: 72,
  staleToleranceMinutes: 60,
  coolDownHours: 48,
  coolDownConfirmations: 3,
  maxEvidence: 6,
  maxPending: 12,
});

type Rule = { min: number; max: number; integer: boolean };

const RULES: Record<keyof StanceMachineConfig, Rule> = {
  confidenceThreshold: { min: 0, max: 1, integer: false },
  confirmations: { min: 1, max: 20, integer: true },
  directConfidenceThreshold: { min: 0, max: 1, integer: false },
  confirmationWindowHours: { min: 0, max: 24 * 90, integer: false },
  staleToleranceMinutes: { min: 0, max: 24 * 60 * 30, integer: false },
  coolDownHours: { min: 0, max: 24 * 90, integer: false },
  coolDownConfirmations: { min: 1, max: 20, integer: true },
  maxEvidence: { min: 1, max: 50, integer: true },
  maxPending: { min: 1, max: 100, integer: true },
};

export class StanceConfigError extends Error {}

/**
 * Defaults plus the overrides of a story's `tracking` object. Rejects unknown keys and out-of-range values,
 * so a typo in a story file fails loudly instead of silently using the default. Undefined values are ignored.
 */
export function resolveStanceConfig(partial?: unknown): StanceMachineConfig {
  const config: StanceMachineConfig = { ...DEFAULT_STANCE_MACHINE_CONFIG };
  if (partial === undefined || partial === null) return config;
  if (typeof partial !== 'object' || Array.isArray(partial)) {
    throw new StanceConfigError('tracking must be an object of stance machine settings');
  }
  for (const [name, value] of Object.entries(partial)) {
    if (value === undefined) {
      checkKnown(name);
      continue;
    }
    config[name as keyof StanceMachineConfig] = checkedSetting(name, value);
  }
  if (config.coolDownConfirmations < config.confirmations) {
    throw new StanceConfigError('tracking.coolDownConfirmations must be at least tracking.confirmations');
  }
  return config;
}

function checkKnown(name: string): void {
  if (!(name in RULES)) {
    throw new StanceConfigError(`unknown tracking setting "${name}" (known: ${Object.keys(RULES).join(', ')})`);
  }
}

/** The value of one setting, once it is known and in its range. */
function checkedSetting(name: string, value: unknown): number {
  checkKnown(name);
  const rule = RULES[name as keyof StanceMachineConfig];
  const valid =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= rule.min &&
    value <= rule.max &&
    (!rule.integer || Number.isInteger(value));
  if (!valid) {
    const kind = rule.integer ? 'an integer' : 'a number';
    throw new StanceConfigError(
      `tracking.${name} must be ${kind} from ${rule.min} to ${rule.max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
