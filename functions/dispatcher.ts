/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */

import { createDispatcherHandler } from './handlers/dispatcher';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { dispatcherDeps } from './lib/runtime';

const production = lazy(async () => createDispatcherHandler(await dispatcherDeps()));

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
