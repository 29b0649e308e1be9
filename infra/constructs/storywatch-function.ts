import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../src/config/metrics';
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
  environment?: Record<string, string>;
}

/** Every storywatch Lambda: Node 22 on Graviton, a CommonJS bundle with its stories and registry, its own log group. */
export class StorywatchFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

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
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.DISABLED,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        STORYWATCH_STORIES_DIR: BUNDLED_STORIES_DIR,
        STORYWATCH_FEED_REGISTRY: BUNDLED_FEED_REGISTRY,
        ...props.environment,
      },
      bundling: {
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
            `cp "${props.storiesDir}"/*.json "${outputDir}/${BUNDLED_STORIES_DIR}/"`,
            `cp "${props.feedRegistryPath}" "${outputDir}/${BUNDLED_FEED_REGISTRY}"`,
            `printf '%s' '${BUNDLE_PACKAGE_JSON}' > "${outputDir}/package.json"`,
          ],
        },
      },
    });
  }
}
