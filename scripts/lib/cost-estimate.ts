import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/handlers';
import { createStorywatch } from '../../infra/storywatch';
import {
  EMITTED_METRICS,
  METRIC,
  MONITORING_LEVELS,
  type MonitoringLevel,
  READER_METRIC,
} from '../../src/config/metrics';

/**
 * us-east-1 list prices in USD a month, from the AWS pricing pages (aws.amazon.com/cloudwatch/pricing,
 * /kms/pricing) as read on PRICES_AS_OF, without the free tier (10 alarm metrics, 10 custom metrics and 3
 * dashboards an account, which other workloads of the account may already use).
 */
export const PRICES_AS_OF = '2026-12-02';
export const PRICES = {
  /** A standard-resolution alarm is billed per metric it reads: a metric-math alarm over two metrics is two. */
  alarmMetric: 0.1,
  dashboard: 3,
  /** First 10,000 custom metrics; each metric name × dimension set is one. */
  customMetric: 0.3,
  kmsKey: 1,
} as const;

/**
 * What does not depend on the monitoring level, from the README's usage table (21 feeds, ~40 new items per feed a
 * day): Lambda $0.52, DynamoDB $0.30, SQS $0.28, and ~0.5 GB of logs at $0.50 per GB ingested.
 */
export const USAGE_PER_MONTH_USD = 1.35;

/** Powertools writes every storywatch metric with the one dimension `service` (functions/lib/observability.ts). */
const DIMENSION_SETS_PER_METRIC = 1;

export interface Inventory {
  level: MonitoringLevel;
  alarms: number;
  alarmMetrics: number;
  dashboards: number;
  customMetrics: number;
  kmsKeys: number;
  logGroups: number;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * Synthesizes both stacks for one level the way `cdk synth` would for the repository's own feeds and stories
 * (bundling and rule packs aside, which change no resource count) and counts what is billed by the month.
 */
export function inventory(
  level: MonitoringLevel,
  options: { phoneNumbers?: string[]; channels?: unknown[] } = {},
): Inventory {
  const context: Record<string, unknown> = {
    opsEmail: 'ops@example.org',
    alertEmails: ['desk@example.org'],
    alertPhoneNumbers: options.phoneNumbers ?? [],
    monitoring: level,
    channels: options.channels ?? [],
  };
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  // Every other key at its default, which is what cdk.json sets too.
  const config = loadConfig((key) => context[key], PROJECT_ROOT);
  const { stateful, stateless } = createStorywatch(app, config, { ruleChecks: false });
  const assembly = app.synth();
  const resources = [stateful, stateless].flatMap((stack) =>
    Object.values(assembly.getStackByName(stack.stackName).template.Resources as Resources),
  );
  const ofType = (type: string) => resources.filter((resource) => resource.Type === type);
  const alarms = ofType('AWS::CloudWatch::Alarm');
  const readerWrites = config.reader === 'bedrock';
  // Written only for a model answer refused or confused, or for a delivery given up on, which a working deploy
  // gives rarely: not a fixed cost (the parked count can be written in every deploy, the alarm on it always exists).
  const onlyOnRejection: string[] = [READER_METRIC.rejections, READER_METRIC.strangerRefs, METRIC.deliveriesParked];
  const metricNames = EMITTED_METRICS[level].filter(
    (name) =>
      (readerWrites || !(Object.values(READER_METRIC) as string[]).includes(name)) && !onlyOnRejection.includes(name),
  );
  return {
    level,
    alarms: alarms.length,
    alarmMetrics: alarms.reduce((sum, alarm) => sum + metricsReadBy(alarm.Properties ?? {}), 0),
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    customMetrics: metricNames.length * DIMENSION_SETS_PER_METRIC,
    kmsKeys: ofType('AWS::KMS::Key').length,
    logGroups: ofType('AWS::Logs::LogGroup').length,
  };
}

/** One for a plain alarm; for a metric-math alarm, each metric it reads (the expression itself is free). */
function metricsReadBy(properties: Record<string, unknown>): number {
  const metrics = properties.Metrics as { MetricStat?: unknown }[] | undefined;
  return metrics ? metrics.filter((metric) => metric.MetricStat).length : 1;
}

export function fixedCost(item: Inventory): number {
  return (
    item.alarmMetrics * PRICES.alarmMetric +
    item.dashboards * PRICES.dashboard +
    item.customMetrics * PRICES.customMetric +
    item.kmsKeys * PRICES.kmsKey
  );
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/** The README's cost table: one row per level, the default configuration and the same with one SMS subscriber. */
export function costTable(): string {
  const header = [
    'monitoring',
    'alarms (alarm metrics)',
    'dashboards',
    'custom metrics',
    'KMS keys',
    'log groups',
    'fixed per month',
    'total per month',
    'with SMS subscribers',
  ];
  const rows = MONITORING_LEVELS.map((level) => {
    const plain = inventory(level);
    const withSms = inventory(level, { phoneNumbers: ['+14155550100'] });
    return [
      level === 'standard' ? '`standard` (default)' : `\`${level}\``,
      `${plain.alarms} (${plain.alarmMetrics})`,
      String(plain.dashboards),
      String(plain.customMetrics),
      String(plain.kmsKeys),
      String(plain.logGroups),
      usd(fixedCost(plain)),
      usd(fixedCost(plain) + USAGE_PER_MONTH_USD),
      `${usd(fixedCost(withSms) + USAGE_PER_MONTH_USD)} + texts`,
    ];
  });
  return markdownTable([header, ...rows]);
}

/** A Markdown table laid out as the repository's formatter (Biome) lays it out: every column padded to its widest cell. */
export function markdownTable(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header = [], ...body] = rows;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

export const TABLE_START = '<!-- cost-table:start (npx tsx scripts/cost-estimate.ts --write) -->';
export const TABLE_END = '<!-- cost-table:end -->';

/** The table as it stands in a README between the two markers, or null when the markers are missing. */
export function tableIn(readme: string): string | null {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return null;
  return readme.slice(start + TABLE_START.length, end).trim();
}

export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${TABLE_START} … ${TABLE_END} section`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}
