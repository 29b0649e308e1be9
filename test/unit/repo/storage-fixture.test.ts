import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder } from '../../support/code-shape';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Test files that start engines of their own on purpose, by path from the repository root. What they test is the
 * embedded engine's life on a data directory (its lock, its close and reopen), or they read back the data directory
 * a CLI command kept its store in: the shared in-memory engine of the fixture has no data directory.
 */
const OWN_ENGINE = new Map([
  ['test/integration/storage/data-dir-lock.test.ts', 'the lock of a data directory held by another engine'],
  ['test/integration/storage/engine-close.test.ts', 'closing an engine and reopening its data directory'],
  ['test/reliability/data-dir-race.test.ts', 'two processes taking over the lock of one data directory at once'],
  ['test/reliability/cycle-failures.test.ts', 'reading back the data directory `run --once` stored into'],
  ['test/reliability/terminal-output.test.ts', 'reading back the data directory `replay` stored into'],
]);

/** A call that starts an engine: the test engine of test/support/dynamo.ts or the embedded one itself. */
const STARTS_ENGINE = /\b(startTestDynamo|startEmbeddedDynamo)\b/;

const testFiles = sourceFilesUnder(ROOT, 'test').filter(
  (path) => /\.test\.ts$/.test(path) && path !== 'test/unit/repo/storage-fixture.test.ts',
);
const sourceOf = (path: string) => readFileSync(new URL(path, `file://${ROOT}`), 'utf8');
const storageSuites = testFiles.filter((path) => path.startsWith('test/integration/storage/'));

/** The files that start an engine of their own without a reason listed in OWN_ENGINE. */
const ownSetUps = (paths: readonly string[], source: (path: string) => string) =>
  paths.filter((path) => !OWN_ENGINE.has(path) && STARTS_ENGINE.test(source(path)));

describe('the suites that store', () => {
  it('take their engine, table and store from the shared fixture (test/support/storage.ts)', () => {
    const withoutFixture = storageSuites.filter(
      (path) => !OWN_ENGINE.has(path) && !sourceOf(path).includes('storageTest'),
    );
    expect(withoutFixture, 'move these onto storageTest').toEqual([]);
    expect(ownSetUps(testFiles, sourceOf), 'move these onto storageTest, or list why they need their own').toEqual([]);
  });

  it('would flag a suite anywhere under test/ that starts an engine itself', () => {
    const sources: Record<string, string> = {
      'test/integration/handlers/new.test.ts': 'beforeAll(async () => { dynamo = await startTestDynamo(); });',
      'test/reliability/new.test.ts': 'const embedded = await startEmbeddedDynamo({ dataDir: null });',
      'test/integration/pipeline/moved.test.ts': "import { storageTest as it } from '../../support/storage';",
      'test/reliability/data-dir-race.test.ts': 'await startEmbeddedDynamo({ dataDir })',
    };
    expect(ownSetUps(Object.keys(sources), (path) => sources[path] ?? '')).toEqual([
      'test/integration/handlers/new.test.ts',
      'test/reliability/new.test.ts',
    ]);
  });

  it('list only files that exist and really start an engine of their own', () => {
    expect(storageSuites.length).toBeGreaterThan(10);
    for (const path of OWN_ENGINE.keys()) {
      expect(testFiles).toContain(path);
      expect(sourceOf(path)).toMatch(/startEmbeddedDynamo/);
    }
  });
});
