import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { DeclaredChannel } from '../src/channels/declared';
import type { DigestFilter } from '../src/channels/digest-filter';
import type { MonitoringLevel } from '../src/config/metrics';
import { type AdaptiveScheduleConfig, DEFAULT_ADAPTIVE_SCHEDULE } from '../src/ingestion/adaptive-schedule';
import { AlertChannels } from './constructs/alert-channels';
import { Analysis } from './constructs/analysis';
import { DailyDigest } from './constructs/daily-digest';
import { Ingestion, POLL_DEADLINE } from './constructs/ingestion';
import { ModelAccess, type ModelAccessProps } from './constructs/model-access';
import { Operations } from './constructs/operations';
import { Site, type SiteProps } from './constructs/site';
import type { FunctionDefaults, StorywatchFunction } from './constructs/storywatch-function';
import { WebSubCallback } from './constructs/websub-callback';
import { deadLetterQueue, MAX_RECEIVE_COUNT } from './constructs/work-queue';
import { type ImportedData, importDataReferences } from './data-references';

export { POLL_DEADLINE } from './constructs/ingestion';
export { MAX_RECEIVE_COUNT } from './constructs/work-queue';

export interface StatelessStackProps extends StackProps {
  /** The data stack whose SSM parameters name the table, the topics and their key. */
  dataStackName: string;
  pollRateMinutes: number;
  /** Thresholds of the poller's adaptive schedule; the documented defaults when left out. */
  adaptiveSchedule?: AdaptiveScheduleConfig;
  heartbeatPeriodMinutes: number;
  publisherSweepMinutes: number;
  pollerMaxConcurrency: number;
  analyzerMaxConcurrency: number;
  logRetention: RetentionDays;
  storiesDir: string;
  feedRegistryPath: string;
  /** Which alarms, dashboard and custom metrics exist; also tells the functions which metrics to write. */
  monitoring: MonitoringLevel;
  /** Set to read with Bedrock; absent, the analyzer reads with the rules and needs no model access. */
  bedrockReader?: ModelAccessProps;
  /** Slack/Teams/webhook channels the publisher delivers to (none when left out). */
  channels?: readonly DeclaredChannel[];
  /**
   * The distinct filters of the email/SMS subscribers who take the daily digest (`{}`: none), one message a day
   * each; empty or absent when nobody does (the data stack then has no daily topic).
   */
  dailySnsFilters?: readonly DigestFilter[];
  /** The hosted story pages and feeds. */
  site: Pick<SiteProps, 'pathPrefix' | 'storyIds'>;
}

export const FUNCTION_TIMEOUT = Duration.seconds(60);
/** AWS advises at least six times the function timeout so a throttled batch is not redelivered mid-run. */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT.toSeconds() * 6);

/**
 * Throws when a slow feed could outlive its function or a running batch could reappear on the queue; both
 * would turn one slow feed into duplicate work. Exported so tests can prove the check bites.
 */
export function assertTimeoutOrder(pollDeadline: Duration, functionTimeout: Duration, visibility: Duration): void {
  const deadline = pollDeadline.toSeconds();
  const timeout = functionTimeout.toSeconds();
  const visible = visibility.toSeconds();
  if (!(deadline < timeout && timeout < visible)) {
    throw new Error(
      `Timeouts must satisfy poll deadline (${deadline}s) < function timeout (${timeout}s) < queue visibility (${visible}s)`,
    );
  }
}

/** Whether some email or SMS subscriber takes the daily digest, so the data stack made the daily topic. */
const hasDailySnsSubscribers = (props: StatelessStackProps) => (props.dailySnsFilters ?? []).length > 0;

/** What every function of the stack shares: its timeout, log retention, bundled files and metrics level. */
function functionDefaultsOf(props: StatelessStackProps): FunctionDefaults {
  return {
    timeout: FUNCTION_TIMEOUT,
    logRetention: props.logRetention,
    storiesDir: props.storiesDir,
    feedRegistryPath: props.feedRegistryPath,
    monitoring: props.monitoring,
  };
}

