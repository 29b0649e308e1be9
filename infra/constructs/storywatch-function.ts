import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct, type IConstruct } from 'constructs';
import { ENV } from '../../src/config/env';
import { METRICS_NAMESPACE, type MonitoringLevel, SERVICE_NAME } from '../../src/config/metrics';
import {
  BUNDLE_OPTIONS,
  BUNDLE_PACKAGE_JSON,
  BUNDLED_FEED_REGISTRY,
  BUNDLED_STORIES_DIR,
  type HandlerName,
  handlerEntry,
  PROJECT_ROOT,
} from '../handlers';

export interface StorywatchFunctionProps {
  handler: HandlerName;
  description: string;
  timeout: Duration;
  memorySize: number;
  logRetention: RetentionDays;
  /** Absolute paths on the synth machine, copied into the asset. */
  storiesDir: string;
  feedRegistryPath: string;
  /** Decides which custom metrics the function writes. */
  monitoring: MonitoringLevel;
  /** Concurrency reserved for (and capping) the function; unset, it shares the account's pool uncapped. */
  reservedConcurrency?: number;
  /** Settings that are not a resource; resources arrive through the bind* methods, which also grant access. */
  environment?: Record<string, string>;
}

/** The settings every storywatch function shares; each construct adds its handler, description and memory. */
export type FunctionDefaults = Pick<
  StorywatchFunctionProps,
  'timeout' | 'logRetention' | 'storiesDir' | 'feedRegistryPath' | 'monitoring'
>;

/** What a construct says about one of its functions; the rest comes from the shared defaults. */
export type OwnFunctionProps = Omit<StorywatchFunctionProps, keyof FunctionDefaults>;

/** What every construct that makes functions is given: the shared settings and the table all functions use. */
export interface FunctionSetting {
  functionDefaults: FunctionDefaults;
  table: ITableV2;
}

/**
 * A storywatch function on the table, with the shared settings, its own props and exactly `access` to the table:
 * how every construct starts a function, so none repeats the spread of defaults and the table binding.
 */
export function tableFunction(
  scope: Construct,
  id: string,
  setting: FunctionSetting,
  access: readonly TableAction[],
  own: OwnFunctionProps,
): StorywatchFunction {
  return new StorywatchFunction(scope, id, { ...setting.functionDefaults, ...own }).bindTable(setting.table, access);
}

/**
 * A DynamoDB data-plane action this project's store sends. Transactions have no IAM action of their own: IAM
 * checks each Put/Update/ConditionCheck inside a TransactWriteItems as that operation.
 */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** What a function was given through bind*: the env variable, the resource kind and the access it got. */
export interface Binding {
  variable: string;
  kind: 'table' | 'queue' | 'topic' | 'secret' | 'parameter' | 'bucket';
  access: readonly string[];
  resource: IConstruct;
  /** The ARN the grant names (for tables: the table; the grant also covers its indexes). */
  arn: string;
}

