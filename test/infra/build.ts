import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/handlers';
import { createStorywatch, type StorywatchStacks } from '../../infra/storywatch';

export const FIXTURE_CONTEXT = {
  feedRegistry: resolve(PROJECT_ROOT, 'test/fixtures/infra/feeds/registry.json'),
  storiesDir: resolve(PROJECT_ROOT, 'test/fixtures/infra/stories'),
  // A deploy must name who hears the alarms (infra/config.ts); tests that check the rule leave it out.
  opsEmail: 'ops@example.org',
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
  /** beforeSynth changes the stacks after they are built, as a later edit of the code would. */
  options: {
    bundle?: boolean;
    outdir?: string;
    beforeSynth?: (stacks: StorywatchStacks) => void;
    /** The rule packs run on every synth and take most of its time; test/infra/rule-packs.test.ts asks for them. */
    ruleChecks?: boolean;
    regionHint?: string | null;
  } = {},
): BuiltApp {
  const fullContext = { ...FIXTURE_CONTEXT, ...context };
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = loadConfig((key) => fullContext[key as keyof typeof fullContext], PROJECT_ROOT);
  const stacks = createStorywatch(app, config, {
    ruleChecks: options.ruleChecks ?? false,
    regionHint: options.regionHint ?? null,
  });
  options.beforeSynth?.(stacks);
  return {
    app,
    stacks,
    stateful: Template.fromStack(stacks.stateful),
    stateless: Template.fromStack(stacks.stateless),
  };
}