/**
 * Everything that can be redeployed freely, in three parts: ingestion (schedule → dispatcher → feed queue →
 * poller → item queue), analysis (item queue → analyzer → alert topic, plus the outbox sweep) and operations
 * (alarms and dashboard). A new feature adds its own construct here and registers its functions and queues
 * with `operations`.
 */
export class StatelessStack extends Stack {
  readonly ingestion: Ingestion;
  readonly analysis: Analysis;
  /** Present when the analyzer reads with Bedrock. */
  readonly modelAccess?: ModelAccess;
  readonly operations: Operations;
  readonly channels: AlertChannels;
  /** Present when some channel or SNS subscriber takes a daily digest. */
  readonly digest?: DailyDigest;
  /** The story pages and feeds on S3 behind CloudFront, rewritten by the analyzer and publisher after commits. */
  readonly site: Site;
  /** The WebSub callback function URL: hubs verify subscriptions and push content there. */
  readonly websub: WebSubCallback;
  /** Scheduler and Lambda park a schedule tick here once their retries are spent. */
  readonly scheduleDlq: Queue;
  /** The data stack's table and topics, read from its SSM parameters at deploy time. */
  readonly data: ImportedData;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    assertTimeoutOrder(POLL_DEADLINE, FUNCTION_TIMEOUT, QUEUE_VISIBILITY_TIMEOUT);

    this.data = importDataReferences(this, props.dataStackName, { dailyTopic: hasDailySnsSubscribers(props) });
    this.scheduleDlq = deadLetterQueue(this, 'ScheduleDlq');
    const functionDefaults = functionDefaultsOf(props);

    const adaptiveSchedule = props.adaptiveSchedule ?? DEFAULT_ADAPTIVE_SCHEDULE;
    this.ingestion = new Ingestion(this, 'Ingestion', {
      table: this.data.table,
      functionDefaults,
      queueVisibility: QUEUE_VISIBILITY_TIMEOUT,
      pollRateMinutes: props.pollRateMinutes,
      adaptiveSchedule,
      pollerMaxConcurrency: props.pollerMaxConcurrency,
      scheduleDlq: this.scheduleDlq,
    });
    this.analysis = new Analysis(this, 'Analysis', {
      table: this.data.table,
      alertTopic: this.data.alertTopic,
      functionDefaults,
      itemQueue: this.ingestion.itemQueue.queue,
      analyzerMaxConcurrency: props.analyzerMaxConcurrency,
      adaptiveSchedule,
      publisherSweepMinutes: props.publisherSweepMinutes,
      scheduleDlq: this.scheduleDlq,
      withChannels: (props.channels ?? []).some((channel) => channel.digest === 'immediate'),
    });
    this.websub = new WebSubCallback(this, 'WebSub', {
      table: this.data.table,
      functionDefaults,
      itemQueue: this.ingestion.itemQueue.queue,
    });
    this.websub.nameCallbackTo(this.ingestion.poller, this.ingestion.dispatcher);
    this.channels = new AlertChannels(this, 'Channels', {
      channels: props.channels ?? [],
      publisher: this.analysis.publisher,
      analyzer: this.analysis.analyzer,
    });
    const digest = this.dailyDigest(props, functionDefaults);
    if (digest) this.digest = digest;

    this.site = new Site(this, 'Site', { ...props.site, logRetentionDays: props.logRetention });
    this.site.grantPublish(this.analysis.analyzer);
    this.site.grantPublish(this.analysis.publisher);

