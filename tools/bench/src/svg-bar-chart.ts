// A grouped bar chart as a self-contained SVG: plain shapes and text in the viewer's sans-serif font,
// no scripts, styles or fonts from elsewhere, so GitHub shows it as an image. Every bar carries its
// value as text, so the chart reads without hovering or guessing from the axis.

export interface BarGroup {
  readonly name: string;
  /** Value per series name; a series a group lacks leaves a gap. */
  readonly values: ReadonlyMap<string, number>;
}

export interface BarChart {
  readonly title: string;
  /** Lines under the title (where, when and under what load the figures were taken). */
  readonly notes: readonly string[];
  readonly unit: string;
  readonly series: readonly string[];
  readonly groups: readonly BarGroup[];
  /** A horizontal line, e.g. 1.0 = the bare path for throughput ratios. */
  readonly reference?: { readonly value: number; readonly label: string };
  readonly digits: number;
}

const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#e15759'];
const BAR = 34;
const BAR_GAP = 6;
const GROUP_GAP = 36;
const PLOT_HEIGHT = 220;
const LEFT = 60;
const RIGHT = 20;
const LINE = 16;
/** A rough width of 12 px sans-serif text, enough to keep labels from running into each other. */
const textWidth = (s: string) => s.length * 6.8;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The smallest 1, 1.2, 2, 4, 6 or 8 × 10^n at or above `x`: a round axis end whose quarters are round too. */
export function niceCeiling(x: number): number {
  if (!(x > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 1.2, 2, 4, 6, 8, 10].map((m) => m * power).find((c) => c >= x * (1 - 1e-9))!;
}

const text = (x: number, y: number, content: string, attrs = '') =>
  `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;

export function renderBarChart(chart: BarChart): string {
  const groupWidth = chart.series.length * (BAR + BAR_GAP) - BAR_GAP;
  const slot = Math.max(groupWidth + GROUP_GAP, ...chart.groups.map((g) => textWidth(g.name) + 16));
  const plotWidth = Math.max(chart.groups.length * slot, 200);
  const legendWidths = chart.series.map((name) => 16 + textWidth(name) + 24);
  const width = Math.ceil(Math.max(LEFT + plotWidth + RIGHT, LEFT + legendWidths.reduce((a, b) => a + b, 0), ...chart.notes.map((n) => LEFT + n.length * 6 + RIGHT)));
  const legendTop = 30 + chart.notes.length * LINE + 8;
  const plotTop = legendTop + LINE + 24;
  const plotBottom = plotTop + PLOT_HEIGHT;
  const height = plotBottom + 3 * LINE + 8;
  const values = chart.groups.flatMap((g) => [...g.values.values()]);
  const top = niceCeiling(Math.max(...values, chart.reference?.value ?? 0) * 1.1);
  const y = (v: number) => plotBottom - (v / top) * PLOT_HEIGHT;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(LEFT, 20, chart.title, 'font-size="15" font-weight="bold"'),
    ...chart.notes.map((note, i) => text(LEFT, 20 + (i + 1) * LINE, note, 'fill="#555555" font-size="11"')),
  ];
  chart.series.forEach((name, i) => {
    const x = LEFT + legendWidths.slice(0, i).reduce((a, b) => a + b, 0);
    out.push(`<rect x="${x}" y="${legendTop}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`);
    out.push(text(x + 16, legendTop + 10, name));
  });
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(text(LEFT - 6, y(v) + 4, String(Number(v.toPrecision(3))), 'text-anchor="end" fill="#555555"'));
  }
  out.push(text(14, (plotTop + plotBottom) / 2, chart.unit, `text-anchor="middle" transform="rotate(-90 14 ${((plotTop + plotBottom) / 2).toFixed(1)})"`));
  chart.groups.forEach((group, g) => {
    const left = LEFT + g * slot + (slot - groupWidth) / 2;
    chart.series.forEach((series, s) => {
      const value = group.values.get(series);
      if (value === undefined) return;
      const x = left + s * (BAR + BAR_GAP);
      const h = Math.max(plotBottom - y(value), 0.5);
      out.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${(plotBottom - h).toFixed(1)}" width="${BAR}" height="${h.toFixed(1)}" fill="${COLOURS[s % COLOURS.length]}">` +
          `<title>${escapeXml(`${group.name}, ${series}: ${value.toFixed(chart.digits)} ${chart.unit}`)}</title></rect>`,
      );
      out.push(text(x + BAR / 2, plotBottom - h - 4, value.toFixed(chart.digits), 'class="value" text-anchor="middle"'));
    });
    out.push(text(left + groupWidth / 2, plotBottom + LINE + 2, group.name, 'class="group" text-anchor="middle"'));
  });
  out.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${plotBottom}" y2="${plotBottom}" stroke="#333333"/>`);
  if (chart.reference) {
    const ry = y(chart.reference.value).toFixed(1);
    out.push(`<line class="reference" x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${ry}" y2="${ry}" stroke="#c00000" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    out.push(text(LEFT + plotWidth - 2, Number(ry) - 4, chart.reference.label, 'text-anchor="end" fill="#c00000"'));
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
