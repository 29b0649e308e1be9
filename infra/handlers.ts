import { fileURLToPath } from 'node:url';

/** Repository root, for entry points and bundled assets (infra/ sits one level below it). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const HANDLER_NAMES = ['dispatcher', 'poller', 'analyzer', 'publisher', 'digest', 'websub'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));
}

/**
 * Shared by the CDK construct and scripts/measure-bundles.ts so the measured bundle is the deployed one.
 * CommonJS, because the Lambda runtime require()s a CommonJS `index.js` but import()s an ESM one, and an ESM
 * import of the runtime's AWS SDK (CommonJS files) first runs Node's CommonJS export scanner over them: in A/B runs
 * that made each cold import 40-50 ms slower. esbuild still tree-shakes the ESM sources the bundle is made from.
 */
export const BUNDLE_OPTIONS = {
  target: 'node22',
  platform: 'node',
  format: 'cjs',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  // The Node 22 Lambda runtime ships AWS SDK v3; bundling it would only add size and cold-start time.
  external: ['@aws-sdk/*'],
  // A CommonJS bundle has no import.meta. The code that reads it finds the repository's stories and feed registry
  // for the CLI and tests, and falls back when it is missing; bundles name theirs in STORYWATCH_* variables.
  // Saying so here keeps esbuild from warning about it on every synth.
  define: { 'import.meta.url': 'undefined' },
} as const;

/** The bundle's file name; the construct's handler string `index.handler` refers to it. */
export const BUNDLE_FILE = 'index.js';

/**
 * Written beside the bundle so `index.js` loads as CommonJS wherever the asset sits, including inside this
 * repository, whose own package.json says "type": "module".
 */
export const BUNDLE_PACKAGE_JSON = '{"type":"commonjs"}';

/** Where the bundled story definitions and feed registry live, relative to the function root. */
export const BUNDLED_STORIES_DIR = 'stories';
export const BUNDLED_FEED_REGISTRY = 'feeds/registry.json';
