import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, type StorywatchConfig } from '../../infra/config';
import { PROJECT_ROOT } from '../../infra/handlers';
import { createStorywatch, type StorywatchStacks } from '../../infra/storywatch';

export const FIXTURE_CONTEXT = {
  feedRegistry: resolve(PROJECT_ROOT, 'test/fixtures/infra/feeds/registry.json'),
  storiesDir: resolve(PROJECT_ROOT, 'test/fixtures/infra/stories'),
  // A deploy must name who hears the alarms (infra/config.ts); tests that check the rule leave it out.
  opsEmail: 'ops@example.org',
};

/** The config infra/app.ts would load from the fixture context with `context` laid over it. */
export function loadFixtureConfig(context: Record<string, unknown>): StorywatchConfig {
  const fullContext: Record<string, unknown> = { ...FIXTURE_CONTEXT, ...context };
  return loadConfig((key) => fullContext[key], PROJECT_ROOT);
}

export interface AppProcessResult {
  status: number | null;
  stderr: string;
  /** What the process left in its output folder: nothing, when it stopped before synthesizing. */
  written: string[];
}

/**
 * Runs infra/app.ts as its own process, as `cdk synth` does, with the fixture context and `context` laid over it
 * (CDK_CONTEXT_JSON) and a fresh output folder that is removed afterwards.
 */
export function runAppProcess(context: Record<string, unknown>): AppProcessResult {
  const outdir = mkdtempSync(join(tmpdir(), 'storywatch-app-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...FIXTURE_CONTEXT, ...context }) },
    });
    return { status: result.status, stderr: result.stderr, written: readdirSync(outdir) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

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
  const app = new App({
    context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] },
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const config = loadFixtureConfig(context);
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
