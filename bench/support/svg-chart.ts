/**
 * Line charts as hand-written SVG text, for benchmark figures a README shows (no dependency:
 * a chart of a few measured points is axes, polylines, markers and labels).
 *
 * A chart is one or more panels side by side, each with its own y axis (linear from 0, or
 * logarithmic for figures that span decades such as latency percentiles) and a shared kind of
 * x axis (the points' x values, ticked where there are points). Every point carries its value
 * as a label, so the chart can be read without the table; a missing value (NaN) leaves a gap.
 */

/** One line of a panel: a name for the legend and a value per x of the panel (NaN: none). */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  /** Stroke colour; default from the palette by position. */
  readonly colour?: string;
  /** Dashed line (e.g. a reference or a paced variant). */
  readonly dashed?: boolean;
}

/** One panel: a title, axes and its lines. */
export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xs: readonly number[];
  readonly series: readonly Series[];
  /** Logarithmic y axis (all values must be > 0). */
  readonly logY?: boolean;
  /** Formats a value for tick and point labels. */
  readonly format: (value: number) => string;
}

/** The whole chart: panels side by side, a title above and note lines below. */
export interface Chart {
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly notes?: readonly string[];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];
const PANEL_WIDTH = 420;
const PLOT_HEIGHT = 220;
const LEGEND_LINE = 15;
const MARGIN = { left: 64, right: 44, top: 30, bottom: 44 };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Nice linear ticks from 0 to at least `max`. */
function linearTicks(max: number): number[] {
  const top = max > 0 ? max : 1;
  const rough = top / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const ticks: number[] = [];
  for (let v = 0; v < top + step * 0.999; v += step) ticks.push(v);
  return ticks;
}

/** Powers of ten covering [min, max]. */
function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks;
}

/** Height of a panel: title, one legend line per series above the plot, the plot, the x axis. */
function panelHeight(panel: Panel): number {
  return MARGIN.top + LEGEND_LINE * panel.series.length + 8 + PLOT_HEIGHT + MARGIN.bottom;
}

function panelSvg(panel: Panel, offsetX: number, panelHeightPx: number): string {
  const width = PANEL_WIDTH - MARGIN.left - MARGIN.right;
  const height = PLOT_HEIGHT;
  const plotTop = MARGIN.top + LEGEND_LINE * panel.series.length + 8;
  const values = panel.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!panel.logY || v > 0));
  const ticks = panel.logY ? logTicks(Math.min(...values), Math.max(...values)) : linearTicks(Math.max(0, ...values));
  const yMin = panel.logY ? ticks[0]! : 0;
  const yMax = ticks[ticks.length - 1]!;
  const xMin = Math.min(...panel.xs);
  const xMax = Math.max(...panel.xs);
  const x = (v: number): number => MARGIN.left + (xMax === xMin ? width / 2 : ((v - xMin) / (xMax - xMin)) * width);
  const y = (v: number): number => {
    const f = panel.logY ? (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin)) : (v - yMin) / (yMax - yMin);
    return plotTop + height - f * height;
  };
  const out: string[] = [`<g transform="translate(${offsetX},0)">`];
  out.push(`<text x="${MARGIN.left + width / 2}" y="18" text-anchor="middle" font-weight="bold">${escape(panel.title)}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + width}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11">${escape(panel.format(t))}</text>`);
  }
  for (const v of panel.xs) {
    out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${plotTop + height}" y2="${plotTop + height + 4}" stroke="#333"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${plotTop + height + 17}" text-anchor="middle" font-size="11">${v}</text>`);
  }
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + width}" y1="${plotTop + height}" y2="${plotTop + height}" stroke="#333"/>`);
  out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${plotTop}" y2="${plotTop + height}" stroke="#333"/>`);
  out.push(`<text x="${MARGIN.left + width / 2}" y="${panelHeightPx - 6}" text-anchor="middle" font-size="12">${escape(panel.xLabel)}</text>`);
  out.push(`<text transform="translate(14,${plotTop + height / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escape(panel.yLabel)}</text>`);
  panel.series.forEach((s, i) => {
    const colour = s.colour ?? PALETTE[i % PALETTE.length]!;
    const points = panel.xs.map((xv, k) => [xv, s.values[k] ?? NaN] as const).filter(([, v]) => Number.isFinite(v) && (!panel.logY || v > 0));
    const path = points.map(([xv, v]) => `${x(xv).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [xv, v] of points) {
      out.push(`<circle cx="${x(xv).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${colour}"/>`);
      const last = xv === xMax;
      out.push(`<text x="${(x(xv) + (last ? -5 : 5)).toFixed(1)}" y="${(y(v) - 6).toFixed(1)}" font-size="10" fill="${colour}"${last ? ' text-anchor="end"' : ''}>${escape(panel.format(v))}</text>`);
    }
    const legendY = MARGIN.top + 4 + i * LEGEND_LINE;
    out.push(`<line x1="${MARGIN.left + 10}" x2="${MARGIN.left + 30}" y1="${legendY}" y2="${legendY}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${MARGIN.left + 35}" y="${legendY + 4}" font-size="11">${escape(s.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

/** The SVG document of `chart`. */
export function lineChartSvg(chart: Chart): string {
  const notes = chart.notes ?? [];
  const width = PANEL_WIDTH * chart.panels.length;
  const top = 28;
  const panelHeightPx = Math.max(...chart.panels.map(panelHeight));
  const height = top + panelHeightPx + 16 * notes.length + 8;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(chart.title)}</text>`,
    `<g transform="translate(0,${top})">`,
    ...chart.panels.map((p, i) => panelSvg(p, i * PANEL_WIDTH, panelHeightPx)),
    '</g>',
    ...notes.map((n, i) => `<text x="10" y="${top + panelHeightPx + 14 + 16 * i}" font-size="11" fill="#444">${escape(n)}</text>`),
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}
