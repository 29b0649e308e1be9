import type { Figure } from './stats';

export interface BenchRow {
  section: string;
  name: string;
  unit: string;
  /** Ours. */
  value: Figure;
  /** The obvious approach measured in the same run, where there is one. */
  baseline?: Figure;
  /** value / baseline, or baseline / value for lower-is-better units, so > 1 always means "we are better". */
  ratio?: number;
  target?: string;
  /** Whether the target holds for the median; undefined when there is no target. */
  meetsTarget?: boolean;
}

export type BenchSection = (options: { runs: number }) => Promise<BenchRow[]>;

const LOWER_IS_BETTER = new Set(['ms', 's', 'MB', 'KB', 'writes', 'requests', 'RCU']);

export function row(fields: Omit<BenchRow, 'ratio'>): BenchRow {
  const { value, baseline, unit } = fields;
  if (!baseline || baseline.median === 0 || value.median === 0) return fields;
  const ratio = LOWER_IS_BETTER.has(unit) ? baseline.median / value.median : value.median / baseline.median;
  return { ...fields, ratio };
}

export function single(value: number) {
  return { median: value, min: value, max: value, runs: 1 };
}

function formatNumber(value: number): string {
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(value === Math.round(value) ? 0 : 3);
}

function formatFigure(figure: Figure | undefined): string {
  if (!figure) return '';
  if (figure.runs === 1 || figure.min === figure.max) return formatNumber(figure.median);
  return `${formatNumber(figure.median)} (${formatNumber(figure.min)}–${formatNumber(figure.max)})`;
}

export function formatTable(rows: BenchRow[]): string {
  const header = ['section', 'figure', 'ours: median (min–max)', 'obvious approach', 'ratio', 'target'];
  const body = rows.map((entry) => [
    entry.section,
    `${entry.name} [${entry.unit}]`,
    formatFigure(entry.value),
    formatFigure(entry.baseline),
    entry.ratio === undefined ? '' : `${entry.ratio.toFixed(2)}x`,
    entry.target ? `${entry.target} ${entry.meetsTarget === undefined ? '' : entry.meetsTarget ? 'ok' : 'MISSED'}` : '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
