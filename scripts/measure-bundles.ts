/**
 * Bundles every Lambda handler exactly as the StorywatchFunction construct does (infra/handlers.ts holds the
 * shared esbuild options) and measures what matters for cold starts: the minified bundle size and the time a
 * fresh Node process needs to load it, the way the Lambda runtime loads a CommonJS handler: with require().
 * Targets: < 400 KB and < 150 ms per function.
 *
 *   npx tsx scripts/measure-bundles.ts [--runs 5] [--json] [--bundle-sdk]
 *
 * --bundle-sdk bundles the AWS SDK too, to compare against the deployed layout (SDK from the runtime).
 *
 * The bench imports measureBundles(). Bundles go to .storywatch/bundles/ inside the repository so the external
 * @aws-sdk/* imports resolve from node_modules, as they resolve from the runtime in Lambda.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import {
  BUNDLE_FILE,
  BUNDLE_OPTIONS,
  BUNDLE_PACKAGE_JSON,
  HANDLER_NAMES,
  type HandlerName,
  handlerEntry,
  PROJECT_ROOT,
} from '../infra/handlers';

export const BUNDLE_SIZE_TARGET_BYTES = 400 * 1024;
export const IMPORT_TIME_TARGET_MS = 150;

export interface BundleMeasurement {
  handler: HandlerName;
  /** Minified index.js, without its source map. */
  bytes: number;
  /** Median over the runs, each in a new Node process. */
  importMs: number;
  /** Fastest run: the least disturbed by other load on the machine. */
  minImportMs: number;
  importRunsMs: number[];
  /** The external AWS SDK clients this bundle imports (provided by the Lambda runtime). */
  externalModules: string[];
  /** Median time to import only those external modules in a new process: the part of importMs that is not ours. */
  externalImportMs: number;
  withinTargets: boolean;
}

export async function bundleHandler(
  handler: HandlerName,
  outdir: string,
  options: { bundleSdk?: boolean } = {},
): Promise<{ bundlePath: string; externalModules: string[]; bundledPackages: string[] }> {
  const outfile = join(outdir, handler, BUNDLE_FILE);
  const result = await build({
    metafile: true,
    entryPoints: [handlerEntry(handler)],
    outfile,
    bundle: true,
    target: BUNDLE_OPTIONS.target,
    platform: BUNDLE_OPTIONS.platform,
    format: BUNDLE_OPTIONS.format,
    minify: BUNDLE_OPTIONS.minify,
    sourcemap: BUNDLE_OPTIONS.sourcemap,
    mainFields: [...BUNDLE_OPTIONS.mainFields],
    // bundleSdk is for comparison only: the construct always leaves the SDK to the runtime.
    external: options.bundleSdk ? [] : [...BUNDLE_OPTIONS.external],
    define: { ...BUNDLE_OPTIONS.define },
    logLevel: 'error',
  });
  writeFileSync(join(outdir, handler, 'package.json'), BUNDLE_PACKAGE_JSON);
  const externalModules = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      // Node built-ins are external too, but they are part of the runtime, not of what this bundle adds.
      if (imported.external && imported.path.startsWith('@aws-sdk/')) externalModules.add(imported.path);
    }
  }
  const bundledPackages = new Set<string>();
  // Inputs of the output, not of the build: a module whose every export was shaken off adds no bytes.
  const inputs = Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).filter(([, contribution]) => contribution.bytesInOutput > 0),
  );
  for (const [input] of inputs) {
    const packageName = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
    if (packageName) bundledPackages.add(packageName);
  }
  return {
    bundlePath: outfile,
    externalModules: [...externalModules].sort(),
    bundledPackages: [...bundledPackages].sort(),
  };
}

/**
 * Loads the modules in a new process with require(), as the Lambda runtime loads a CommonJS handler: the module
 * graph a cold start evaluates before the first invocation.
 */
export function measureImportMs(specifiers: string[]): number {
  const loads = specifiers.map((specifier) => `require(${JSON.stringify(specifier)});`).join(' ');
  const script = `const start = performance.now(); ${loads} process.stdout.write(String(performance.now() - start));`;
  const output = execFileSync(process.execPath, ['--input-type=commonjs', '--eval', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return Number(output);
}

export async function measureBundles(
  options: { runs?: number; outdir?: string; bundleSdk?: boolean } = {},
): Promise<BundleMeasurement[]> {
  const runs = options.runs ?? 5;
  const outdir = options.outdir ?? join(PROJECT_ROOT, '.storywatch', 'bundles');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const results: BundleMeasurement[] = [];
  for (const handler of HANDLER_NAMES) {
    const { bundlePath, externalModules } = await bundleHandler(handler, outdir, {
      bundleSdk: options.bundleSdk ?? false,
    });
    const bytes = statSync(bundlePath).size;
    const importRunsMs = Array.from({ length: runs }, () => measureImportMs([bundlePath]));
    const importMs = median(importRunsMs);
    const externalImportMs =
      externalModules.length === 0 ? 0 : median(Array.from({ length: runs }, () => measureImportMs(externalModules)));
    results.push({
      handler,
      bytes,
      importMs,
      minImportMs: Math.min(...importRunsMs),
      importRunsMs,
      externalModules,
      externalImportMs,
      withinTargets: bytes < BUNDLE_SIZE_TARGET_BYTES && importMs < IMPORT_TIME_TARGET_MS,
    });
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, json: { type: 'boolean' }, 'bundle-sdk': { type: 'boolean' } },
  });
  const runs = values.runs === undefined ? 5 : Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a positive whole number, got ${values.runs}`);
  const results = await measureBundles({ runs, bundleSdk: values['bundle-sdk'] ?? false });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    for (const result of results) {
      process.stdout.write(
        `${result.handler.padEnd(11)} ${(result.bytes / 1024).toFixed(1).padStart(7)} KB  import median ${result.importMs.toFixed(1).padStart(6)} ms, min ${result.minImportMs.toFixed(1)} ms` +
          ` (of which AWS SDK ${result.externalImportMs.toFixed(1)} ms: ${result.externalModules.join(', ')})` +
          `  ${result.withinTargets ? 'ok' : 'OVER TARGET'}\n`,
      );
    }
  }
  if (results.some((result) => !result.withinTargets)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
