import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

// How one context value is read, whatever its key: `-c key=value` overrides arrive as strings, cdk.json values as
// JSON, so each reader accepts both. A bad value adds a line to `problems` and yields the fallback, so loadConfig
// can report every problem of a deploy at once.

/** A string that looks like JSON (a list, an object, a quoted string) is parsed; anything else stays as it is. */
export function parseMaybeJson(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const trimmed = raw.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{') || trimmed.startsWith('"')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

export function readInteger(
  raw: unknown,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'string' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.push(`${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return value;
}

export function readBoolean(raw: unknown, key: string, problems: string[]): boolean {
  if (raw === undefined || raw === null || raw === '' || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return true;
  problems.push(`${key} must be true or false, got ${JSON.stringify(raw)}`);
  return false;
}

/** A string matching `pattern`, or null when unset. */
export function readOptionalMatch(
  raw: unknown,
  key: string,
  pattern: RegExp,
  expected: string,
  problems: string[],
): string | null {
  const value = parseMaybeJson(raw);
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string' && pattern.test(value)) return value;
  problems.push(`${key} must be ${expected}, got ${JSON.stringify(value)}`);
  return null;
}

/** A path relative to the project root that must exist as a file or a directory; absolute in the config. */
export function readPath(
  raw: unknown,
  key: string,
  where: { fallback: string; kind: 'file' | 'directory'; projectRoot: string },
  problems: string[],
): string {
  const value = parseMaybeJson(raw) ?? where.fallback;
  if (typeof value !== 'string' || value === '') {
    problems.push(`${key} must be a path, got ${JSON.stringify(value)}`);
    return '';
  }
  const absolute = isAbsolute(value) ? value : resolve(where.projectRoot, value);
  if (!existsSync(absolute)) {
    problems.push(`${key} points to ${absolute}, which does not exist`);
  } else if (where.kind === 'directory' ? !statSync(absolute).isDirectory() : !statSync(absolute).isFile()) {
    problems.push(`${key} must be a ${where.kind}: ${absolute}`);
  }
  return absolute;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
