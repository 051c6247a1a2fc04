// results.json → the SVG charts beside it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCharts } from './charts.js';
import { readResults } from './results-file.js';
import { renderBarChart } from './svg-bar-chart.js';

/** Writes one SVG per chart that has figures and returns their paths; errors are one line naming the file. */
export function renderCharts(resultsFile: string, outDir: string): string[] {
  const results = readResults(resultsFile);
  if (!results) throw new Error(`${resultsFile} does not exist: run a benchmark first (e.g. npx tsx --tsconfig tsconfig.base.json tools/bench/vxlan.ts)`);
  const charts = buildCharts(results);
  if (!charts.length) throw new Error(`${resultsFile} holds no figures to chart`);
  return charts.map(({ file, chart }) => {
    const target = path.join(outDir, file);
    writeFileSync(target, renderBarChart(chart));
    return target;
  });
}
