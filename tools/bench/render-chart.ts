// npm run bench:chart [-- RESULTS_JSON [OUT_DIR]]: draws docs/bench/*.svg from docs/bench/results.json.
import path from 'node:path';
import { DEFAULT_RESULTS } from './src/options.js';
import { renderCharts } from './src/render.js';

const [resultsFile = DEFAULT_RESULTS, outDir = path.dirname(resultsFile)] = process.argv.slice(2);
try {
  for (const file of renderCharts(path.resolve(resultsFile), path.resolve(outDir))) console.log(`wrote ${path.relative(process.cwd(), file)}`);
} catch (err) {
  console.error(`bench:chart: ${(err as Error).message}`);
  process.exitCode = 1;
}
