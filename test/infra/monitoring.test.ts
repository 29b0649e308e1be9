import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../infra/config';
import {
  EMITTED_METRICS,
  METRIC,
  METRICS_NAMESPACE,
  MONITORING_LEVELS,
  type MonitoringLevel,
} from '../../src/config/metrics';
import { type BuiltApp, buildApp, loadFixtureConfig, runAppProcess } from '../support/infra-build';

// One phone number, so the SMS alarms of the data stack are part of each level too.
const CONTEXT = { alertPhoneNumbers: ['+14155550100'] };
const built = {} as Record<MonitoringLevel, BuiltApp>;

beforeAll(() => {
  for (const level of MONITORING_LEVELS) built[level] = buildApp({ ...CONTEXT, monitoring: level });
}, 300_000);

type Resource = { Properties: Record<string, unknown> };
const alarmsOf = (template: Template) => Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
const metricNamesOf = (alarm: Resource) =>
  [
    alarm.Properties.MetricName,
    ...((alarm.Properties.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[] | undefined) ?? []).map(
      (metric) => metric.MetricStat?.Metric.MetricName,
    ),
  ].filter((name): name is string => typeof name === 'string');
const isCustom = (alarm: Resource) =>
  alarm.Properties.Namespace === METRICS_NAMESPACE ||
  JSON.stringify(alarm.Properties.Metrics ?? []).includes(`"Namespace":"${METRICS_NAMESPACE}"`);

describe('the monitoring context key', () => {
  it('is standard unless the context says otherwise, and accepts each level by name', () => {
    expect(loadFixtureConfig({}).monitoring).toBe('standard');
    for (const level of MONITORING_LEVELS) expect(loadFixtureConfig({ monitoring: level }).monitoring).toBe(level);
  });

  it('stops the synth on an unknown level, naming the allowed ones', () => {
    let problems: string[] = [];
    try {
      loadFixtureConfig({ monitoring: 'verbose' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems).toEqual(['monitoring must be one of full, standard, minimal (default standard), got "verbose"']);
  });

  it('makes `cdk synth -c monitoring=…` exit with that message before writing anything', () => {
    const result = runAppProcess({ monitoring: 'everything' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('monitoring must be one of full, standard, minimal');
    expect(result.written).toEqual([]);
  }, 60_000);
});

describe('resources per monitoring level', () => {
  /** The four pipeline functions and the WebSub callback. */
  const FUNCTIONS = 5;
  const DEAD_LETTER_QUEUES = 3;
  /** The poll heartbeat and the feed failure ratio. */
  const POLL_ALARMS = 2;
  /** The story pages stopped updating (test/infra/site.test.ts checks it). */
  const SITE_ALARMS = 1;
  /** Something was given up on (an alert SNS refused, a channel's or a digest's delivery): at every level. */
  const PARKED_ALARMS = 1;
  const SMS_ALARMS = 2;

  it('full: an errors alarm per function, every DLQ and poll alarm, the dashboard and the SMS alarms', () => {
    const { stateless, stateful } = built.full;
    expect(alarmsOf(stateless)).toHaveLength(
      FUNCTIONS + DEAD_LETTER_QUEUES + POLL_ALARMS + SITE_ALARMS + PARKED_ALARMS,
    );
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    stateless.hasOutput('DashboardName', {});
    expect(alarmsOf(stateful)).toHaveLength(SMS_ALARMS);
  });

  it('standard: the DLQ, poll, site, parked and SMS alarms, no function-error alarm and no dashboard', () => {
    const { stateless, stateful } = built.standard;
    const alarms = alarmsOf(stateless);
    expect(alarms).toHaveLength(DEAD_LETTER_QUEUES + POLL_ALARMS + SITE_ALARMS + PARKED_ALARMS);
    expect(alarms.filter((alarm) => alarm.Properties.MetricName === 'Errors')).toEqual([]);
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(Object.keys(stateless.toJSON().Outputs ?? {})).not.toContain('DashboardName');
    expect(alarmsOf(stateful)).toHaveLength(SMS_ALARMS);
  });

  it('minimal: only the alarms on parked work, which still reach the ops topic; the SMS logs stay without', () => {
    const { stateless, stateful } = built.minimal;
    const alarms = alarmsOf(stateless);
    expect(alarms).toHaveLength(DEAD_LETTER_QUEUES + PARKED_ALARMS);
    expect(alarms.map((alarm) => alarm.Properties.MetricName).sort()).toEqual([
      ...Array(DEAD_LETTER_QUEUES).fill('ApproximateNumberOfMessagesVisible'),
      METRIC.deliveriesParked,
    ]);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([
        { Ref: expect.stringMatching(/^SsmParameterValueStorywatchDataopstopicarn/) },
      ]);
    }
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(alarmsOf(stateful)).toEqual([]);
    expect(JSON.stringify(stateful.findResources('AWS::Logs::LogGroup'))).toContain('DirectPublishToPhoneNumber');
  });

  it.each(MONITORING_LEVELS)(
    '%s: tells every function its level, and every custom metric read is one it writes',
    (level) => {
      const { stateless } = built[level];
      const functions = Object.values(stateless.findResources('AWS::Lambda::Function')) as Resource[];
      expect(functions).toHaveLength(FUNCTIONS);
      for (const fn of functions) {
        expect((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
          STORYWATCH_MONITORING: level,
        });
      }
      const read = alarmsOf(stateless).filter(isCustom).flatMap(metricNamesOf);
      const dashboard = JSON.stringify(stateless.findResources('AWS::CloudWatch::Dashboard'));
      const graphed = EMITTED_METRICS.full.filter((name) => dashboard.includes(`\\"${name}\\"`));
      for (const name of [...read, ...graphed]) expect(EMITTED_METRICS[level]).toContain(name);
      // Nothing is written that no alarm or graph reads (the reader metrics only exist with the bedrock reader).
      const used = new Set([...read, ...graphed]);
      const conditional = (name: string) => name.startsWith('Reader');
      expect(EMITTED_METRICS[level].filter((name) => !conditional(name) && !used.has(name))).toEqual([]);
    },
  );
});

describe('the parked-deliveries alarm', () => {
  const CHANNELS = [{ type: 'slack', urlFrom: { secret: 'storywatch/slack-url' } }];
  /** No channel at all: only SNS subscribers, one of them on the daily digest topic. */
  const SNS_DIGEST_ONLY = { alertEmails: [{ address: 'daily@example.org', digest: 'daily' }] };

  const parkedAlarms = (stateless: Template) =>
    alarmsOf(stateless).filter((alarm) => alarm.Properties.MetricName === METRIC.deliveriesParked);

  it.each(MONITORING_LEVELS)(
    '%s: exists with channels, with a daily SNS digest alone and with neither, on the count the functions write',
    (level) => {
      const deploys = [
        buildApp({ monitoring: level, channels: CHANNELS }).stateless,
        buildApp({ monitoring: level, ...SNS_DIGEST_ONLY }).stateless,
        built[level].stateless,
      ];
      for (const stateless of deploys) {
        const parked = parkedAlarms(stateless);
        expect(parked).toHaveLength(1);
        expect(parked[0]?.Properties).toMatchObject({
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: 'service', Value: 'storywatch' }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: expect.stringMatching(/^SsmParameterValueStorywatchDataopstopicarn/) }],
        });
      }
      expect(EMITTED_METRICS[level]).toContain(METRIC.deliveriesParked);
    },
    180_000,
  );
});
