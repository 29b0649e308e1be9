import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/handlers';
import { bundleHandler } from '../../scripts/measure-bundles';

const BEDROCK = '@aws-sdk/client-bedrock-runtime';

/**
 * The Bedrock Runtime client is loaded on a Bedrock reader's first request, never at import: the default deploy
 * (reader=rules), the CLI and the tests never load it.
 */
let outdir: string;
let analyzer: Awaited<ReturnType<typeof bundleHandler>>;

beforeAll(async () => {
  mkdirSync(join(PROJECT_ROOT, '.storywatch'), { recursive: true });
  outdir = mkdtempSync(join(PROJECT_ROOT, '.storywatch', 'test-lazy-bedrock-'));
  analyzer = await bundleHandler('analyzer', outdir);
}, 60_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/** Which of these packages a new Node process has loaded after require()-ing the file, as Lambda does. */
function loadedAfterRequire(file: string, packages: string[]): Record<string, boolean> {
  const script = [
    `require(${JSON.stringify(file)});`,
    'const loaded = Object.keys(require.cache);',
    `const wanted = ${JSON.stringify(packages)};`,
    "const has = (name) => loaded.some((path) => path.includes('/node_modules/' + name + '/'));",
    'process.stdout.write(JSON.stringify(Object.fromEntries(wanted.map((name) => [name, has(name)]))));',
  ].join('\n');
  const output = execFileSync(process.execPath, ['--input-type=commonjs', '--eval', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return JSON.parse(output) as Record<string, boolean>;
}

/** How every module of the graph from `entry` imports `specifier` (esbuild's metafile; packages left external). */
async function importKinds(entry: string, specifier: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    write: false,
    outdir: join(outdir, 'graph'),
    logLevel: 'error',
  });
  const inputs: Metafile['inputs'] = result.metafile.inputs;
  return Object.values(inputs).flatMap((input) =>
    input.imports.filter((imported) => imported.path === specifier).map((imported) => imported.kind),
  );
}

describe('the Bedrock Runtime client is loaded lazily', () => {
  it('is not loaded by the analyzer bundle at cold start, while the SNS client it imports is', () => {
    expect(loadedAfterRequire(analyzer.bundlePath, [BEDROCK, '@aws-sdk/client-sns'])).toEqual({
      [BEDROCK]: false,
      '@aws-sdk/client-sns': true,
    });
    // Still reachable for reader=bedrock: the bundle imports it, from the runtime, on first use.
    expect(analyzer.externalModules).toContain(BEDROCK);
  });

  it('is only ever imported dynamically in the CLI’s and the analyzer’s module graphs', async () => {
    for (const entry of ['src/cli/main.ts', 'functions/analyzer.ts']) {
      const kinds = await importKinds(entry, BEDROCK);
      expect(kinds.length, entry).toBeGreaterThan(0);
      expect(new Set(kinds), entry).toEqual(new Set(['dynamic-import']));
    }
  });
});
