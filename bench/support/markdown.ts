/**
 * Markdown output for benchmark results: a pipe table with aligned columns, and number formats
 * that keep figures readable (ns with one decimal below 100, thousands separators above).
 */

/** Column alignment: left for labels, right for figures. */
export type Align = 'left' | 'right';

/**
 * A GitHub-flavoured markdown table. Cells are padded so the raw text lines up too.
 * `align` defaults to left for the first column and right for the others.
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const columns = headers.length;
  const alignments = headers.map((_, i) => align?.[i] ?? (i === 0 ? 'left' : 'right'));
  const widths = headers.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number): string =>
    alignments[i] === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const line = (cells: readonly string[]): string =>
    `| ${Array.from({ length: columns }, (_, i) => pad(cells[i] ?? '', i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (alignments[i] === 'right' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** Nanoseconds: `12.3 ns`, `456 ns`, `7.89 µs`, `1.23 ms`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 100) return `${ns.toFixed(1)} ns`;
  if (ns < 10_000) return `${Math.round(ns).toLocaleString('en-US')} ns`;
  if (ns < 10_000_000) return `${(ns / 1000).toFixed(ns < 100_000 ? 2 : 1)} µs`;
  return `${(ns / 1_000_000).toFixed(1)} ms`;
}

/** A rate in operations per second: `12.3 M/s`, `456 k/s`. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(1)} M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`;
  return `${perSecond.toFixed(0)} /s`;
}

/** Bytes: `1.2 MiB`, `345 KiB`, `12 B`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  if (b >= 1 << 30) return `${sign}${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 1 << 20) return `${sign}${(b / 2 ** 20).toFixed(1)} MiB`;
  if (b >= 1 << 10) return `${sign}${(b / 2 ** 10).toFixed(0)} KiB`;
  return `${sign}${b.toFixed(0)} B`;
}

/** A count with thousands separators: `1,062,046`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds with two decimals: `1.23 s`. */
export function formatSeconds(ns: number): string {
  return `${(ns / 1e9).toFixed(2)} s`;
}
