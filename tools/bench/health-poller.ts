// Helper of tools/bench/health.ts, run inside a lab namespace: polls /readyz and /metrics in turn,
// one request at a time, until SIGTERM; then writes every latency (ms) as JSON to <out file>. Prints
// "polling" once the first answer came.
//
//   health-poller.ts <base url> <out file>
import { writeFileSync } from 'node:fs';

const [base = '', outFile = ''] = process.argv.slice(2);
const latencies: Record<'readyz' | 'metrics', number[]> = { readyz: [], metrics: [] };
let stopping = false;
process.on('SIGTERM', () => (stopping = true));

while (!stopping) {
  for (const endpoint of ['readyz', 'metrics'] as const) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/${endpoint}`);
      await res.text();
      latencies[endpoint].push(performance.now() - started);
      if (latencies.readyz.length === 1 && endpoint === 'readyz') process.stdout.write('polling\n');
    } catch {
      // Not listening yet: nothing to measure.
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
writeFileSync(outFile, JSON.stringify(latencies));