    this.operations = new Operations(this, 'Operations', {
      opsTopic: this.data.opsTopic,
      heartbeatPeriodMinutes: props.heartbeatPeriodMinutes,
      level: props.monitoring,
    });
    if (props.bedrockReader) {
      this.modelAccess = new ModelAccess(this, 'Reader', props.bedrockReader);
      this.modelAccess.grantRead(this.analysis.analyzer);
      this.operations.watchReader();
    }
    this.watchPipeline(props);
    this.outputNames();
  }

  /** A daily digest function when some channel or SNS subscriber takes one. */
  private dailyDigest(props: StatelessStackProps, functionDefaults: FunctionDefaults) {
    const daily = (props.channels ?? []).filter((channel) => channel.digest === 'daily');
    const { dailyTopic } = this.data;
    if (daily.length === 0 && !dailyTopic) return undefined;
    return new DailyDigest(this, 'Digest', {
      table: this.data.table,
      functionDefaults,
      daily,
      channels: this.channels,
      ...(dailyTopic ? { dailyTopic: { topic: dailyTopic, filters: props.dailySnsFilters ?? [] } } : {}),
      scheduleDlq: this.scheduleDlq,
    });
  }

  /** Alarms on every function, backlog and dead-letter queue, and on what the channels and the site report. */
  private watchPipeline(props: StatelessStackProps): void {
    // Every deploy can park: SNS refuses an alert for good, a daily digest topic or a channel keeps failing.
    this.operations.watchParkedDeliveries();
    this.operations.watchSitePublishing(props.publisherSweepMinutes);
    for (const [name, fn] of Object.entries(this.functions)) this.operations.watchFunction(name, fn);
    if (this.digest) this.operations.watchFunction('digest', this.digest.function);
    const { feedQueue, itemQueue } = this.ingestion;
    this.operations.watchBacklog(feedQueue.queue);
    this.operations.watchBacklog(itemQueue.queue);
    const failedReceives = `they failed ${MAX_RECEIVE_COUNT} times and need a look`;
    this.operations.watchDeadLetterQueue('FeedDlq', feedQueue.dlq, failedReceives);
    this.operations.watchDeadLetterQueue('ItemDlq', itemQueue.dlq, failedReceives);
    this.operations.watchDeadLetterQueue(
      'ScheduleDlq',
      this.scheduleDlq,
      'a schedule tick was lost after its retries (the invoke or the function failed)',
    );
  }

  /** What a deployer looks up after the deploy: the dashboard, the queues, the callback base and the site's URLs. */
  private outputNames(): void {
    const { feedQueue, itemQueue } = this.ingestion;
    if (this.operations.dashboard) {
      new CfnOutput(this, 'DashboardName', {
        value: this.operations.dashboard.dashboardName,
        description: 'CloudWatch dashboard',
      });
    }
    this.outputSiteUrls();
    new CfnOutput(this, 'FeedQueueUrl', { value: feedQueue.queue.queueUrl, description: 'Queue of feeds to poll' });
    new CfnOutput(this, 'ItemQueueUrl', { value: itemQueue.queue.queueUrl, description: 'Queue of items to analyze' });
    new CfnOutput(this, 'WebSubCallbackBase', {
      value: this.websub.callbackBase,
      description: 'Base of the WebSub callback URLs hubs verify and deliver to',
    });
  }

  /** Where readers open each story's page and subscribe to its feeds. */
  private outputSiteUrls(): void {
    new CfnOutput(this, 'SiteUrl', { value: this.site.url, description: 'Root of the hosted story pages and feeds' });
    for (const story of this.site.stories) {
      const name = story.storyId.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_match, _sep, first: string) =>
        first.toUpperCase(),
      );
      new CfnOutput(this, `${name}PageUrl`, { value: story.page, description: `${story.storyId}: story page` });
      new CfnOutput(this, `${name}ChangesFeedUrl`, {
        value: story.changes,
        description: `${story.storyId}: Atom feed of stance changes`,
      });
      new CfnOutput(this, `${name}FollowUpsFeedUrl`, {
        value: story.followUps,
        description: `${story.storyId}: Atom feed of follow-ups`,
      });
    }
  }

  /** The four pipeline functions and the WebSub callback, by name. */
  get functions(): Record<'dispatcher' | 'poller' | 'analyzer' | 'publisher' | 'websub', StorywatchFunction> {
    const { dispatcher, poller } = this.ingestion;
    const { analyzer, publisher } = this.analysis;
    return { dispatcher, poller, analyzer, publisher, websub: this.websub.callback };
  }
}
