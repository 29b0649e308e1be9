/**
 * Writes a story as people read it: a list or object that fits on one line stays on one line, longer ones get one
 * entry per line. The layout Biome keeps, so a drafted story passes `npm run lint` as written.
 */
const LINE_WIDTH = 110;

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, entry]) => `${JSON.stringify(key)}: ${inline(entry)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** `indent` is the line's indentation, `column` where the value starts on its first line (after a key). */
function layout(value: unknown, indent: number, column = indent): string {
  const flat = inline(value);
  if (typeof value !== 'object' || value === null || column + flat.length <= LINE_WIDTH) return flat;
  const pad = ' '.repeat(indent + 2);
  const close = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((entry) => `${pad}${layout(entry, indent + 2)}`).join(',\n')}\n${close}]`;
  }
  const entries = Object.entries(value).map(
    ([key, entry]) =>
      `${pad}${JSON.stringify(key)}: ${layout(entry, indent + 2, indent + 4 + JSON.stringify(key).length)}`,
  );
  return `{\n${entries.join(',\n')}\n${close}}`;
}

export function formatStoryJson(value: unknown): string {
  return `${layout(value, 0)}\n`;
}
