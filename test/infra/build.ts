import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/handlers';
import { createStorywatch, type StorywatchStacks } from '../../infra/storywatch';

export const FIXTURE_CONTEXT = {
  feedRegistry: resolve(PROJECT_ROOT, 'test/fixtures/infra/feeds/registry.json'),
  storiesDir: resolve(PROJECT_ROOT, 'test/fixtures/infra/stories'),
};

export interface BuiltApp {
  app: App;
  stacks: StorywatchStacks;
  stateful: Template;
  stateless: Template;
}

/**
 * Builds both stacks from context the way infra/app.ts does. Bundling is skipped unless asked for: esbuild
 * dominates synth time and most tests only read the template.
 */
export function buildApp(
  context: Record<string, unknown>,
  options: { bundle?: boolean; outdir?: string } = {},
): BuiltApp {
  const fullContext = { ...FIXTURE_CONTEXT, ...context };
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = loadConfig((key) => fullContext[key as keyof typeof fullContext], PROJECT_ROOT);
  const stacks = createStorywatch(app, config);
  return {
    app,
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  };
}
