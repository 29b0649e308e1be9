import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

/** A function (declaration, method, arrow, accessor...) with a body, by where it starts and how many lines it spans. */
export interface FunctionSpan {
  name: string;
  line: number;
  lines: number;
}

const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;
/** Not the project's code: dependencies, build output, local data and the feed fixtures (data, not code). */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'cdk.out', '.storywatch', '.git', 'fixtures']);

/** The source files below `directory` of `root`, as paths relative to `root` with forward slashes. */
export function sourceFilesUnder(root: string, directory: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(child);
      } else if (SOURCE_FILE.test(entry.name)) {
        found.push(relative(root, child).split(sep).join('/'));
      }
    }
  };
  walk(join(root, directory));
  return found.sort();
}

export function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/**
 * Every function of a file with the lines it spans, from the line its signature starts on to the line of its closing
 * brace, comments and blank lines included: what a reader scrolls through. Nested functions count on their own and
 * inside the function holding them.
 */
export function functionSpans(fileName: string, text: string): FunctionSpan[] {
  const kind = /\.(js|mjs|cjs)$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const spans: FunctionSpan[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      spans.push({ name: nameOf(node), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return spans;
}

function nameOf(node: ts.Node): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name))) return named.name.text;
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return '(anonymous)';
}

export function readSource(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
