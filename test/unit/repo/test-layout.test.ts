import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFilesUnder } from '../../support/code-shape';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A module under test/ that is neither a test file nor in test/support/ (or the fixtures) is a helper living
 * beside the tests that use it, where a newcomer looking for the shared rigs would not find it.
 */
function strayHelpers(paths: readonly string[]): string[] {
  return paths.filter(
    (path) =>
      !/\.test\.[cm]?[jt]s$/.test(path) && !path.startsWith('test/support/') && !path.startsWith('test/fixtures/'),
  );
}

describe('the test tree', () => {
  it('keeps every helper module in test/support/', () => {
    expect(strayHelpers(sourceFilesUnder(ROOT, 'test')), 'move these into test/support/').toEqual([]);
  });

  it('would flag the helpers that used to live beside their tests', () => {
    const oldLayout = [
      'test/integration/handlers/support.ts',
      'test/integration/handlers/analyzer-publisher.test.ts',
      'test/reliability/support/fault-rig.ts',
      'test/unit/detection/helpers.ts',
      'test/support/handler-rig.ts',
      'test/fixtures/infra/app.ts',
    ];
    expect(strayHelpers(oldLayout)).toEqual([
      'test/integration/handlers/support.ts',
      'test/reliability/support/fault-rig.ts',
      'test/unit/detection/helpers.ts',
    ]);
  });

  it('scans the test tree (finds the tests and the shared support modules)', () => {
    const found = sourceFilesUnder(ROOT, 'test');
    expect(found).toContain('test/unit/repo/test-layout.test.ts');
    expect(found).toContain('test/support/handler-rig.ts');
  });
});
