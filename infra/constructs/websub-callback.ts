import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type FunctionUrl, FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../src/config/env';
import { TABLE_ACCESS } from '../permissions';
import { type FunctionDefaults, type StorywatchFunction, tableFunction } from './storywatch-function';

/**
 * Concurrency reserved for the callback, which is also its cap: hubs deliver one update per feed change, so two
 * instances carry any realistic push rate, and a flood of forged requests at the public URL can neither run up
 * more than two instances' cost nor take concurrency the pipeline's functions need.
 */
export const CALLBACK_RESERVED_CONCURRENCY = 2;

/** The path under the function URL that subscription callbacks live at: `<url>websub/<subscription id>`. */
export const CALLBACK_PATH = 'websub';

export interface WebSubCallbackProps {
  table: ITableV2;
  functionDefaults: FunctionDefaults;
  /** Where pushed items go: the poller's item queue, so analysis cannot tell a push from a poll. */
  itemQueue: IQueue;
  reservedConcurrency?: number;
}

/**
 * The WebSub callback: a function URL that hubs call to verify our subscriptions and to deliver content. WebSub
 * hubs cannot sign AWS requests, so the URL takes anyone (auth NONE); what authenticates a delivery is its
 * X-Hub-Signature, an HMAC keyed with the secret of the subscription the path names, checked before any byte is
 * parsed. Verification answers only the topic and mode we asked for.
 */
export class WebSubCallback extends Construct {
  readonly callback: StorywatchFunction;
  readonly url: FunctionUrl;
  /** The base of every subscription's callback URL (the function URL ends with a slash). */
  readonly callbackBase: string;

  constructor(scope: Construct, id: string, props: WebSubCallbackProps) {
    super(scope, id);
    this.callback = tableFunction(this, 'Callback', props, TABLE_ACCESS.websub, {
      handler: 'websub',
      description: 'WebSub callback: answers hub verifications, queues the items of signed pushes',
      memorySize: 512,
      reservedConcurrency: props.reservedConcurrency ?? CALLBACK_RESERVED_CONCURRENCY,
    }).bindQueue(props.itemQueue, ENV.itemQueueUrl);
    this.url = this.callback.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });
    this.callbackBase = `${this.url.url}${CALLBACK_PATH}`;
  }

  /**
   * Names the callback base to a function that asks hubs for subscriptions (the poller, on a feed naming a hub;
   * the dispatcher, renewing leases). Nothing to grant: hubs call the URL, our functions only put it in a form.
   */
  nameCallbackTo(...functions: StorywatchFunction[]): void {
    for (const fn of functions) fn.function.addEnvironment(ENV.websubCallbackBase, this.callbackBase);
  }
}
