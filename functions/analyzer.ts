/** Lambda entry point: production wiring from the environment around the testable handler in handlers/. */

import { createAnalyzerHandler } from './handlers/analyzer';
import type { InvocationContext, SqsEvent } from './lib/events';
import { lazy } from './lib/lazy';
import { analyzerDeps } from './lib/runtime';

const production = lazy(async () => createAnalyzerHandler(await analyzerDeps()));

export const handler = async (event: SqsEvent, context: InvocationContext) => (await production())(event, context);
