import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const STORAGE_SUITES = new URL('../../integration/storage/', import.meta.url);

/**
 * Suites that start engines of their own on purpose: what they test is the embedded engine's life on a data
 * directory (its lock, its close and reopen), which the shared in-memory engine of the fixture does not have.
 */
const OWN_ENGINE = new Map([
  ['data-dir-lock.test.ts', 'the lock of a data directory held by another engine'],
  ['engine-close.test.ts', 'closing an engine and reopening its data directory'],
]);

const suites = readdirSync(STORAGE_SUITES).filter((name) => name.endsWith('.test.ts'));
const sourceOf = (name: string) => readFileSync(new URL(name, STORAGE_SUITES), 'utf8');

describe('the storage suites', () => {
  it('take their engine, table and store from the shared fixture (test/support/storage.ts)', () => {
    const ownSetUp = suites
      .filter((name) => !OWN_ENGINE.has(name))
      .filter(
        (name) => !sourceOf(name).includes('storageTest') || /startTestDynamo|startEmbeddedDynamo/.test(sourceOf(name)),
      );
    expect(ownSetUp, 'move these onto storageTest').toEqual([]);
  });

  it('list only suites that exist and really start an engine of their own', () => {
    for (const name of OWN_ENGINE.keys()) {
      expect(suites).toContain(name);
      expect(sourceOf(name)).toMatch(/startEmbeddedDynamo/);
    }
  });
});
