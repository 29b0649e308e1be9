import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { functionSpans, readSource, sourceFilesUnder } from '../../support/code-shape';

// The layering the architecture promises (README, issue #15), checked on every `npm test`.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Handlers parse, call and map errors; past this they are doing pipeline work. */
const MAX_HANDLER_LINES = 40;
/** What the domain core must never depend on: the adapters, the Lambda shell and the CDK app. */
const OUTSIDE_THE_CORE = ['src/adapters/', 'functions/', 'infra/'];

/** Every module a file imports or re-exports, as a path relative to the root (packages left out). */
function importsOf(path: string): string[] {
  const source = ts.createSourceFile(path, readSource(ROOT, path), ts.ScriptTarget.Latest, true);
  const specifiers = source.statements.flatMap((statement) =>
    (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
    statement.moduleSpecifier &&
    ts.isStringLiteral(statement.moduleSpecifier)
      ? [statement.moduleSpecifier.text]
      : [],
  );
  const folder = new URL(path, `file://${ROOT}`);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => fileURLToPath(new URL(specifier, folder)).slice(ROOT.length));
}

describe('layers', () => {
  it('keeps src/core free of imports from the adapters, functions/ and infra/', () => {
    const crossings = sourceFilesUnder(ROOT, 'src/core').flatMap((path) =>
      importsOf(path)
        .filter((target) => OUTSIDE_THE_CORE.some((outside) => target.startsWith(outside)))
        .map((target) => `${path} imports ${target}`),
    );
    expect(crossings).toEqual([]);
  });

  it(`keeps every function of functions/ (handlers and their wiring) within ${MAX_HANDLER_LINES} lines`, () => {
    const tooLong = sourceFilesUnder(ROOT, 'functions').flatMap((path) =>
      functionSpans(path, readSource(ROOT, path))
        .filter((span) => span.lines > MAX_HANDLER_LINES)
        .map((span) => `${path}:${span.line} ${span.name} spans ${span.lines} lines`),
    );
    expect(tooLong, 'move the work into a use-case of src/pipeline').toEqual([]);
  });

  it("names every folder of src/ in the README's folder table", () => {
    const readme = readSource(ROOT, 'README.md');
    const table = readme.slice(readme.indexOf('| folder '), readme.indexOf('\n\n', readme.indexOf('| folder ')));
    const folders = readdirSync(new URL('src/', `file://${ROOT}`), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `\`src/${entry.name}/\``);
    expect(folders.filter((folder) => !table.includes(folder))).toEqual([]);
  });

  it('resolves the imports it checks (a core port importing an adapter would be seen)', () => {
    expect(importsOf('functions/analyzer.ts')).toContain('src/adapters/sns/notifier');
    expect(importsOf('src/core/ports/index.ts')).toContain('src/core/ports/clock');
  });
});