/** Every storywatch Lambda: Node 22 on Graviton, a CommonJS bundle with its stories and registry, its own log group. */
export class StorywatchFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly bindings: Binding[] = [];

  /** Every storywatch function under a scope (a stack or the app), for checks that must cover all of them. */
  static allIn(scope: IConstruct): StorywatchFunction[] {
    return scope.node.findAll().filter((node): node is StorywatchFunction => node instanceof StorywatchFunction);
  }

  constructor(scope: Construct, id: string, props: StorywatchFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      // Logs are diagnostic, not records; a stack teardown should not leave them behind.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An own role instead of the AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      role: this.role,
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.DISABLED,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      environment: environmentOf(props),
      bundling: bundlingOf(props),
    });
  }

  /** Grants exactly these item actions on the table and its indexes, and names the table in `variable`. */
  bindTable(table: ITableV2, actions: readonly TableAction[], variable: string = ENV.tableName): this {
    if (actions.length === 0) throw new Error(`${this.node.path}: bindTable needs at least one action`);
    table.grant(this.function, ...actions.map((action) => `dynamodb:${action}`));
    return this.bind(
      { variable, kind: 'table', access: actions, resource: table, arn: table.tableArn },
      table.tableName,
    );
  }

  /** Lets the function send to the queue (the only thing storywatch functions do with one) and names its URL. */
  bindQueue(queue: IQueue, variable: string): this {
    queue.grantSendMessages(this.function);
    return this.bind(
      { variable, kind: 'queue', access: ['send'], resource: queue, arn: queue.queueArn },
      queue.queueUrl,
    );
  }

  /** Lets the function publish to the topic (and use its key, when it has one) and names its ARN. */
  bindTopic(topic: ITopic, variable: string = ENV.topicArn): this {
    topic.grantPublish(this.function);
    return this.bind(
      { variable, kind: 'topic', access: ['publish'], resource: topic, arn: topic.topicArn },
      topic.topicArn,
    );
  }

  /**
   * Lets the function read each secret or SecureString parameter and passes `value`, which names them, in
   * `variable`: one variable for several sources (the declared channels' JSON), each source its own binding.
   */
  bindSecretSources(variable: string, value: string, sources: readonly (ISecret | IParameter)[]): this {
    if (this.bindings.some((existing) => existing.variable === variable)) {
      throw new Error(`${this.node.path}: ${variable} is bound twice`);
    }
    for (const source of sources) {
      source.grantRead(this.function);
      const secret = 'secretArn' in source;
      this.bindings.push({
        variable,
        kind: secret ? 'secret' : 'parameter',
        access: ['read'],
        resource: source,
        arn: secret ? source.secretArn : source.parameterArn,
      });
    }
    this.function.addEnvironment(variable, value);
    return this;
  }

  /**
   * Lets the function read (HEAD, to compare) and put objects whose keys match the pattern, and names the bucket.
   * Reading includes s3:ListBucket, without which S3 answers a missing key with 403 instead of 404.
   */
  bindBucket(bucket: IBucket, keyPattern: string, variable: string = ENV.siteBucket): this {
    bucket.grantRead(this.function, keyPattern);
    bucket.grantPut(this.function, keyPattern);
    return this.bind(
      { variable, kind: 'bucket', access: ['read', 'put'], resource: bucket, arn: bucket.arnForObjects(keyPattern) },
      bucket.bucketName,
    );
  }

  private bind(binding: Binding, value: string): this {
    if (this.bindings.some((existing) => existing.variable === binding.variable)) {
      throw new Error(`${this.node.path}: ${binding.variable} is bound twice`);
    }
    this.bindings.push(binding);
    this.function.addEnvironment(binding.variable, value);
    return this;
  }
}

/** The variables every function reads, then the function's own. */
function environmentOf(props: StorywatchFunctionProps): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_LOGGER_LOG_EVENT: 'false',
    STORYWATCH_STORIES_DIR: BUNDLED_STORIES_DIR,
    STORYWATCH_FEED_REGISTRY: BUNDLED_FEED_REGISTRY,
    [ENV.monitoring]: props.monitoring,
    ...props.environment,
  };
}

/** A CommonJS bundle built locally by esbuild, with the stories and the feed registry copied beside it. */
function bundlingOf(props: StorywatchFunctionProps): BundlingOptions {
  return {
    target: BUNDLE_OPTIONS.target,
    format: OutputFormat.CJS,
    minify: BUNDLE_OPTIONS.minify,
    sourceMap: BUNDLE_OPTIONS.sourcemap,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    externalModules: [...BUNDLE_OPTIONS.external],
    define: { ...BUNDLE_OPTIONS.define },
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [
        `mkdir -p "${outputDir}/${BUNDLED_STORIES_DIR}" "${outputDir}/feeds"`,
        // Stories include shared lists from stories/shared/, so the whole directory goes along.
        `cp -R "${props.storiesDir}/." "${outputDir}/${BUNDLED_STORIES_DIR}/"`,
        `cp "${props.feedRegistryPath}" "${outputDir}/${BUNDLED_FEED_REGISTRY}"`,
        `printf '%s' '${BUNDLE_PACKAGE_JSON}' > "${outputDir}/package.json"`,
      ],
    },
  };
}
