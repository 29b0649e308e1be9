import { terminalText } from '../../core/plain-text';
import { clipText } from '../../core/text-limits';

/**
 * Column-aligned text for people at a terminal. Cells are cut to `maxWidth` so one long quote cannot wrap a table,
 * and carry no control or bidi characters, so stored text can neither drive the terminal nor reorder a line.
 */
export function renderTable(headers: string[], rows: string[][], maxWidth = 60): string {
  const clean = (cell: string) => {
    return clipText(terminalText(cell).replace(/\s+/g, ' ').trim(), maxWidth);
  };
  const table = [headers, ...rows].map((row) => row.map(clean));
  const widths = headers.map((_, column) => Math.max(...table.map((row) => [...(row[column] ?? '')].length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = table;
  return `${[line(head ?? []), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n')}\n`;
}

/** "2025-03-14T09:30:00.000Z" → "2025-03-14 09:30" (UTC), compact enough for a column. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
