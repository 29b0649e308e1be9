import type * as EngineModule from '../../src/local/engine/index';
import { type FaultRule, startFaultProxy } from './fault-proxy';

/** What the next embedded engine the CLI opens does wrong; set by a test before it runs a command. */
export interface EngineFaults {
  /** Injected into a fault proxy between the CLI's SDK client and the real engine. */
  rule: FaultRule | null;
  /**
   * Thrown by the engine's close() once the real close is done (the real engine closes cleanly on demand, so only
   * this failure is made up): a close that fails after the work, as a full disk or a lost lock file would make it.
   */
  closeError: string | null;
}

/**
 * The engine module with startEmbeddedDynamo wrapped: the real engine, behind a fault proxy, failing as `faults`
 * says. For `vi.mock('../../src/local/engine/index', ...)` in tests that run the real CLI on `--data-dir`.
 */
export function withFaults(original: typeof EngineModule, faults: EngineFaults): typeof EngineModule {
  return {
    ...original,
    async startEmbeddedDynamo(options) {
      const real = await original.startEmbeddedDynamo(options);
      const proxy = await startFaultProxy({ target: real.endpoint, service: 'dynamodb' });
      if (faults.rule) proxy.inject(faults.rule);
      const closeError = faults.closeError;
      return {
        endpoint: proxy.endpoint,
        async close() {
          await real.close();
          await proxy.close();
          if (closeError !== null) throw new Error(closeError);
        },
      };
    },
  };
}
