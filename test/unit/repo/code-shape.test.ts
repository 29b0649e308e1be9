import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { functionSpans, lineCount, readSource, sourceFilesUnder } from '../../support/code-shape';

// The project's size limits, checked on every `npm test` so CI fails on the first function or file past them.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_FUNCTION_LINES = 60;
const MAX_FILE_LINES = 400;

/** Where functions must stay short: the shipped code and the scripts. Tests and benches read as lists of cases. */
const FUNCTION_DIRECTORIES = ['src', 'functions', 'infra', 'bin', 'scripts'];
/** Where files must stay short: all of the code, tests and benches included. */
const FILE_DIRECTORIES = [...FUNCTION_DIRECTORIES, 'test', 'bench'];

/**
 * Files another engineer was changing while the long functions were split (December 2026), left for their owners
 * so two people do not rewrite one function at once. Remove an entry once its file is within the limit.
 */
const LONG_FUNCTIONS_ALLOWED = new Map<string, string>([]);
const LONG_FILES_ALLOWED = new Map<string, string>([]);

describe('code shape', () => {
  it(`keeps every function of ${FUNCTION_DIRECTORIES.join(', ')} within ${MAX_FUNCTION_LINES} lines`, () => {
    const tooLong = FUNCTION_DIRECTORIES.flatMap((directory) => sourceFilesUnder(ROOT, directory))
      .filter((path) => !LONG_FUNCTIONS_ALLOWED.has(path))
      .flatMap((path) =>
        functionSpans(path, readSource(ROOT, path))
          .filter((span) => span.lines > MAX_FUNCTION_LINES)
          .map((span) => `${path}:${span.line} ${span.name} spans ${span.lines} lines`),
      );
    expect(tooLong, 'split these into named helpers').toEqual([]);
  });

  it(`keeps every file of ${FILE_DIRECTORIES.join(', ')} within ${MAX_FILE_LINES} lines`, () => {
    const tooLong = FILE_DIRECTORIES.flatMap((directory) => sourceFilesUnder(ROOT, directory))
      .filter((path) => !LONG_FILES_ALLOWED.has(path))
      .map((path) => ({ path, lines: lineCount(readSource(ROOT, path)) }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ path, lines }) => `${path} has ${lines} lines`);
    expect(tooLong, 'split these by concern').toEqual([]);
  });

  it('scans the tree it is meant to (the scan finds the files and functions it checks)', () => {
    const files = FUNCTION_DIRECTORIES.flatMap((directory) => sourceFilesUnder(ROOT, directory));
    expect(files).toContain('src/adapters/dynamodb/item-claims.ts');
    expect(files).toContain('bin/storywatch.mjs');
    expect(files.some((path) => path.includes('node_modules') || path.includes('/fixtures/'))).toBe(false);
    for (const path of [...LONG_FUNCTIONS_ALLOWED.keys(), ...LONG_FILES_ALLOWED.keys()]) {
      expect(sourceFilesUnder(ROOT, path.split('/')[0] as string), `${path} is allowed but gone`).toContain(path);
    }
  });
});

describe('function spans', () => {
  const body = (statements: number) => Array.from({ length: statements }, (_, index) => `  step(${index});`);

  it('counts from the signature to the closing brace, comments and blank lines included', () => {
    const text = ['export function sixty() {', '  // why', '', ...body(56), '}', ''].join('\n');
    expect(functionSpans('a.ts', text)).toEqual([{ name: 'sixty', line: 1, lines: 60 }]);
  });

  it('finds methods, arrows and constructors, nested ones on their own too', () => {
    const text = [
      'class Stack {',
      '  constructor() {',
      '    const build = () => {',
      ...body(2),
      '    };',
      '  }',
      '  watch(): void {}',
      '}',
      'const shortcut = async (value: number) => value;',
      'module.exports = { run() { return 1; } };',
    ].join('\n');
    expect(functionSpans('b.ts', text)).toEqual([
      { name: 'constructor', line: 2, lines: 6 },
      { name: 'build', line: 3, lines: 4 },
      { name: 'watch', line: 8, lines: 1 },
      { name: 'shortcut', line: 10, lines: 1 },
      { name: 'run', line: 11, lines: 1 },
    ]);
  });

  it('reads plain JavaScript modules as well', () => {
    const text = ['#!/usr/bin/env node', 'function main() {', ...body(70), '}', 'main();'].join('\n');
    expect(functionSpans('bin/cli.mjs', text)).toEqual([{ name: 'main', line: 2, lines: 72 }]);
  });

  it('counts a file without a final newline like one with it', () => {
    expect(lineCount('a\nb\n')).toBe(2);
    expect(lineCount('a\nb')).toBe(2);
  });
});
