import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSource } from '../../support/code-shape';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The documents that point readers at tests: the READMEs and docs/. */
const DOCUMENTS = [
  'README.md',
  ...readdirSync(new URL('docs/', `file://${ROOT}`)).map((name) => `docs/${name}`),
  'src/pipeline/README.md',
  'src/ingestion/README.md',
].filter((path) => path.endsWith('.md'));

const TEST_PATH = /test\/[\w/.-]+\.test\.ts/g;

describe('documents', () => {
  it('name only test files that exist, so a renamed suite is not cited under its old name', () => {
    const gone = DOCUMENTS.flatMap((document) =>
      [...readSource(ROOT, document).matchAll(TEST_PATH)]
        .map(([path]) => path)
        .filter((path) => !existsSync(`${ROOT}${path}`))
        .map((path) => `${document} names ${path}`),
    );
    expect(gone).toEqual([]);
  });

  it('cite tests by file (the check above has paths to look at)', () => {
    expect(readSource(ROOT, 'docs/reliability.md').match(TEST_PATH)?.length).toBeGreaterThan(20);
  });
});
