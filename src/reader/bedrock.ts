/**
 * Amazon Bedrock Runtime's Converse API: the answer is the input of one tool the request forces (`toolChoice`
 * naming it), temperature 0, several items per request, and a cache point after the system text for models that
 * cache prompts, so every batch after the first pays a fraction for the story's instructions.
 */
import type {
  BedrockRuntimeClient,
  BedrockRuntimeClientConfig,
  ConverseCommandInput,
  ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { type ModelRequest, type ModelResponse, type ModelTransport, TransportError } from './transport';

type BedrockSdk = typeof import('@aws-sdk/client-bedrock-runtime');
let bedrockSdk: Promise<BedrockSdk> | undefined;

/**
 * The SDK is loaded on the first request, never at import: the rules reader (the default deploy, the CLI, the
 * tests) and the analyzer's cold start with reader=rules never pay for loading the Bedrock Runtime client.
 */
function loadBedrockSdk(): Promise<BedrockSdk> {
  bedrockSdk ??= import('@aws-sdk/client-bedrock-runtime');
  return bedrockSdk;
}

/** Cheap and capable enough for reading short news items; see the README for the others documented. */
export const DEFAULT_BEDROCK_MODEL_ID = 'amazon.nova-lite-v1:0';

/** Model families whose Converse API accepts cachePoint blocks (an inference profile prefix is ignored). */
const CACHING_MODELS = [
  /^amazon\.nova-(micro|lite|pro)/,
  /^anthropic\.claude-(3-5-haiku|3-7-sonnet|haiku-4|sonnet-4|opus-4)/,
];

export function supportsPromptCaching(modelId: string): boolean {
  const base = modelId.replace(/^(?:[a-z]{2,4}|global)\.(?=[a-z]+\.)/, '');
  return CACHING_MODELS.some((pattern) => pattern.test(base));
}

export interface BedrockTransportOptions {
  modelId: string;
  region?: string;
  /** A Converse-speaking endpoint other than the region's (a VPC endpoint, or a loopback server in tests). */
  endpoint?: string;
  credentials?: BedrockRuntimeClientConfig['credentials'];
  /** Overrides the model-family check, e.g. for a custom model that caches. */
  promptCaching?: boolean;
}

export function converseInput(modelId: string, request: ModelRequest, caching: boolean): ConverseCommandInput {
  return {
    modelId,
    system: caching ? [{ text: request.system }, { cachePoint: { type: 'default' } }] : [{ text: request.system }],
    messages: [{ role: 'user', content: [{ text: request.user }] }],
    inferenceConfig: { temperature: 0, maxTokens: request.maxOutputTokens },
    toolConfig: {
      tools: [
        {
          toolSpec: {
            name: request.toolName,
            description: 'Records the reading of every item in the request.',
            // The SDK types documents loosely; the schema is plain JSON.
            inputSchema: { json: request.schema as never },
          },
        },
      ],
      toolChoice: { tool: { name: request.toolName } },
    },
  };
}

const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'ModelNotReadyException']);
const TIMED_OUT = new Set(['ModelTimeoutException', 'TimeoutError', 'AbortError', 'RequestTimeout']);

function failureOf(error: unknown): TransportError {
  const name = (error as { name?: string }).name ?? 'Error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const message = `${name}: ${(error as Error).message ?? ''}`.slice(0, 300);
  if (THROTTLED.has(name) || status === 429) return new TransportError('throttled', message);
  if (TIMED_OUT.has(name) || status === 408) return new TransportError('timeout', message);
  if (status !== undefined && status >= 500) return new TransportError('server', message);
  if (status === undefined) return new TransportError('network', message);
  return new TransportError('client', message);
}

function toolInput(output: ConverseCommandOutput, toolName: string): unknown {
  const blocks = output.output?.message?.content ?? [];
  const use = blocks.find((block) => block.toolUse?.name === toolName)?.toolUse;
  if (!use) throw new TransportError('refused_answer', `the answer did not call ${toolName} (${output.stopReason})`);
  return use.input;
}

export function createBedrockTransport(options: BedrockTransportOptions): ModelTransport {
  let connected: Promise<{ client: BedrockRuntimeClient; sdk: BedrockSdk }> | undefined;
  const connect = () => {
    connected ??= loadBedrockSdk().then((sdk) => ({
      sdk,
      client: new sdk.BedrockRuntimeClient({
        ...(options.region ? { region: options.region } : {}),
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.credentials ? { credentials: options.credentials } : {}),
        // Retries are the reader's, with its own backoff and fallback; the SDK's would multiply them.
        maxAttempts: 1,
      }),
    }));
    return connected;
  };
  const caching = options.promptCaching ?? supportsPromptCaching(options.modelId);
  const path = `/model/${encodeURIComponent(options.modelId)}/converse`;
  return {
    id: `bedrock:${options.modelId}`,
    promptCaching: caching,
    describe: (request) => ({
      url: `${options.endpoint ?? `https://bedrock-runtime.${options.region ?? '<region>'}.amazonaws.com`}${path}`,
      body: converseInput(options.modelId, request, caching),
    }),
    async send(request, signal): Promise<ModelResponse> {
      const { client, sdk } = await connect();
      let output: ConverseCommandOutput;
      try {
        output = await client.send(new sdk.ConverseCommand(converseInput(options.modelId, request, caching)), {
          abortSignal: signal,
        });
      } catch (error) {
        throw failureOf(error);
      }
      return {
        answer: toolInput(output, request.toolName),
        usage: {
          inputTokens: output.usage?.inputTokens ?? 0,
          outputTokens: output.usage?.outputTokens ?? 0,
          cacheReadTokens: output.usage?.cacheReadInputTokens ?? 0,
          cacheWriteTokens: output.usage?.cacheWriteInputTokens ?? 0,
        },
      };
    },
  };
}
