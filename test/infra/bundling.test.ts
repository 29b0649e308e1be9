import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/handlers';
import { type BuiltApp, buildApp } from '../support/infra-build';

/** The one place the tests run the real esbuild bundling, the way `cdk synth` does. */
let built: BuiltApp;
let outdir: string;
let assetDirs: Map<string, string>;

beforeAll(() => {
  // Inside the repository (gitignored) so the bundles' external @aws-sdk/* requires resolve from node_modules,
  // as the Lambda runtime provides them; require() resolves packages from the requiring file's location.
  mkdirSync(join(PROJECT_ROOT, '.storywatch'), { recursive: true });
  outdir = mkdtempSync(join(PROJECT_ROOT, '.storywatch', 'test-synth-'));
  built = buildApp({}, { bundle: true, outdir });
  assetDirs = new Map();
  for (const [, fn] of Object.entries(built.stateless.findResources('AWS::Lambda::Function'))) {
    const description = String(fn.Properties.Description);
    // The code's S3 key is the asset hash; the staged directory next to the template is named after it.
    const s3Key = String((fn.Properties.Code as { S3Key: string }).S3Key);
    assetDirs.set(description, join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`));
  }
}, 240_000);

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

describe('synth with real bundling', () => {
  it('produces one CommonJS bundle per function, marked as such, with the stories and the feed registry beside it', () => {
    // The four pipeline functions and the WebSub callback.
    expect(assetDirs.size).toBe(5);
    for (const dir of assetDirs.values()) {
      expect(readdirSync(dir).sort()).toEqual(['feeds', 'index.js', 'index.js.map', 'package.json', 'stories']);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ type: 'commonjs' });
      expect(readdirSync(join(dir, 'stories'))).toEqual(['infra-sample.json']);
      expect(existsSync(join(dir, 'feeds', 'registry.json'))).toBe(true);
    }
  });

  it('keeps every bundle minified and under 400 KB, with the AWS SDK left to the runtime', () => {
    for (const dir of assetDirs.values()) {
      const bundle = join(dir, 'index.js');
      expect(statSync(bundle).size).toBeLessThan(400 * 1024);
      expect(readFileSync(bundle, 'utf8')).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    }
  });

  it('loads each bundle with require() in a fresh Node process and fails its first invocation naming the missing variable', () => {
    for (const dir of assetDirs.values()) {
      // require(), as the Lambda runtime loads an index.js that its package.json does not mark as a module.
      const script = [
        `const { handler } = require(${JSON.stringify(join(dir, 'index.js'))});`,
        'handler({ Records: [] }, {}).then(',
        '  () => console.log("no error"),',
        '  (error) => console.log(error.name + ": " + error.message),',
        ');',
      ].join('\n');
      const env = { ...process.env };
      for (const name of ['TABLE_NAME', 'TOPIC_ARN', 'FEED_QUEUE_URL', 'ITEM_QUEUE_URL']) delete env[name];
      const result = spawnSync(process.execPath, ['--input-type=commonjs', '--eval', script], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
        env,
      });
      expect(result.stderr).not.toMatch(/SyntaxError|Cannot find (module|package)|Dynamic require/);
      expect(result.stdout.trim()).toMatch(
        /^MissingEnvError: Environment variable (TABLE_NAME|STORYWATCH_\w+) is not set/,
      );
    }
  });
});
