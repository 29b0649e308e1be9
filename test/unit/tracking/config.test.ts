import { describe, expect, it } from 'vitest';
import { DEFAULT_STANCE_MACHINE_CONFIG, resolveStanceConfig } from '../../../src/tracking/config';

describe('resolveStanceConfig', () => {
  it('returns the defaults when a story has no tracking object', () => {
    expect(resolveStanceConfig()).toEqual(DEFAULT_STANCE_MACHINE_CONFIG);
    expect(resolveStanceConfig(null)).toEqual(DEFAULT_STANCE_MACHINE_CONFIG);
  });

  it('applies overrides and skips keys left undefined', () => {
    const config = resolveStanceConfig({ confirmations: 3, coolDownConfirmations: 4, confidenceThreshold: undefined });
    expect(config.confirmations).toBe(3);
    expect(config.coolDownConfirmations).toBe(4);
    expect(config.confidenceThreshold).toBe(DEFAULT_STANCE_MACHINE_CONFIG.confidenceThreshold);
  });

  it('trusts a single direct statement only from 0.75 unless a story overrides it', () => {
    expect(resolveStanceConfig().directConfidenceThreshold).toBe(0.75);
    expect(resolveStanceConfig({ directConfidenceThreshold: 0.9 }).directConfidenceThreshold).toBe(0.9);
    expect(() => resolveStanceConfig({ directConfidenceThreshold: 1.2 })).toThrow(/directConfidenceThreshold/);
  });

  it('rejects unknown settings by name so a typo in a story file is caught', () => {
    expect(() => resolveStanceConfig({ confirmation: 3 })).toThrow(/unknown tracking setting "confirmation"/);
  });

  it.each([
    [{ confidenceThreshold: 1.5 }, /confidenceThreshold/],
    [{ confirmations: 1.5 }, /confirmations must be an integer/],
    [{ coolDownHours: -1 }, /coolDownHours/],
    [{ maxEvidence: '5' }, /maxEvidence/],
    [{ confirmations: 5 }, /coolDownConfirmations must be at least/],
  ])('rejects the invalid override %j', (partial, message) => {
    expect(() => resolveStanceConfig(partial)).toThrow(message);
  });

  it('rejects a tracking value that is not an object', () => {
    expect(() => resolveStanceConfig([1, 2])).toThrow(/must be an object/);
    expect(() => resolveStanceConfig('strict')).toThrow(/must be an object/);
  });
});
