import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/handlers';
import {
  costTable,
  fixedCost,
  type Inventory,
  inventory,
  markdownTable,
  PRICES,
  tableIn,
  withTable,
} from '../../scripts/lib/cost-estimate';
import { MONITORING_LEVELS, type MonitoringLevel } from '../../src/config/metrics';

const counted = {} as Record<MonitoringLevel, Inventory>;
beforeAll(() => {
  for (const level of MONITORING_LEVELS) counted[level] = inventory(level);
}, 300_000);

describe('the cost estimate', () => {
  it('counts alarms per metric they read: the feed failure ratio reads two', () => {
    expect(counted.full.alarmMetrics).toBe(counted.full.alarms + 1);
    expect(counted.standard.alarmMetrics).toBe(counted.standard.alarms + 1);
    // Minimal keeps the alarms on parked work only (the DLQs, parked deliveries), each on one metric.
    expect(counted.minimal.alarmMetrics).toBe(counted.minimal.alarms);
  });

  it('makes each level cheaper than the one above it, by what it leaves out', () => {
    const [full, standard, minimal] = MONITORING_LEVELS.map((level) => fixedCost(counted[level]));
    expect(full).toBeGreaterThan(standard as number);
    expect(standard).toBeGreaterThan(minimal as number);
    // What is left at minimal: its alarms on parked work and the topic key.
    expect(minimal).toBeCloseTo(counted.minimal.alarmMetrics * PRICES.alarmMetric + PRICES.kmsKey, 6);
  });

  it('prices channels at nothing fixed: the parked-deliveries alarm is in every deploy', () => {
    const channels = [{ type: 'slack', urlFrom: { secret: 'storywatch/slack-url' } }];
    for (const level of MONITORING_LEVELS) {
      const withChannels = inventory(level, { channels });
      expect(withChannels).toEqual(counted[level]);
    }
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('The parked-deliveries alarm is in every deploy, at every level');
  }, 300_000);

  it('lays a table out the way the formatter does, so the README keeps it byte for byte', () => {
    expect(
      markdownTable([
        ['a', 'longer'],
        ['wide cell', 'x'],
      ]),
    ).toBe(['| a         | longer |', '| --------- | ------ |', '| wide cell | x      |'].join('\n'));
    expect(
      tableIn(
        withTable(
          'x\n<!-- cost-table:start (npx tsx scripts/cost-estimate.ts --write) -->\nold\n<!-- cost-table:end -->\n',
          'new',
        ),
      ),
    ).toBe('new');
  });

  it('is the table the README shows (run `npx tsx scripts/cost-estimate.ts --write` after changing the stacks)', () => {
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(tableIn(readme)).toBe(costTable());
  }, 300_000);
});
