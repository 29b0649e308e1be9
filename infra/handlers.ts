import { fileURLToPath } from 'node:url';

/** Repository root, for entry points and bundled assets (infra/ sits one level below it). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const HANDLER_NAMES = ['dispatcher', 'poller', 'analyzer', 'publisher'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));
}

/**
 * Shared by the CDK construct and scripts/measure-bundles.ts so the measured bundle is the deployed one.
 * ESM keeps Powertools tree-shakable; rss-parser and its xml2js/sax dependencies are CommonJS and call
 * require() for Node built-ins, which an ESM bundle only has through createRequire.
 */
export const BUNDLE_OPTIONS = {
  target: 'node22',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  // The Node 22 Lambda runtime ships AWS SDK v3; bundling it would only add size and cold-start time.
  external: ['@aws-sdk/*'],
  banner:
    "import { createRequire as __storywatchCreateRequire } from 'node:module';const require = __storywatchCreateRequire(import.meta.url);",
} as const;

/** Where the bundled story definitions and feed registry live, relative to the function root. */
export const BUNDLED_STORIES_DIR = 'stories';
export const BUNDLED_FEED_REGISTRY = 'feeds/registry.json';
