/** What an LLM reader needs from a model endpoint, whatever protocol it speaks. */

export interface ModelRequest {
  system: string;
  /** The user message's text (the wire contract's `{"items": [...]}`). */
  user: string;
  /** JSON schema of the answer. */
  schema: Record<string, unknown>;
  /** The forced tool (Bedrock) or the schema's name (OpenAI). */
  toolName: string;
  maxOutputTokens: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from a prompt cache, when the endpoint says. */
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface ModelResponse {
  /** The answer document: the forced tool's input, or the message content (a JSON string). */
  answer: unknown;
  usage: TokenUsage;
}

export type TransportFailureKind = 'throttled' | 'timeout' | 'server' | 'network' | 'client' | 'refused_answer';

/** A request that did not produce an answer. Throttling, timeouts, 5xx and dropped connections are worth a retry. */
export class TransportError extends Error {
  /** How many attempts were made before giving up; set by sendWithRetry. */
  attempts = 1;

  constructor(
    readonly kind: TransportFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }

  get retryable(): boolean {
    return this.kind === 'throttled' || this.kind === 'timeout' || this.kind === 'server' || this.kind === 'network';
  }
}

export interface ModelTransport {
  /** `bedrock:<model id>` or `openai:<model>`: the reader id its readings carry. */
  readonly id: string;
  /** True when requests mark the system text for the endpoint's prompt cache. */
  readonly promptCaching: boolean;
  send(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  /** The body it would send, for `classify --dry-run`. */
  describe(request: ModelRequest): { url: string; body: unknown };
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  timeoutMs: 60_000,
});

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends with a deadline per attempt and full-jitter exponential backoff between retryable failures. Throws the
 * last TransportError when attempts run out; any other error is wrapped as `network` so the caller falls back.
 */
export async function sendWithRetry(
  transport: ModelTransport,
  request: ModelRequest,
  policy: RetryPolicy,
  sleep: Sleep = realSleep,
  random: () => number = Math.random,
): Promise<{ response: ModelResponse; attempts: number }> {
  let last: TransportError | undefined;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    try {
      const response = await transport.send(request, AbortSignal.timeout(policy.timeoutMs));
      return { response, attempts: attempt };
    } catch (error) {
      last = asTransportError(error);
      last.attempts = attempt;
      if (!last.retryable || attempt === policy.maxAttempts) break;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.round(ceiling * (0.5 + random() / 2)));
    }
  }
  throw last ?? new TransportError('network', 'no attempt was made');
}

export function asTransportError(error: unknown): TransportError {
  if (error instanceof TransportError) return error;
  const name = (error as { name?: string } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new TransportError('timeout', 'request timed out');
  return new TransportError('network', (error as Error | null)?.message ?? String(error));
}
