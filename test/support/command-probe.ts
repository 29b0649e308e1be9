import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let probes = 0;

/**
 * Calls `observe` with the name and input of every command the client sends, before it goes out. For tests of
 * what a store asks of the engine; an async observer holds the command until it settles (to let a rival in first).
 */
export function beforeEachCommand(
  client: DynamoDBClient,
  observe: (commandName: string, input: Record<string, unknown>) => void | Promise<void>,
): void {
  probes += 1;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      await observe(context.commandName ?? 'unknown', args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: `testCommandProbe${probes}` },
  );
}
