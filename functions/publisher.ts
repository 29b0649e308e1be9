/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */

import { createPublisherHandler } from './handlers/publisher';
import type { InvocationContext, ScheduledInvocation } from './lib/events';
import { lazy } from './lib/lazy';
import { publisherDeps } from './lib/runtime';

const production = lazy(async () => createPublisherHandler(await publisherDeps()));

export const handler = async (event: ScheduledInvocation, context: InvocationContext) =>
  (await production())(event, context);
