/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */

import { createPollerHandler } from './handlers/poller';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { pollerDeps } from './lib/runtime';

const production = lazy(async () => createPollerHandler(await pollerDeps()));

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
